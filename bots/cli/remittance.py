"""``o2c parse-remittance``: remittance advice PDFs to contract 1's JSON.

One file prints one JSON object (``--json``) or a readable summary. Several files or a
folder print one JSON object per line, with a progress bar when a person is watching.
Unreadable files exit with code 2 and the contract's error JSON.
"""

import sys
from pathlib import Path

import typer

from bots.cli.main import app
from bots.cli.output import fail_input, print_json, print_table
from bots.runtime.errors import InputError


@app.command("parse-remittance")
def parse_remittance_command(
    files: list[Path] = typer.Argument(..., help="Remittance advice PDF(s), or a folder of them.", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per document, one per line for several)."),
) -> None:
    """Read remittance advices (PDF) and print payer, payment reference, date, method, currency, total and lines."""
    from inbox_parsers.remittance import parse_remittance, to_contract

    paths = _expand(files)
    if len(paths) == 1 and not files[0].is_dir():
        try:
            remittance = to_contract(parse_remittance(paths[0]))
        except InputError as error:
            fail_input(error, as_json)
        if as_json:
            print_json(remittance)
        else:
            _print_summary(paths[0], remittance)
        return

    failed = 0
    for path, result in _parse_all(paths, parse_remittance, to_contract):
        if isinstance(result, InputError):
            failed += 1
            if as_json:
                print_json({"error": result.message, "file": result.file}, indent=None)
            else:
                typer.echo(f"error: {result.message} ({result.file})", err=True)
        elif as_json:
            print_json({"file": str(path), **result}, indent=None)
        else:
            _print_summary(path, result)
    if not paths:
        fail_input(InputError("no PDF files found", str(files[0])), as_json)
    if failed:
        raise typer.Exit(2)


def _expand(files: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the PDFs in it (sorted by name)."""
    paths = []
    for item in files:
        if item.is_dir():
            paths.extend(sorted(p for p in item.iterdir() if p.suffix.lower() == ".pdf" and p.is_file()))
        else:
            paths.append(item)
    return paths


def _parse_all(paths, parse, convert):
    """Yield (path, record or InputError), with a progress bar on a terminal."""
    def results():
        for path in paths:
            try:
                yield path, convert(parse(path))
            except InputError as error:
                yield path, error

    if not (sys.stderr.isatty() and len(paths) > 1):
        yield from results()
        return
    from rich.console import Console
    from rich.progress import Progress

    # The bar goes to stderr and leaves stdout alone, so JSON lines stay whole when piped.
    with Progress(console=Console(stderr=True), transient=True, redirect_stdout=False,
                  redirect_stderr=False) as progress:
        task = progress.add_task("Parsing remittances", total=len(paths))
        for item in results():
            progress.advance(task)
            yield item


def _print_summary(path: Path, r: dict) -> None:
    typer.echo(f"{path}: {r['payer'] or '?'}  ref {r['payment_reference'] or '?'}  "
               f"{r['payment_date'] or '?'}  {r['payment_method'] or '?'}  {r['currency'] or '?'} {r['total']}")
    print_table(
        f"{len(r['lines'])} line(s)",
        ["Invoice", "Invoice date", "Gross", "Discount", "Deduction", "Paid"],
        [[l["invoice"], l["invoice_date"], l["gross"], l["discount"], l["deduction"], l["paid"]] for l in r["lines"]],
        right={"Gross", "Discount", "Deduction", "Paid"},
    )
    for warning in r["warnings"]:
        typer.echo(f"warning: {warning}", err=True)
