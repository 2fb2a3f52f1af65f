"""Random receivables ledgers for contract 4 (``o2c ar-metrics``), with their CSV files.

``make_ledger(seed)`` gives invoices over about two years (credit memos, invoices after the
period), receipts that pay in full, in parts, late, early, after the period, overpay, or never,
some months with no sales at all, and a period that ends on a random day. The test's oracle
computes the figures from these plain rows on its own.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path


@dataclass
class GeneratedLedger:
    invoices: list[dict] = field(default_factory=list)    # the CSV's columns, values as typed values
    receipts: list[dict] = field(default_factory=list)
    start: date = date(2026, 1, 1)
    end: date = date(2026, 3, 31)

    def write(self, folder: Path) -> tuple[Path, Path]:
        invoices_csv, receipts_csv = Path(folder) / "invoices.csv", Path(folder) / "receipts.csv"
        lines = ["customer_id,customer_name,invoice,invoice_date,due_date,currency,amount"]
        lines += [f"{i['customer_id']},{i['customer_name']},{i['invoice']},{i['invoice_date']},{i['due_date']},"
                  f"{i['currency']},{i['amount']}" for i in self.invoices]
        invoices_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        lines = ["customer_id,invoice,receipt_date,amount"]
        lines += [f"{r['customer_id']},{r['invoice']},{r['receipt_date']},{r['amount']}" for r in self.receipts]
        receipts_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return invoices_csv, receipts_csv


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low, high)) / 100


def make_ledger(seed: int, *, customers: int = 6, invoices: int = 120) -> GeneratedLedger:
    rng = random.Random(seed)
    end = date(2026, 1, 1) + timedelta(days=rng.randint(0, 330))
    start = end - timedelta(days=rng.choice([0, 29, 30, 89, 90, 91, 180, 364]))
    first = end - timedelta(days=760)
    quiet_months = {(end.year, end.month - k) for k in rng.sample(range(1, 9), 2) if end.month - k >= 1}
    ledger = GeneratedLedger(start=start, end=end)
    names = [(f"C{100 + n}", f"Customer {n}") for n in range(customers)]
    for number in range(invoices):
        customer_id, name = rng.choice(names)
        invoice_date = first + timedelta(days=rng.randint(0, 800))       # some after `end`
        if (invoice_date.year, invoice_date.month) in quiet_months:
            continue
        credit_memo = rng.random() < 0.1
        amount = -_cents(rng, 100, 50_000) if credit_memo else _cents(rng, 100, 900_000)
        due_date = invoice_date + timedelta(days=0 if credit_memo else rng.choice([10, 30, 45, 60]))
        invoice = {"customer_id": customer_id, "customer_name": name, "invoice": f"INV-{10000 + number}",
                   "invoice_date": invoice_date, "due_date": due_date, "currency": "USD", "amount": amount}
        ledger.invoices.append(invoice)
        if credit_memo or rng.random() < 0.2:
            continue                                                      # never paid
        parts = rng.choice([1, 1, 1, 2, 3])
        paid = Decimal(0)
        for part in range(parts):
            share = amount - paid if part == parts - 1 else (amount * Decimal(rng.randint(10, 60)) / 100).quantize(
                Decimal("0.01"))
            if part == parts - 1 and rng.random() < 0.15:
                share -= _cents(rng, 1, 5000)                             # short paid: the rest stays open
            if part == parts - 1 and rng.random() < 0.05:
                share += _cents(rng, 1, 500)                              # overpaid
            paid += share
            receipt_date = invoice_date + timedelta(days=rng.randint(-3, 120))
            ledger.receipts.append({"customer_id": customer_id, "invoice": invoice["invoice"],
                                    "receipt_date": receipt_date, "amount": share})
    rng.shuffle(ledger.receipts)
    return ledger
