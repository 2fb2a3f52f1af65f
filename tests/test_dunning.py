"""``o2c run dunning`` on a known book of receivables, through a real SMTP server (aiosmtpd) and a
real Sent folder (Dovecot): the right stage per customer, the statement attached, nothing for
disputed or promised items, the stop on new orders, letters and SMS, and exactly once, also
after a SIGKILL between sending and recording."""

import io
import json
import signal
import subprocess
import sys
import textwrap
from datetime import date, datetime, timezone
from decimal import Decimal

import pdfplumber
import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bots.collections.cases import open_case, routing_rules
from bots.collections.promises import record_promise
from bots.runtime.config import load_settings
from bots.receivables.store import sync_open_items
from bots.runtime.store.engine import make_engine, upgrade
from bots.runtime.store.models import ContactLog, CustomerContact, DunningNotice, OrderStop, PromiseToPay

TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc)

# customer, name, invoice, due date, open amount; all invoiced 30 days before due, 2026-12-03 is "today".
BOOK = [
    ("C1", "Alpha Foods", "A1", date(2026, 12, 1), "100.00"),     # 2 days past due: stage 1
    ("C1", "Alpha Foods", "A2", date(2026, 11, 10), "200.00"),    # 23 days: stage 2
    ("C1", "Alpha Foods", "A3", date(2026, 11, 1), "300.00"),     # 32 days, disputed: held back
    ("C2", "Beta Handel GmbH", "B1", date(2026, 10, 15), "500.00"),  # 49 days: stage 4, stop orders
    ("C2", "Beta Handel GmbH", "B2", date(2026, 11, 20), "250.00"),  # 13 days, promised for 12-10: held
    ("C3", "Gamma Retail", "G1", date(2026, 11, 25), "80.00"),    # 8 days, no email: letter and SMS
    ("C4", "Delta Stores", "D1", date(2026, 12, 20), "999.00"),   # not yet due
    ("C5", "Epsilon Ltd", "E1", date(2026, 11, 1), "400.00"),     # 32 days, promise for 11-30 broken: stage 3
]


def book_rows(book=BOOK):
    from datetime import timedelta

    return [{"customer_id": c, "customer_name": n, "invoice": i, "invoice_date": due - timedelta(days=30),
             "due_date": due, "currency": "USD", "amount": Decimal(amount), "open_amount": Decimal(amount)}
            for c, n, i, due, amount in book]


@pytest.fixture
def world(tmp_path, smtp_server, imap_account, monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    config = {
        "home": str(tmp_path / "home"), "database_url": database_url,
        "bots": {
            "outgoing-mail": {
                "sender": "ar@northwind.example",
                "smtp": {"host": smtp_server.host, "port": smtp_server.port, "security": "starttls",
                         "user": smtp_server.user, "ca_file": str(smtp_server.ca_file)},
                "imap": {"host": imap_account.host, "port": imap_account.tls_port, "security": "ssl",
                         "user": imap_account.user, "ca_file": str(imap_account.ca_file)}},
            "dunning": {"seller": {"name": "Northwind Supply Co.", "address": ["1 Harbor Way", "Savannah GA"],
                                   "contact": "ar@northwind.example"}, "sms": True}}}
    config_file = tmp_path / "o2c.yaml"
    config_file.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("O2C_CONFIG", str(config_file))
    monkeypatch.setenv("O2C_SMTP_PASSWORD", smtp_server.password)
    monkeypatch.setenv("O2C_MAIL_IMAP_PASSWORD", imap_account.password)
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        sync_open_items(session, book_rows(), TODAY, NOW, "test export")
        for customer, name, email, phone, language in [
                ("C1", "Ann Payables", "ap@alpha.example", None, "en"),
                ("C2", "Bernd Kreditor", "kreditoren@beta.example", None, "de"),
                ("C3", "Gus", None, "+15550100", "en"),
                ("C4", "Dee", "ap@delta.example", None, "en"),
                ("C5", "Eve", "eve@epsilon.example", None, "en")]:
            session.add(CustomerContact(customer_id=customer, name=name, email=email, phone=phone, language=language,
                                        receives_dunning=True))
        open_case(session, customer_id="C1", invoice="A3", kind="dispute", reason="pricing", source="console",
                  by="collector", at=NOW, rules=routing_rules(None))
        record_promise(session, "C2", ["B2"], Decimal("250.00"), date(2026, 12, 10), "collector", NOW)
        record_promise(session, "C5", ["E1"], Decimal("400.00"), date(2026, 11, 30), "collector", NOW)
    yield {"config": config, "sessions": sessions, "engine": engine, "smtp": smtp_server, "imap": imap_account,
           "tmp": tmp_path}
    engine.dispose()


def run_dunning_on(day: date) -> dict:
    from bots.collections.dunning import run_dunning
    from bots.runtime.clock import FixedClock

    return run_dunning(load_settings(), today=day, clock=FixedClock(datetime(day.year, day.month, day.day, 8,
                                                                             tzinfo=timezone.utc)))


def by_recipient(smtp):
    return {m.recipients[0]: m.message for m in smtp.messages}


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() for page in pdf.pages)


def test_one_letter_per_customer_at_the_right_stage(world):
    counts = run_dunning_on(TODAY)
    smtp = world["smtp"]
    sent = by_recipient(smtp)
    assert sorted(sent) == ["ap@alpha.example", "eve@epsilon.example", "kreditoren@beta.example"]
    alpha = sent["ap@alpha.example"]
    assert alpha["Subject"] == "Second notice: 300.00 USD overdue (Alpha Foods)"
    body = alpha.get_body(("plain",)).get_content()
    assert "A1" in body and "A2" in body and "A3" not in body           # the disputed item is left out
    [statement] = list(alpha.iter_attachments())
    assert statement.get_filename() == "statement-C1-2026-12-03.pdf"
    text = pdf_text(statement.get_content())
    assert "Statement of account" in text and "A3" in text and "600.00" in text   # all open items, total open
    beta = sent["kreditoren@beta.example"]
    assert beta["Subject"].startswith("Auftragssperre: 500,00 USD")     # German (a decimal comma), stage 4; B2 is promised
    assert "B2" not in beta.get_body(("plain",)).get_content()
    assert sent["eve@epsilon.example"]["Subject"].startswith("Final notice: 400.00 USD")   # promise broken
    with world["sessions"]() as session:
        notices = {tuple(row) for row in session.execute(select(DunningNotice.customer_id, DunningNotice.invoice,
                                                                  DunningNotice.stage))}
        assert notices == {("C1", "A1", 1), ("C1", "A2", 2), ("C2", "B1", 4), ("C3", "G1", 1), ("C5", "E1", 3)}
        assert session.get(OrderStop, "C2").lifted_at is None and session.get(OrderStop, "C1") is None
        assert session.scalars(select(PromiseToPay.state).where(PromiseToPay.customer_id == "C5")).one() == "broken"
        channels = sorted(tuple(row) for row in session.execute(select(ContactLog.customer_id, ContactLog.channel)
                                                               .where(ContactLog.kind == "reminder")))
    assert channels == [("C1", "email"), ("C1", "letter"), ("C2", "email"), ("C2", "letter"), ("C3", "letter"),
                        ("C3", "sms"), ("C5", "email"), ("C5", "letter")]
    letters = world["tmp"] / "home" / "letters" / "2026-12-03"
    letter = pdf_text((letters / "dunning_C3_1_2026-12-03_USD.pdf").read_bytes())
    assert "Friendly reminder: 80.00 USD past due (Gamma Retail)" in letter and "G1" in letter
    [sms] = [json.loads(line) for line in (world["tmp"] / "home" / "sms-outbox.jsonl").read_text().splitlines()]
    assert sms["phone"] == "+15550100" and "80.00 USD overdue" in sms["text"]
    assert counts["emails"] == 3 and counts["held_back"] == 2 and counts["promises_broken"] == 1

    # The same day again, and the next day: no item has reached a new stage, nothing goes out.
    again = run_dunning_on(TODAY)
    run_dunning_on(date(2026, 12, 4))
    assert len(smtp.messages) == 3 and again["letters"] == 0
    assert len((world["tmp"] / "home" / "sms-outbox.jsonl").read_text().splitlines()) == 1

    # Two weeks on: A1 (16 days) reaches stage 2 and A2 (37 days) stage 3: C1 gets the final notice.
    run_dunning_on(date(2026, 12, 17))
    later = [m.message for m in smtp.messages[3:] if m.recipients == ["ap@alpha.example"]]
    assert [m["Subject"] for m in later] == ["Final notice: 300.00 USD overdue (Alpha Foods)"]


def test_refused_address_goes_to_the_exception_queue_once(world):
    from bots.runtime.workqueue import WorkQueue

    world["smtp"].refuse.add("eve@epsilon.example")
    counts = run_dunning_on(TODAY)
    assert counts["refused"] == 1 and counts["emails"] == 2
    run_dunning_on(TODAY)
    queue = WorkQueue(world["engine"])
    [item] = queue.exceptions()
    assert item.kind == "dunning_letter" and item.exception_code == "mail_refused"
    assert "Epsilon Ltd (C5)" in item.exception_message and "eve@epsilon.example" in item.exception_message
    with world["sessions"]() as session:     # nothing recorded for the letter that did not go out
        assert session.scalars(select(DunningNotice).where(DunningNotice.customer_id == "C5")).all() == []


def test_paid_item_and_closed_dispute(world):
    with world["sessions"].begin() as session:
        rows = [r for r in book_rows() if r["invoice"] != "A2"]        # A2 paid: gone from the export
        sync_open_items(session, rows, TODAY, NOW, "second export")
        from bots.collections.cases import close_case
        from bots.runtime.store.models import DisputeCase

        close_case(session, session.scalars(select(DisputeCase.id)).one(), "collector", NOW, "price confirmed")
    run_dunning_on(TODAY)
    alpha = by_recipient(world["smtp"])["ap@alpha.example"]
    body = alpha.get_body(("plain",)).get_content()
    assert alpha["Subject"].startswith("Final notice: 400.00 USD")     # A3 (32 days) now dunned; A2 paid
    assert "A2" not in body and "A1" in body and "A3" in body


KILLED_RUN = textwrap.dedent("""
    import os, signal, sys
    from datetime import date, datetime, timezone
    from bots.runtime.clock import FixedClock
    from bots.collections.dunning import run_dunning
    from bots.runtime.config import load_settings
    kill_at = sys.argv[1]
    def step(name):
        if name == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
    run_dunning(load_settings(), today=date(2026, 12, 3),
                clock=FixedClock(datetime(2026, 12, 3, 8, tzinfo=timezone.utc)), on_step=step)
""")


# Every kill point of the mail module is tested in test_outgoing_mail.py; here the one where the
# letter is out but dunning has recorded nothing (no notice, no contact).
@pytest.mark.parametrize("kill_at", ["sent_recorded"])
def test_no_double_send_after_sigkill_between_sending_and_recording(world, kill_at):
    import os

    killed = subprocess.run([sys.executable, "-c", KILLED_RUN, kill_at], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert len(world["smtp"].messages) == 1                          # the first customer's letter went out
    with world["sessions"]() as session:
        assert session.scalar(select(func.count()).select_from(DunningNotice)) == 0   # ...but is not recorded
    restarted = subprocess.run([sys.executable, "-c", KILLED_RUN, "none"], capture_output=True, text=True,
                               timeout=120, env=dict(os.environ))
    assert restarted.returncode == 0, restarted.stderr
    recipients = sorted(m.recipients[0] for m in world["smtp"].messages)
    assert recipients == ["ap@alpha.example", "eve@epsilon.example", "kreditoren@beta.example"]   # once each
    with world["sessions"]() as session:
        assert session.scalar(select(func.count()).select_from(DunningNotice)) == 5
        emails = session.scalars(select(ContactLog.customer_id).where(ContactLog.channel == "email")).all()
        assert sorted(emails) == ["C1", "C2", "C5"]
