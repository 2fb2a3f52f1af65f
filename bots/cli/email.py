"""``o2c parse-email``: one email message to contract 2's JSON (is it an order, and which).

With ``--json`` it prints exactly one JSON object; without, a readable summary and one
table per order. A file that is not an email at all exits with code 2 and the
contract's error JSON.
"""

from pathlib import Path

import typer

from bots.cli.main import app
from bots.cli.output import fail_input, print_json, print_table
from bots.runtime.errors import InputError


@app.command("parse-email")
def parse_email_command(
    file: Path = typer.Argument(..., help="The email message (.eml, RFC 5322 / MIME).", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
    skus: Path = typer.Option(None, "--skus", help="Item master: a text file with one known SKU a line; "
                              "lines with other SKUs are flagged (unknown_sku) for the exception queue.",
                              show_default=False),
) -> None:
    """Read one email and say whether it carries purchase orders, and print them."""
    from inbox_parsers.email import parse_email

    try:
        if not file.is_file():
            raise InputError("the file does not exist" if not file.exists() else "not a file", str(file))
        raw = file.read_bytes()
        known = _read_skus(skus) if skus else None
        result = parse_email(raw, known_skus=known)
    except InputError as error:
        fail_input(InputError(error.message, error.file or str(file)), as_json)
    except OSError as error:
        fail_input(InputError(f"cannot read the file ({error.strerror})", str(file)), as_json)
    if as_json:
        print_json(result)
        return
    _print_result(result)


def _read_skus(path: Path) -> set[str]:
    try:
        return {line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()}
    except OSError as error:
        raise InputError(f"cannot read the SKU list ({error.strerror})", str(path)) from None


def _print_result(result: dict) -> None:
    typer.echo(f"From:    {result['from'] or '-'}")
    typer.echo(f"Subject: {result['subject'] or '-'}")
    status = result["status"] + (f" ({result['reason']})" if result.get("reason") else "")
    typer.echo(f"Status:  {status}")
    for warning in result.get("warnings", []):
        typer.echo(f"warning: {warning}")
    for order in result["orders"]:
        customer = order["customer"]
        title = (f"PO {order['po_number'] or '?'}  requested {order['requested_date'] or '-'}  "
                 f"{customer['name'] or ''} <{customer['email'] or ''}>  ({order['source']})")
        rows = [[line["sku"], line["description"], line["quantity"], line["unit_price"],
                 "unknown SKU" if line.get("unknown_sku") else ""] for line in order["lines"]]
        print_table(title, ["SKU", "Description", "Qty", "Unit price", "Note"], rows, right={"Qty", "Unit price"})
        if order["ship_to"]:
            typer.echo(f"Ship to: {order['ship_to']}")
        for warning in order.get("warnings", []):
            typer.echo(f"warning: {warning}")
