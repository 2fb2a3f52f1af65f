"""``o2c run email-intake`` against a real Dovecot: items, folders, and crashes at the worst moments.

The bot runs as a subprocess, the way a scheduler starts it. ``O2C_TEST_CRASH_AT`` makes
it die with ``os._exit(137)`` (as a kill -9 would) right after parsing or right after
committing a message's items, before the message is moved; the restart must make no
duplicate and lose nothing.
"""

import json
import os
import random
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from imapclient import IMAPClient

from tests.generators import intake_emails as mails

pytestmark = pytest.mark.imap

O2C = [str(Path(sys.executable).with_name("o2c"))]


@pytest.fixture
def bot(tmp_path, imap_account):
    """Runs the bot against ``imap_account`` with its own home and SQLite store."""
    return Bot(tmp_path, imap_account)


class Bot:
    def __init__(self, root: Path, account):
        self.root = root
        self.account = account
        self.home = root / "home"
        self.config = root / "o2c.yaml"
        self.config.write_text(yaml.safe_dump({
            "home": str(self.home),
            "imap": {"host": account.host, "port": account.tls_port, "ssl": True, "user": account.user},
            "bots": {"email-intake": {"mailboxes": [{"name": "orders", "kind": "imap",
                                                     "ca_file": str(account.ca_file)}],
                                      "poll_seconds": 1}},
        }))
        self.env = {**os.environ, "O2C_CONFIG": str(self.config), "O2C_IMAP_PASSWORD": account.password,
                    "O2C_LOG_FORMAT": "json", "O2C_HOME": str(self.home)}
        self.env.pop("O2C_DATABASE_URL", None)
        self.env.pop("O2C_TEST_CRASH_AT", None)

    def run(self, *args, crash_at: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if crash_at:
            env["O2C_TEST_CRASH_AT"] = crash_at
        return subprocess.run([*O2C, "run", "email-intake", "--once", "--json", *args], env=env,
                              capture_output=True, timeout=timeout, cwd=self.root)

    def start(self, *args) -> subprocess.Popen:
        return subprocess.Popen([*O2C, "run", "email-intake", *args], env=self.env, cwd=self.root,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def queue(self):
        from bots.runtime.workqueue import WorkQueue

        return WorkQueue.open(url=f"sqlite:///{self.home / 'o2c.db'}")

    def orders(self) -> list:
        with self.queue() as queue:
            return queue.items(kind="order", limit=None)

    def client(self) -> IMAPClient:
        context = ssl.create_default_context(cafile=str(self.account.ca_file))
        client = IMAPClient(self.account.host, port=self.account.tls_port, ssl=True, ssl_context=context)
        client.login(self.account.user, self.account.password)
        return client

    def deliver(self, *messages: bytes) -> None:
        with self.client() as client:
            for raw in messages:
                client.append("INBOX", raw)

    def folder_sizes(self) -> dict:
        with self.client() as client:
            return {name: client.folder_status(name, [b"MESSAGES"])[b"MESSAGES"]
                    for _, _, name in client.list_folders()}


def _ok(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
    return json.loads(result.stdout)


def test_orders_become_items_and_messages_move_to_their_folders(bot):
    bot.deliver(mails.order_email("4500010001"), mails.order_email("4500010002", buyer="ap@harbor.example",
                                                                   customer="Harbor Freight"),
                mails.out_of_office(), mails.malformed_mime(), mails.zip_attachment(), mails.huge_attachment(20))

    counts = _ok(bot.run())["counts"]

    assert sorted(item.payload["order"]["po_number"] for item in bot.orders()) == ["4500010001", "4500010002"]
    assert all(item.state == "new" and item.source_ref.startswith("imap://") for item in bot.orders())
    sizes = bot.folder_sizes()
    assert sizes["INBOX"] == 0 and sizes["Processed"] == 2
    assert sizes["Not orders"] == 1 and sizes["Exceptions"] == 3
    assert counts["messages"] == 6
    assert counts["exceptions_too_large"] == 1 and counts["exceptions_not_order"] == 1
    assert len(list((bot.home / "evidence").glob("*.eml"))) == 6

    # A second run finds nothing new to do.
    assert _ok(bot.run())["counts"].get("messages", 0) == 0


@pytest.mark.parametrize("crash_at", ["after_parse", "after_commit", "after_commit:2"])
def test_crash_before_the_move_then_restart_makes_no_duplicate(bot, crash_at):
    bot.deliver(*(mails.order_email(f"77000{n}") for n in range(3)))

    crashed = bot.run(crash_at=crash_at)
    assert crashed.returncode == 137
    assert bot.folder_sizes()["INBOX"] >= 1  # the message being handled was not moved
    committed_before = len(bot.orders())

    _ok(bot.run())

    orders = bot.orders()
    assert sorted(item.payload["order"]["po_number"] for item in orders) == ["770000", "770001", "770002"]
    assert len({item.key for item in orders}) == 3
    assert committed_before <= 3
    sizes = bot.folder_sizes()
    assert sizes["INBOX"] == 0 and sizes["Processed"] == 3


def test_crash_between_adding_and_routing_an_unknown_sku_order(bot, tmp_path):
    skus = tmp_path / "skus.txt"
    skus.write_text("NW-4410\nNW-2205\n")
    config = yaml.safe_load(bot.config.read_text())
    config["bots"]["email-intake"]["known_skus_file"] = str(skus)
    bot.config.write_text(yaml.safe_dump(config))
    bot.deliver(mails.order_email("880001", lines=(("NW-4410", "1", "2.00"), ("ZZ-0001", "5", "3.00"))))

    assert bot.run(crash_at="after_add").returncode == 137
    (stored,) = bot.orders()
    assert stored.state == "new"  # stored, but the crash came before it was routed

    _ok(bot.run())
    (item,) = bot.orders()
    assert (item.id, item.state, item.exception_code) == (stored.id, "exception", "unknown_sku")
    assert "ZZ-0001" in item.exception_message
    sizes = bot.folder_sizes()
    assert sizes["INBOX"] == 0 and sizes["Exceptions"] == 1


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_nothing_and_duplicates_nothing(bot):
    rng = random.Random(20261125)
    count = 150
    started = time.monotonic()
    _ok(bot.run())  # an empty run: how long this machine takes to start the bot
    startup = time.monotonic() - started
    bot.deliver(*(mails.order_email(f"9100{n:03d}", buyer=f"buyer{n % 4}@customer{n % 4}.example")
                  for n in range(count)))
    # Kill each run at a random moment; the window adapts to this machine's speed, so the
    # kills land while messages are being handled, not during start-up or after the end.
    low, high = startup * 0.9, startup * 1.5
    kills_mid_mailbox = 0
    for attempt in range(12):
        waiting = bot.folder_sizes()["INBOX"]
        if waiting == 0:
            break
        process = bot.start("--once")
        time.sleep(rng.uniform(low, high))
        finished = process.poll() is not None
        if not finished:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        left = bot.folder_sizes()["INBOX"]
        if finished or left == 0:
            low, high = low * 0.7, high * 0.7
        elif left == waiting:  # killed before it got going
            low, high = low * 1.3, high * 1.3
        elif left > 0:
            kills_mid_mailbox += 1
    _ok(bot.run())  # the last run is never killed

    assert kills_mid_mailbox >= 2, "too few runs were killed while handling mail: the test tested little"
    orders = bot.orders()
    assert sorted(item.payload["order"]["po_number"] for item in orders) == [f"9100{n:03d}" for n in range(count)]
    sizes = bot.folder_sizes()
    assert sizes["INBOX"] == 0 and sizes["Processed"] == count


def test_polling_bot_picks_up_new_mail_with_idle(bot):
    process = bot.start()
    try:
        time.sleep(2)
        bot.deliver(mails.order_email("3300001"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not bot.orders():
            time.sleep(0.3)
        assert [item.payload["order"]["po_number"] for item in bot.orders()] == ["3300001"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    assert bot.folder_sizes()["Processed"] == 1


def test_wrong_password_is_a_clear_error(bot):
    bot.env["O2C_IMAP_PASSWORD"] = "wrong"
    result = bot.run()
    assert result.returncode == 1
    assert b"refused" in result.stderr and b"Traceback" not in result.stderr
