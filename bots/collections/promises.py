"""Promises to pay: a customer promises to pay some items by a date.

A promise that still stands (open, its date not passed) keeps its items out of dunning and
off the worklist. ``review_promises`` closes the open ones each day: kept when every item is
paid, broken when the date has passed with an item still open; a broken promise puts the
items back on the worklist and counts in the customer's risk score.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots.runtime.store.models import ArItem, ContactLog, PromiseToPay


def record_promise(session: Session, customer_id: str, invoices: list[str], amount: Decimal, promised_date: date,
                   by: str, at: datetime, note: str | None = None) -> PromiseToPay:
    """Record a promise (and its line in the contact history) in the caller's transaction."""
    if not invoices:
        raise ValueError("a promise to pay needs at least one invoice")
    promise = PromiseToPay(customer_id=customer_id, invoices=sorted(invoices), amount=amount,
                           promised_date=promised_date, state="open", created_at=at, created_by=by)
    session.add(promise)
    session.add(ContactLog(customer_id=customer_id, at=at, actor=by, kind="promise", channel=None,
                           invoices=sorted(invoices), note=note or f"promised {amount} by {promised_date.isoformat()}"))
    return promise


def standing_promise_invoices(session: Session, today: date) -> set[tuple[str, str]]:
    """(customer_id, invoice) of every item under a promise that still stands on ``today``."""
    standing = set()
    for promise in session.scalars(select(PromiseToPay).where(PromiseToPay.state == "open",
                                                              PromiseToPay.promised_date >= today)):
        standing.update((promise.customer_id, invoice) for invoice in promise.invoices)
    return standing


def review_promises(session: Session, today: date, at: datetime, actor: str = "collections") -> dict:
    """Close the open promises that are kept or broken on ``today``; return the counts."""
    counts = {"kept": 0, "broken": 0}
    for promise in session.scalars(select(PromiseToPay).where(PromiseToPay.state == "open")):
        open_items = session.scalars(select(ArItem).where(ArItem.customer_id == promise.customer_id,
                                                          ArItem.invoice.in_(promise.invoices),
                                                          ArItem.open_amount > 0)).all()
        if not open_items:
            promise.state, promise.closed_at = "kept", at
        elif promise.promised_date < today:
            promise.state, promise.closed_at = "broken", at
            session.add(ContactLog(customer_id=promise.customer_id, at=at, actor=actor, kind="promise_broken",
                                   invoices=list(promise.invoices),
                                   note=f"promised {promise.amount} by {promise.promised_date.isoformat()}, "
                                        f"{len(open_items)} item(s) still open"))
        else:
            continue
        counts[promise.state] += 1
    return counts
