"""The credit gate the order-entry bot passes before it saves an order.

``erp-order-entry`` asks the gate twice for each order it keys:

1. ``gate.prepare(work, customer_id, read_standing)`` before keying: holds at once a customer
   whose new orders collections stopped (``bots.collections.order_stops``), else reads the
   customer's credit data from the ERP (``read_standing()``, the FD32 screen) unless a
   supervisor has released this order's hold; returns a ``check``;
2. ``check(order_value)`` once the lines are keyed (the ERP's prices known) and before Save:
   raises ``BusinessException("credit_hold")`` naming the rule and by how much the order is
   off, or returns what the audit entry records about the decision.

A supervisor's release (``o2c release-hold ID --note``) is written into that item's payload
as ``credit_release`` in the same transaction as the retry and its audit entry, so it applies
to that order only. A hold retried without a release is checked again with fresh ERP data
and the newest cached agency report: once earlier invoices are paid (or a newer report
recommends more, or the report that held it has gone stale) the order passes.
"""

from datetime import date
from decimal import Decimal
from typing import Callable

from bots.credit.rules import AgencyReport, CreditRules, CreditStanding, check_credit
from bots.runtime.errors import BusinessException

HOLD_CODE = "credit_hold"


class CreditGate:
    """The rules, and where the credit agency's cached reports come from.

    :param reports: ``reports(customer_id)`` gives the newest cached ``AgencyReport`` or None.
    :param today: the business date (tests set it); default the real date.
    """

    def __init__(self, rules: CreditRules, reports: Callable[[str], AgencyReport | None] | None = None,
                 today: Callable[[], date] | None = None, stops: Callable[[str], str | None] | None = None):
        self.rules = rules
        self.reports = reports
        self.today = today or date.today
        self.stops = stops  # stops(customer_id): why collections stopped new orders, or None

    def prepare(self, work, customer_id: str, read_standing: Callable[[], CreditStanding]):
        """Read what the check needs before the order is keyed; return ``check(order_value)``."""
        release = (work.payload or {}).get("credit_release")
        if release:
            return lambda order_value: {"decision": "released", "released_by": release.get("by"),
                                        "note": release.get("note"), "order_value": str(order_value)}
        po = _po(work.payload)
        stopped = self.stops(customer_id) if self.stops else None
        if stopped and self.rules.enabled:
            # Dunning's last stage stopped new orders (bots.collections.order_stops): held like a block.
            raise BusinessException(HOLD_CODE, f"credit hold (collections_stop) for PO {po} of customer {customer_id}: "
                                    f"collections stopped new orders: {stopped}",
                                    {"credit_rule": "collections_stop", "over_by": None, "customer_id": customer_id})
        standing = read_standing()
        report = self.reports(customer_id) if self.reports else None

        def check(order_value: Decimal) -> dict:
            rules = self.rules.for_customer(customer_id)
            decision = check_credit(standing, order_value, rules, report, self.today())
            if not decision.passed:
                raise BusinessException(
                    HOLD_CODE, f"credit hold ({decision.rule}) for PO {po} of customer {customer_id}: {decision.message}",
                    {**decision.evidence(), "customer_id": customer_id, "order_value": str(order_value),
                     "credit_standing": _plain(standing), "agency_report": _plain(report) if report else None})
            evidence = decision.evidence()
            return {"decision": "passed", "exposure": decision.exposure, "order_value": str(order_value),
                    **{name: evidence[name] for name in ("credit_limit", "limit_source", "limit_report_date",
                                                         "limit_notes")},
                    "agency_rating": report.rating if report else None, "message": decision.message}

        return check


def release_payload(payload: dict, by: str, note: str, at: str) -> dict:
    """The item's payload with the supervisor's release recorded (what the gate then honours)."""
    return {**payload, "credit_release": {"by": by, "note": note, "at": at}}


def _po(payload: dict) -> str:
    order = payload.get("order") if isinstance(payload.get("order"), dict) else payload
    return str((order or {}).get("po_number") or "").strip()


def _plain(record) -> dict:
    return {name: (str(value) if value is not None and not isinstance(value, (bool, int, str)) else value)
            for name, value in vars(record).items()}


def gate_for(rules: CreditRules, run=None) -> CreditGate:
    """The gate, with the credit agency's reports cached in the store of ``run`` (a ``bots.runtime.runs.Run``)."""
    if run is None:
        return CreditGate(rules)
    from bots.credit.reports import latest_report

    sessions = run._sessions  # the run's store: the one its work items and audit live in
    return CreditGate(rules, reports=lambda customer_id: latest_report(sessions, customer_id),
                      stops=lambda customer_id: collections_stop(sessions, customer_id))


def collections_stop(sessions, customer_id: str) -> str | None:
    """Why collections stopped new orders of ``customer_id`` (dunning's last stage), or None."""
    from bots.collections.order_stops import active_stop

    with sessions() as session:
        stop = active_stop(session, customer_id)
        return stop.reason if stop is not None else None
