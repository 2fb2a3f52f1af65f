"""The credit rules on known cases: each rule, its order, overrides, tolerance, the agency rating."""

from datetime import date
from decimal import Decimal

import pytest

from bots.credit.rules import AgencyReport, CreditRules, CreditStanding, check_credit

TODAY = date(2026, 11, 25)


def standing(**changes) -> CreditStanding:
    values = dict(customer_id="C1001", currency="USD", credit_limit=Decimal("25000.00"),
                  open_receivables=Decimal("22431.34"), open_orders=Decimal("1000.00"), oldest_overdue_days=18)
    return CreditStanding(**{**values, **changes})


def report(rating="B1", payment_index=70, days_old=10) -> AgencyReport:
    return AgencyReport(rating, payment_index, Decimal("40000"), date.fromordinal(TODAY.toordinal() - days_old))


def test_an_order_within_the_limit_passes_with_its_exposure():
    decision = check_credit(standing(), Decimal("1568.66"), CreditRules())
    assert decision.passed and decision.exposure == "25000.00"  # exactly at the limit is within it


def test_over_the_limit_says_the_rule_and_by_how_much():
    decision = check_credit(standing(), Decimal("1568.67"), CreditRules())
    assert (decision.passed, decision.rule, decision.over_by, decision.exposure) == (False, "limit", "0.01", "25000.01")
    assert "open receivables 22,431.34 + open orders 1,000.00 + this order 1,568.67" in decision.message
    assert decision.message.endswith("over the credit limit 25,000.00 (ERP) by 0.01 USD")


@pytest.mark.parametrize("tolerance, value, passed", [("500", "2068.66", True), ("500", "2068.67", False),
                                                      ("2%", "2068.66", True), ("2%", "2068.67", False)])
def test_the_tolerance_is_an_amount_or_a_percentage_of_the_limit(tolerance, value, passed):
    decision = check_credit(standing(), Decimal(value), CreditRules(limit_tolerance=tolerance))
    assert decision.passed is passed
    if not passed:
        assert decision.over_by == "500.01" and "more than the tolerance" in decision.message


def test_overdue_items_hold_by_the_days_over():
    decision = check_credit(standing(oldest_overdue_days=45), Decimal("10"), CreditRules(max_overdue_days=30))
    assert (decision.rule, decision.over_by) == ("overdue", "15")
    assert "45 days past due, 15 days more than the 30 allowed" in decision.message


def test_a_blocked_customer_is_held_first_whatever_else():
    decision = check_credit(standing(blocked=True, block_reason="cheque bounced", oldest_overdue_days=99),
                            Decimal("99999"), CreditRules())
    assert decision.rule == "blocked" and decision.message.endswith("blocked for credit in the ERP: cheque bounced")
    assert check_credit(standing(blocked=True), Decimal("1"), CreditRules(respect_block=False)).passed


def test_per_customer_overrides_change_only_that_customer():
    rules = CreditRules.from_settings({"max_overdue_days": 30,
                                       "overrides": {"c1001": {"credit_limit": 30000, "max_overdue_days": 10}}})
    mine = check_credit(standing(), Decimal("5000"), rules.for_customer("C1001"))
    assert (mine.rule, mine.over_by) == ("overdue", "8")  # limit 30000 is not exceeded; 18 days > 10
    other = check_credit(standing(customer_id="C1002"), Decimal("5000"), rules.for_customer("C1002"))
    assert (other.rule, other.over_by) == ("limit", "3431.34")
    assert "(override)" in check_credit(standing(), Decimal("9000"), rules.for_customer("C1001")).message


def test_a_weak_rating_holds_unless_the_payment_history_makes_up_for_it():
    rules = CreditRules(min_rating="B2", good_payment_index=80)
    weak = check_credit(standing(oldest_overdue_days=0), Decimal("10"), rules, report("C1", 70), TODAY)
    assert (weak.rule, weak.over_by) == ("rating", "2") and "rates customer C1001 C1" in weak.message
    assert check_credit(standing(oldest_overdue_days=0), Decimal("10"), rules, report("C1", 85), TODAY).passed
    # A good index does not help while invoices are overdue.
    assert check_credit(standing(oldest_overdue_days=3), Decimal("10"), rules, report("C1", 85), TODAY).rule == "rating"
    assert check_credit(standing(), Decimal("10"), rules, report("A2", 10), TODAY).passed
    # A report older than report_max_age_days is not used.
    assert check_credit(standing(), Decimal("10"), rules, report("D", 0, days_old=200), TODAY).passed


@pytest.mark.parametrize("settings, message", [
    ({"limit_tolerance": "lots"}, "limit_tolerance must be an amount"),
    ({"min_rating": "AAA"}, "min_rating must be one of A1"),
    ({"overrides": {"C1": {"limit": 5}}}, "overrides.C1 takes"),
    ({"max_overdue": 5}, "unknown settings max_overdue"),
])
def test_mistakes_in_the_settings_name_the_setting(settings, message):
    with pytest.raises(ValueError, match=message):
        CreditRules.from_settings(settings)


def test_the_gate_switched_off_passes_everything():
    assert check_credit(standing(blocked=True), Decimal("1e9"), CreditRules(enabled=False)).passed


def test_the_gate_holds_a_customer_collections_stopped_and_honours_a_release(tmp_path):
    from datetime import datetime, timezone

    from bots.collections.order_stops import set_stop
    from bots.credit.gate import CreditGate, collections_stop, release_payload
    from bots.runtime.errors import BusinessException
    from bots.runtime.workqueue import WorkQueue

    queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'q.db'}")
    with queue.session() as session, session.begin():
        set_stop(session, "C1001", "final notice unanswered", "dunning", datetime.now(timezone.utc))
    gate = CreditGate(CreditRules(), stops=lambda customer: collections_stop(queue.session, customer))
    order = type("Work", (), {"payload": {"order": {"po_number": "P1"}}})()
    read = []
    with pytest.raises(BusinessException) as held:
        gate.prepare(order, "C1001", lambda: read.append(1) or standing())
    assert held.value.code == "credit_hold" and held.value.evidence["credit_rule"] == "collections_stop"
    assert "final notice unanswered" in held.value.message and read == []  # the ERP was not even asked
    assert gate.prepare(order, "C1002", standing)(Decimal("10"))["decision"] == "passed"
    released = type("Work", (), {"payload": release_payload(order.payload, "sup", "paid in advance", "now")})()
    assert gate.prepare(released, "C1001", standing)(Decimal("10"))["decision"] == "released"
    queue.close()
