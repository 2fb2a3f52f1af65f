"""Several worker processes on one store: none takes an item twice, none is lost.

Four processes (started with ``spawn``, as separate workers would be) claim and complete
2,000 items concurrently, on SQLite and on PostgreSQL; then four processes add the same
keys at once and each key is created exactly once.
"""

import json
import multiprocessing
import random
import time
from pathlib import Path

import pytest

from bots.runtime.workqueue import WorkQueue

ITEMS = 2000
WORKERS = 4


def claim_until_empty(url: str, worker: str, start, out: str) -> None:
    """Worker process: claim batches of 1 to 5 and complete them until nothing is left."""
    queue = WorkQueue(_engine(url), max_attempts=3, lease_seconds=600)
    rng = random.Random(worker)
    taken = []
    start.wait()
    while True:
        batch = queue.claim(worker, kinds=["order"], limit=rng.randint(1, 5))
        if not batch:
            break
        for item in batch:
            taken.append(item.id)
            queue.complete(item.id, worker, result={"by": worker})
    Path(out).write_text(json.dumps(taken))
    queue.close()


def add_same_keys(url: str, worker: str, start, out: str) -> None:
    """Worker process: add the same 300 keys as the others, in its own order."""
    queue = WorkQueue(_engine(url))
    keys = [f"email-{n}" for n in range(300)]
    random.Random(worker).shuffle(keys)
    start.wait()
    created = [key for key in keys if queue.add("order", {"key": key}, key=key)[1]]
    Path(out).write_text(json.dumps(created))
    queue.close()


def _engine(url):
    from bots.runtime.store.engine import make_engine

    return make_engine(url)


def run_workers(target, url, tmp_path, timeout=300):
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    outputs = [tmp_path / f"worker-{n}.json" for n in range(WORKERS)]
    processes = [context.Process(target=target, args=(url, f"worker-{n}", start, str(outputs[n])))
                 for n in range(WORKERS)]
    for process in processes:
        process.start()
    time.sleep(1.0)  # let every process import and connect, so they really start together
    began = time.monotonic()
    start.set()
    for process in processes:
        process.join(timeout)
    elapsed = time.monotonic() - began
    for process in processes:
        if process.is_alive():
            process.kill()
    assert [p.exitcode for p in processes] == [0] * WORKERS, "a worker process failed"
    return [json.loads(path.read_text()) for path in outputs], elapsed


@pytest.mark.slow
def test_four_processes_claim_2000_items_none_twice_none_lost(store_url, tmp_path):
    queue = WorkQueue.open(store_url)
    added = queue.add_many([{"kind": "order", "payload": {"n": n}, "key": f"order-{n}"} for n in range(ITEMS)])
    expected = sorted(item.id for item, _ in added)

    taken, elapsed = run_workers(claim_until_empty, store_url, tmp_path)

    everything = [item_id for ids in taken for item_id in ids]
    assert len(everything) == ITEMS, "some item was taken twice or lost"
    assert sorted(everything) == expected
    assert all(ids for ids in taken), "a worker got no items: the claim was not concurrent"
    done = queue.items(state="done", limit=None)
    assert len(done) == ITEMS
    assert {item.attempts for item in done} == {1}
    owners = {item.id: item.result["by"] for item in done}
    for n, ids in enumerate(taken):
        assert all(owners[item_id] == f"worker-{n}" for item_id in ids)
    print(f"\n{store_url.split(':')[0]}: {ITEMS} items claimed and completed by {WORKERS} processes "
          f"in {elapsed:.1f} s ({ITEMS / elapsed:.0f} items/s); per worker {[len(ids) for ids in taken]}")
    queue.close()


@pytest.mark.slow
def test_four_processes_adding_the_same_keys_create_each_once(store_url, tmp_path):
    WorkQueue.open(store_url).close()  # the schema, before the workers race
    created, _ = run_workers(add_same_keys, store_url, tmp_path)
    everything = [key for keys in created for key in keys]
    assert sorted(everything) == sorted(f"email-{n}" for n in range(300))
    queue = WorkQueue.open(store_url)
    assert len(queue.items(limit=None)) == 300
    queue.close()
