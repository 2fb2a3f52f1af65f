"""How fast the work queue adds, claims and completes items, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_queue.py [--items 2000] [--workers 4] [--no-postgres]

Prints items per second for: adding in one transaction (add_many), adding one by one
(add), and claiming + completing with 1 and with N worker processes (batches of 5),
and the speed-up of N processes over one. PostgreSQL runs on a throwaway server started
the way the tests start it (Debian's binaries, a free loopback port).
"""

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bots.runtime.store.engine import make_engine  # noqa: E402
from bots.runtime.workqueue import WorkQueue  # noqa: E402


def work(url: str, worker: str, start, out: str) -> None:
    queue = WorkQueue(make_engine(url), lease_seconds=600)
    done = 0
    start.wait()
    while batch := queue.claim(worker, limit=5):
        for item in batch:
            queue.complete(item.id, worker, result={"by": worker})
            done += 1
    Path(out).write_text(json.dumps(done))
    queue.close()


def claim_and_complete(url: str, workers: int, folder: Path) -> float:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    outs = [folder / f"w{n}-{time.monotonic_ns()}.json" for n in range(workers)]
    processes = [context.Process(target=work, args=(url, f"w{n}", start, str(outs[n]))) for n in range(workers)]
    for process in processes:
        process.start()
    time.sleep(1.0)  # imports and connections, outside the timing
    began = time.perf_counter()
    start.set()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began
    assert all(p.exitcode == 0 for p in processes)
    return elapsed


def bench(name: str, make_url, items: int, workers: int, folder: Path) -> None:
    url = make_url()
    queue = WorkQueue.open(url)
    began = time.perf_counter()
    queue.add_many([{"kind": "order", "payload": {"n": n}, "key": f"a{n}"} for n in range(items)])
    add_many = items / (time.perf_counter() - began)
    singles = min(items, 500)
    began = time.perf_counter()
    for n in range(singles):
        queue.add("order", {"n": n}, key=f"b{n}")
    add_one = singles / (time.perf_counter() - began)
    total = items + singles
    one = total / claim_and_complete(url, 1, folder)
    queue.close()

    url = make_url()
    queue = WorkQueue.open(url)
    queue.add_many([{"kind": "order", "payload": {"n": n}, "key": f"a{n}"} for n in range(total)])
    many = total / claim_and_complete(url, workers, folder)
    assert len(queue.items(state="done", limit=None)) == total
    queue.close()
    print(f"{name:<11} add_many {add_many:8.0f}/s   add {add_one:6.0f}/s   "
          f"claim+complete 1 worker {one:6.0f}/s   {workers} workers {many:6.0f}/s   (x{many / one:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-postgres", action="store_true", help="only SQLite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="o2c-bench-"))
    counter = iter(range(1000))
    bench("sqlite", lambda: f"sqlite:///{folder / f'bench{next(counter)}.db'}", args.items, args.workers, folder)
    if not args.no_postgres:
        from tests.fixtures.postgres import PostgresServer

        server = PostgresServer()
        try:
            server.start()
            bench("postgresql", server.create_database, args.items, args.workers, folder)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
