"""Three real `o2c worker` processes on a real PostgreSQL, one SIGKILLed in the middle.

The workers run ``LEDGER_BOT`` below (``--bots tests.test_crash_fleet:LEDGER_BOT``), a bot
built the way the ERP bots are: it checks an outside ledger (a table of its own) for the
item's entry first, writes the entry, and the queue completes the item after. A worker
killed between the write and the completion leaves an item whose lease runs out; the next
worker takes it over, finds the entry and writes nothing again. So "exactly once" is
checked where it matters, in the ledger, and in the queue's history.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bots.runtime.fleet.worker import FleetBot
from bots.runtime.workqueue import WorkQueue, key_for

ROOT = Path(__file__).resolve().parents[1]
O2C = str(Path(sys.executable).with_name("o2c"))
LEASE_SECONDS = 3
ITEMS = 300

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


# --- the bot the workers run ------------------------------------------------------------


@contextmanager
def _ledger_session(slot: int, run):
    engine = create_engine(os.environ["O2C_DATABASE_URL"], pool_size=1)
    pause = float(os.environ.get("LEDGER_SECONDS_PER_ITEM", "0.02"))
    me = f"{os.getpid()}#{slot}"

    def post(work) -> None:
        entry = work.payload["entry"]
        with engine.begin() as connection:  # check first...
            found = connection.execute(text("SELECT id FROM ledger WHERE entry = :e"), {"e": entry}).first()
        if found is not None:
            run.count("found_existing")
            work.result = {"ledger_id": found.id, "found_existing": True}
            return
        time.sleep(pause)  # ...the slow outside system...
        with engine.begin() as connection:  # ...act
            new_id = connection.execute(text("INSERT INTO ledger (entry, written_by) VALUES (:e, :w) RETURNING id"),
                                        {"e": entry, "w": me}).scalar()
        time.sleep(pause / 2)  # a kill here leaves a written entry on an item not yet done
        work.audit("write_ledger_entry", "ledger", "entry", document_number=str(new_id))
        work.result = {"ledger_id": new_id}

    try:
        yield post
    finally:
        engine.dispose()


LEDGER_BOT = FleetBot(name="ledger", item_kind="ledger", session=_ledger_session, poll_seconds=0.3, retry_seconds=1)


# --- helpers ----------------------------------------------------------------------------


def fleet_env(url: str, home: Path, **extra) -> dict:
    return {**os.environ, "O2C_DATABASE_URL": url, "O2C_HOME": str(home), "PYTHONPATH": str(ROOT),
            "O2C_LEASE_SECONDS": str(LEASE_SECONDS), "O2C_FLEET_HEARTBEAT_SECONDS": "1",
            "O2C_FLEET_STOP_TIMEOUT_SECONDS": "30", "O2C_LOG_FORMAT": "json", "O2C_LOG_LEVEL": "WARNING",
            **{key: str(value) for key, value in extra.items()}}


def start_worker(env: dict, log: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([O2C, "worker", *args], env=env, stdin=subprocess.DEVNULL, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT, cwd=ROOT)


def wait_for(condition, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def lease_owner_of(process: subprocess.Popen, bot: str) -> str:
    import socket

    return f"{bot}@{socket.gethostname()}:{process.pid}"


def held(queue: WorkQueue, owner: str) -> list[int]:
    return [item.id for item in queue.held_by([owner])]


@pytest.fixture
def ledger_store(postgres_url):
    queue = WorkQueue.open(postgres_url, lease_seconds=LEASE_SECONDS)
    with queue.engine.begin() as connection:
        connection.execute(text("CREATE TABLE ledger (id serial PRIMARY KEY, entry text NOT NULL, written_by text)"))
    yield postgres_url, queue
    queue.close()


# --- the tests --------------------------------------------------------------------------


def test_a_killed_worker_s_items_are_taken_over_and_each_is_done_exactly_once(ledger_store, tmp_path):
    url, queue = ledger_store
    queue.add_many([{"kind": "ledger", "payload": {"entry": f"E{n:04d}"}, "key": key_for("ledger", n)}
                    for n in range(ITEMS)])
    env = fleet_env(url, tmp_path)
    workers = [start_worker(env, tmp_path / f"worker{n}.log", "--bots", "tests.test_crash_fleet:LEDGER_BOT",
                            "--concurrency", "2") for n in range(3)]
    victim = workers[1]
    victim_owner = lease_owner_of(victim, "ledger")
    try:
        # Kill the second worker while it holds items, with about a third of the work done.
        wait_for(lambda: queue.counts().get("done", 0) >= ITEMS // 3 and held(queue, victim_owner), 90,
                 "a third of the items done and the second worker holding some")
        killed_at = queue.clock.now()
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        orphans = held(queue, victim_owner)
        assert orphans, "the killed worker held no item at the moment it died"
        wait_for(lambda: queue.counts().get("done", 0) == ITEMS, 120, "every item done")

        # The fleet sees two live workers; the dead one drops out once its heartbeat is stale.
        listed = wait_for(lambda: _workers_json(env)["count"] == 2 and _workers_json(env), 15, "two live workers")
        assert victim.pid not in [worker["pid"] for worker in listed["workers"]]

        # SIGTERM the survivors: each exits 0, nothing stays leased, their rows say stopped.
        for worker in (workers[0], workers[2]):
            worker.send_signal(signal.SIGTERM)
        assert [worker.wait(40) for worker in (workers[0], workers[2])] == [0, 0]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(10)

    assert queue.counts() == {"done": ITEMS}
    with queue.engine.connect() as connection:
        per_entry = connection.execute(text("SELECT entry, count(*) FROM ledger GROUP BY entry")).all()
        completions = connection.execute(text(
            "SELECT item_id, count(*) FROM item_events WHERE action = 'completed' GROUP BY item_id")).all()
        still_live = connection.execute(text("SELECT count(*) FROM fleet_workers WHERE state <> 'stopped'")).scalar()
    assert len(per_entry) == ITEMS and {count for _, count in per_entry} == {1}, "an entry written twice or lost"
    assert len(completions) == ITEMS and {count for _, count in completions} == {1}
    assert still_live == 1  # only the killed worker never said it stopped
    for item_id in orphans:
        item = queue.get(item_id)
        actions = [event.action for event in item.history]
        assert "lease_expired" in actions, f"item {item_id} was not taken over after the lease: {actions}"
        taken = next(event for event in item.history if event.action == "lease_expired")
        assert taken.detail["previous_owner"] == victim_owner and taken.actor != victim_owner
        completed = next(event for event in item.history if event.action == "completed")
        assert completed.actor != victim_owner
        # Taken over no sooner than the lease allowed (its last heartbeat was at most 1 s before the kill).
        assert (taken.at - killed_at).total_seconds() >= LEASE_SECONDS - 1.5


def test_sigterm_finishes_the_current_item_and_leaves_nothing_leased(ledger_store, tmp_path):
    url, queue = ledger_store
    queue.add_many([{"kind": "ledger", "payload": {"entry": f"S{n}"}, "key": key_for("slow", n)} for n in range(20)])
    env = fleet_env(url, tmp_path, LEDGER_SECONDS_PER_ITEM=1.0)
    worker = start_worker(env, tmp_path / "worker.log", "--bots", "tests.test_crash_fleet:LEDGER_BOT",
                          "--concurrency", "2")
    owner = lease_owner_of(worker, "ledger")
    try:
        busy = wait_for(lambda: held(queue, owner), 60, "the worker holding items")
        with queue.engine.connect() as connection:
            written_before = connection.execute(text("SELECT count(*) FROM ledger")).scalar()
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(30)
        seconds = time.monotonic() - started
    finally:
        if worker.poll() is None:
            worker.kill()
    assert code == 0
    assert seconds < 10, f"the stop took {seconds:.1f} s"
    assert queue.held_by([owner]) == [] and "in_progress" not in queue.counts()
    for item_id in busy:  # what the slots were on when SIGTERM came was finished, not dropped
        assert queue.get(item_id).state == "done"
    done = queue.counts().get("done", 0)
    with queue.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ledger")).scalar() == done >= written_before
        assert connection.execute(text("SELECT state FROM fleet_workers")).scalar() == "stopped"
    assert queue.counts().get("new", 0) == 20 - done  # the rest is back in the queue, untouched


def test_a_worker_refuses_sqlite(tmp_path):
    env = {**os.environ, "O2C_HOME": str(tmp_path), "O2C_DATABASE_URL": f"sqlite:///{tmp_path / 'o2c.db'}"}
    done = subprocess.run([O2C, "worker", "--bots", "erp-order-entry"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "needs PostgreSQL" in done.stderr and "O2C_DATABASE_URL=postgresql" in done.stderr
    assert "Traceback" not in done.stderr


def _workers_json(env: dict) -> dict:
    import json

    done = subprocess.run([O2C, "workers", "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
