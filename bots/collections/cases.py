"""Dispute and question cases: opened from intake emails, from deductions, or by a collector.

Each case is linked to a customer and (mostly) an invoice, routed to a team by rules
(reason -> team, with the days the team has to answer), and closed with a resolution in the
console. An open case keeps its invoice out of dunning. ``source_ref`` makes opening
idempotent: the same email or deduction read twice opens one case.

Routing rules come from ``bots.collections.routing`` in config/o2c.yaml, e.g.::

    routing:
      pricing: {team: pricing, days: 5}
      shortage: {team: logistics, days: 3}
      default: {team: collections, days: 10}
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bots.runtime.store.models import ContactLog, DisputeCase

DEFAULT_ROUTING = {
    "pricing": ("pricing", 5), "price": ("pricing", 5), "shortage": ("logistics", 3), "damage": ("logistics", 3),
    "freight": ("logistics", 5), "promotion": ("trade-spend", 10), "tax": ("tax", 10),
    "invoice_question": ("billing", 3), "copy_request": ("billing", 2), "default": ("collections", 10),
}


@dataclass(frozen=True)
class Route:
    team: str
    days: int


def routing_rules(config: dict | None) -> dict[str, Route]:
    """The reason -> team rules: the defaults, overridden by the settings' ``routing``."""
    rules = {reason: Route(team, days) for reason, (team, days) in DEFAULT_ROUTING.items()}
    for reason, rule in (config or {}).items():
        rules[str(reason).lower()] = Route(str(rule["team"]), int(rule.get("days", 10)))
    return rules


def route(reason: str, rules: dict[str, Route]) -> Route:
    return rules.get((reason or "").lower(), rules["default"])


def open_case(session: Session, *, customer_id: str, invoice: str | None, kind: str, reason: str, source: str,
              by: str, at: datetime, rules: dict[str, Route], amount: Decimal | None = None,
              source_ref: str | None = None, note: str | None = None) -> tuple[DisputeCase, bool]:
    """Open a case routed by ``rules`` (in the caller's transaction); (case, opened) and no second one
    for the same ``source_ref``."""
    if source_ref:
        existing = session.scalars(select(DisputeCase).where(DisputeCase.source_ref == source_ref)).one_or_none()
        if existing is not None:
            return existing, False
    target = route(reason, rules)
    case = DisputeCase(customer_id=customer_id, invoice=invoice, kind=kind, reason=reason.lower(), team=target.team,
                       amount=amount, state="open", due_date=(at.date() + timedelta(days=target.days)),
                       source=source, source_ref=source_ref, note=note, opened_at=at, opened_by=by)
    try:
        with session.begin_nested():
            session.add(case)
    except IntegrityError:      # opened by a concurrent run a moment ago
        return session.scalars(select(DisputeCase).where(DisputeCase.source_ref == source_ref)).one(), False
    session.add(ContactLog(customer_id=customer_id, at=at, actor=by, kind="dispute" if kind != "question" else kind,
                           invoices=[invoice] if invoice else [], note=f"{kind} ({reason}) to {target.team}"
                           + (f": {note}" if note else "")))
    return case, True


def close_case(session: Session, case_id: int, by: str, at: datetime, resolution: str) -> DisputeCase:
    case = session.get(DisputeCase, case_id)
    if case is None:
        raise LookupError(f"no case {case_id}")
    if case.state != "closed":
        case.state, case.closed_at, case.closed_by, case.resolution = "closed", at, by, resolution
        session.add(ContactLog(customer_id=case.customer_id, at=at, actor=by, kind="case_closed",
                               invoices=[case.invoice] if case.invoice else [], note=resolution))
    return case


def disputed_invoices(session: Session) -> set[tuple[str, str]]:
    """(customer_id, invoice) of every item with an open case."""
    rows = session.execute(select(DisputeCase.customer_id, DisputeCase.invoice).where(
        DisputeCase.state == "open", DisputeCase.invoice.is_not(None)))
    return {(customer, invoice) for customer, invoice in rows}


def overdue_cases(session: Session, today: date) -> list[DisputeCase]:
    return list(session.scalars(select(DisputeCase).where(DisputeCase.state == "open", DisputeCase.due_date < today)
                                .order_by(DisputeCase.due_date)))
