"""Orders keyed per minute by one fleet worker with 1, 2 and 4 browser contexts, calm ERP and faulty.

    .venv/bin/python bench/bench_fleet.py [COUNT]        (default 24 orders per round)

For each round (contexts 1, 2, 4 x fault rate 0 and 0.1) it starts the sandbox ERP in a
process of its own (so its Python does not share a GIL with the bot's threads; its request
log goes to a file, not the screen), queues COUNT orders of the sandbox's customers and
items (1 to 3 lines each), and runs the ``erp-order-entry`` fleet worker in-process with
that many slots, each a headless Chromium logged on to the ERP with its own session. The
clock runs from the worker's start (browsers launched, logged on) until the last order is
done. It prints one row per round, with the checks that matter: items done (must be COUNT)
and ERP orders per PO (must be exactly 1).
"""

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_erp_order_entry import SEED, orders  # noqa: E402

CONTEXTS = (1, 2, 4)
FAULT_RATES = (0.0, 0.1)


def serve_sandbox(data_dir: str, fault_rate: str) -> None:
    """Child process: run the sandbox ERP, print its URL as JSON, serve until stdin closes."""
    import logging
    from datetime import date

    from sandbox.common import SandboxOptions
    from sandbox.server import start_all

    log = logging.getLogger("werkzeug")
    log.handlers[:] = [logging.FileHandler(Path(data_dir) / "requests.log")]
    log.propagate = False
    options = SandboxOptions(seed=SEED, today=date(2026, 11, 25), data_dir=Path(data_dir), theme=1,
                             fault_rate=float(fault_rate))
    sandbox = start_all(options, port_base=0, systems=["erp"])
    print(json.dumps({"url": sandbox.url("erp")}), flush=True)
    sys.stdin.read()
    sandbox.stop()


def measure(contexts: int, fault_rate: float, count: int, root: Path) -> dict:
    from bots.erp.order_entry import ORDER_ENTRY_BOT, OrderEntrySettings
    from bots.erp.runner import fleet_bot
    from bots.runtime.fleet.worker import FleetSettings, Worker
    from bots.runtime.logs import configure_logging
    from bots.runtime.workqueue import WorkQueue, key_for

    folder = root / f"c{contexts}-f{fault_rate}"
    folder.mkdir(parents=True)
    configure_logging("ERROR", "text", stream=(folder / "bot.log").open("a"))
    server = subprocess.Popen([sys.executable, __file__, "--serve-sandbox", str(folder), str(fault_rate)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        url = json.loads(server.stdout.readline())["url"]
        with WorkQueue.open(url=f"sqlite:///{folder / 'queue.db'}") as queue:
            for order in orders(count):
                queue.add("order", {"order": order}, key=key_for("bench", order["po_number"]))
            settings = OrderEntrySettings(url=url, user="bot", password="bot-pass-1", evidence_dir=folder / "evidence",
                                          busy_wait_seconds=0.05, poll_seconds=0.2)
            bot = fleet_bot(ORDER_ENTRY_BOT, settings, sessions_per_user=4)
            worker = Worker(queue, [bot], concurrency=contexts, settings=FleetSettings(heartbeat_seconds=5))
            started = time.perf_counter()
            thread = threading.Thread(target=worker.run, kwargs={"install_signals": False})
            thread.start()
            while queue.counts().get("done", 0) + queue.counts().get("exception", 0) < count:
                time.sleep(0.1)
                if time.perf_counter() - started > 600:
                    break
            seconds = time.perf_counter() - started
            worker.stop()
            thread.join(120)
            counts = queue.counts()
    finally:
        server.stdin.close()
        server.wait(30)
    with sqlite3.connect(folder / "erp.sqlite") as db:
        per_po = [n for (n,) in db.execute(
            "SELECT count(*) FROM sales_orders WHERE customer_po LIKE 'BENCH-%' GROUP BY customer_po")]
    return {"contexts": contexts, "fault_rate": fault_rate, "seconds": seconds, "per_minute": 60 * count / seconds,
            "done": counts.get("done", 0), "exceptions": counts.get("exception", 0), "pos": len(per_po),
            "max_per_po": max(per_po, default=0)}


def main(count: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="o2c-bench-fleet-"))
    rows = []
    try:
        for fault_rate in FAULT_RATES:
            for contexts in CONTEXTS:
                rows.append(measure(contexts, fault_rate, count, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"\nerp-order-entry, one worker, {count} orders per round ({_cpus()} CPUs)")
    print(f"{'contexts':>8} {'faults':>6} {'seconds':>8} {'orders/min':>10} {'done':>6} {'exceptions':>10} "
          f"{'ERP orders per PO':>17}")
    for row in rows:
        print(f"{row['contexts']:>8} {row['fault_rate']:>6.1f} {row['seconds']:>8.1f} {row['per_minute']:>10.1f} "
              f"{row['done']:>6} {row['exceptions']:>10} {'exactly 1' if row['max_per_po'] == 1 and row['pos'] == row['done'] else 'CHECK':>17}")


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-sandbox":
        serve_sandbox(sys.argv[2], sys.argv[3])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 24)
