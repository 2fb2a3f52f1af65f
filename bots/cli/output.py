"""How commands print: JSON for programs, rich tables for people, errors per the contracts."""

import json
import sys
from decimal import Decimal
from datetime import date, datetime

import typer

from bots.runtime.errors import InputError


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in JSON")


def print_json(obj, *, indent: int | None = 2) -> None:
    """Print exactly one JSON object on stdout."""
    sys.stdout.write(json.dumps(obj, default=_default, ensure_ascii=False, indent=indent) + "\n")
    sys.stdout.flush()


def print_table(title: str, columns: list[str], rows: list[list], *, right: set[str] = frozenset()) -> None:
    """Print a readable table on the terminal."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left", overflow="fold")
    for row in rows:
        table.add_row(*["" if cell is None else str(cell) for cell in row])
    Console().print(table)


def fail_input(error: InputError, as_json: bool) -> None:
    """Report unreadable input the way the contracts say: exit 2, and the error JSON with --json."""
    if as_json:
        print_json({"error": error.message, "file": error.file}, indent=None)
    else:
        typer.echo(f"error: {error.message}" + (f" ({error.file})" if error.file else ""), err=True)
    raise typer.Exit(2)
