"""``o2c run credit-agency`` against the sandbox credit agency and ERP, in real headless Chromium.

Six ERP customers are looked up: reports are cached with their dates and agree with the
agency's own database; a report "being updated" is skipped and fetched on the next run;
a customer looked up within the interval is not looked up again; the daily quota stops
the run. The cached rating then holds an order at the credit gate.
"""

from datetime import date
from decimal import Decimal

import pytest

from bots.credit.agency import AgencySettings, run_agency
from bots.credit.reports import latest_report
from bots.credit.rules import CreditRules, CreditStanding, check_credit
from bots.runtime.workqueue import WorkQueue

pytestmark = pytest.mark.browser

CUSTOMERS = ("C1001", "C1002", "C1003", "C1004", "C1005", "C1006")


def test_reports_cached_once_per_interval_within_the_quota(start_sandbox, tmp_path, browser):
    sandbox = start_sandbox(systems=("erp", "credit_agency"))
    queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'queue.db'}")
    settings = AgencySettings(agency_url=sandbox.url("credit_agency"), agency_user="o2c",
                              agency_password="agency-pass-1", erp_url=sandbox.erp_url, erp_user="bot",
                              erp_password="bot-pass-1", interval_days=30, max_lookups=10, customers=CUSTOMERS)
    conn = sandbox.db("credit_agency")
    erp = sandbox.db("erp")
    names = {cid: name for cid, name in erp.execute("SELECT customer_id, name FROM customers")}
    erp.close()
    truth = {cid: conn.execute("SELECT * FROM companies WHERE name = ?", (names[cid],)).fetchone() for cid in CUSTOMERS}
    updating = {cid for cid, row in truth.items() if row["updating"]}
    assert updating and len(updating) < 6  # the seed gives both kinds among these customers
    conn.close()

    first = run_agency(settings, queue=queue, browser=browser)

    assert first["due"] == 6 and first["reports"] == 6 - len(updating), first
    assert first.get("report_updating", 0) == len(updating)
    for cid in CUSTOMERS:
        report = latest_report(queue.session, cid)
        if cid in updating:
            assert report is None
            continue
        row = truth[cid]
        assert (report.rating, report.payment_index, report.report_date) == \
            (row["rating"], row["payment_index"], date.fromisoformat(row["report_date"]))
        assert report.recommended_limit == Decimal(row["recommended_limit"])

    # Within the interval only the ones not cached yet are looked up, now that their update is done.
    second = run_agency(settings, queue=queue, browser=browser)
    assert second["due"] == len(updating) and second.get("reports", 0) == len(updating), second

    # The daily quota: a new day's worth used up stops the run, nothing cached past it.
    sandbox.sandbox.servers["credit_agency"].app.config["AGENCY_DAILY_QUOTA"] = 6
    third = run_agency(AgencySettings(**{**vars(settings), "interval_days": 0}), queue=queue, browser=browser)
    assert third["quota_reached"] == 1 and third.get("reports", 0) == 0, third

    # The gate uses the cached rating with the payment history.
    cid = min(CUSTOMERS, key=lambda c: (truth[c]["rating"], c), default=None)
    report = latest_report(queue.session, cid)
    standing = CreditStanding(cid, "USD", Decimal("1e9"), Decimal("0"), Decimal("0"), 5)
    worse_than_it = CreditRules(min_rating="A1", report_max_age_days=400)
    decision = check_credit(standing, Decimal("10"), worse_than_it, report, date(2026, 11, 25))
    assert decision.passed is (report.rating == "A1")
    queue.close()
