"""robots/tasks/tryton_enter_orders.robot keys queued orders into a real Tryton 8.0, exactly once.

Each test queues parsed orders in its own SQLite store, runs the task with
``o2c run robot`` (the real ``robot`` runner inside the o2c runtime) against the session's
Tryton, and checks the sale orders in Tryton's own database.
"""

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from bots.runtime.workqueue import WorkQueue, key_for
from tests.tryton_erp import ADMIN_PASSWORD, sample_orders

pytestmark = pytest.mark.browser

CHECKOUT = Path(__file__).resolve().parent.parent
ENTER_ORDERS = CHECKOUT / "robots" / "tasks" / "tryton_enter_orders.robot"
READ_ORDER = CHECKOUT / "robots" / "tasks" / "tryton_read_order.robot"
O2C = str(Path(sys.executable).with_name("o2c"))


def queue_orders(queue_url: str, orders: list[dict]) -> list[int]:
    with WorkQueue.open(url=queue_url) as queue:
        return [queue.add("order", {"order": order}, key=key_for("tryton", order["po_number"]))[0].id
                for order in orders]


def task_command(task: Path, tryton, **variables) -> list[str]:
    command = [O2C, "run", "robot", str(task), "--json", "--variable", f"TRYTON_URL:{tryton.url}"]
    for name, value in variables.items():
        command += ["--variable", f"{name}:{value}"]
    return command


def task_env(home: Path, queue_url: str, **extra) -> dict:
    # A retried item (the system misbehaved) is taken again within the same run.
    return {**os.environ, "O2C_HOME": str(home), "O2C_DATABASE_URL": queue_url,
            "O2C_TRYTON_PASSWORD": ADMIN_PASSWORD, "O2C_RETRY_BACKOFF_SECONDS": "0", **extra}


def run_task(task: Path, tryton, home: Path, queue_url: str, **variables) -> subprocess.CompletedProcess:
    return subprocess.run(task_command(task, tryton, **variables), env=task_env(home, queue_url), cwd=CHECKOUT,
                          capture_output=True, text=True, timeout=600)


def saved_as_ordered(sale: dict, order: dict) -> bool:
    return sale["customer"] == order["customer"]["name"] and [
        (line["product"], Decimal(str(line["quantity"])), line["unit_price"]) for line in sale["lines"]] == [
        (line["sku"], Decimal(line["quantity"]), Decimal(line["unit_price"])) for line in order["lines"]]


def items_by_state(queue_url: str, ids: list[int]) -> dict:
    """The work items ``ids`` as they are now, by id."""
    with WorkQueue.open(url=queue_url) as queue:
        return {item_id: queue.get(item_id) for item_id in ids}


def sales_of(tryton, orders: list[dict]) -> dict:
    return {order["po_number"]: tryton.sales(order["po_number"]) for order in orders}


def test_ten_queued_orders_are_keyed_into_tryton_and_an_unknown_product_goes_to_a_person(tryton, tmp_path):
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    orders = sample_orders(10, "TR-A")
    unknown = {**orders[0], "po_number": "TR-X0001",
               "lines": [orders[0]["lines"][0], {"sku": "ZZ-0000", "quantity": "3", "unit_price": "9.00"}]}
    # Tryton's unit "Unit" rounds 1.5 to 2: saved, but not as ordered.
    rounded = {**orders[1], "po_number": "TR-X0002", "lines": [{**orders[1]["lines"][0], "quantity": "1.5"}]}
    # The order with the unknown product comes fourth: the orders after it are keyed as well.
    queued = [*orders[:3], unknown, *orders[3:7], rounded, *orders[7:]]
    ids = dict(zip([order["po_number"] for order in queued], queue_orders(queue_url, queued)))

    finished = run_task(ENTER_ORDERS, tryton, tmp_path / "home", queue_url)

    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    items = items_by_state(queue_url, list(ids.values()))
    for order in orders:
        sales = tryton.sales(order["po_number"])
        assert len(sales) == 1, (order["po_number"], sales)
        assert saved_as_ordered(sales[0], order), (sales[0], order)
        assert sales[0]["state"] == "draft"
        item = items[ids[order["po_number"]]]
        assert item.state == "done", (item.state, item.exception_message)
        expected = sum(Decimal(line["quantity"]) * Decimal(line["unit_price"]) for line in order["lines"])
        assert item.result["reference"] == order["po_number"]
        assert Decimal(item.result["untaxed"]) == expected.quantize(Decimal("0.01"))

    # The unknown product: nothing saved in Tryton, the item with a person, a screenshot as evidence.
    assert tryton.sales("TR-X0001") == []
    item = items[ids["TR-X0001"]]
    assert (item.state, item.exception_type) == ("exception", "business"), (item.state, item.exception_message)
    assert "ZZ-0000" in item.exception_message and "No suggestion for" in item.exception_message
    screenshot = Path(item.evidence["screenshot"])
    assert screenshot.is_file() and screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The rounded quantity: the read-back caught it; the sale is in Tryton for a person to correct.
    item = items[ids["TR-X0002"]]
    assert (item.state, item.exception_type, item.exception_code) == ("exception", "business", "saved_differs")
    assert "saved a quantity of 2" in item.exception_message and "ordered 1.5" in item.exception_message
    sale, = tryton.sales("TR-X0002")
    assert [line["quantity"] for line in sale["lines"]] == [2.0]

    # The read-back task finds one of them by its reference and writes what Tryton shows.
    read = run_task(READ_ORDER, tryton, tmp_path / "home", queue_url, REFERENCE=orders[3]["po_number"])
    assert read.returncode == 0, read.stdout[-3000:]
    written, = (tmp_path / "home").rglob(f"sale-{orders[3]['po_number']}.json")
    sale = json.loads(written.read_text())
    assert sale["customer"] == orders[3]["customer"]["name"]
    assert [row["Product"].split("]")[0] + "]" for row in sale["lines"]] == [
        f"[{line['sku']}]" for line in orders[3]["lines"]]


def test_a_run_killed_midway_and_started_again_keys_nothing_twice(tryton, tmp_path):
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    orders = sample_orders(4, "TR-K", seed=7)
    ids = queue_orders(queue_url, orders)
    home = tmp_path / "home"
    # Short leases, so the item in hand when the run is killed can be taken again soon.
    env = task_env(home, queue_url, O2C_LEASE_SECONDS="2")
    run = subprocess.Popen(task_command(ENTER_ORDERS, tryton), env=env, cwd=CHECKOUT, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Kill it (the task, its browser, everything) the moment Tryton holds the second sale:
        # saved in Tryton, not yet completed in the queue.
        deadline = time.monotonic() + 300
        while sum(1 for sales in sales_of(tryton, orders).values() if sales) < 2:
            assert run.poll() is None, "the task ended before it was killed"
            assert time.monotonic() < deadline, "the task saved fewer than two sales in 300 s"
            time.sleep(0.05)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    killed_at = {po: len(sales) for po, sales in sales_of(tryton, orders).items()}
    in_hand = [item for item in items_by_state(queue_url, ids).values() if item.state == "in_progress"]
    assert len(in_hand) == 1, "the killed run held one item"
    time.sleep(2.5)  # its lease runs out

    finished = subprocess.run(task_command(ENTER_ORDERS, tryton), env=env, cwd=CHECKOUT, capture_output=True,
                              text=True, timeout=600)

    assert finished.returncode == 0, finished.stdout[-3000:]
    for order in orders:
        sales = tryton.sales(order["po_number"])
        assert len(sales) == 1, (order["po_number"], killed_at, sales)
        assert saved_as_ordered(sales[0], order)
    items = items_by_state(queue_url, ids)
    assert {item.state for item in items.values()} == {"done"}
    # The order saved just before the kill was found by its Reference, not keyed again.
    found = [item for item in items.values() if item.result.get("found_existing") == "yes"]
    assert [item.id for item in found] == [in_hand[0].id], (killed_at, [item.result for item in items.values()])
