"""Properties that hold for any ledger and any payments (hypothesis): no application exceeds
what an invoice has open, and applied plus unapplied always equals the payment total."""

import tempfile
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bots.cash import Payment, RemittanceLine, load_open_items, match_payments
from tests.generators.cash_worlds import OPEN_ITEM_COLUMNS

NAMES = ["Pinecrest Grocers LLC", "Pinecrest Grocers West Inc", "Harbor Freight Outfitters Inc.", "Alpine Supply AG"]
cents = st.integers(min_value=-50_000, max_value=500_000)


@st.composite
def ledgers(draw):
    items = []
    for number in range(draw(st.integers(1, 14))):
        customer = draw(st.integers(0, len(NAMES) - 1))
        amount = draw(cents.filter(lambda c: c != 0))
        paid_part = draw(st.sampled_from([0, 0, 0, 1])) * draw(st.integers(0, abs(amount)))
        open_amount = amount - paid_part if amount > 0 else amount
        items.append({"customer_id": f"C{customer}", "customer_name": NAMES[customer],
                      "invoice": f"{'INV' if amount > 0 else 'CM'}-{10000 + draw(st.integers(0, 40))}{number}",
                      "invoice_date": (date(2026, 10, 1) + timedelta(days=draw(st.integers(0, 40)))).isoformat(),
                      "due_date": "2026-12-01", "currency": draw(st.sampled_from(["USD", "USD", "EUR"])),
                      "amount": _money(amount), "open_amount": _money(open_amount)})
    return items


@st.composite
def payment_lists(draw, items):
    payments = []
    for number in range(draw(st.integers(1, 8))):
        lines = []
        for _ in range(draw(st.integers(0, 4))):
            item = draw(st.sampled_from(items))
            reference = draw(st.sampled_from([item["invoice"], item["invoice"].lower(), item["invoice"][4:],
                                               item["invoice"] + "/1", "INV-99999"]))
            paid = draw(st.sampled_from([Decimal(item["open_amount"]), Decimal(draw(cents)) / 100]))
            discount = draw(st.sampled_from([Decimal(0), Decimal(0), Decimal(draw(st.integers(0, 5000))) / 100]))
            deduction = draw(st.sampled_from([Decimal(0), Decimal(draw(st.integers(0, 5000))) / 100]))
            lines.append(RemittanceLine(reference, paid, paid + discount + deduction, discount, deduction))
        if lines:
            total = sum(line.paid for line in lines) + draw(st.sampled_from([Decimal(0), Decimal(0), Decimal("10.00"),
                                                                             Decimal("-10.00")]))
        else:
            total = draw(st.sampled_from([Decimal(draw(st.sampled_from(items))["open_amount"]),
                                          Decimal(draw(cents)) / 100]))
        payments.append(Payment(payment_reference=f"P{number}", total=total,
                                payer=draw(st.sampled_from(NAMES + ["PINECREST GROCERS", "Unknown Payer", None])),
                                payment_date=date(2026, 11, draw(st.integers(1, 25))),
                                currency=draw(st.sampled_from(["USD", "USD", "EUR"])),
                                memo=draw(st.sampled_from(["", "ACH", "INV " + draw(st.sampled_from(items))["invoice"]])),
                                lines=lines))
    return payments


@st.composite
def worlds(draw):
    items = draw(ledgers())
    return items, draw(payment_lists(items))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_applications_never_exceed_open_amounts_and_payments_always_balance(world):
    items, payments = world
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "open_items.csv"
        path.write_text(",".join(OPEN_ITEM_COLUMNS) + "\n" + "\n".join(
            ",".join(item[column] for column in OPEN_ITEM_COLUMNS) for item in items) + "\n", encoding="utf-8")
        output = match_payments(load_open_items(path), payments).to_json()

    applied = Counter()
    settled = Counter()
    for application in output["applications"]:
        applied[application["payment_reference"]] += Decimal(application["amount"])
        settled[application["invoice"]] += Decimal(application["amount"]) + Decimal(application["discount"])
    unapplied = {exception["payment_reference"]: Decimal(exception["unapplied"]) for exception in output["exceptions"]}
    assert len(unapplied) == len(output["exceptions"])   # one exception per payment at most
    for payment in payments:
        reference = payment.payment_reference
        assert applied[reference] + unapplied.get(reference, Decimal(0)) == payment.total
        assert 0 <= applied[reference] <= max(payment.total, Decimal(0))

    open_amounts = Counter()
    for item in items:
        open_amounts[item["invoice"]] += Decimal(item["open_amount"])
    for invoice, amount in settled.items():
        available = open_amounts[invoice]
        if available >= 0:
            assert 0 <= amount <= available, invoice
        else:
            assert amount == available, invoice   # a credit memo is taken whole or not at all

    summary = output["summary"]
    assert summary["payments"] == len(payments)
    assert Decimal(summary["amount_applied"]) + Decimal(summary["amount_unapplied"]) == sum(p.total for p in payments)
    for exception in output["exceptions"]:
        assert exception["reason"] in {"unmatched", "ambiguous", "currency", "overpayment", "underpayment",
                                       "already_paid", "unknown_invoice"}
        assert exception["explanation"]


def _money(value: int) -> str:
    return f"{'-' if value < 0 else ''}{abs(value) // 100}.{abs(value) % 100:02d}"
