"""The credit agency's recommended limit at the credit gate, on known cases.

The effective limit is the lower of the ERP's credit limit and the agency's recommended limit,
the agency's only while its report is fresh and in the order's currency; a per-customer
override wins over both, and ``use_agency_limit: false`` turns the agency's limit off. A hold
by the agency's limit names the rule, the limit, its source, the report and by how much.
Then the same through the work queue and the cached reports (held, re-checked on retry with
a newer report, released for one order only), and end to end through ``erp-order-entry``
against the sandbox ERP in real headless Chromium.
"""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bots.credit.gate import CreditGate
from bots.credit.release import release_hold
from bots.credit.reports import latest_report, save_report
from bots.credit.rules import AgencyReport, CreditRules, CreditStanding, check_credit, effective_limit
from bots.runtime.runs import audit_entries
from bots.runtime.workqueue import WorkQueue, key_for

TODAY = date(2026, 11, 25)


def standing(**changes) -> CreditStanding:
    """Room of 75,000.00 under the ERP's limit: 100,000.00 - 20,000.00 receivables - 5,000.00 orders."""
    values = dict(customer_id="C1005", currency="USD", credit_limit=Decimal("100000.00"),
                  open_receivables=Decimal("20000.00"), open_orders=Decimal("5000.00"), oldest_overdue_days=0)
    return CreditStanding(**{**values, **changes})


def report(limit="40000", currency="USD", days_old=10, rating="A2", payment_index=90) -> AgencyReport:
    return AgencyReport(rating, payment_index, Decimal(limit) if limit is not None else None, TODAY - timedelta(days=days_old),
                        currency=currency, agency_ref="MCR-77")


# -- the rule ----------------------------------------------------------------------------


def test_a_fresh_lower_agency_limit_holds_and_says_its_source_report_and_how_much():
    decision = check_credit(standing(), Decimal("15000.01"), CreditRules(), report(), TODAY)

    assert (decision.passed, decision.rule, decision.over_by, decision.exposure) == \
        (False, "agency_limit", "0.01", "40000.01")
    assert ("over the credit limit 40,000.00 (the credit agency's recommended limit, report MCR-77 of 2026-11-15, "
            "lower than the ERP's 100,000.00) by 0.01 USD") in decision.message
    evidence = decision.evidence()
    assert {key: evidence[key] for key in ("credit_rule", "credit_limit", "limit_source", "limit_report_date",
                                           "limit_report", "erp_credit_limit", "over_by")} == \
        {"credit_rule": "agency_limit", "credit_limit": "40000.00", "limit_source": "credit agency",
         "limit_report_date": "2026-11-15", "limit_report": "MCR-77", "erp_credit_limit": "100000.00",
         "over_by": "0.01"}


def test_exactly_at_the_agency_limit_passes_and_the_decision_names_that_limit():
    decision = check_credit(standing(), Decimal("15000.00"), CreditRules(), report(), TODAY)
    assert decision.passed and decision.exposure == "40000.00"
    assert decision.message.startswith("exposure 40,000.00 USD within the limit 40,000.00 (the credit agency's")
    assert decision.evidence()["limit_source"] == "credit agency"


def test_an_agency_limit_above_the_erp_limit_leaves_the_erp_limit():
    decision = check_credit(standing(), Decimal("75000.01"), CreditRules(), report("250000"), TODAY)
    assert (decision.rule, decision.over_by) == ("limit", "0.01")
    assert "over the credit limit 100,000.00 (ERP) by 0.01 USD" in decision.message
    assert decision.evidence()["limit_notes"] == []


def test_the_tolerance_applies_to_the_agency_limit():
    rules = CreditRules(limit_tolerance="5%")  # 5% of 40,000.00 = 2,000.00
    assert check_credit(standing(), Decimal("17000.00"), rules, report(), TODAY).passed
    held = check_credit(standing(), Decimal("17000.01"), rules, report(), TODAY)
    assert (held.rule, held.over_by) == ("agency_limit", "2000.01") and "more than the tolerance 5%" in held.message


@pytest.mark.parametrize("days_old, used", [(90, True), (91, False), (400, False)])
def test_a_stale_report_is_ignored_and_the_decision_says_so(days_old, used):
    rules = CreditRules(report_max_age_days=90)
    decision = check_credit(standing(), Decimal("20000"), rules, report(days_old=days_old), TODAY)
    assert decision.passed is not used
    if used:
        assert decision.rule == "agency_limit"
        return
    assert decision.evidence()["limit_source"] == "ERP" and "within the limit 100,000.00 (ERP)" in decision.message
    note = (f"the credit agency's recommended limit 40,000.00 USD (report of "
            f"{(TODAY - timedelta(days=days_old)).isoformat()}) is not used: the report is {days_old} days old, "
            f"older than the 90 days allowed")
    assert decision.evidence()["limit_notes"] == [note] and note in decision.message


def test_a_stale_report_is_named_in_a_hold_by_the_erp_limit_too():
    held = check_credit(standing(), Decimal("80000"), CreditRules(), report(days_old=200), TODAY)
    assert (held.rule, held.over_by) == ("limit", "5000.00")
    assert "over the credit limit 100,000.00 (ERP) by 5,000.00 USD; the credit agency's" in held.message
    assert "is not used: the report is 200 days old" in held.message


@pytest.mark.parametrize("currency, said", [("EUR", "it is in EUR, the order in USD"),
                                            (None, "it is in no stated currency, the order in USD")])
def test_a_limit_in_another_currency_is_ignored_and_the_decision_says_so(currency, said):
    decision = check_credit(standing(), Decimal("20000"), CreditRules(), report(currency=currency), TODAY)
    assert decision.passed and decision.evidence()["limit_source"] == "ERP"
    assert decision.message.endswith(f"is not used: {said}")
    # The currency code is compared, not its case.
    assert check_credit(standing(), Decimal("20000"), CreditRules(), report(currency="usd"), TODAY).rule == \
        "agency_limit"


def test_without_a_report_or_without_a_recommended_limit_the_erp_limit_stands():
    for missing in (None, report(limit=None)):
        decision = check_credit(standing(), Decimal("75000.00"), CreditRules(), missing, TODAY)
        assert decision.passed and decision.evidence()["limit_source"] == "ERP"
        assert decision.evidence()["limit_notes"] == []
        assert check_credit(standing(), Decimal("75000.01"), CreditRules(), missing, TODAY).rule == "limit"


def test_a_per_customer_override_wins_over_the_erp_and_the_agency():
    rules = CreditRules.from_settings({"overrides": {"C1005": {"credit_limit": 60000}}})
    mine = rules.for_customer("C1005")
    assert effective_limit(standing(), mine, report(), TODAY).source == "override"
    assert check_credit(standing(), Decimal("35000.00"), mine, report(), TODAY).passed  # over the agency's 40,000
    held = check_credit(standing(), Decimal("35000.01"), mine, report(), TODAY)
    assert (held.rule, held.over_by) == ("limit", "0.01") and "60,000.00 (override)" in held.message
    # Another customer under the same rules still gets the agency's limit.
    other = check_credit(standing(customer_id="C1006"), Decimal("35000.00"), rules.for_customer("C1006"), report(), TODAY)
    assert (other.rule, other.over_by) == ("agency_limit", "20000.00")


def test_the_switch_turns_the_agency_limit_off_for_all_or_for_one_customer():
    off = CreditRules.from_settings({"use_agency_limit": False})
    decision = check_credit(standing(), Decimal("75000.00"), off.for_customer("C1005"), report(), TODAY)
    assert decision.passed and decision.evidence()["limit_source"] == "ERP"
    one_off = CreditRules.from_settings({"overrides": {"C1005": {"use_agency_limit": False}}})
    assert check_credit(standing(), Decimal("75000.00"), one_off.for_customer("C1005"), report(), TODAY).passed
    assert check_credit(standing(), Decimal("75000.00"), one_off.for_customer("C1001"), report(), TODAY).rule == \
        "agency_limit"
    # The rating still counts with the agency's limit switched off.
    rated = CreditRules(use_agency_limit=False, min_rating="B2")
    assert check_credit(standing(), Decimal("10"), rated, report(rating="C1", payment_index=50), TODAY).rule == \
        "rating"


def test_the_rules_before_the_limit_still_come_first():
    held = check_credit(standing(blocked=True), Decimal("99999"), CreditRules(), report("1"), TODAY)
    assert held.rule == "blocked"


# -- through the work queue and the cached reports -----------------------------------------------


class Gate:
    """A credit gate on a real store, as ``erp-order-entry`` uses it (the ERP's screen read is
    the known standing; the browser test at the end reads it from the sandbox ERP)."""

    def __init__(self, tmp_path, rules: CreditRules | None = None):
        self.queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'queue.db'}")
        self.today = TODAY  # the business date the gate judges a report's age by
        self.gate = CreditGate(rules or CreditRules(), reports=lambda customer: latest_report(self.queue.session, customer),
                               today=lambda: self.today)

    def order(self, po: str) -> int:
        item, _ = self.queue.add("order", {"order": {"po_number": po}}, key=key_for("order", "agency-limit", po))
        return item.id

    def report(self, ref: str, limit: str, report_date: date, currency="USD") -> None:
        save_report(self.queue, "C1005", company_name="Bluebonnet Markets Inc.", country="US", agency_ref=ref,
                    rating="A3", payment_index=88, recommended_limit=Decimal(limit), currency=currency,
                    report_date=report_date)

    def key(self, value: str, customer_standing: CreditStanding) -> dict | None:
        """One bot pass: claim the next order, ask the gate, complete it with the decision (or hold it)."""
        [item] = self.queue.claim("bot", kinds=["order"])
        decided = None
        with self.queue.processing(item, "bot") as work:
            decided = self.gate.prepare(work, "C1005", lambda: customer_standing)(Decimal(value))
            work.result = {"credit": decided}
        return decided


def test_a_hold_by_the_agency_limit_is_rechecked_on_retry_with_the_newest_report(tmp_path):
    store = Gate(tmp_path)
    store.report("MCR-1", "30000", TODAY - timedelta(days=5))
    held_id = store.order("AL-1")

    assert store.key("6000.00", standing()) is None  # 31,000.00 over 30,000.00

    held = store.queue.get(held_id)
    assert (held.state, held.exception_code) == ("exception", "credit_hold")
    assert held.exception_message.startswith("credit hold (agency_limit) for PO AL-1 of customer C1005: exposure 31,000.00 USD")
    assert "report MCR-1 of 2026-11-20" in held.exception_message and held.exception_message.endswith("by 1,000.00 USD")
    assert {key: held.evidence[key] for key in ("credit_rule", "credit_limit", "limit_source", "limit_report_date",
                                                "over_by")} == \
        {"credit_rule": "agency_limit", "credit_limit": "30000.00", "limit_source": "credit agency",
         "limit_report_date": "2026-11-20", "over_by": "1000.00"}
    assert held.evidence["agency_report"]["currency"] == "USD" and held.evidence["agency_report"]["agency_ref"] == "MCR-1"

    # Retried with the same report: held again. The agency then reports a higher limit: it passes.
    store.queue.retry(held_id, "credit.manager", "asked the agency for a new report")
    assert store.key("6000.00", standing()) is None and store.queue.get(held_id).state == "exception"
    store.report("MCR-2", "50000", TODAY)
    store.queue.retry(held_id, "credit.manager", "new report")
    passed = store.key("6000.00", standing())
    assert passed["decision"] == "passed" and (passed["credit_limit"], passed["limit_source"]) == \
        ("50000.00", "credit agency")
    assert store.queue.get(held_id).state == "done"
    store.queue.close()


def test_a_release_keys_that_held_order_only_and_is_audited_with_the_limit(tmp_path):
    store = Gate(tmp_path)
    store.report("MCR-1", "30000", TODAY)
    first, second = store.order("AL-1"), store.order("AL-2")
    assert store.key("6000.00", standing()) is None and store.key("6000.00", standing()) is None

    release_hold(store.queue, first, "credit.manager", "guarantee received")
    released = store.key("6000.00", standing())

    assert released["decision"] == "released" and released["released_by"] == "credit.manager"
    assert store.queue.get(first).state == "done" and store.queue.get(second).state == "exception"
    [audit] = [a for a in audit_entries(store.queue, item_id=first) if a["action"] == "credit_release"]
    assert (audit["detail"]["rule"], audit["detail"]["credit_limit"], audit["detail"]["limit_source"],
            audit["detail"]["limit_report_date"], audit["detail"]["over_by"]) == \
        ("agency_limit", "30000.00", "credit agency", "2026-11-25", "1000.00")
    store.queue.close()


def test_a_report_gone_stale_or_in_another_currency_lets_the_erp_limit_decide_on_retry(tmp_path):
    store = Gate(tmp_path, CreditRules(report_max_age_days=30))
    store.report("MCR-1", "30000", TODAY - timedelta(days=30))
    held_id = store.order("AL-1")
    assert store.key("6000.00", standing()) is None

    store.today = TODAY + timedelta(days=1)  # the report is now 31 days old
    store.queue.retry(held_id, "credit.manager", "check again")
    passed = store.key("6000.00", standing())
    assert (passed["decision"], passed["limit_source"]) == ("passed", "ERP")
    assert passed["limit_notes"] == ["the credit agency's recommended limit 30,000.00 USD (report of 2026-10-26) "
                                     "is not used: the report is 31 days old, older than the 30 days allowed"]

    store.report("MCR-2", "30000", TODAY, currency="EUR")
    store.order("AL-2")
    passed = store.key("6000.00", standing())
    assert passed["limit_source"] == "ERP" and passed["limit_notes"][0].endswith("it is in EUR, the order in USD")
    store.queue.close()


def test_the_rule_settings_are_checked_on_load():
    with pytest.raises(ValueError, match="overrides.C1 takes"):
        CreditRules.from_settings({"overrides": {"C1": {"agency_limit": 5}}})
    assert CreditRules.from_settings({"use_agency_limit": False}).use_agency_limit is False
    from bots.runtime.config import load_settings

    shipped_file = Path(__file__).parents[1] / "config" / "o2c.yaml"
    shipped = CreditRules.from_settings(load_settings(shipped_file, env={}).bot("credit-gate"))
    assert shipped.use_agency_limit is True


# -- end to end: erp-order-entry against the sandbox ERP ----------------------------------------


@pytest.mark.browser
def test_order_entry_holds_on_the_agency_limit_and_keys_once_a_newer_report_allows(erp_sandbox, tmp_path, browser):
    from bots.erp.order_entry import OrderEntrySettings, run_order_entry
    from sandbox import masterdata
    from sandbox.erp import documents
    from tests.fixtures.sandbox import SANDBOX_TODAY

    customers = {c.customer_id: c for c in masterdata.customers(42)}
    item = masterdata.items(42)[0]
    conn = erp_sandbox.db()
    truth = {c: documents.credit_standing(conn, c, SANDBOX_TODAY) for c in ("C1005", "C1006")}
    conn.close()
    assert (truth["C1005"]["currency"], truth["C1006"]["currency"]) == ("USD", "EUR")
    queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'queue.db'}")
    # The agency recommends 30,000.00 USD for C1005, far below its ERP limit; its order just passes that.
    agency_limit = Decimal("30000.00")
    quantity = int((agency_limit - Decimal(truth["C1005"]["open_receivables"])) // item.price) + 1
    save_report(queue, "C1005", company_name=customers["C1005"].name, country="US", agency_ref="MCR-5",
                rating="A3", payment_index=85, recommended_limit=agency_limit, currency="USD", report_date=SANDBOX_TODAY)
    # For the EUR customer the agency's limit is in USD: not comparable, so the ERP's limit decides.
    save_report(queue, "C1006", company_name=customers["C1006"].name, country="NL", agency_ref="MCR-6",
                rating="A3", payment_index=85, recommended_limit=Decimal("1000.00"), currency="USD",
                report_date=SANDBOX_TODAY)

    def queued(po: str, customer_id: str, count: int) -> int:
        customer = customers[customer_id]
        order = {"po_number": po, "requested_date": "2026-12-10", "ship_to": customer.ship_to,
                 "customer": {"name": customer.name, "email": customer.buyer_email},
                 "lines": [{"sku": item.sku, "quantity": str(count), "unit_price": str(item.price)}]}
        return queue.add("order", {"order": order}, key=key_for("order", "agency-limit", po))[0].id

    over, other = queued("AL-OVER", "C1005", quantity), queued("AL-EUR", "C1006", 1)
    settings = OrderEntrySettings(url=erp_sandbox.erp_url, user="bot", password="bot-pass-1",
                                  evidence_dir=tmp_path / "evidence", busy_wait_seconds=0.05,
                                  credit_rules=CreditRules(report_max_age_days=3650))

    first = run_order_entry(settings, once=True, queue=queue, browser=browser)

    assert (first["done"], first["exception"]) == (1, 1), first
    held = queue.get(over)
    over_by = Decimal(truth["C1005"]["open_receivables"]) + quantity * item.price - agency_limit
    assert (held.exception_code, held.evidence["credit_rule"], held.evidence["over_by"]) == \
        ("credit_hold", "agency_limit", f"{over_by:.2f}")
    assert (held.evidence["credit_limit"], held.evidence["limit_source"], held.evidence["limit_report_date"]) == \
        ("30000.00", "credit agency", SANDBOX_TODAY.isoformat())
    assert f"report MCR-5 of {SANDBOX_TODAY.isoformat()}" in held.exception_message
    assert held.exception_message.endswith(f"by {over_by:,.2f} USD")
    assert erp_sandbox.sales_orders_with_po("AL-OVER") == 0
    [keyed] = [a for a in audit_entries(queue, item_id=other) if a["action"] == "create_sales_order"]
    assert keyed["detail"]["credit"]["limit_source"] == "ERP"
    assert keyed["detail"]["credit"]["limit_notes"] == [
        f"the credit agency's recommended limit 1,000.00 USD (report of {SANDBOX_TODAY.isoformat()}) is not used: "
        "it is in USD, the order in EUR"]

    # The agency's next report recommends more; the hold is retried (no release) and re-checked.
    save_report(queue, "C1005", company_name=customers["C1005"].name, country="US", agency_ref="MCR-7",
                rating="A3", payment_index=85, recommended_limit=Decimal("60000.00"), currency="USD",
                report_date=SANDBOX_TODAY)
    queue.retry(over, "credit.manager", "new agency report")

    again = run_order_entry(settings, once=True, queue=queue, browser=browser)

    assert again["done"] == 1 and queue.get(over).state == "done" and erp_sandbox.sales_orders_with_po("AL-OVER") == 1
    [keyed] = [a for a in audit_entries(queue, item_id=over) if a["action"] == "create_sales_order"]
    assert (keyed["detail"]["credit"]["decision"], keyed["detail"]["credit"]["credit_limit"],
            keyed["detail"]["credit"]["limit_source"]) == ("passed", "60000.00", "credit agency")
    queue.close()
