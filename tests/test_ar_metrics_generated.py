"""Contract 4 on generated ledgers, against an oracle written here from the contract's words alone.

The oracle works in exact fractions over the plain generated rows, walks the calendar with the
``calendar`` module and rounds half-up by hand; it shares no code with bots/receivables.
"""

import calendar
import json
from datetime import date, timedelta
from fractions import Fraction
from math import floor

import pytest
from typer.testing import CliRunner

import bots.cli.ar_metrics  # noqa: F401
from bots.cli.main import app
from tests.generators.ledgers import make_ledger


def rounded(value):
    """Half-up (away from zero on a tie) to two places, as a string; None stays None."""
    if value is None:
        return None
    cents = floor(abs(value) * 100 + Fraction(1, 2))
    sign = "-" if value < 0 and cents else ""
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def quotient(numerator, divisor):
    return None if divisor == 0 else Fraction(numerator) / Fraction(divisor)


class Oracle:
    def __init__(self, invoices, receipts, start, end):
        self.invoices, self.receipts, self.start, self.end = invoices, receipts, start, end

    def open_on(self, invoice, day):
        paid = sum(Fraction(r["amount"]) for r in self.receipts
                   if r["invoice"] == invoice["invoice"] and r["receipt_date"] <= day)
        return Fraction(invoice["amount"]) - paid

    def ar(self, day):
        return sum((self.open_on(i, day) for i in self.invoices if i["invoice_date"] <= day), Fraction(0))

    def sales_between(self, first, last):
        return sum((Fraction(i["amount"]) for i in self.invoices if first <= i["invoice_date"] <= last), Fraction(0))

    def aging(self):
        buckets = dict.fromkeys(["current", "1-30", "31-60", "61-90", "91+"], Fraction(0))
        for invoice in self.invoices:
            if invoice["invoice_date"] > self.end or self.open_on(invoice, self.end) == 0:
                continue
            late = (self.end - invoice["due_date"]).days
            name = ("current" if late <= 0 else "1-30" if late <= 30 else "31-60" if late <= 60
                    else "61-90" if late <= 90 else "91+")
            buckets[name] += self.open_on(invoice, self.end)
        return buckets

    def countback(self):
        remaining = self.ar(self.end)
        if remaining <= 0:
            return Fraction(0)
        total = Fraction(0)
        year, month, last_day = self.end.year, self.end.month, self.end.day
        for _ in range(24):
            sales = self.sales_between(date(year, month, 1), date(year, month, last_day))
            if sales <= 0:
                total += last_day
            elif remaining >= sales:
                remaining -= sales
                total += last_day
            else:
                return total + last_day * remaining / sales
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            last_day = calendar.monthrange(year, month)[1]
        return total

    def days(self):
        in_period = [r for r in self.receipts if self.start <= r["receipt_date"] <= self.end]
        by_number = {i["invoice"]: i for i in self.invoices}
        weight = sum(Fraction(r["amount"]) for r in in_period)
        to_pay = sum(Fraction(r["amount"]) * (r["receipt_date"] - by_number[r["invoice"]]["invoice_date"]).days
                     for r in in_period)
        late = sum(Fraction(r["amount"]) * max(0, (r["receipt_date"] - by_number[r["invoice"]]["due_date"]).days)
                   for r in in_period)
        return quotient(to_pay, weight), quotient(late, weight)

    def figures(self):
        ar, sales, aging = self.ar(self.end), self.sales_between(self.start, self.end), self.aging()
        opening = self.ar(self.start - timedelta(days=1))
        to_pay, late = self.days()
        return {
            "ar": rounded(ar), "aging": {k: rounded(v) for k, v in aging.items()}, "sales": rounded(sales),
            "dso": rounded(quotient(ar * ((self.end - self.start).days + 1), sales)),
            "dso_countback": rounded(self.countback()),
            "cei": rounded(quotient((opening + sales - ar) * 100, opening + sales - aging["current"])),
            "average_days_to_pay": rounded(to_pay), "average_days_late": rounded(late),
        }


@pytest.mark.parametrize("seed, invoices", [(seed, 120) for seed in range(8)] + [(seed, 5) for seed in range(100, 108)])
def test_generated_ledger_matches_the_oracle(tmp_path, seed, invoices):
    # The small ledgers (5 invoices) often have no sales, no receipts or nothing open: null figures.
    ledger = make_ledger(seed, customers=2, invoices=invoices) if invoices < 10 else make_ledger(seed)
    invoices_csv, receipts_csv = ledger.write(tmp_path)
    result = CliRunner().invoke(app, ["ar-metrics", "--invoices", str(invoices_csv), "--receipts", str(receipts_csv),
                                      "--from", ledger.start.isoformat(), "--to", ledger.end.isoformat(), "--json"])
    assert result.exit_code == 0, result.stdout
    out = json.loads(result.stdout)
    expected = Oracle(ledger.invoices, ledger.receipts, ledger.start, ledger.end).figures()
    assert {k: out[k] for k in expected} == expected
    customer_ids = sorted({i["customer_id"] for i in ledger.invoices})
    assert [c["customer_id"] for c in out["customers"]] == customer_ids
    for customer in out["customers"]:
        mine = Oracle([i for i in ledger.invoices if i["customer_id"] == customer["customer_id"]],
                      [r for r in ledger.receipts if r["customer_id"] == customer["customer_id"]],
                      ledger.start, ledger.end).figures()
        keys = ["ar", "aging", "sales", "dso", "average_days_to_pay", "average_days_late"]
        assert {k: customer[k] for k in keys} == {k: mine[k] for k in keys}, customer["customer_id"]
