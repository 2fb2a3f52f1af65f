"""``o2c ar-metrics``: aging, DSO, CEI and days to pay from a plain ledger (contract 4)."""

from datetime import date
from pathlib import Path

import typer

from bots.cli.main import app
from bots.cli.output import fail_input, print_json, print_table
from bots.runtime.errors import InputError


@app.command("ar-metrics")
def ar_metrics(
    invoices: Path = typer.Option(..., "--invoices", help="Invoices CSV (customer_id,customer_name,invoice,"
                                  "invoice_date,due_date,currency,amount); credit memos have a negative amount."),
    receipts: Path = typer.Option(..., "--receipts", help="Receipts CSV (customer_id,invoice,receipt_date,amount)."),
    start: str = typer.Option(..., "--from", help="First day of the period, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day of the period (the aging date), YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """The receivables figures a credit manager reports: aging at --to, DSO (standard and
    count-back), CEI, average days to pay and days late, for the file and per customer.

    Figures are rounded half-up to two places; a figure whose divisor is zero is null.
    """
    from bots.receivables import compute_metrics, load_ledger, metrics_json

    try:
        period = (_period_date(start, "--from"), _period_date(end, "--to"))
        if period[0] > period[1]:
            raise InputError(f"the period starts ({period[0]}) after it ends ({period[1]})", None)
        ledger = load_ledger(invoices, receipts)
        try:
            figures = compute_metrics(ledger, *period)
        except ValueError as error:
            raise InputError(str(error), str(invoices))
    except InputError as error:
        fail_input(error, as_json)
        return
    output = metrics_json(figures)
    if as_json:
        print_json(output)
        return
    _print_tables(output)


def _period_date(value: str, option: str) -> date:
    try:
        if len(value.strip()) != 10:
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date (expected YYYY-MM-DD)", None)


def _print_tables(output: dict) -> None:
    from bots.receivables.metrics import AGING_BUCKETS

    def show(value):
        return "n/a" if value is None else value

    title = f"Receivables {output['from']} to {output['to']} ({output['currency'] or 'no invoices'})"
    names = ["AR", "Sales", "DSO", "DSO count-back", "CEI %", "Days to pay", "Days late"]
    keys = ["ar", "sales", "dso", "dso_countback", "cei", "average_days_to_pay", "average_days_late"]
    print_table(title, names, [[show(output[k]) for k in keys]], right=set(names))
    buckets = list(AGING_BUCKETS)
    print_table("Aging at " + output["to"] + " (days past due)", ["Customer", "AR", *buckets],
                [[f"{c['customer_id']} {c['customer_name']}", c["ar"], *[c["aging"][b] for b in buckets]]
                 for c in output["customers"]] + [["All customers", output["ar"], *[output["aging"][b] for b in buckets]]],
                right={"AR", *buckets})
    print_table("Per customer", ["Customer", "Sales", "DSO", "Days to pay", "Days late"],
                [[f"{c['customer_id']} {c['customer_name']}", c["sales"], show(c["dso"]),
                  show(c["average_days_to_pay"]), show(c["average_days_late"])] for c in output["customers"]],
                right={"Sales", "DSO", "Days to pay", "Days late"})
