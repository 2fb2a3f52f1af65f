"""Orders per minute through ``o2c run erp-order-entry``, with a calm ERP and a busy one.

    .venv/bin/python bench/bench_erp_order_entry.py [COUNT]      (default 12 orders per round)

Starts the sandbox ERP in a temporary folder (theme 1 without faults, then theme 2 with
30% of Saves answered "System busy"), queues COUNT orders of the sandbox's customers and
items (1 to 3 lines each), runs the bot in-process in headless Chromium, and prints a table,
one row per round: seconds per order, orders per minute, busy answers, and the checks that
matter: orders in the ERP per PO (must be exactly 1) and items done (must be COUNT). The
sandbox's request log goes to a file, not the screen; ``bench_fleet.py`` measures parallel
browser contexts.
"""

import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bots.runtime.browser import open_browser  # noqa: E402
from bots.erp.order_entry import OrderEntrySettings, run_order_entry  # noqa: E402
from bots.runtime.workqueue import WorkQueue, key_for  # noqa: E402
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


def quiet_request_log(folder: Path) -> None:
    """Send the sandbox's request log (werkzeug's access lines) to a file, so only the table prints."""
    import logging

    folder.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger("werkzeug")
    log.handlers[:] = [logging.FileHandler(folder / "requests.log")]
    log.propagate = False


def measure(label: str, count: int, root: Path, browser, **options) -> dict:
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
    return {"label": label, "seconds": seconds, "per_minute": 60 * count / seconds, "busy": counts.get("erp_busy", 0),
            "done": done, "per_po": (min(per_po, default=0), max(per_po, default=0)), "pos": len(per_po)}


def main(count: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="o2c-bench-erp-"))
    quiet_request_log(root)
    try:
        with open_browser() as browser:
            rows = [measure("theme 1, no faults", count, root, browser),
                    measure("theme 2, 30% busy", count, root, browser, theme=2, fault_rate=0.3)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"\nerp-order-entry, one browser, {count} orders per round")
    print(f"{'round':>20} {'seconds':>8} {'s/order':>8} {'orders/min':>10} {'busy':>5} {'done':>5} {'ERP orders per PO':>18}")
    for row in rows:
        low, high = row["per_po"]
        print(f"{row['label']:>20} {row['seconds']:>8.1f} {row['seconds'] / count:>8.2f} {row['per_minute']:>10.1f} "
              f"{row['busy']:>5} {row['done']:>5} {'exactly 1' if low == high == 1 and row['pos'] == count else f'{low}..{high}':>18}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 12)
