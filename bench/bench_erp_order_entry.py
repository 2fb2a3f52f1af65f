"""Orders per minute through ``o2c run erp-order-entry``, with a calm ERP and a busy one.

    .venv/bin/python bench/bench_erp_order_entry.py [COUNT]      (default 12 orders per round)

Starts the sandbox ERP in a temporary folder (theme 1 without faults, then theme 2 with
30% of Saves answered "System busy"), queues COUNT orders of the sandbox's customers and
items (1 to 3 lines each), runs the bot in-process in headless Chromium, and prints per
round: seconds per order, orders per minute, busy answers, and the checks that matter:
orders in the ERP per PO (must be exactly 1) and items done (must be COUNT).
"""

import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bots.browser import open_browser  # noqa: E402
from bots.erp.order_entry import OrderEntrySettings, run_order_entry  # noqa: E402
from bots.workqueue import WorkQueue, key_for  # noqa: E402
from sandbox import masterdata  # noqa: E402
from sandbox.common import SandboxOptions  # noqa: E402
from sandbox.server import start_all  # noqa: E402

SEED = 42


def orders(count: int) -> list[dict]:
    customers, items = masterdata.customers(SEED), masterdata.items(SEED)
    made = []
    for n in range(count):
        customer = customers[n % len(customers)]
        lines = [{"sku": items[(n * 3 + k) % len(items)].sku, "quantity": str(1 + (n + k) % 9),
                  "unit_price": str(items[(n * 3 + k) % len(items)].price) if k % 2 == 0 else None}
                 for k in range(1 + n % 3)]
        made.append({"po_number": f"BENCH-{n:04d}", "requested_date": "2026-12-20", "ship_to": None,
                     "customer": {"name": customer.name, "email": customer.buyer_email}, "lines": lines})
    return made


def measure(label: str, count: int, root: Path, browser, **options) -> None:
    sandbox = start_all(SandboxOptions(seed=SEED, today=date(2026, 11, 25), data_dir=root / label, **options),
                        port_base=0, systems=["erp"])
    try:
        with WorkQueue.open(url=f"sqlite:///{root / label / 'queue.db'}") as queue:
            for order in orders(count):
                queue.add("order", {"order": order}, key=key_for("bench", order["po_number"]))
            settings = OrderEntrySettings(url=sandbox.url("erp"), user="bot", password="bot-pass-1",
                                          evidence_dir=root / label / "evidence", busy_wait_seconds=0.05,
                                          limit=count)
            started = time.perf_counter()
            counts = run_order_entry(settings, once=True, queue=queue, browser=browser)
            seconds = time.perf_counter() - started
            done = queue.counts().get("done", 0)
        with sqlite3.connect(root / label / "erp.sqlite") as db:
            per_po = [n for (n,) in db.execute(
                "SELECT count(*) FROM sales_orders WHERE customer_po LIKE 'BENCH-%' GROUP BY customer_po")]
    finally:
        sandbox.stop()
    print(f"{label:>22}: {count} orders in {seconds:6.1f} s = {seconds / count:5.2f} s/order, "
          f"{60 * count / seconds:5.1f} orders/min; busy answers {counts.get('erp_busy', 0)}; "
          f"items done {done}/{count}; ERP orders per PO: min {min(per_po, default=0)} max {max(per_po, default=0)} "
          f"over {len(per_po)} POs")


def main(count: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="o2c-bench-erp-"))
    try:
        with open_browser() as browser:
            measure("theme 1, no faults", count, root, browser)
            measure("theme 2, 30% busy", count, root, browser, theme=2, fault_rate=0.3)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 12)
