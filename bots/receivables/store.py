"""The receivables ledger kept in the store, from the ERP's open-items exports.

The ERP bots export contract 3's open-items CSV (``bots/erp/open_items.py``; the cash
application bot keeps each export as evidence). ``sync_open_items`` folds one export into
``ar_items``: new items are added, an item whose open amount went down gets a receipt of the
difference dated the export's day, and an item that left the export (paid, or cleared by a
credit memo) gets a receipt of what was still open. ``load_store_ledger`` gives that ledger
back as a ``Ledger``, so every figure the console, the reports and dunning show comes from
``bots.receivables.metrics`` like ``o2c ar-metrics``'s.

The day an item was paid is only known to the day of the export that first showed it paid;
exports taken daily keep days to pay exact to the day.
"""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots.runtime.errors import InputError
from bots.receivables.ledger import Invoice, Ledger, Receipt
from bots.receivables.ledger_csv import INVOICE_COLUMNS, amount_field, date_field, read_rows, text_field, where_is
from bots.runtime.store.models import ArItem, ArReceipt

OPEN_ITEM_COLUMNS = [*INVOICE_COLUMNS, "open_amount"]


def read_open_items(path: str | Path) -> list[dict]:
    """The rows of an open-items CSV, typed; ``InputError`` naming the row for anything unreadable."""
    rows = []
    for number, row in read_rows(path, OPEN_ITEM_COLUMNS, "open items"):
        where = where_is("open items", number, row.get("invoice"))
        rows.append({"customer_id": text_field(row, "customer_id", where, path), "customer_name": row["customer_name"].strip(),
                     "invoice": text_field(row, "invoice", where, path),
                     "invoice_date": date_field(row, "invoice_date", where, path),
                     "due_date": date_field(row, "due_date", where, path),
                     "currency": text_field(row, "currency", where, path).upper(),
                     "amount": amount_field(row, "amount", where, path),
                     "open_amount": amount_field(row, "open_amount", where, path)})
    return rows


def sync_open_items(session: Session, rows: list[dict], on: date, seen_at: datetime, source: str) -> dict:
    """Fold one full export taken on ``on`` into the ledger (in the caller's transaction); return counts."""
    counts = {"added": 0, "paid_in_part": 0, "closed": 0, "unchanged": 0}
    existing = {(i.customer_id, i.invoice): i for i in session.scalars(select(ArItem))}
    exported = set()
    for row in rows:
        key = (row["customer_id"], row["invoice"])
        if key in exported:
            raise InputError(f"invoice {row['invoice']} of customer {row['customer_id']} appears twice in the export",
                             source)
        exported.add(key)
        item = existing.get(key)
        if item is None:
            item = ArItem(**{k: row[k] for k in ("customer_id", "customer_name", "invoice", "invoice_date",
                                                 "due_date", "currency", "amount")},
                          open_amount=row["amount"], seen_at=seen_at)
            session.add(item)
            counts["added"] += 1
        paid = Decimal(item.open_amount) - row["open_amount"]
        if paid != 0:
            session.add(ArReceipt(customer_id=item.customer_id, invoice=item.invoice, receipt_date=on, amount=paid,
                                  source=source))
            counts["paid_in_part"] += key in existing
        elif key in existing:
            counts["unchanged"] += 1
        item.open_amount, item.seen_at, item.closed_at = row["open_amount"], seen_at, None
        item.due_date, item.customer_name = row["due_date"], row["customer_name"] or item.customer_name
    for key, item in existing.items():
        if key not in exported and item.closed_at is None:
            if Decimal(item.open_amount) != 0:
                session.add(ArReceipt(customer_id=item.customer_id, invoice=item.invoice, receipt_date=on,
                                      amount=item.open_amount, source=source))
            item.open_amount, item.closed_at = Decimal(0), seen_at
            counts["closed"] += 1
    return counts


def load_store_ledger(session: Session, customer_id: str | None = None) -> Ledger:
    """The stored ledger (one customer's, or all), as ``bots.receivables.metrics`` reads it."""
    items = select(ArItem).order_by(ArItem.customer_id, ArItem.invoice_date, ArItem.invoice)
    receipts = select(ArReceipt).order_by(ArReceipt.id)
    if customer_id is not None:
        items = items.where(ArItem.customer_id == customer_id)
        receipts = receipts.where(ArReceipt.customer_id == customer_id)
    return Ledger(
        invoices=[Invoice(i.customer_id, i.customer_name, i.invoice, i.invoice_date, i.due_date, i.currency,
                          Decimal(i.amount)) for i in session.scalars(items)],
        receipts=[Receipt(r.customer_id, r.invoice, r.receipt_date, Decimal(r.amount)) for r in session.scalars(receipts)])
