"""``o2c match``: apply incoming payments to open items (contract 3)."""

import sys
from pathlib import Path

import typer

from bots.cli.main import app
from bots.cli.output import fail_input, print_json, print_table
from bots.runtime.errors import InputError

TABLE_ROWS = 500   # a terminal shows no more; --json carries every line


@app.command("match")
def match(
    open_items: Path = typer.Option(..., "--open-items", help="The ERP's open-items CSV "
                                    "(customer_id,customer_name,invoice,invoice_date,due_date,currency,amount,open_amount)."),
    payments: Path = typer.Option(..., "--payments", help="Payments: the contract's JSON list, a camt.053 statement "
                                  "or a BAI2 file (told apart by content)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
    terms: Path | None = typer.Option(None, "--terms", help="Per-customer discount terms CSV "
                                      "(customer_id,discount_rate,discount_days)."),
    standard_terms: str = typer.Option("2/10,1/15", "--standard-terms", help="Discount terms (percent/days) that "
                                       "earn a discount for customers not in the terms file."),
    grace_days: int = typer.Option(3, "--grace-days", help="Days allowed past the discount period for bank delays."),
    learned: Path | None = typer.Option(None, "--learned", help="JSON file of payer bank accounts learned from "
                                        "applied payments; read, then updated after the run."),
) -> None:
    """Apply payments to open invoices the way a careful clerk would; the rest go to exceptions.

    Payments are applied in file order, each to what the ones before it left open. Only sure
    applications are made; every doubt becomes an exception with its candidates and a plain
    explanation. In the summary, ``applied`` counts payments applied in full without an
    exception and ``exceptions`` the payments handed to a person (``partially_applied`` of them
    with part of the money applied).
    """
    from bots.cash import (DiscountPolicy, LearnedAccounts, MatchSettings, load_open_items, load_payments,
                           load_terms, match_payments)
    from bots.cash.terms import parse_terms

    try:
        try:
            policy = DiscountPolicy(parse_terms(standard_terms), grace_days)
        except ValueError as error:
            raise InputError(f"bad discount settings: {error}", None)
        if terms is not None:
            load_terms(terms, policy)
        store = LearnedAccounts.load(learned)
        items = load_open_items(open_items)
        incoming = load_payments(payments)
    except InputError as error:
        fail_input(error, as_json)
        return
    result = match_payments(items, incoming, MatchSettings(policy=policy), store)
    store.save()
    output = result.to_json()
    if as_json:
        # Indented for a person reading a small run; compact (and written by orjson, several
        # times faster) when it holds thousands of lines.
        size = len(output["applications"]) + len(output["exceptions"])
        if size <= 2000:
            print_json(output, indent=2)
        else:
            import orjson

            sys.stdout.flush()
            sys.stdout.buffer.write(orjson.dumps(output) + b"\n")
            sys.stdout.flush()
        return
    applications, exceptions = output["applications"], output["exceptions"]
    print_table(_title("Applications", applications),
                ["Payment", "Customer", "Invoice", "Amount", "Discount", "Deduction", "Rule", "Conf."],
                [[a["payment_reference"], a["customer_id"], a["invoice"], a["amount"], a["discount"], a["deduction"],
                  a["rule"], f"{a['confidence']:.2f}"] for a in applications[:TABLE_ROWS]],
                right={"Amount", "Discount", "Deduction", "Conf."})
    print_table(_title("Exceptions", exceptions), ["Payment", "Reason", "Unapplied", "Candidates", "Explanation"],
                [[e["payment_reference"], e["reason"], e["unapplied"], ", ".join(e["candidates"]), e["explanation"]]
                 for e in exceptions[:TABLE_ROWS]], right={"Unapplied"})
    summary = output["summary"]
    print_table("Summary", list(summary), [list(summary.values())])


def _title(name: str, rows: list) -> str:
    """A table's title, saying so when a long run shows only its first rows."""
    if len(rows) <= TABLE_ROWS:
        return name
    return f"{name} (first {TABLE_ROWS} of {len(rows):,}; --json gives all)"
