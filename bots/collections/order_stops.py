"""The stop on new orders that dunning's last stage sets and the credit gate (bots/credit/) reads.

A customer is stopped while a row of ``order_stops`` has ``lifted_at`` empty. Only
SQLAlchemy and the store's models are imported here, so the credit gate can use it freely.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots.runtime.store.models import OrderStop


def active_stop(session: Session, customer_id: str) -> OrderStop | None:
    """The stop in force for ``customer_id``, or None."""
    return session.scalars(select(OrderStop).where(OrderStop.customer_id == customer_id,
                                                   OrderStop.lifted_at.is_(None))).one_or_none()


def set_stop(session: Session, customer_id: str, reason: str, by: str, at) -> bool:
    """Stop new orders for ``customer_id`` (in the caller's transaction); False when already stopped."""
    row = session.get(OrderStop, customer_id)
    if row is not None and row.lifted_at is None:
        return False
    if row is None:
        session.add(OrderStop(customer_id=customer_id, reason=reason, set_at=at, set_by=by))
    else:
        row.reason, row.set_at, row.set_by, row.lifted_at, row.lifted_by = reason, at, by, None, None
    return True


def lift_stop(session: Session, customer_id: str, by: str, at) -> bool:
    """Let ``customer_id`` order again; False when no stop was in force."""
    row = active_stop(session, customer_id)
    if row is None:
        return False
    row.lifted_at, row.lifted_by = at, by
    return True
