"""The credit gate of ``erp-order-entry`` against the sandbox ERP, in real headless Chromium.

Known cases on the seeded ERP (seed 42): an order over the customer's limit, a blocked
customer, a customer with items overdue past its override, and one that passes. The held
ones are released by a supervisor through the real ``o2c release-hold`` command, or pass on
retry once the ERP shows their overdue invoices paid. The test's oracle for "by how much" is
the ERP's own database, not the screen the bot read.
"""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bots.credit.reports import save_report
from bots.credit.rules import CreditRules
from bots.erp.order_entry import OrderEntrySettings, run_order_entry
from bots.runtime.runs import audit_entries
from bots.runtime.workqueue import WorkQueue, key_for
from sandbox import masterdata
from sandbox.erp import documents
from sandbox.erp.documents import ReceiptLine
from tests.fixtures.sandbox import SANDBOX_TODAY

pytestmark = pytest.mark.browser

O2C = str(Path(sys.executable).with_name("o2c"))
CUSTOMERS = {c.customer_id: c for c in masterdata.customers(42)}
ITEM = masterdata.items(42)[0]


def order(po: str, customer_id: str, quantity: int) -> dict:
    customer = CUSTOMERS[customer_id]
    return {"po_number": po, "requested_date": "2026-12-10", "ship_to": customer.ship_to,
            "customer": {"name": customer.name, "email": customer.buyer_email},
            "lines": [{"sku": ITEM.sku, "quantity": str(quantity), "unit_price": str(ITEM.price)}]}


def test_holds_say_the_rule_and_amount_releases_and_payments_let_orders_through(erp_sandbox, tmp_path, browser):
    db_url = f"sqlite:///{tmp_path / 'queue.db'}"
    queue = WorkQueue.open(url=db_url)
    conn = erp_sandbox.db()
    documents.set_credit_block(conn, "C1002", True, "cheque returned unpaid", "supervisor", SANDBOX_TODAY)
    before = {c: documents.credit_standing(conn, c, SANDBOX_TODAY) for c in ("C1001", "C1003")}
    conn.close()
    # Just over Pinecrest's limit: its open receivables plus this order pass the limit by a few dollars.
    room = Decimal(before["C1001"]["credit_limit"]) - Decimal(before["C1001"]["open_receivables"])
    over_quantity = int(room // ITEM.price) + 1
    orders = {"over": order("CR-OVER", "C1001", over_quantity), "blocked": order("CR-BLOCK", "C1002", 1),
              "overdue": order("CR-LATE", "C1003", 1), "fine": order("CR-FINE", "C1004", 2),
              "rated": order("CR-RATED", "C1005", 1)}
    # The credit agency bot cached a poor report of C1005 (and a good one of C1004); the limits it
    # recommends are above the ERP's, so the rating decides (tests/test_credit_agency_limit.py: the limit).
    save_report(queue, "C1005", company_name="Bluebonnet Markets Inc.", country="US", agency_ref="MCR-1",
                rating="C2", payment_index=41, recommended_limit=Decimal("150000"), currency="USD",
                report_date=SANDBOX_TODAY)
    save_report(queue, "C1004", company_name="Old Mill General Stores LLC", country="US", agency_ref="MCR-2",
                rating="A2", payment_index=93, recommended_limit=Decimal("300000"), currency="USD",
                report_date=SANDBOX_TODAY)
    items = {name: queue.add("order", {"order": o}, key=key_for("order", "credit-test", o["po_number"]))[0]
             for name, o in orders.items()}
    rules = CreditRules.from_settings({"max_overdue_days": 30, "min_rating": "B3", "report_max_age_days": 3650,
                                       "overrides": {"C1003": {"max_overdue_days": 10}}})
    settings = OrderEntrySettings(url=erp_sandbox.erp_url, user="bot", password="bot-pass-1",
                                  evidence_dir=tmp_path / "evidence", busy_wait_seconds=0.05, credit_rules=rules)

    counts = run_order_entry(settings, once=True, queue=queue, browser=browser)

    assert (counts["done"], counts["exception"]) == (1, 4), counts
    got = {name: queue.get(item.id) for name, item in items.items()}
    assert got["fine"].state == "done" and erp_sandbox.sales_orders_with_po("CR-FINE") == 1
    over_by = Decimal(before["C1001"]["open_receivables"]) + over_quantity * ITEM.price - Decimal(before["C1001"]["credit_limit"])
    assert got["over"].exception_code == "credit_hold" and got["over"].evidence["credit_rule"] == "limit"
    assert got["over"].evidence["over_by"] == f"{over_by:.2f}"
    assert f"by {over_by:,.2f} USD" in got["over"].exception_message
    assert got["blocked"].evidence["credit_rule"] == "blocked" and "cheque returned unpaid" in got["blocked"].exception_message
    late = before["C1003"]["oldest_overdue_days"]
    assert (got["overdue"].evidence["credit_rule"], got["overdue"].evidence["over_by"]) == ("overdue", str(late - 10))
    assert all(erp_sandbox.sales_orders_with_po(o["po_number"]) == 0 for name, o in orders.items() if name != "fine")
    assert Path(got["over"].evidence["screenshot"]).is_file()
    assert (got["rated"].evidence["credit_rule"], got["rated"].evidence["agency_report"]["rating"]) == ("rating", "C2")
    assert "rates customer C1005 C2" in got["rated"].exception_message

    # A supervisor releases the order over the limit, through the real command.
    # Only a console supervisor who signs in releases: an operator, a wrong password, nobody.
    env = {**os.environ, "O2C_DATABASE_URL": db_url, "O2C_USER": "credit.manager"}
    from bots.console import CONSOLE
    from bots.runtime.web import UserStore
    users = UserStore(queue.engine, CONSOLE, queue.clock)
    users.add("credit.manager", "supervisor", "manager-pass-1")
    users.add("clerk.ops", "operator", "operator-pass-1")
    release = [O2C, "release-hold", str(items["over"].id), "--note", "prepayment received", "--json"]
    for who, password, why in [("clerk.ops", "operator-pass-1", "only a supervisor"),
                               ("credit.manager", "wrong-pass", "could not sign in"), ("nobody", "x", "could not sign in")]:
        refused = subprocess.run([*release, "--by", who], input=password + "\n", capture_output=True, text=True,
                                 env=env, timeout=120)
        assert refused.returncode == 2 and why in json.loads(refused.stdout)["error"], (who, refused.stdout)
        assert queue.get(items["over"].id).state == "exception"
    released = subprocess.run(release, input="manager-pass-1\n", capture_output=True, text=True, env=env, timeout=120)
    assert released.returncode == 0, released.stderr
    assert json.loads(released.stdout)["item"]["state"] == "retried"
    refused = subprocess.run([O2C, "release-hold", str(items["fine"].id), "--note", "x"], input="manager-pass-1\n",
                             capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode == 2 and "not held for credit" in refused.stderr
    # The overdue customer pays its overdue invoices; its order is retried without a release.
    _pay_overdue_invoices(erp_sandbox, "C1003")
    queue.retry(items["overdue"].id, "credit.manager", "customer paid")
    queue.retry(items["blocked"].id, "credit.manager", "try again")  # still blocked: held again

    again = run_order_entry(settings, once=True, queue=queue, browser=browser)

    assert (again["done"], again["exception"]) == (2, 1), again
    assert queue.get(items["over"].id).state == "done" and erp_sandbox.sales_orders_with_po("CR-OVER") == 1
    assert queue.get(items["overdue"].id).state == "done" and erp_sandbox.sales_orders_with_po("CR-LATE") == 1
    assert queue.get(items["blocked"].id).exception_code == "credit_hold"
    release_audit = [a for a in audit_entries(queue, item_id=items["over"].id) if a["action"] == "credit_release"]
    assert len(release_audit) == 1 and release_audit[0]["bot"] == "credit.manager"
    keyed = [a for a in audit_entries(queue, item_id=items["over"].id) if a["action"] == "create_sales_order"]
    assert keyed[0]["detail"]["credit"]["decision"] == "released"
    assert keyed[0]["detail"]["credit"]["released_by"] == "credit.manager"
    passed = [a for a in audit_entries(queue, item_id=items["overdue"].id) if a["action"] == "create_sales_order"]
    assert passed[0]["detail"]["credit"]["decision"] == "passed"
    queue.close()



def _pay_overdue_invoices(sandbox, customer_id: str) -> None:
    conn = sandbox.db()
    try:
        for invoice, open_amount, currency in conn.execute(
                "SELECT invoice, open_amount, currency FROM invoices WHERE customer_id = ? AND status = 'open'"
                " AND kind = 'invoice' AND due_date < ?", (customer_id, SANDBOX_TODAY.isoformat())).fetchall():
            documents.post_receipt(conn, customer_id, f"PAY-{invoice}", SANDBOX_TODAY, Decimal(open_amount), currency,
                                   [ReceiptLine(invoice, Decimal(open_amount))], "clerk")
    finally:
        conn.close()
