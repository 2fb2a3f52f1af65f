"""``o2c run portal-intake`` against the sandbox customer portal in real headless Chromium.

The portal runs in this process (a thread); the bot runs either in-process or, for the
crash test, as a subprocess that ``O2C_TEST_CRASH_AT=after_commit`` kills between
committing a PO's item and clicking Acknowledge.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bots.intake.portal_intake import PortalIntakeSettings, portal_key, run_portal_intake
from bots.runtime.runs import audit_entries

pytestmark = pytest.mark.browser

O2C = [str(Path(sys.executable).with_name("o2c"))]
BOT_USER, BOT_PASSWORD = "bot", "bot-pass-2"  # a portal account of the sandbox


@pytest.fixture
def queue(tmp_path):
    from bots.runtime.workqueue import WorkQueue

    with WorkQueue.open(url=f"sqlite:///{tmp_path / 'queue.db'}") as queue:
        yield queue


def _portal(start_sandbox_app, new: int, **options):
    """The sandbox portal with exactly ``new`` POs in state new (the first ones of its list)."""
    server = start_sandbox_app("portal", **options)
    with sqlite3.connect(server.app.config["SANDBOX_DB"]) as db:
        db.execute("UPDATE purchase_orders SET state = 'acknowledged', acknowledged_by = 'jdoe', "
                   "acknowledged_at = '2026-11-20T16:00:00Z'")
        db.execute("UPDATE purchase_orders SET state = 'new', acknowledged_by = NULL, acknowledged_at = NULL "
                   "WHERE po_number IN (SELECT po_number FROM purchase_orders ORDER BY position LIMIT ?)", (new,))
    return server


def _portal_states(server) -> dict:
    with sqlite3.connect(server.app.config["SANDBOX_DB"]) as db:
        return {po: (state, by) for po, state, by in
                db.execute("SELECT po_number, state, acknowledged_by FROM purchase_orders")}


def _new_pos(server) -> list[str]:
    return sorted(po for po, (state, _) in _portal_states(server).items() if state == "new")


def _settings(server, tmp_path, **options) -> PortalIntakeSettings:
    return PortalIntakeSettings(url=server.url, user=BOT_USER, password=BOT_PASSWORD,
                                evidence_dir=tmp_path / "evidence", busy_wait_seconds=0.05, **options)


@pytest.mark.slow
def test_every_new_po_across_pages_is_queued_once_then_acknowledged(start_sandbox_app, tmp_path, queue, browser):
    # Theme 2 (other ids and classes) and a busy portal: 30% of clicks answered "System busy".
    server = _portal(start_sandbox_app, new=24, theme=2, fault_rate=0.3)
    wanted = _new_pos(server)

    counts = run_portal_intake(_settings(server, tmp_path), once=True, queue=queue, browser=browser)

    items = queue.items(kind="order", limit=None)
    assert sorted(item.payload["portal_po"]["po_number"] for item in items) == wanted  # 2 pages of 20
    assert all(item.state == "new" for item in items)
    assert all(item.payload["order"]["lines"] for item in items)
    assert {item.key for item in items} == {portal_key("portal", po) for po in wanted}
    assert all(_portal_states(server)[po] == ("acknowledged", BOT_USER) for po in wanted)
    assert counts["pos_acknowledged"] == 24 and counts["portal_busy"] >= 1

    # Acknowledge came only after the item was committed, for every PO.
    audit = audit_entries(queue, limit=None)
    for item in items:
        actions = [entry["action"] for entry in audit if entry["item_id"] == item.id]
        assert actions == ["add", "acknowledge"], (item.key, actions)

    # Kept as evidence: the downloaded file the order was read from.
    assert all(Path(item.evidence["file"]).is_file() for item in items)

    # A second run finds nothing new.
    again = run_portal_intake(_settings(server, tmp_path), once=True, queue=queue, browser=browser)
    assert again.get("pos_listed", 0) == 0 and len(queue.items(kind="order", limit=None)) == 24


def test_unknown_sku_waits_for_the_supervisor_and_is_not_acknowledged(start_sandbox_app, tmp_path, queue, browser):
    from sandbox.masterdata import items as item_master

    server = _portal(start_sandbox_app, new=3)
    run_portal_intake(_settings(server, tmp_path, formats=("csv",)), once=True, queue=queue, browser=browser)
    first = queue.items(kind="order", limit=None)[0]
    missing = first.payload["order"]["lines"][0]["sku"]

    # Start again with an item master that lacks one SKU of the first PO.
    server = _portal(start_sandbox_app, new=3)
    skus = frozenset(item.sku for item in item_master(7)) - {missing}
    fresh = tmp_path / "fresh"
    from bots.runtime.workqueue import WorkQueue

    with WorkQueue.open(url=f"sqlite:///{tmp_path / 'fresh.db'}") as fresh_queue:
        run_portal_intake(_settings(server, fresh, known_skus=skus), once=True, queue=fresh_queue, browser=browser)
        held = fresh_queue.find(first.key)
        assert (held.state, held.exception_code) == ("exception", "unknown_sku")
        assert missing in held.exception_message
        assert Path(held.evidence["file"]).is_file() and Path(held.evidence["screenshot"]).is_file()
        po = held.payload["portal_po"]["po_number"]
        assert _portal_states(server)[po][0] == "new"
        others = [item for item in fresh_queue.items(kind="order", limit=None) if item.id != held.id]
        assert all(_portal_states(server)[item.payload["portal_po"]["po_number"]][0] == "acknowledged"
                   for item in others if item.state == "new")

        # The supervisor adds the SKU to the ERP and sends the order on: now it is acknowledged.
        fresh_queue.retry(held.id, by="sup")
        run_portal_intake(_settings(server, fresh, known_skus=skus), once=True, queue=fresh_queue, browser=browser)
        assert _portal_states(server)[po] == ("acknowledged", BOT_USER)
        assert len(fresh_queue.items(kind="order", limit=None)) == 3


class _BotProcess:
    """Runs ``o2c run portal-intake --once`` as a scheduler would, with its own home."""

    def __init__(self, tmp_path: Path, server):
        self.home = tmp_path / "home"
        self.config = config = tmp_path / "o2c.yaml"
        config.write_text(yaml.safe_dump({
            "home": str(self.home),
            "portal": {"url": server.url, "user": BOT_USER},
            "bots": {"portal-intake": {"busy_wait_seconds": 0.05}},
        }))
        self.env = {**os.environ, "O2C_CONFIG": str(config), "O2C_PORTAL_PASSWORD": BOT_PASSWORD,
                    "O2C_HOME": str(self.home), "O2C_LOG_FORMAT": "json"}
        self.env.pop("O2C_DATABASE_URL", None)

    def run(self, crash_at: str | None = None) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if crash_at:
            env["O2C_TEST_CRASH_AT"] = crash_at
        return subprocess.run([*O2C, "run", "portal-intake", "--once", "--json"], env=env, capture_output=True,
                              timeout=300)

    def items(self) -> list:
        from bots.runtime.workqueue import WorkQueue

        with WorkQueue.open(url=f"sqlite:///{self.home / 'o2c.db'}") as queue:
            return queue.items(kind="order", limit=None)


@pytest.mark.slow
@pytest.mark.parametrize("crash_at", ["after_commit", "after_commit:3", "after_parse:2"])
def test_crash_between_commit_and_acknowledge_then_restart(start_sandbox_app, tmp_path, crash_at):
    server = _portal(start_sandbox_app, new=4, fault_rate=0.2)
    wanted = _new_pos(server)
    bot = _BotProcess(tmp_path, server)

    crashed = bot.run(crash_at=crash_at)
    assert crashed.returncode == 137, crashed.stderr.decode(errors="replace")[-2000:]
    assert len(_new_pos(server)) >= 1  # the PO in hand was not acknowledged

    restarted = bot.run()
    assert restarted.returncode == 0, restarted.stderr.decode(errors="replace")[-2000:]
    json.loads(restarted.stdout)

    items = bot.items()
    assert sorted(item.payload["portal_po"]["po_number"] for item in items) == wanted
    assert len({item.key for item in items}) == len(items)
    assert _new_pos(server) == []


def test_crash_before_an_unknown_sku_order_is_routed_leaves_it_unacknowledged(start_sandbox_app, tmp_path):
    from sandbox.masterdata import items as item_master

    server = _portal(start_sandbox_app, new=1)
    (po,) = _new_pos(server)
    with sqlite3.connect(server.app.config["SANDBOX_DB"]) as db:
        (sku,) = db.execute("SELECT supplier_item FROM po_lines WHERE po_number = ? AND line_no = 1", (po,)).fetchone()
    skus = tmp_path / "skus.txt"
    skus.write_text("\n".join(item.sku for item in item_master(7) if item.sku != sku))
    bot = _BotProcess(tmp_path, server)
    config = yaml.safe_load(bot.config.read_text())
    config["bots"]["portal-intake"]["known_skus_file"] = str(skus)
    bot.config.write_text(yaml.safe_dump(config))

    assert bot.run(crash_at="after_add").returncode == 137
    assert [item.state for item in bot.items()] == ["new"]

    assert bot.run().returncode == 0
    (item,) = bot.items()
    assert (item.state, item.exception_code) == ("exception", "unknown_sku")
    assert _portal_states(server)[po][0] == "new"  # left for the supervisor, not acknowledged


def test_wrong_password_is_a_clear_error(start_sandbox_app, tmp_path):
    server = _portal(start_sandbox_app, new=1)
    bot = _BotProcess(tmp_path, server)
    bot.env["O2C_PORTAL_PASSWORD"] = "wrong"
    result = bot.run()
    assert result.returncode == 1
    assert b"refused the log-on" in result.stderr and b"Traceback" not in result.stderr


def test_portal_down_is_a_clear_error(tmp_path):
    from sandbox.common import free_port

    class Down:
        url = f"http://127.0.0.1:{free_port()}"

    bot = _BotProcess(tmp_path, Down())
    result = bot.run()
    assert result.returncode == 1
    assert b"failed" in result.stderr and b"Traceback" not in result.stderr


def test_an_expired_session_logs_on_again_and_carries_on(start_sandbox_app, tmp_path, page):
    import time

    from bots.intake.portal_intake import CustomerPortal

    server = _portal(start_sandbox_app, new=2)
    portal = CustomerPortal(page, _settings(server, tmp_path))
    portal.log_in()
    first, second = portal.new_orders()

    logons = []
    submit = portal._submit_login
    portal._submit_login = lambda: (logons.append(1), submit())

    # Eleven idle minutes later the portal has ended the session.
    server.app.config["SANDBOX_CLOCK"] = lambda: time.time() + 660
    opened = portal.open(first)
    assert logons == [1]
    assert (opened.po_number, opened.state) == (first.po_number, "New")
    portal.acknowledge(opened)
    assert _portal_states(server)[first.po_number] == ("acknowledged", BOT_USER)
    assert _portal_states(server)[second.po_number][0] == "new"


def test_lines_must_add_up_to_the_total_the_portal_shows():
    from decimal import Decimal

    from bots.intake.portal_intake import _total_mismatch

    order = {"lines": [{"quantity": "4", "unit_price": "10.55"}, {"quantity": "2.5", "unit_price": "20.00"}]}
    assert _total_mismatch(order, Decimal("92.20")) is None
    assert _total_mismatch(order, None) is None
    assert _total_mismatch(order, Decimal("134.00")) == "the lines add up to 92.20, the portal shows 134.00"
    assert _total_mismatch({"lines": [{"quantity": "1", "unit_price": None}]}, Decimal("5.00")) == \
        "the lines have no readable quantity or price"


def test_a_portal_busy_past_every_attempt_leaves_the_po_for_the_next_run(start_sandbox_app, tmp_path, queue, browser):
    server = _portal(start_sandbox_app, new=2, fault_rate=1.0)  # every click: "System busy"
    settings = _settings(server, tmp_path, busy_attempts=2)

    counts = run_portal_intake(settings, once=True, queue=queue, browser=browser)

    assert counts["po_errors"] == 2 and counts["portal_busy"] == 4
    assert len(queue.items(kind="order", limit=None)) == 2  # queued, not yet acknowledged
    assert len(_new_pos(server)) == 2
    assert len(list((tmp_path / "evidence").glob("portal-*-failure-*.png"))) == 2

    server.app.extensions["sandbox_faults"].rate = 0.0  # the portal recovers
    counts = run_portal_intake(settings, once=True, queue=queue, browser=browser)
    assert counts["pos_acknowledged"] == 2 and counts.get("items_created", 0) == 0
    assert _new_pos(server) == [] and len(queue.items(kind="order", limit=None)) == 2
