"""``o2c sandbox-scenario``: write a sandbox world and its truth to a folder."""

from datetime import date
from pathlib import Path

import typer

from bots.cli.main import app
from bots.cli.output import fail_input, print_json, print_table
from bots.runtime.errors import InputError


@app.command("sandbox-scenario")
def sandbox_scenario(
    folder: Path = typer.Argument(..., help="Folder to write the world into (created if missing)."),
    seed: int = typer.Option(42, "--seed", help="Seed of the world; the same seed gives the same world, and the "
                             "sandbox started with it serves the same orders and payments."),
    as_of: str = typer.Option("", "--as-of", help="Business date the world is laid out around (YYYY-MM-DD); "
                              "default today, as `o2c sandbox` does."),
    email_orders: int = typer.Option(12, "--email-orders", help="Purchase orders arriving by email."),
    portal_orders: int = typer.Option(45, "--portal-orders", help="Purchase orders on the customer portal."),
    payments: int = typer.Option(24, "--payments", help="Incoming payments (cycling through the payment cases)."),
    days: int = typer.Option(3, "--days", help="Business days over which the payments are booked."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
) -> None:
    """Write a consistent world (emails, portal POs, open items, payments, bank files,
    remittance PDFs) and truth.json, the answers the bots should reach."""
    from sandbox.scenario import generate_world, write_world

    try:
        day = _parse_day(as_of)
        if folder.exists() and not folder.is_dir():
            raise InputError("the output folder is an existing file, not a folder", str(folder))
        world = generate_world(seed, as_of=day, email_orders=email_orders, portal_orders=portal_orders,
                               payments=payments, days=days)
    except ValueError as error:
        fail_input(InputError(str(error), None), as_json)
        return
    except InputError as error:
        fail_input(error, as_json)
        return
    try:
        files = write_world(world, folder)
    except OSError as error:
        fail_input(InputError(f"cannot write the world: {error.strerror or error}", str(folder)), as_json)
        return
    summary = {
        "folder": str(folder),
        "seed": seed,
        "as_of": world.as_of.isoformat(),
        "files": {name: str(path) for name, path in files.items()},
        "orders": {"email": len(world.email_orders()), "portal": len(world.portal_orders())},
        "emails": len(world.emails),
        "open_items": len(world.open_items),
        "payments": len(world.payments),
        "exceptions": sum(1 for p in world.payments if p.expected.exception),
        "remittance_pdfs": sum(1 for p in world.payments if p.remittance_layout),
    }
    if as_json:
        print_json(summary)
        return
    print_table(f"World {seed} as of {summary['as_of']} in {folder}", ["What", "Count"],
                [["email orders", summary["orders"]["email"]], ["portal orders", summary["orders"]["portal"]],
                 ["emails", summary["emails"]], ["open items", summary["open_items"]],
                 ["payments", summary["payments"]], ["expected exceptions", summary["exceptions"]],
                 ["remittance PDFs", summary["remittance_pdfs"]]], right={"Count"})


def _parse_day(text: str) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not a date; use YYYY-MM-DD", None) from None
