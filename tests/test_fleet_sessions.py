"""The sandbox ERP's limit of open sessions per user, and a worker that keeps within it."""

import re
from contextlib import contextmanager

import pytest

from bots.runtime.fleet.worker import FleetBot, Worker, WorkerError
from sandbox.erp.sessions import SESSIONS_PER_USER


def log_on(client, user="bot", password="bot-pass-1"):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"user": user, "password": password, "csrf_token": token})


def log_off(client):
    page = client.get("/start").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/logout", data={"csrf_token": token})


def test_a_user_may_have_four_sessions_open_and_gets_one_back_at_log_off(erp_sandbox):
    app = erp_sandbox.erp_app
    clients = [app.test_client() for _ in range(SESSIONS_PER_USER + 1)]
    assert SESSIONS_PER_USER == 4
    assert [log_on(client).status_code for client in clients[:4]] == [302] * 4

    refused = log_on(clients[4])
    assert refused.status_code == 429
    assert "User bot already has 4 open sessions" in refused.get_data(as_text=True)
    assert clients[4].get("/start").status_code == 302  # not logged on: sent to the log-on page
    assert log_on(app.test_client(), user="clerk", password="clerk123").status_code == 302  # per user

    assert log_off(clients[0]).status_code == 302
    assert log_on(clients[4]).status_code == 302
    assert clients[4].get("/start").status_code == 200


def test_an_idle_session_stops_counting_after_the_idle_timeout(erp_sandbox):
    app = erp_sandbox.erp_app
    now = [1_000_000.0]
    app.config["SANDBOX_CLOCK"] = lambda: now[0]
    for _ in range(4):
        assert log_on(app.test_client()).status_code == 302  # four sessions that are then left (a killed bot)
    assert log_on(app.test_client()).status_code == 429
    now[0] += app.config["SANDBOX_OPTIONS"].idle_timeout_seconds + 1
    assert log_on(app.test_client()).status_code == 302


def test_the_limit_can_be_set_per_erp(erp_sandbox):
    app = erp_sandbox.erp_app
    app.config["ERP_SESSIONS_PER_USER"] = 1
    assert log_on(app.test_client()).status_code == 302
    assert log_on(app.test_client()).status_code == 429


@contextmanager
def _nothing(slot, run):
    yield lambda work: None


def test_a_worker_refuses_more_slots_than_the_erp_allows_sessions(tmp_path):
    from bots.runtime.workqueue import WorkQueue

    bot = FleetBot(name="erp-order-entry", item_kind="order", session=_nothing, max_concurrency=4)
    with WorkQueue.open(f"sqlite:///{tmp_path / 'o2c.db'}") as queue:
        Worker(queue, [bot], concurrency=4)  # within the limit
        with pytest.raises(WorkerError, match=r"at most 4 sessions at once .*--concurrency 5 is more"):
            Worker(queue, [bot], concurrency=5)


def test_workers_started_together_in_one_process_get_names_of_their_own(tmp_path):
    from bots.runtime.clock import FixedClock
    from bots.runtime.fleet.registry import WorkerRegistry
    from bots.runtime.workqueue import WorkQueue

    # A frozen clock: both start in the same millisecond, as threads of one test often do.
    with WorkQueue.open(f"sqlite:///{tmp_path / 'queue.db'}", clock=FixedClock()) as queue:
        registry = WorkerRegistry(queue)
        first = registry.register(["email-intake"])
        second = registry.register(["email-intake"])
        assert first.name != second.name
        assert {worker.name for worker in registry.live()} == {first.name, second.name}
