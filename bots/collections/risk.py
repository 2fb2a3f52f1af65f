"""The customer risk score: 0 (safe) to 100 (risky), from payment history, explained factor by factor.

``score_customer`` is a pure function of the customer's ledger and a few counts; each factor
says its value, the points it adds and why, so the console can show what made the score:

=====================  ===========================================================  ========
factor                 points                                                       at most
=====================  ===========================================================  ========
days_late              1 per day of average lateness (receipts of the last 180 d)   30
trend                  1 per 2 days the average days to pay grew (last 90 d vs the  10
                       90 before)
share_paid_late        20 x the share of money received after its due date          20
past_due_share         10 x the share of the open amount that is past due           10
open_disputes          5 per open dispute case                                      10
credit_used            10 x (open / credit limit - 0.5) x 2, from half the limit up  10
broken_promises        5 per promise broken in the last 365 days                    10
=====================  ===========================================================  ========

Days and shares come from ``bots.receivables.metrics``. ``recompute_scores`` (``o2c run
risk-scores``, scheduled daily) writes every customer's score to ``customer_risk_scores``.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bots.receivables.ledger import Ledger
from bots.receivables.metrics import aging, compute_metrics, past_due, receivables, share_paid_late

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Factor:
    factor: str
    value: str | None
    points: Decimal
    explanation: str

    def to_json(self) -> dict:
        return {"factor": self.factor, "value": self.value, "points": str(self.points),
                "explanation": self.explanation}


def _capped(points: Decimal, most: int) -> Decimal:
    return min(max(points, _ZERO), Decimal(most)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def score_customer(ledger: Ledger, today: date, *, open_disputes: int = 0, broken_promises: int = 0,
                   credit_limit: Decimal | None = None) -> tuple[Decimal, list[Factor]]:
    """(score, factors) of one customer's ``ledger`` on ``today``."""
    factors = []
    recent = compute_metrics(ledger, today - timedelta(days=179), today, per_customer=False)
    late = recent.average_days_late
    factors.append(Factor("days_late", None if late is None else f"{late:.1f}",
                          _capped(late or _ZERO, 30),
                          "no payments in the last 180 days" if late is None
                          else f"paid on average {late:.1f} days after the due date (last 180 days)"))
    now_days = compute_metrics(ledger, today - timedelta(days=89), today, per_customer=False).average_days_to_pay
    before = compute_metrics(ledger, today - timedelta(days=179), today - timedelta(days=90),
                             per_customer=False).average_days_to_pay
    if now_days is None or before is None:
        factors.append(Factor("trend", None, _capped(_ZERO, 10), "not enough payments to see a trend"))
    else:
        change = now_days - before
        factors.append(Factor("trend", f"{change:+.1f}", _capped(change / 2, 10),
                              f"average days to pay went from {before:.1f} to {now_days:.1f}"))
    share = share_paid_late(ledger, today - timedelta(days=179), today)
    factors.append(Factor("share_paid_late", None if share is None else f"{share:.2f}",
                          _capped((share or _ZERO) * 20, 20),
                          "no payments in the last 180 days" if share is None
                          else f"{share * 100:.0f}% of the money received came after the due date"))
    buckets = aging(ledger, today)
    ar = receivables(ledger, today)
    overdue = past_due(buckets)
    overdue_share = overdue / ar if ar > 0 else _ZERO
    factors.append(Factor("past_due_share", f"{overdue_share:.2f}", _capped(overdue_share * 10, 10),
                          f"{overdue:.2f} of {ar:.2f} open is past due"))
    factors.append(Factor("open_disputes", str(open_disputes), _capped(Decimal(5 * open_disputes), 10),
                          f"{open_disputes} open dispute case(s)"))
    if credit_limit and credit_limit > 0:
        used = ar / credit_limit
        factors.append(Factor("credit_used", f"{used:.2f}", _capped((used - Decimal("0.5")) * 20, 10),
                              f"{ar:.2f} open against a credit limit of {credit_limit:.2f} ({used * 100:.0f}%)"))
    else:
        factors.append(Factor("credit_used", None, _capped(_ZERO, 10), "no credit limit known"))
    factors.append(Factor("broken_promises", str(broken_promises), _capped(Decimal(5 * broken_promises), 10),
                          f"{broken_promises} promise(s) to pay broken in the last 365 days"))
    score = sum((f.points for f in factors), _ZERO)
    return min(score, Decimal(100)), factors


def recompute_scores(session: Session, today: date, now: datetime, credit_limits: dict | None = None) -> int:
    """Score every customer of the stored ledger (in the caller's transaction); return how many."""
    from bots.receivables.store import load_store_ledger
    from bots.runtime.store.models import CreditReport, CustomerRiskScore, DisputeCase, PromiseToPay

    ledger = load_store_ledger(session)
    disputes = dict(session.execute(select(DisputeCase.customer_id, func.count()).where(
        DisputeCase.state == "open").group_by(DisputeCase.customer_id)).all())
    broken = dict(session.execute(select(PromiseToPay.customer_id, func.count()).where(
        PromiseToPay.state == "broken", PromiseToPay.promised_date >= today - timedelta(days=365))
        .group_by(PromiseToPay.customer_id)).all())
    limits = {str(k): Decimal(str(v)) for k, v in (credit_limits or {}).items()}
    for report in session.scalars(select(CreditReport).order_by(CreditReport.fetched_at)):
        if report.recommended_limit and report.customer_id not in (credit_limits or {}):
            limits[report.customer_id] = Decimal(report.recommended_limit)   # the newest report wins
    customers = sorted({invoice.customer_id for invoice in ledger.invoices})
    for customer_id in customers:
        score, factors = score_customer(ledger.for_customer(customer_id), today,
                                        open_disputes=disputes.get(customer_id, 0),
                                        broken_promises=broken.get(customer_id, 0),
                                        credit_limit=limits.get(customer_id))
        row = session.get(CustomerRiskScore, customer_id)
        if row is None:
            row = CustomerRiskScore(customer_id=customer_id)
            session.add(row)
        row.score, row.factors, row.computed_at = score, [f.to_json() for f in factors], now
    return len(customers)


def run_risk_scores(settings, *, today: date | None = None, clock=None) -> dict:
    """``o2c run risk-scores``: recompute every customer's score in one transaction, as a bot run."""
    from sqlalchemy.orm import sessionmaker

    from bots.runtime.clock import SystemClock
    from bots.runtime.runs import bot_run
    from bots.runtime.store.engine import make_engine, upgrade

    own = settings.bot("risk-scores")
    unknown = set(own) - {"credit_limits"}
    if unknown:
        raise ValueError("bots.risk-scores has unknown setting(s) " + ", ".join(sorted(unknown)))
    clock = clock or SystemClock()
    now = clock.now()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with bot_run(engine, "risk-scores", clock=clock) as run:
        with sessionmaker(engine).begin() as session:
            scored = recompute_scores(session, today or now.date(), now, own.get("credit_limits"))
        run.count("customers_scored", scored)
    engine.dispose()
    return {"customers_scored": scored}
