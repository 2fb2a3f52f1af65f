"""The ERP bots as fleet workers, SIGKILLed at random points and restarted, in real Chromium.

`o2c worker --bots erp-order-entry --concurrency 2` (a real process, two browsers, each
with its own ERP session) keys 50 orders into the sandbox ERP while the test kills it
(SIGKILL to its whole process group, browsers included) after a random few seconds, over
and over, restarting it each time. Afterwards the ERP's own database must hold each order
exactly once with the right lines, and the queue each item done once. The same for
erp-cash-posting over 50 payments: one posted receipt per payment, with the right
invoices. Last, a SIGTERM in the middle of a run: the items being keyed are finished, the
worker exits 0 and nothing stays leased.

The store is the real PostgreSQL fixture; leases are 3 s (heartbeat 1 s) so a killed
worker's items come back quickly.
"""

import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from bots.runtime.workqueue import WorkQueue, key_for
from sandbox import masterdata

ROOT = Path(__file__).resolve().parents[1]
O2C = str(Path(sys.executable).with_name("o2c"))
SEED = 42
COUNT = 50
LEASE_SECONDS = 3

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.slow]


# --- the world ---------------------------------------------------------------------------


def planned_orders(count: int) -> list[dict]:
    """``count`` orders of the sandbox's customers and items, 1 to 3 lines each."""
    customers, items = masterdata.customers(SEED), masterdata.items(SEED)
    made = []
    for n in range(count):
        customer = customers[n % len(customers)]
        lines = [{"sku": items[(n * 5 + k * 7) % len(items)].sku, "quantity": str(1 + (n + 3 * k) % 7),
                  "unit_price": None} for k in range(1 + n % 3)]
        made.append({"po_number": f"KILL-{n:03d}", "requested_date": "2026-12-20", "ship_to": None,
                     "customer": {"name": customer.name, "email": customer.buyer_email}, "lines": lines})
    return made


def planned_payments(sandbox, count: int) -> list[dict]:
    """One payment per open invoice of the seeded ERP (``count`` of them), in full or less a discount."""
    conn = sandbox.db()
    try:
        rows = conn.execute("SELECT invoice, customer_id, currency, open_amount FROM invoices WHERE status = 'open'"
                            " AND kind = 'invoice' AND CAST(open_amount AS REAL) > 100 ORDER BY invoice").fetchall()
    finally:
        conn.close()
    assert len(rows) >= count, f"the seeded ERP has only {len(rows)} open invoices"
    payments = []
    for n, (invoice, customer, currency, open_amount) in enumerate(rows[:count]):
        open_amount = Decimal(open_amount)
        discount = (open_amount * Decimal("0.02")).quantize(Decimal("0.01")) if n % 4 == 1 else Decimal("0.00")
        paid = open_amount - discount
        reference = f"KILLPAY-{n:03d}"
        payments.append({
            "payment": {"payment_reference": reference, "payer": "Crash test payer", "payment_date": "2026-11-20",
                        "currency": currency, "total": f"{paid:.2f}", "memo": ""},
            "applications": [{"payment_reference": reference, "customer_id": customer, "invoice": invoice,
                              "amount": f"{paid:.2f}", "discount": f"{discount:.2f}", "deduction": "0.00",
                              "open_amount": f"{open_amount:.2f}", "rule": "test", "confidence": 1.0}],
            "exception": None})
    return payments


@pytest.fixture
def fleet(postgres_url, start_sandbox, tmp_path):
    """The ERP (in this process), a PostgreSQL store, and the environment of the worker processes."""
    sandbox = start_sandbox(seed=SEED)
    # A killed worker's ERP sessions stay open until the ERP's idle timeout, as on a real ERP;
    # dozens of kills would use up the 4 a user may have, so this ERP allows more.
    sandbox.erp_app.config["ERP_SESSIONS_PER_USER"] = 100
    config = tmp_path / "o2c.yaml"
    bot = {"busy_wait_seconds": 0.05, "poll_seconds": 1, "evidence_dir": str(tmp_path / "evidence")}
    config.write_text(yaml.safe_dump({
        "home": str(tmp_path / "home"),
        "erp": {"url": sandbox.erp_url, "user": "bot"},
        # A kill in the middle of an item counts as one of its attempts; a screen that times
        # out on a busy machine is tried again at once rather than after a doubling backoff.
        "queue": {"lease_seconds": LEASE_SECONDS, "max_attempts": 20, "retry_backoff_seconds": 0},
        "fleet": {"heartbeat_seconds": 1, "stop_timeout_seconds": 60},
        "log": {"level": "WARNING", "format": "json"},
        "bots": {"erp-order-entry": bot, "erp-cash-posting": bot},
    }))
    env = {**os.environ, "O2C_CONFIG": str(config), "O2C_DATABASE_URL": postgres_url, "O2C_ERP_PASSWORD": "bot-pass-1"}
    for name in ("O2C_HOME", "O2C_LEASE_SECONDS", "O2C_MAX_ATTEMPTS", "O2C_LOG_LEVEL", "O2C_LOG_FORMAT"):
        env.pop(name, None)
    queue = WorkQueue.open(postgres_url)
    yield sandbox, queue, env, tmp_path
    queue.close()


def start_worker(env: dict, log: Path, bot: str) -> subprocess.Popen:
    # Its own process group, so a kill takes its browsers down with it, as a crash of the machine would.
    return subprocess.Popen([O2C, "worker", "--bots", bot, "--concurrency", "2"], env=env, cwd=ROOT,
                            stdin=subprocess.DEVNULL, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def kill(worker: subprocess.Popen) -> None:
    try:
        os.killpg(worker.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    worker.wait(20)


def finished(queue) -> int:
    counts = queue.counts()
    return counts.get("done", 0) + counts.get("exception", 0)


def run_with_kills(queue, env: dict, log: Path, bot: str, count: int, seed: int) -> int:
    """Run the bot's worker until ``count`` items are finished, SIGKILLing it again and again and
    restarting it; return the kills.

    Each worker first finishes a few items (3 to 7, drawn at random), so the run makes
    progress however fast the machine is; then it is killed a random 0 to 2.5 s later,
    which lands at a random point of the next items' screens (searching, keying, saving,
    reading back, completing).
    """
    rng = random.Random(seed)
    kills = 0
    started = time.monotonic()
    while finished(queue) < count:
        assert time.monotonic() - started < 560, f"{bot}: {finished(queue)} of {count} finished after {kills} kills"
        target = min(count, finished(queue) + rng.randint(3, 7))
        worker = start_worker(env, log, bot)
        try:
            while finished(queue) < target:
                assert worker.poll() is None, f"the worker exited by itself with {worker.returncode}; see {log}"
                assert time.monotonic() - started < 560, f"{bot}: stuck at {finished(queue)} of {count}: {unfinished(queue)}"
                time.sleep(0.05)
            if finished(queue) >= count:
                break
            time.sleep(rng.uniform(0.0, 2.5))
            kills += 1
        finally:
            kill(worker)
    print(f"{bot}: {count} items in {time.monotonic() - started:.0f} s with {kills} kills")
    return kills


def unfinished(queue) -> list[dict]:
    """The items not finished, with their last events, for a failure message."""
    return [{"id": item.id, "state": item.state, "attempts": item.attempts, "not_before": str(item.not_before),
             "events": [(e.action, (e.detail or {}).get("message")) for e in queue.get(item.id).history[-3:]]}
            for item in queue.items(limit=None) if item.state not in ("done", "exception")]


def assert_each_item_done_once(queue, count: int) -> None:
    assert queue.counts() == {"done": count}, queue.counts()
    from sqlalchemy import text

    with queue.engine.connect() as connection:
        completions = connection.execute(text("SELECT item_id, count(*) FROM item_events "
                                              "WHERE action = 'completed' GROUP BY item_id")).all()
    assert len(completions) == count and {n for _, n in completions} == {1}


# --- the tests ---------------------------------------------------------------------------


def test_order_entry_killed_at_random_points_keys_each_order_exactly_once(fleet):
    sandbox, queue, env, tmp_path = fleet
    orders = planned_orders(COUNT)
    for order in orders:
        queue.add("order", {"order": order}, key=key_for("crash", order["po_number"]))

    kills = run_with_kills(queue, env, tmp_path / "order-entry.log", "erp-order-entry", COUNT, seed=16)

    assert kills >= 5, f"only {kills} kills: the test did not interrupt the bot enough"
    assert_each_item_done_once(queue, COUNT)
    conn = sandbox.db()
    try:
        for order in orders:
            saved = conn.execute("SELECT order_no FROM sales_orders WHERE customer_po = ?",
                                 (order["po_number"],)).fetchall()
            assert len(saved) == 1, f"PO {order['po_number']} is in the ERP {len(saved)} times"
            lines = [(item, Decimal(quantity)) for item, quantity in conn.execute(
                "SELECT item_id, quantity FROM order_lines WHERE order_no = ? ORDER BY line_no", (saved[0][0],))]
            assert lines == [(line["sku"], Decimal(line["quantity"])) for line in order["lines"]], order["po_number"]
    finally:
        conn.close()
    # Items a kill interrupted were taken over after their lease (and found or keyed then).
    taken_over = [item for item in queue.items(limit=None)
                  if any(event.action == "lease_expired" for event in queue.get(item.id).history)]
    assert taken_over, "no item was taken over after a kill"


def test_cash_posting_killed_at_random_points_posts_each_receipt_exactly_once(fleet):
    sandbox, queue, env, tmp_path = fleet
    payments = planned_payments(sandbox, COUNT)
    for payload in payments:
        queue.add("payment", payload, key=key_for("crash", payload["payment"]["payment_reference"]))

    kills = run_with_kills(queue, env, tmp_path / "cash-posting.log", "erp-cash-posting", COUNT, seed=61)

    assert kills >= 5, f"only {kills} kills: the test did not interrupt the bot enough"
    assert_each_item_done_once(queue, COUNT)
    conn = sandbox.db()
    try:
        for payload in payments:
            reference = payload["payment"]["payment_reference"]
            receipts = conn.execute("SELECT doc_no, status FROM receipts WHERE reference = ?", (reference,)).fetchall()
            assert [status for _, status in receipts] == ["posted"], f"{reference}: receipts {receipts}"
            (application,) = payload["applications"]
            lines = conn.execute("SELECT invoice, amount, discount FROM receipt_lines WHERE doc_no = ?",
                                 (receipts[0][0],)).fetchall()
            assert [(i, Decimal(a), Decimal(d)) for i, a, d in lines] == [
                (application["invoice"], Decimal(application["amount"]), Decimal(application["discount"]))]
    finally:
        conn.close()


def test_sigterm_in_the_middle_of_a_run_finishes_the_current_orders_and_exits_0(fleet):
    sandbox, queue, env, tmp_path = fleet
    orders = planned_orders(12)
    for order in orders:
        queue.add("order", {"order": order}, key=key_for("sigterm", order["po_number"]))
    worker = start_worker(env, tmp_path / "sigterm.log", "erp-order-entry")
    owner = f"erp-order-entry@{os.uname().nodename}:{worker.pid}"
    try:
        deadline = time.monotonic() + 90
        while not (queue.counts().get("done", 0) >= 2 and queue.held_by([owner])):
            assert time.monotonic() < deadline and worker.poll() is None, "the worker never got going"
            time.sleep(0.05)
        busy = [item.id for item in queue.held_by([owner])]
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(60)
    finally:
        if worker.poll() is None:
            kill(worker)
    assert code == 0
    assert queue.held_by([owner]) == [] and "in_progress" not in queue.counts()
    assert [queue.get(item_id).state for item_id in busy] == ["done"] * len(busy)
    done = queue.counts().get("done", 0)
    assert queue.counts().get("new", 0) == len(orders) - done > 0
    conn = sandbox.db()
    try:
        keyed = conn.execute("SELECT count(*) FROM sales_orders WHERE customer_po LIKE 'KILL-%'").fetchone()[0]
    finally:
        conn.close()
    assert keyed == done  # finished orders are in the ERP, the rest untouched
