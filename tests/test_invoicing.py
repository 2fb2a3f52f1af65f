"""``o2c run erp-invoicing`` against the sandbox ERP in real headless Chromium.

The seeded ERP has shipped orders waiting on its billing due list. The bot bills them,
reads the invoice numbers back and downloads each PDF; a run killed right after billing
(``O2C_TEST_CRASH_AT=after_billing``, a real ``o2c`` process) is finished by the next run
without a second invoice. The ERP's database is the oracle.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from decimal import Decimal

import pdfplumber
import pytest
import yaml

from bots.runtime.runs import audit_entries
from bots.runtime.workqueue import WorkQueue
from sandbox import masterdata
from sandbox.erp import documents
from sandbox.erp.documents import OrderDraft, OrderLine
from tests.fixtures.sandbox import SANDBOX_TODAY

pytestmark = pytest.mark.browser

O2C = str(Path(sys.executable).with_name("o2c"))


def _invoices_of(sandbox) -> dict[str, list[str]]:
    conn = sandbox.db()
    try:
        found = {}
        for order_no, invoice in conn.execute("SELECT order_no, invoice FROM invoices WHERE order_no IS NOT NULL"):
            found.setdefault(str(order_no), []).append(invoice)
        return found
    finally:
        conn.close()


def _due(sandbox) -> list[str]:
    conn = sandbox.db()
    try:
        return [str(n) for (n,) in conn.execute(
            "SELECT order_no FROM sales_orders WHERE status = 'open' AND shipped_on IS NOT NULL ORDER BY order_no")]
    finally:
        conn.close()


def test_shipped_orders_billed_once_through_a_crash_with_their_pdfs(erp_sandbox, tmp_path):
    conn = erp_sandbox.db()
    unshipped = conn.execute("SELECT order_no FROM sales_orders WHERE status = 'open' AND shipped_on IS NULL").fetchall()
    conn.close()
    assert not unshipped  # every seeded open order is shipped; an unshipped one is added below
    conn = erp_sandbox.db()
    waiting = documents.save_order(conn, OrderDraft("C1001", "NOT-SHIPPED-1", SANDBOX_TODAY, None, "Dock 1",
                                                    [OrderLine(masterdata.items(42)[0].sku, Decimal("1"))]), "clerk")
    conn.close()
    due = _due(erp_sandbox)
    assert len(due) >= 3 and str(waiting) not in due

    home = tmp_path / "home"
    config = tmp_path / "o2c.yaml"
    config.write_text(yaml.safe_dump({
        "home": str(home), "erp": {"url": erp_sandbox.erp_url, "user": "bot"}, "queue": {"lease_seconds": 2},
        "bots": {"erp-invoicing": {"busy_wait_seconds": 0.05, "invoice_dir": str(tmp_path / "invoices")}}}))
    env = {**os.environ, "O2C_CONFIG": str(config), "O2C_ERP_PASSWORD": "bot-pass-1", "O2C_HOME": str(home),
           "O2C_LOG_FORMAT": "json", "O2C_TEST_CRASH_AT": "after_billing:2"}
    env.pop("O2C_DATABASE_URL", None)
    crashed = subprocess.run([O2C, "run", "erp-invoicing", "--once", "--json"], env=env, capture_output=True,
                             text=True, timeout=300)
    assert crashed.returncode == 137, crashed.stderr[-2000:]
    billed = _invoices_of(erp_sandbox)
    assert sum(1 for n in due if n in billed) == 2  # the second was billed, then the process died

    time.sleep(2.1)  # the dead run's lease runs out
    env.pop("O2C_TEST_CRASH_AT")
    finished = subprocess.run([O2C, "run", "erp-invoicing", "--once", "--json"], env=env, capture_output=True,
                              text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    counts = json.loads(finished.stdout)["counts"]
    assert counts["found_existing"] == 1 and counts["invoices_created"] == len(due) - 2, counts

    billed = _invoices_of(erp_sandbox)
    assert all(len(billed[n]) == 1 for n in due) and str(waiting) not in billed
    queue = WorkQueue.open(url=f"sqlite:///{home / 'o2c.db'}")
    items = {item.payload["order_no"]: item for item in queue.items(kind="billing")}
    assert sorted(items) == sorted(due)  # one item per order, the crashed one included
    conn = erp_sandbox.db()
    for order_no, item in items.items():
        assert item.state == "done" and item.result["invoice"] == billed[order_no][0]
        row = conn.execute("SELECT i.*, c.email, o.customer_po FROM invoices i JOIN customers c USING (customer_id)"
                           " JOIN sales_orders o USING (order_no) WHERE invoice = ?", (item.result["invoice"],)).fetchone()
        assert (item.result["amount"], item.result["customer_id"], item.result["email"], item.result["customer_po"]) == \
            (row["amount"], row["customer_id"], row["email"], row["customer_po"])
        with pdfplumber.open(item.result["pdf"]) as pdf:
            text = pdf.pages[0].extract_text()
        assert item.result["invoice"] in text and row["amount"] in text and row["customer_po"] in text
        actions = [entry["action"] for entry in audit_entries(queue, item_id=item.id)]
        assert actions in (["create_invoice"], ["found_existing"])
        assert (entry := audit_entries(queue, item_id=item.id)[-1])["document_number"] == item.result["invoice"]
    conn.close()

    queue.close()
