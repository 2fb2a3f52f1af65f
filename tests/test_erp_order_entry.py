"""``o2c run erp-order-entry`` against the sandbox ERP in real headless Chromium.

The ERP runs in this process (a thread) on a copy of the seeded database, which the tests
read to check what the bot saved. The bot runs in-process, or for the crash test as a
subprocess that ``O2C_TEST_CRASH_AT=after_save`` kills right after Save.
"""

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from bots.erp.order_entry import OrderEntrySettings, run_order_entry
from bots.runtime.errors import ApplicationException
from bots.runtime.runs import audit_entries
from bots.runtime.workqueue import key_for
from sandbox import masterdata
from sandbox.erp import documents
from sandbox.erp.documents import OrderDraft, OrderLine
from tests.fixtures.sandbox import SANDBOX_TODAY

pytestmark = pytest.mark.browser

O2C = [str(Path(sys.executable).with_name("o2c"))]
BOT_USER, BOT_PASSWORD = "bot", "bot-pass-1"  # an ERP account of the sandbox
CUSTOMERS = masterdata.customers(42)
ITEMS = masterdata.items(42)


@pytest.fixture
def queue(tmp_path):
    from bots.runtime.workqueue import WorkQueue

    with WorkQueue.open(url=f"sqlite:///{tmp_path / 'queue.db'}") as queue:
        yield queue


def order(po: str, customer=CUSTOMERS[0], lines=((ITEMS[0], "3", True),), **fields) -> dict:
    """A contract-2 order as intake queues it; each line is (item, quantity, with the customer's price)."""
    return {
        "po_number": po, "requested_date": "2026-12-10",
        "customer": {"name": customer.name, "email": customer.buyer_email},
        "ship_to": customer.ship_to, "source": "test",
        "lines": [{"sku": item.sku, "description": item.description, "quantity": quantity,
                   "unit_price": str(item.price) if priced else None} for item, quantity, priced in lines],
        **fields,
    }


def enqueue(queue, *orders) -> list:
    return [queue.add("order", {"channel": "test", "order": o}, key=key_for("order", "test", o["po_number"]))[0]
            for o in orders]


def settings(sandbox, tmp_path, **options) -> OrderEntrySettings:
    return OrderEntrySettings(url=sandbox.erp_url, user=BOT_USER, password=BOT_PASSWORD,
                              evidence_dir=tmp_path / "evidence", busy_wait_seconds=0.05, **options)


def erp_orders(sandbox, po: str) -> list[tuple]:
    """(order number, customer, [(item, quantity, price)]) of every ERP order with customer PO ``po``."""
    conn = sandbox.db()
    try:
        found = []
        for number, customer in conn.execute(
                "SELECT order_no, customer_id FROM sales_orders WHERE customer_po = ? ORDER BY order_no", (po,)):
            lines = [(item, Decimal(quantity), Decimal(price)) for item, quantity, price in conn.execute(
                "SELECT item_id, quantity, unit_price FROM order_lines WHERE order_no = ? ORDER BY line_no", (number,))]
            found.append((str(number), customer, lines))
        return found
    finally:
        conn.close()


@pytest.mark.slow
def test_orders_keyed_once_through_busy_answers_and_theme_two(start_sandbox, tmp_path, queue, browser):
    # Theme 2 (other ids and classes) and a busy ERP: 30% of Saves answered "System busy".
    # Seed 16 draws its first busy answers for the 2nd, 3rd and 4th Save.
    sandbox = start_sandbox(theme=2, fault_rate=0.3, seed=16)
    customers, items_ = masterdata.customers(16), masterdata.items(16)
    orders = [
        order("PO-7001", customers[0], [(items_[0], "3", True)]),
        order("PO-7002", customers[1], [(items_[1], "12", False), (items_[2], "2.5", True)]),
        order("PO-7003", customers[2], [(items_[3], "1", True), (items_[4], "40", True), (items_[5], "7", False)],
              ship_to=None),
        order("PO-7004", customers[3], [(items_[6], "5", True)]),
    ]
    items = enqueue(queue, *orders)

    counts = run_order_entry(settings(sandbox, tmp_path), once=True, queue=queue, browser=browser)

    assert counts["done"] == 4 and counts["orders_keyed"] == 4 and counts["erp_busy"] >= 2, counts
    by_sku = {i.sku: i for i in items_}
    for item, wanted, customer in zip(items, orders, customers):
        item = queue.get(item.id)
        (number, customer_id, lines), = erp_orders(sandbox, wanted["po_number"])  # exactly one order each
        assert item.state == "done" and item.result["sales_order"] == number
        assert customer_id == customer.customer_id
        assert lines == [(line["sku"], Decimal(line["quantity"]), by_sku[line["sku"]].price) for line in wanted["lines"]]
        (audit,) = audit_entries(queue, item_id=item.id)
        assert (audit["action"], audit["system"], audit["document_number"]) == ("create_sales_order", "erp", number)

    # The same order queued once more (say from another channel): the ERP has it, nothing is keyed again.
    queue.add("order", {"order": orders[0]}, key="again")
    again = run_order_entry(settings(sandbox, tmp_path), once=True, queue=queue, browser=browser)
    assert (again["done"], again["found_existing"], again.get("orders_keyed", 0)) == (1, 1, 0)
    assert all(len(erp_orders(sandbox, o["po_number"])) == 1 for o in orders)


def test_unclear_orders_go_to_the_exception_queue_with_evidence(erp_sandbox, tmp_path, queue, browser):
    # PO-DUP is already in the ERP for this customer, with other lines: the customer sent it twice.
    conn = erp_sandbox.db()
    existing = documents.save_order(conn, OrderDraft(CUSTOMERS[1].customer_id, "PO-DUP", SANDBOX_TODAY, None,
                                                     "Dock 9", [OrderLine(ITEMS[9].sku, Decimal("1"))]), "clerk")
    conn.close()
    cheap = ITEMS[0].price - Decimal("1.00")
    unknown_item = order("PO-X1", lines=())
    unknown_item["lines"] = [{"sku": "ZZ-0000", "quantity": "2", "unit_price": "5.00"}]
    mispriced = order("PO-X4")
    mispriced["lines"][0]["unit_price"] = str(cheap)
    items = enqueue(queue, unknown_item, order("PO-X2", customer=masterdata.Customer(
        **{**vars(CUSTOMERS[0]), "name": "Quillfeather Ventures", "buyer_email": "a@quill.example"})),
                    order("PO-DUP", CUSTOMERS[1]), mispriced)

    run_order_entry(settings(erp_sandbox, tmp_path), once=True, queue=queue, browser=browser)

    held = {item.payload["order"]["po_number"]: queue.get(item.id) for item in items}
    assert {po: (item.state, item.exception_code) for po, item in held.items()} == {
        "PO-X1": ("exception", "erp_rejected"), "PO-X2": ("exception", "unknown_customer"),
        "PO-DUP": ("exception", "duplicate_po"), "PO-X4": ("exception", "price_mismatch")}
    assert held["PO-X1"].exception_message == \
        "the ERP did not save the sales order: Line 1: item ZZ-0000 does not exist."
    assert "Quillfeather Ventures" in held["PO-X2"].exception_message
    assert held["PO-DUP"].evidence["existing_orders"] == [str(existing)]
    assert held["PO-X4"].evidence["customer_price"] == str(cheap)
    assert all(Path(item.evidence["screenshot"]).is_file() for item in held.values())
    assert [o[0] for o in erp_orders(erp_sandbox, "PO-DUP")] == [str(existing)]
    assert not any(erp_orders(erp_sandbox, po) for po in ("PO-X1", "PO-X2", "PO-X4"))

    # Policy "customer": the same mispriced order is keyed at the customer's price.
    queue.retry(held["PO-X4"].id, by="sup")
    run_order_entry(settings(erp_sandbox, tmp_path, price_policy="customer"), once=True, queue=queue, browser=browser)
    (_, _, lines), = erp_orders(erp_sandbox, "PO-X4")
    assert lines == [(ITEMS[0].sku, Decimal("3"), cheap)] and queue.get(held["PO-X4"].id).state == "done"


def test_the_duplicate_po_dialog_is_never_confirmed(erp_sandbox, tmp_path, queue, browser, monkeypatch):
    # A clerk keys the same PO by hand after the bot's search (the search sees nothing yet):
    # the ERP's own duplicate check answers on Save, and the bot must not press "Save anyway".
    from bots.erp.screens import ErpClient

    conn = erp_sandbox.db()
    by_hand = documents.save_order(conn, OrderDraft(CUSTOMERS[0].customer_id, "PO-RACE", SANDBOX_TODAY, None,
                                                    "Dock 1", [OrderLine(ITEMS[0].sku, Decimal("3"))]), "clerk")
    conn.close()
    monkeypatch.setattr(ErpClient, "find_orders_by_customer_po", lambda self, po, customer=None: [])
    (item,) = enqueue(queue, order("PO-RACE"))

    run_order_entry(settings(erp_sandbox, tmp_path), once=True, queue=queue, browser=browser)

    item = queue.get(item.id)
    assert (item.state, item.exception_code) == ("exception", "duplicate_po")
    assert item.evidence["existing_orders"] == [str(by_hand)]
    assert item.exception_message == (f"Customer PO PO-RACE already exists for customer {CUSTOMERS[0].customer_id} "
                                      f"(sales order {by_hand}).")
    assert Path(item.evidence["screenshot"]).is_file()
    assert [o[0] for o in erp_orders(erp_sandbox, "PO-RACE")] == [str(by_hand)]


def test_an_erp_in_maintenance_stops_the_run_and_leaves_the_items(start_sandbox, tmp_path, queue, browser):
    sandbox = start_sandbox(maintenance=True)
    (item,) = enqueue(queue, order("PO-M1"))
    with pytest.raises(ApplicationException, match="maintenance"):
        run_order_entry(settings(sandbox, tmp_path), once=True, queue=queue, browser=browser)
    assert (queue.get(item.id).state, queue.get(item.id).attempts) == ("new", 0)


def test_an_unreachable_erp_is_a_clear_error(tmp_path, queue, browser):
    from sandbox.common import free_port

    enqueue(queue, order("PO-U1"))
    gone = OrderEntrySettings(url=f"http://127.0.0.1:{free_port()}", user="bot", password="x",
                              evidence_dir=tmp_path)
    with pytest.raises(ApplicationException, match="cannot be reached"):
        run_order_entry(gone, once=True, queue=queue, browser=browser)


def test_an_expired_session_logs_on_again_and_redoes_the_step(start_sandbox, tmp_path, queue, browser):
    from bots.erp.order_entry import OrderEntry
    from bots.erp.screens import ErpClient
    from bots.runtime.workqueue import Work

    sandbox = start_sandbox()  # the idle timeout of 10 minutes
    context = browser.new_context()
    try:
        erp = ErpClient(context.new_page(), sandbox.erp_url, BOT_USER, BOT_PASSWORD)
        erp.log_in()
        sandbox.pass_time(601)  # idle past the timeout: the next screen is the log-on page
        (item,) = enqueue(queue, order("PO-IDLE"))
        work = Work(item)
        number = OrderEntry(erp, settings(sandbox, tmp_path)).enter(work)
    finally:
        context.close()
    assert erp.logins == 2
    assert [o[0] for o in erp_orders(sandbox, "PO-IDLE")] == [number]


# -- the crash between Save and completing the item ------------------------------------


class _BotProcess:
    """Runs ``o2c run erp-order-entry --once`` as a scheduler would, with its own home."""

    def __init__(self, tmp_path: Path, sandbox):
        self.home = tmp_path / "home"
        config = tmp_path / "o2c.yaml"
        config.write_text(yaml.safe_dump({
            "home": str(self.home), "erp": {"url": sandbox.erp_url, "user": BOT_USER},
            "queue": {"lease_seconds": 2},
            "bots": {"erp-order-entry": {"busy_wait_seconds": 0.05}},
        }))
        self.env = {**os.environ, "O2C_CONFIG": str(config), "O2C_ERP_PASSWORD": BOT_PASSWORD,
                    "O2C_HOME": str(self.home), "O2C_LOG_FORMAT": "json"}
        for name in ("O2C_DATABASE_URL", "O2C_LEASE_SECONDS", "O2C_TEST_CRASH_AT"):
            self.env.pop(name, None)

    def run(self, crash_at: str | None = None) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if crash_at:
            env["O2C_TEST_CRASH_AT"] = crash_at
        return subprocess.run([*O2C, "run", "erp-order-entry", "--once", "--json"], env=env, capture_output=True,
                              timeout=300)

    def queue(self):
        from bots.runtime.workqueue import WorkQueue

        return WorkQueue.open(url=f"sqlite:///{self.home / 'o2c.db'}")


@pytest.mark.slow
def test_crash_after_save_then_restart_keys_nothing_twice(erp_sandbox, tmp_path):
    bot = _BotProcess(tmp_path, erp_sandbox)
    with bot.queue() as queue:
        first, second = enqueue(queue, order("PO-C1"), order("PO-C2", CUSTOMERS[1]))

    crashed = bot.run(crash_at="after_save:2")  # dies right after saving the second order
    assert crashed.returncode == 137, crashed.stderr.decode(errors="replace")[-2000:]
    (saved, _, _), = erp_orders(erp_sandbox, "PO-C2")
    with bot.queue() as queue:
        assert queue.get(first.id).state == "done" and queue.get(second.id).state == "in_progress"

    time.sleep(2.5)  # the dead worker's lease runs out
    restarted = bot.run()
    assert restarted.returncode == 0, restarted.stderr.decode(errors="replace")[-2000:]
    assert json.loads(restarted.stdout)["counts"]["found_existing"] == 1
    assert [o[0] for o in erp_orders(erp_sandbox, "PO-C2")] == [saved]  # no second order in the ERP
    assert len(erp_orders(erp_sandbox, "PO-C1")) == 1
    with bot.queue() as queue:
        item = queue.get(second.id)
        assert (item.state, item.result["sales_order"]) == ("done", saved)
        assert [(a["action"], a["document_number"]) for a in audit_entries(queue, item_id=second.id)] == \
            [("found_existing", saved)]
