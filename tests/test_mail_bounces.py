"""``o2c run mail-bounces``: delivery reports that come back after a mail was sent become exceptions.

End to end: invoices go out through aiosmtpd with their copies in Dovecot's Sent folder; the
reports servers send (generated in every shape from the very bytes the SMTP server received)
arrive in the sending account's INBOX; the bot raises one exception per bounced invoice, leaves
customers' mail unread, and a supervisor's corrected recipient gets the invoice sent again.
Then, on a folder mailbox: generated worlds against their oracle, and a run killed between
committing the items and moving the report.
"""

import json
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from pathlib import Path

import pytest
import yaml

from bots.bounces.bot import BOUNCE_KIND, BounceReader, BounceSettings, load_bounce_settings, run_bounces
from bots.console.actions import correct_and_retry
from bots.delivery.bot import load_delivery_settings, run_delivery
from bots.intake.mailbox import MailboxSettings, open_mailbox
from bots.runtime.config import load_settings
from bots.runtime.runs import bot_run
from bots.runtime.store.models import OutgoingMessage
from bots.runtime.workqueue import WorkQueue
from tests.fixtures.dovecot import append_message, messages_in
from tests.generators.bounces import bounce_case, not_a_bounce, sent_message

O2C = str(Path(sys.executable).with_name("o2c"))


def _billed(queue, tmp_path, number: int, email: str) -> dict:
    """A done ``billing`` item, as erp-invoicing leaves it, with its invoice PDF."""
    pdf = tmp_path / f"INV-{number}.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% invoice " + str(number).encode() + b"\n%%EOF\n")
    facts = {"invoice": f"INV-{number}", "customer_id": f"C{number}", "customer_name": f"Customer {number}",
             "customer_po": f"PO-{number}", "invoice_date": "2026-11-30", "amount": "1250.00", "currency": "USD",
             "due_date": "2026-12-30", "discount_date": None, "discount_pct": None, "email": email, "pdf": str(pdf)}
    queue.add("billing", {"order": facts["customer_po"]}, key=f"billing:{number}")
    (claimed,) = queue.claim("test", kinds=["billing"])
    queue.complete(claimed.id, "test", result=facts)
    return facts


@pytest.mark.imap
def test_late_bounces_become_exceptions_and_a_corrected_invoice_goes_out_again(
        tmp_path, monkeypatch, smtp_server, imap_account):
    home = tmp_path / "home"
    config = tmp_path / "o2c.yaml"
    config.write_text(yaml.safe_dump({"home": str(home), "bots": {"outgoing-mail": {
        "sender": "billing@northwind.example.com",
        "smtp": {"host": smtp_server.host, "port": smtp_server.port, "security": "starttls",
                 "user": smtp_server.user, "ca_file": str(smtp_server.ca_file)},
        "imap": {"host": imap_account.host, "port": imap_account.tls_port, "security": "ssl",
                 "user": imap_account.user, "ca_file": str(imap_account.ca_file)}}}}))
    env = {"O2C_CONFIG": str(config), "O2C_HOME": str(home), "O2C_SMTP_PASSWORD": smtp_server.password,
           "O2C_MAIL_IMAP_PASSWORD": imap_account.password}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("O2C_DATABASE_URL", raising=False)
    queue = WorkQueue.open(url=f"sqlite:///{home / 'o2c.db'}")
    invoices = [_billed(queue, tmp_path, number, f"ap{number}@customer{number}.example") for number in (101, 102, 103, 104)]
    delivery = load_delivery_settings(load_settings())
    assert run_delivery(delivery, queue=queue)["emails_sent"] == 4
    received = {m.recipients[0]: m.raw for m in smtp_server.messages}
    smtp_server.messages = []
    deliveries = {item.payload["invoice"]: item for item in queue.items(kind="invoice_delivery", state="done")}

    rng = random.Random(5)
    bounced_postfix = bounce_case(rng, received[invoices[0]["email"]], shape="postfix", outcome="failed")
    bounced_exchange = bounce_case(rng, received[invoices[1]["email"]], shape="exchange", outcome="failed")
    bounced_qmail = bounce_case(rng, received[invoices[2]["email"]], shape="qmail", outcome="failed")
    delayed = bounce_case(rng, received[invoices[3]["email"]], shape="gmail", outcome="delayed")
    unmatched = bounce_case(rng, sent_message(rng, to=["ap@nobody.example"]), shape="postfix", outcome="failed")
    reply = not_a_bounce(rng)
    for raw in (bounced_postfix.raw, reply, bounced_exchange.raw, delayed.raw, bounced_qmail.raw, unmatched.raw):
        append_message(imap_account, "INBOX", raw)

    # The real command, as a scheduler runs it.
    done = subprocess.run([O2C, "run", "mail-bounces", "--json"], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    counts = json.loads(done.stdout)["counts"]
    assert counts["reports"] == 5 and counts["other_mail_left"] == 1 and counts["exceptions"] == 4, counts
    assert counts["reports_delayed"] == 1, counts

    exceptions = {item.payload.get("invoice") or item.exception_code: item for item in queue.exceptions()}
    assert set(exceptions) == {"INV-101", "INV-102", "INV-103", "bounce_unmatched"}
    for facts in invoices[:3]:
        item = exceptions[facts["invoice"]]
        assert item.kind == "invoice_delivery" and item.exception_code == "bounced"
        assert item.parent_id == deliveries[facts["invoice"]].id
        assert item.payload["recipient"] == facts["email"] and item.payload["bounce"]["sent_to"] == facts["email"]
        assert facts["email"] in item.exception_message and item.payload["bounce"]["status"] in item.exception_message
        assert Path(item.evidence["report"]["file"]).is_file()
    assert exceptions["INV-101"].payload["bounce"]["status"] == bounced_postfix.failed[invoices[0]["email"]]
    assert exceptions["bounce_unmatched"].kind == BOUNCE_KIND
    assert exceptions["bounce_unmatched"].payload["recipient"] == "ap@nobody.example"
    # Reports are filed away; the customer's reply stays in the INBOX, unread.
    inbox = messages_in(imap_account, "INBOX")
    assert [message_from_bytes(m)["Message-ID"] for m in inbox] == [message_from_bytes(reply)["Message-ID"]]
    assert len(messages_in(imap_account, "Bounces")) == 5

    # The same report delivered twice raises nothing new.
    append_message(imap_account, "INBOX", bounced_postfix.raw)
    again = run_bounces(load_bounce_settings(load_settings()), queue=queue)
    assert again["exceptions_already_raised"] == 1 and "exceptions" not in again, again

    # Retried as it is, the invoice is not sent to the address that bounced.
    first = exceptions["INV-101"]
    queue.retry(first.id, by="supervisor", note="try again")
    run_delivery(delivery, queue=queue)
    assert smtp_server.messages == []
    assert queue.get(first.id).state == "exception" and queue.get(first.id).exception_code == "bounced"

    # Corrected, it goes to the new address, once.
    first = queue.get(first.id)
    correct_and_retry(queue, first, "supervisor", {"field:recipient": "payables@customer101.example"}, None)
    counts = run_delivery(delivery, queue=queue)
    assert counts["emails_sent"] == 1, counts
    (resent,) = smtp_server.messages
    assert resent.recipients == ["payables@customer101.example"] and "INV-101" in str(resent.message["Subject"])
    finished = queue.get(first.id)
    assert finished.state == "done" and finished.result["recipient"] == "payables@customer101.example"
    assert queue.get(deliveries["INV-101"].id).state == "done"  # the first delivery's record stands


def _world(tmp_path, seed: int, count: int):
    """``count`` messages on record (invoices, dunning letters, one refused) and a report about each."""
    rng = random.Random(seed)
    queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'o2c.db'}")
    inbox = tmp_path / "mailbox"
    inbox.mkdir()
    expected = {}
    with queue.session() as session, session.begin():
        for number in range(count):
            to = [f"ap{number}-{n}@c{number}.example" for n in range(rng.choice((1, 1, 2)))]
            raw = sent_message(rng, to=to, subject=f"Reminder {number}" if number % 3 else None)
            sent = message_from_bytes(raw)
            purpose = "dunning" if number % 3 else "invoice"
            state = "refused" if number == 4 else "done"
            session.add(OutgoingMessage(
                key=f"msg:{number}", message_id=sent["Message-ID"], purpose=purpose, state=state,
                sender="ar@northwind.example", recipients=to, subject=str(sent["Subject"]), raw=raw,
                created_at=datetime(2026, 10, 1, tzinfo=timezone.utc) + timedelta(hours=number),
                found_in_sent=False, meta={"customer_id": f"C{number}"}))
            case = bounce_case(rng, raw)
            (inbox / f"{number:03}.eml").write_bytes(case.raw)
            if state == "done":
                for address in case.failed:
                    expected[(f"msg:{number}", address)] = purpose
    for number in range(5):
        (inbox / f"reply{number}.eml").write_bytes(not_a_bounce(rng))
    settings = BounceSettings(mailbox=MailboxSettings(name="bounces", kind="folder", path=inbox),
                              evidence_dir=tmp_path / "evidence")
    return queue, settings, expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_bounced_message_and_recipient_is_one_exception(tmp_path, seed):
    queue, settings, expected = _world(tmp_path, seed, 40)
    counts = run_bounces(settings, queue=queue)
    raised = {(item.payload["bounce"]["message_key"], item.payload["recipient"]): item for item in queue.exceptions()}
    assert set(raised) == set(expected), counts
    for (key, address), item in raised.items():
        assert item.kind == BOUNCE_KIND and item.exception_code == "bounced"
        assert item.payload["purpose"] == expected[(key, address)] and address in item.exception_message
    assert sorted(p.name for p in settings.mailbox.path.glob("*.eml")) == [f"reply{n}.eml" for n in range(5)]
    assert counts["other_mail_left"] == 5 and counts["reports"] == 40


def test_a_run_killed_before_moving_a_report_raises_nothing_twice(tmp_path):
    queue, settings, expected = _world(tmp_path, 8, 12)

    class DiesAtTheThirdMove:
        def __init__(self, mailbox):
            self.mailbox, self.moves, self.name = mailbox, 0, mailbox.name

        def waiting(self):
            return self.mailbox.waiting()

        def move(self, message, role):
            self.moves += 1
            if self.moves == 3:
                raise KeyboardInterrupt("killed")  # after the report's items were committed
            self.mailbox.move(message, role)

    with pytest.raises(KeyboardInterrupt), bot_run(queue, "mail-bounces") as run, \
            open_mailbox(settings.mailbox) as mailbox:
        BounceReader(settings, queue, run).read(DiesAtTheThirdMove(mailbox))
    counts = run_bounces(settings, queue=queue)
    keys = [(item.payload["bounce"]["message_key"], item.payload["recipient"]) for item in queue.exceptions()]
    assert sorted(keys) == sorted(expected) and len(keys) == len(set(keys))
    assert counts["exceptions_already_raised"] >= 1  # the report whose move the kill cut short


def test_without_a_record_of_the_message_a_report_is_only_counted_when_told(tmp_path):
    queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'o2c.db'}")
    inbox = tmp_path / "mailbox"
    inbox.mkdir()
    rng = random.Random(4)
    (inbox / "a.eml").write_bytes(bounce_case(rng, sent_message(rng), shape="exim", outcome="failed").raw)
    settings = BounceSettings(mailbox=MailboxSettings(name="b", kind="folder", path=inbox), report_unmatched=False,
                              evidence_dir=tmp_path / "evidence")
    counts = run_bounces(settings, queue=queue)
    assert counts["unmatched_ignored"] == 1 and queue.exceptions() == []


def test_the_mailbox_defaults_to_the_sending_account(tmp_path, monkeypatch):
    config = tmp_path / "o2c.yaml"
    config.write_text(yaml.safe_dump({"home": str(tmp_path), "bots": {"outgoing-mail": {
        "sender": "ar@northwind.example", "smtp": {"host": "smtp.northwind.example"},
        "imap": {"host": "imap.northwind.example", "port": 993, "security": "ssl", "user": "ar@northwind.example",
                 "sent_folder": "Sent Items"}}}}))
    monkeypatch.setenv("O2C_CONFIG", str(config))
    settings = load_bounce_settings(load_settings(), need_password=False)
    mailbox = settings.mailbox
    assert (mailbox.kind, mailbox.host, mailbox.port, mailbox.security, mailbox.user) == \
        ("imap", "imap.northwind.example", 993, "tls", "ar@northwind.example")
    assert mailbox.folders["inbox"] == "INBOX" and mailbox.folders["processed"] == "Bounces"

    config.write_text(yaml.safe_dump({"home": str(tmp_path), "bots": {"mail-bounces": {"mailbox": {"kind": "imap"}}}}))
    with pytest.raises(ValueError, match="user"):
        load_bounce_settings(load_settings(), need_password=False)
    config.write_text(yaml.safe_dump({"home": str(tmp_path), "bots": {"mail-bounces": {"mailboxes": []}}}))
    with pytest.raises(ValueError, match="unknown setting"):
        load_bounce_settings(load_settings(), need_password=False)


@pytest.mark.browser
def test_a_supervisor_corrects_a_bounced_invoice_in_the_console(console, page, tmp_path):
    from playwright.sync_api import expect

    from tests.fixtures.console import sign_in

    queue = console.queue
    facts = _billed(queue, tmp_path, 201, "ap@old-address.example")
    queue.add("invoice_delivery", {**facts, "channel": "email"}, key="delivery:INV-201:email")
    (claimed,) = queue.claim("test", kinds=["invoice_delivery"])
    raw = sent_message(random.Random(1), to=[facts["email"]], subject="Invoice INV-201 for your order PO-201")
    with queue.session() as session, session.begin():
        session.add(OutgoingMessage(
            key="invoice:INV-201:email:ap@old-address.example", message_id=message_from_bytes(raw)["Message-ID"],
            purpose="invoice", state="done", sender="ar@northwind.example", recipients=[facts["email"]],
            subject="Invoice INV-201 for your order PO-201", raw=raw, created_at=datetime(2026, 11, 30, tzinfo=timezone.utc),
            found_in_sent=False, meta={"invoice": "INV-201", "work_key": "delivery:INV-201:email"}))
    queue.complete(claimed.id, "test", result={"invoice": "INV-201", "recipient": facts["email"]})
    inbox = tmp_path / "bounces"
    inbox.mkdir()
    (inbox / "dsn.eml").write_bytes(bounce_case(random.Random(2), raw, shape="exchange", outcome="failed").raw)
    run_bounces(BounceSettings(mailbox=MailboxSettings(name="b", kind="folder", path=inbox),
                               evidence_dir=tmp_path / "evidence"), queue=queue)
    (item,) = [i for i in queue.exceptions() if i.exception_code == "bounced"]

    sign_in(page, console, "sam", path=f"/items/{item.id}")
    expect(page.get_by_text("to ap@old-address.example bounced", exact=False).first).to_be_visible()
    expect(page.get_by_text("message/delivery-status, 0 bytes")).to_have_count(0)  # the report's fields, downloadable
    fields = page.get_by_role("region", name="Extracted fields")
    expect(fields.get_by_label("bounce.status", exact=True)).to_have_count(0)  # the report is shown, not edited
    fields.get_by_label("recipient", exact=True).fill("payables@new-address.example")
    page.screenshot(path=str(tmp_path / "bounced-invoice.png"), full_page=True)
    fields.get_by_label("Note for the correction").fill("new AP address from the customer")
    fields.get_by_role("button", name="Save corrections and retry").click()
    expect(page.get_by_role("status")).to_contain_text("corrected and sent back to the bots")
    retried = queue.get(item.id)
    assert retried.state == "retried" and retried.payload["recipient"] == "payables@new-address.example"
    assert retried.payload["bounce"]["sent_to"] == "ap@old-address.example"
