"""Orders per minute keyed into Tryton 8.0 by robots/tasks/tryton_enter_orders.robot.

    .venv/bin/python bench/bench_tryton.py [--orders 20] [--seed 3]

Starts the test Tryton (tests/tryton_erp.py: installed and seeded once into the test cache,
then a fresh copy of the seeded database), queues ``--orders`` parsed orders (one to three
lines each) in a fresh SQLite store, and runs the task once with ``o2c run robot``: one
browser, logged in once, keying every order (check by Reference first, key, save, read the
lines back, complete the item). Prints the wall time of the whole run, the time from the first
order taken to the last one done (from the robot's output.xml), orders and lines per minute,
and the seconds per order (median and slowest). Every order is checked in Tryton's database
afterwards: a benchmark of wrong results is no benchmark.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CHECKOUT))

from bots.runtime.workqueue import WorkQueue, key_for  # noqa: E402
from tests.tryton_erp import ADMIN_PASSWORD, TrytonServer, install, sample_orders  # noqa: E402

TASK = CHECKOUT / "robots" / "tasks" / "tryton_enter_orders.robot"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-tryton-") as folder:
        work = Path(folder)
        started = time.monotonic()
        server = TrytonServer(install(), work / "tryton").start()
        print(f"Tryton ready in {time.monotonic() - started:.1f} s (install and seed are cached)")
        try:
            orders = sample_orders(args.orders, "BENCH", seed=args.seed)
            queue_url = f"sqlite:///{work / 'queue.db'}"
            with WorkQueue.open(url=queue_url) as queue:
                for order in orders:
                    queue.add("order", {"order": order}, key=key_for("bench", order["po_number"]))
            env = {**os.environ, "O2C_HOME": str(work / "home"), "O2C_DATABASE_URL": queue_url,
                   "O2C_TRYTON_PASSWORD": ADMIN_PASSWORD}
            command = [str(Path(sys.executable).with_name("o2c")), "run", "robot", str(TASK),
                       "--variable", f"TRYTON_URL:{server.url}"]
            started = time.monotonic()
            finished = subprocess.run(command, env=env, cwd=CHECKOUT, capture_output=True, text=True)
            wall = time.monotonic() - started
            if finished.returncode != 0:
                print(finished.stdout[-3000:], finished.stderr[-3000:], file=sys.stderr)
                return 1
            per_order = order_times(work / "home")
            wrong = [order["po_number"] for order in orders if not keyed_right(server, order)]
        finally:
            server.stop()

    lines = sum(len(order["lines"]) for order in orders)
    keying = sum(per_order)
    print(f"orders: {len(orders)} ({lines} lines), keyed wrong or twice: {len(wrong)} {wrong or ''}")
    print(f"whole run (browser start, login, all orders): {wall:.1f} s")
    print(f"keying (first order taken to last done):       {keying:.1f} s")
    print(f"orders per minute: {len(orders) / keying * 60:.1f} (whole run: {len(orders) / wall * 60:.1f})")
    print(f"lines per minute:  {lines / keying * 60:.1f}")
    print(f"seconds per order: median {statistics.median(per_order):.1f}, slowest {max(per_order):.1f}")
    print(f"machine load (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 1 if wrong else 0


def order_times(home: Path) -> list[float]:
    """Seconds each run of the per-order keyword took, from the run's output.xml."""
    from robot.api import ExecutionResult, ResultVisitor

    output, = home.glob("robot-runs/*/output.xml")
    times = []

    class PerOrder(ResultVisitor):
        def visit_keyword(self, keyword):
            if keyword.name == "Enter The Order In Tryton":
                times.append(keyword.elapsed_time.total_seconds())
            super().visit_keyword(keyword)

    ExecutionResult(str(output)).visit(PerOrder())
    return times


def keyed_right(server: TrytonServer, order: dict) -> bool:
    from decimal import Decimal

    sales = server.sales(order["po_number"])
    return len(sales) == 1 and sales[0]["customer"] == order["customer"]["name"] and [
        (line["product"], Decimal(str(line["quantity"])), line["unit_price"]) for line in sales[0]["lines"]] == [
        (line["sku"], Decimal(line["quantity"]), Decimal(line["unit_price"])) for line in order["lines"]]


if __name__ == "__main__":
    sys.exit(main())
