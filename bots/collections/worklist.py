"""The collector's worklist: overdue items, the largest risk first.

Priority = risk score (at least 1) x open amount x days past due. Items under an open
dispute or a promise to pay that still stands are left off (a broken promise puts them back);
each row carries the customer's collector (``collection_assignments``). Open amounts and days
past due come from ``bots.receivables.metrics``.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots.collections.cases import disputed_invoices
from bots.collections.promises import standing_promise_invoices
from bots.receivables.ledger import Ledger
from bots.receivables.metrics import days_past_due, open_amount
from bots.runtime.store.models import CollectorAssignment, CustomerRiskScore


@dataclass(frozen=True)
class WorkRow:
    customer_id: str
    customer_name: str
    invoice: str
    due_date: date
    days_past_due: int
    open: Decimal
    score: Decimal
    priority: Decimal
    collector: str | None

    def to_json(self) -> dict:
        return {"customer_id": self.customer_id, "customer_name": self.customer_name, "invoice": self.invoice,
                "due_date": self.due_date.isoformat(), "days_past_due": self.days_past_due,
                "open": f"{self.open:.2f}", "score": f"{self.score:.2f}", "priority": f"{self.priority:.2f}",
                "collector": self.collector}


def order_worklist(ledger: Ledger, today: date, scores: dict[str, Decimal], *, held: set[tuple[str, str]],
                   collectors: dict[str, str] | None = None) -> list[WorkRow]:
    """The overdue, not held items of ``ledger``, highest priority first (pure)."""
    paid = ledger.receipts_of()
    rows = []
    for invoice in ledger.invoices:
        if invoice.invoice_date > today or (invoice.customer_id, invoice.invoice) in held:
            continue
        still_open = open_amount(invoice, paid.get(ledger.key(invoice), []), today)
        days = days_past_due(invoice.due_date, today)
        if still_open <= 0 or days <= 0:
            continue
        score = scores.get(invoice.customer_id, Decimal(0))
        rows.append(WorkRow(invoice.customer_id, invoice.customer_name, invoice.invoice, invoice.due_date, days,
                            still_open, score, max(score, Decimal(1)) * still_open * days,
                            (collectors or {}).get(invoice.customer_id)))
    return sorted(rows, key=lambda row: (-row.priority, row.customer_id, row.invoice))


def worklist(session: Session, today: date, collector: str | None = None) -> list[WorkRow]:
    """The stored worklist (of one ``collector``, or everyone's)."""
    from bots.receivables.store import load_store_ledger

    held = disputed_invoices(session) | standing_promise_invoices(session, today)
    scores = {row.customer_id: Decimal(row.score) for row in session.scalars(select(CustomerRiskScore))}
    collectors = {row.customer_id: row.collector for row in session.scalars(select(CollectorAssignment))}
    rows = order_worklist(load_store_ledger(session), today, scores, held=held, collectors=collectors)
    return [row for row in rows if collector is None or row.collector == collector]


def assign(session: Session, customer_id: str, collector: str, by: str, at: datetime) -> None:
    """Give ``customer_id`` to ``collector`` (in the caller's transaction)."""
    row = session.get(CollectorAssignment, customer_id)
    if row is None:
        session.add(CollectorAssignment(customer_id=customer_id, collector=collector, assigned_at=at, assigned_by=by))
    else:
        row.collector, row.assigned_at, row.assigned_by = collector, at, by
