"""Watching the fleet: Prometheus metrics scraped from a worker, `o2c status` and `o2c workers`,
the bot lock that expires when its holder dies, and scheduled runs that never overlap."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from bots.runtime.errors import BusinessException
from bots.runtime.fleet.metrics import WorkerMetrics
from bots.runtime.fleet.registry import BotLocks
from bots.runtime.fleet.scheduled import FleetRunner, RunRequests
from bots.runtime.fleet.worker import FleetBot, FleetSettings, Worker
from bots.runtime.workqueue import WorkQueue, key_for

ROOT = Path(__file__).resolve().parents[1]
O2C = str(Path(sys.executable).with_name("o2c"))

pytestmark = pytest.mark.postgres


@contextmanager
def _tally(slot, run):
    def do_one(work):
        if work.payload.get("customer") == "unknown":
            raise BusinessException("unknown_customer", f"no customer {work.payload['customer']!r} in the ERP")
        time.sleep(0.05)
        work.result = {"tallied": work.payload["n"]}

    yield do_one


TALLY = FleetBot(name="tally", item_kind="tally", session=_tally, poll_seconds=0.1)


@contextmanager
def running(worker: Worker):
    thread = threading.Thread(target=worker.run, kwargs={"install_signals": False}, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop()
        thread.join(30)


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def scrape(port: int) -> dict:
    from prometheus_client.parser import text_string_to_metric_families

    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def o2c(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([O2C, *args], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_a_worker_s_metrics_and_o2c_status_show_what_it_did(postgres_url, tmp_path):
    queue = WorkQueue.open(postgres_url)
    queue.add_many([{"kind": "tally", "payload": {"n": n, "customer": "unknown" if n in (2, 5) else "C1001"},
                     "key": key_for("tally", n)} for n in range(7)])
    metrics = WorkerMetrics.serve(0, host="127.0.0.1")
    worker = Worker(queue, [TALLY], concurrency=2, settings=FleetSettings(heartbeat_seconds=0.2), metrics=metrics)
    env = {**os.environ, "O2C_DATABASE_URL": postgres_url, "O2C_HOME": str(tmp_path)}
    try:
        with running(worker):
            wait_for(lambda: queue.counts() == {"done": 5, "exception": 2}, 30, "the items finished")
            wait_for(lambda: scrape(metrics.port).get(("o2c_queue_items", (("state", "done"),))) == 5, 10,
                     "a heartbeat refreshing the queue gauges")
            samples = scrape(metrics.port)
            status = o2c(env, "status", "--json")
            screen = o2c(env, "status")
            workers = o2c(env, "workers")
    finally:
        metrics.close()
        queue.close()

    assert samples[("o2c_items_total", (("bot", "tally"), ("outcome", "done")))] == 5
    assert samples[("o2c_items_total", (("bot", "tally"), ("outcome", "exception")))] == 2
    assert samples[("o2c_item_seconds_count", (("bot", "tally"),))] == 7
    assert samples[("o2c_item_seconds_sum", (("bot", "tally"),))] >= 5 * 0.05
    assert samples[("o2c_queue_items", (("state", "exception"),))] == 2
    assert samples[("o2c_queue_items", (("state", "new"),))] == 0

    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    (me,) = [w for w in data["workers"] if w["pid"] == os.getpid()]
    assert me["bots"] == ["tally"] and me["concurrency"] == 2 and me["metrics_port"] == metrics.port
    assert data["queue"]["by_state"] == {"done": 5, "exception": 2}
    assert data["queue"]["by_kind"] == {"tally": {"done": 5, "exception": 2}}
    assert [(e["reason"], e["count"]) for e in data["exceptions"]] == [("unknown_customer", 2)]
    assert data["runs"] and {run["bot"] for run in data["runs"]} == {"tally"}
    assert sum(run["counts"].get("done", 0) for run in data["runs"]) == 5

    assert screen.returncode == 0, screen.stderr
    for words in ("Workers (1 live)", "tally", "Queue by state", "Exceptions by reason", "unknown_customer",
                  "Last runs"):
        assert words in screen.stdout, words
    assert workers.returncode == 0 and "tally" in workers.stdout and str(os.getpid()) in workers.stdout


HOLDER = textwrap.dedent("""
    import sys, time
    from bots.runtime.fleet.registry import BotLocks
    from bots.runtime.workqueue import WorkQueue
    locks = BotLocks(WorkQueue.open(sys.argv[1], upgrade_schema=False))
    assert locks.acquire("email-intake", "holder-process", ttl_seconds=2)
    print("held", flush=True)
    while True:                      # a holder's heartbeat renews the lock...
        locks.renew("holder-process", ttl_seconds=2)
        time.sleep(0.3)
""")


def test_a_bot_lock_is_held_while_its_holder_lives_and_expires_after_it_dies(postgres_url):
    queue = WorkQueue.open(postgres_url)
    locks = BotLocks(queue)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, postgres_url], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        time.sleep(2.5)  # longer than the lock's 2 s: only the renewals keep it
        assert not locks.acquire("email-intake", "second", ttl_seconds=2)
        assert locks.holder("email-intake") == "holder-process"
        holder.send_signal(signal.SIGKILL)  # ...until it dies
        holder.wait(10)
        killed = time.monotonic()
        assert not locks.acquire("email-intake", "second", ttl_seconds=2)
        wait_for(lambda: locks.acquire("email-intake", "second", ttl_seconds=2), 5, "the dead holder's lock to expire")
        assert time.monotonic() - killed >= 1.0
        assert locks.holder("email-intake") == "second"
        locks.release("email-intake", "second")
        assert locks.holder("email-intake") is None
    finally:
        if holder.poll() is None:
            holder.kill()
        queue.close()


FAKE_BOT = textwrap.dedent("""
    import json, os, sys, time
    with open(os.environ["RUNS_LOG"], "a") as log:
        log.write(f"start {time.time()}\\n")
    time.sleep(1.5)
    with open(os.environ["RUNS_LOG"], "a") as log:
        log.write(f"end {time.time()}\\n")
    print(json.dumps({"bot": sys.argv[1], "counts": {"messages": 3}}))
""")


def test_scheduled_runs_are_queued_for_the_workers_and_one_bot_never_runs_twice_at_once(postgres_url, tmp_path,
                                                                                        monkeypatch):
    script = tmp_path / "fake_bot.py"
    script.write_text(FAKE_BOT)
    monkeypatch.setenv("RUNS_LOG", str(tmp_path / "runs.log"))
    queue = WorkQueue.open(postgres_url)
    runner = FleetRunner(queue, timeout=lambda bot: 60)
    assert runner.start("email-intake") is True
    assert runner.start("email-intake") is False  # the same minute's run, queued by a second scheduler
    # A run queued by a scheduler whose clock is a minute ahead: due at the same time as the first.
    queue.add("run:email-intake", {"bot": "email-intake", "due": "later", "timeout_seconds": 60},
              key=key_for("run", "email-intake", "later"))
    fleet = FleetSettings(heartbeat_seconds=0.2, lock_ttl_seconds=5)
    workers = [Worker(queue, [], settings=fleet, extra_loops=[
        RunRequests(["email-intake"], command=[sys.executable, str(script)], poll_seconds=0.1)]) for _ in range(2)]
    with running(workers[0]), running(workers[1]):
        wait_for(lambda: queue.counts().get("done", 0) == 2, 30, "both run requests done")
    results = sorted((item.result for item in queue.items(kind="run:email-intake")), key=lambda r: r["outcome"])
    queue.close()
    outcomes = [result["outcome"] for result in results]
    log = (tmp_path / "runs.log").read_text().split()
    if outcomes == ["success", "success"]:
        # The second ran only after the first had ended: never two at once.
        starts, ends = [float(v) for v in log[1::2][0::2]], [float(v) for v in log[1::2][1::2]]
        assert log[0::2] == ["start", "end", "start", "end"] and starts[1] >= ends[0]
    else:
        assert outcomes == ["skipped", "success"], results
        assert results[0]["holder"] in {worker.me.name for worker in workers}
        assert log[0::2] == ["start", "end"]
    success = results[-1]
    assert success["exit_code"] == 0 and success["counts"] == {"messages": 3}


def test_o2c_schedule_with_a_fleet_queues_the_runs_for_the_workers(postgres_url, tmp_path):
    schedule = tmp_path / "schedules.yaml"
    schedule.write_text("schedule:\n  - every second: email-intake\n")
    env = {**os.environ, "O2C_DATABASE_URL": postgres_url, "O2C_HOME": str(tmp_path), "O2C_FLEET_ENABLED": "true"}
    scheduler = subprocess.Popen([O2C, "schedule", "--file", str(schedule)], env=env, cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    queue = WorkQueue.open(postgres_url)
    try:
        wait_for(lambda: queue.items(kind="run:email-intake"), 60, "a run queued")
        time.sleep(2.5)  # due every second, but one run per bot and minute (a minute may turn meanwhile)
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(30) == 0
        runs = queue.items(kind="run:email-intake")
        assert {item.state for item in runs} == {"new"}  # waiting for a worker: nothing ran here
        assert {item.payload["bot"] for item in runs} == {"email-intake"}
        assert 1 <= len(runs) <= 2 and len({item.payload["due"] for item in runs}) == len(runs)
        from bots.runtime.runs import recent_runs

        assert recent_runs(queue) == []
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
        queue.close()

    sqlite = {**env, "O2C_DATABASE_URL": f"sqlite:///{tmp_path / 'o2c.db'}"}
    refused = subprocess.run([O2C, "schedule", "--file", str(schedule)], env=sqlite, capture_output=True, text=True,
                             timeout=60, cwd=ROOT)
    assert refused.returncode == 2 and "needs PostgreSQL" in refused.stderr and "Traceback" not in refused.stderr
