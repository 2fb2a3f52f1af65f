"""The credit agency's reports, cached in the store with the date the agency printed.

``save_report(queue, customer_id, report, ...)`` keeps one more report; ``latest_report``
gives the newest as an ``AgencyReport`` (what the credit gate uses); ``fetched_since``
says whether the customer was looked up within an interval (the agency bot's quota guard).
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from bots.credit.rules import AgencyReport
from bots.runtime.store.models import CreditReport


def latest_report(sessions, customer_id: str) -> AgencyReport | None:
    """The newest cached report of ``customer_id``, or None.

    :param sessions: makes an ORM session on the store (``queue.session``, a sessionmaker).
    """
    row = _latest(sessions, customer_id)
    if row is None:
        return None
    return AgencyReport(rating=row.rating, payment_index=row.payment_index,
                        recommended_limit=Decimal(row.recommended_limit) if row.recommended_limit else None,
                        report_date=date.fromisoformat(row.report_date), currency=row.currency,
                        agency_ref=row.agency_ref)


def last_fetched(sessions, customer_id: str) -> datetime | None:
    """When the customer's newest report was fetched, or None."""
    row = _latest(sessions, customer_id)
    return row.fetched_at if row is not None else None


def save_report(queue, customer_id: str, *, company_name: str, country: str, agency_ref: str, rating: str,
                payment_index: int, recommended_limit: Decimal | None, currency: str | None, report_date: date,
                session=None) -> None:
    """Keep a report just read from the agency (in ``session`` when given, else its own transaction)."""
    row = CreditReport(customer_id=customer_id, company_name=company_name, country=country, agency_ref=agency_ref,
                       rating=rating, payment_index=int(payment_index),
                       recommended_limit=f"{recommended_limit:.2f}" if recommended_limit is not None else None,
                       currency=currency, report_date=report_date.isoformat(), fetched_at=queue.clock.now())
    if session is not None:
        session.add(row)
        return
    with queue.session() as own, own.begin():
        own.add(row)


def _latest(sessions, customer_id: str):
    with sessions() as session:
        return session.scalar(select(CreditReport).where(CreditReport.customer_id == customer_id)
                              .order_by(CreditReport.fetched_at.desc(), CreditReport.id.desc()).limit(1))
