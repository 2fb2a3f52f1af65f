"""``o2c run invoice-delivery`` end to end: the sandbox ERP bills, aiosmtpd receives the
emails, Dovecot keeps the Sent folder, the sandbox supplier portal takes the uploads.

The mail server here files a copy of every message it accepts in the sender's Sent folder
before it answers "250" (as Exchange and Gmail do), so a bot SIGKILLed right after the SMTP
server took an invoice (``O2C_TEST_CRASH_AT=smtp_sent``, a real ``o2c`` process), before it
recorded anything, finds the message there on restart and sends nothing twice.
"""

import email.policy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bots.erp.invoicing import InvoicingSettings, run_invoicing
from bots.runtime.runs import audit_entries
from bots.runtime.workqueue import WorkQueue
from tests.fixtures.dovecot import append_message

pytestmark = [pytest.mark.browser, pytest.mark.imap]

O2C = str(Path(sys.executable).with_name("o2c"))


class FilesCopiesInSent(list):
    """The SMTP server's received messages; each is also appended to the sender's Sent folder."""

    def __init__(self, account):
        super().__init__()
        self.account = account

    def append(self, received):
        append_message(self.account, "Sent", received.raw)
        super().append(received)


def test_invoices_delivered_once_by_mail_and_portal_through_a_kill_refusals_as_exceptions(
        start_sandbox, tmp_path, browser, smtp_server, imap_account):
    sandbox = start_sandbox(systems=("erp", "portal"))
    home = tmp_path / "home"
    queue = WorkQueue.open(url=f"sqlite:///{home / 'o2c.db'}")
    invoicing = InvoicingSettings(url=sandbox.erp_url, user="bot", password="bot-pass-1",
                                  evidence_dir=tmp_path / "evidence", invoice_dir=tmp_path / "invoices",
                                  busy_wait_seconds=0.05)
    billed = run_invoicing(invoicing, once=True, queue=queue, browser=browser)
    again = run_invoicing(invoicing, once=True, queue=queue, browser=browser)  # nothing is due any more
    assert again["orders_queued"] == 0 and "invoices_created" not in again, again
    invoices = {item.result["invoice"]: item.result for item in queue.items(kind="billing", state="done")}
    assert len(invoices) == billed["invoices_created"] >= 4
    by_customer = sorted(invoices.values(), key=lambda facts: (facts["customer_id"], facts["invoice"]))
    on_portal, refused, german = by_customer[0], by_customer[-1], by_customer[1]
    assert len({on_portal["customer_id"], refused["customer_id"], german["customer_id"]}) == 3
    by_mail = {number: facts for number, facts in invoices.items() if facts["customer_id"] != on_portal["customer_id"]}
    smtp_server.refuse.add(refused["email"].lower())
    sandbox.sandbox.servers["portal"].app.config["PORTAL_UPLOAD_LIMIT"] = 1000  # smaller than any invoice PDF

    config = tmp_path / "o2c.yaml"
    config.write_text(yaml.safe_dump({
        "home": str(home), "portal": {"url": sandbox.url("portal"), "user": "bot"}, "queue": {"lease_seconds": 2},
        "bots": {
            "outgoing-mail": {
                "sender": "billing@northwind.example.com",
                "smtp": {"host": smtp_server.host, "port": smtp_server.port, "security": "starttls",
                         "user": smtp_server.user, "ca_file": str(smtp_server.ca_file)},
                "imap": {"host": imap_account.host, "port": imap_account.tls_port, "security": "ssl",
                         "user": imap_account.user, "ca_file": str(imap_account.ca_file)}},
            "invoice-delivery": {"channels": {"default": "email", on_portal["customer_id"]: "portal"},
                                 "languages": {german["customer_id"]: "de"}, "busy_wait_seconds": 0.05}}}))
    env = {**os.environ, "O2C_CONFIG": str(config), "O2C_HOME": str(home), "O2C_LOG_FORMAT": "json",
           "O2C_SMTP_PASSWORD": smtp_server.password, "O2C_MAIL_IMAP_PASSWORD": imap_account.password,
           "O2C_PORTAL_PASSWORD": "bot-pass-2"}
    env.pop("O2C_DATABASE_URL", None)
    smtp_server.messages = FilesCopiesInSent(imap_account)
    try:
        killed = subprocess.run([O2C, "run", "invoice-delivery", "--json"], env={**env, "O2C_TEST_CRASH_AT": "smtp_sent"},
                                capture_output=True, text=True, timeout=300)
        assert killed.returncode == 137, killed.stderr[-3000:]
        assert len(smtp_server.messages) == 1  # the server took one invoice; the bot died before recording it
        import time

        time.sleep(2.1)  # the killed run's lease runs out
        finished = subprocess.run([O2C, "run", "invoice-delivery", "--json"], env=env, capture_output=True,
                                  text=True, timeout=300)
        assert finished.returncode == 0, finished.stderr[-3000:]
        counts = json.loads(finished.stdout)["counts"]
    finally:
        received = list(smtp_server.messages)
        smtp_server.messages = []

    # Every invoice by mail went out exactly once, the one in flight at the kill included.
    sent = {}
    for message in received:
        number = next(n for n in by_mail if n in str(message.message["Subject"]))
        sent.setdefault(number, []).append(message)
    assert sorted(sent) == sorted(n for n in by_mail if n != refused["invoice"])
    assert all(len(copies) == 1 for copies in sent.values())
    assert counts["emails_found_sent"] == 1 and counts["emails_sent"] == len(sent) - 1, counts
    for number, (message,) in sent.items():
        facts = by_mail[number]
        assert message.recipients == [facts["email"]]
        (attachment,) = list(message.message.iter_attachments())
        assert attachment.get_filename() == f"{number}.pdf"
        assert attachment.get_content() == Path(facts["pdf"]).read_bytes()
        body = message.message.get_body(("plain",)).get_content()
        assert facts["amount"] in body and facts["customer_po"] in body
    assert str(sent[german["invoice"]][0].message["Subject"]).startswith(f"Rechnung {german['invoice']}")
    assert "Skonto" in sent[german["invoice"]][0].message.get_body(("plain",)).get_content() or \
        not german["discount_date"]

    items = {item.payload["invoice"]: item for item in queue.items(kind="invoice_delivery")}
    assert sorted(items) == sorted(invoices)
    for number in sent:
        item = items[number]
        assert item.state == "done" and item.result["message_id"] == sent[number][0].message["Message-ID"]
        (audit,) = audit_entries(queue, item_id=item.id)
        assert (audit["action"], audit["system"], audit["document_number"]) == \
            ("deliver_invoice", "email", item.result["message_id"])
    bounced = queue.get(items[refused["invoice"]].id)
    assert bounced.exception_code == "email_rejected" and refused["email"] in bounced.exception_message
    assert "refused" in bounced.exception_message
    too_big = queue.get(items[on_portal["invoice"]].id)
    assert too_big.exception_code == "portal_rejected" and "the limit is 1,000 bytes" in too_big.exception_message

    # The portal's limit raised, the supervisor retries: uploaded once, confirmation read back.
    sandbox.sandbox.servers["portal"].app.config["PORTAL_UPLOAD_LIMIT"] = 2 * 1024 * 1024
    queue.retry(too_big.id, "ar.clerk", "portal limit raised")
    again = subprocess.run([O2C, "run", "invoice-delivery", "--json"], env=env, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    uploaded = queue.get(too_big.id)
    conn = sandbox.db("portal")
    rows = conn.execute("SELECT confirmation, po_number, amount, pdf FROM invoice_uploads WHERE invoice = ?",
                        (on_portal["invoice"],)).fetchall()
    conn.close()
    assert len(rows) == 1 and uploaded.state == "done" and uploaded.result["confirmation"] == rows[0]["confirmation"]
    assert (rows[0]["po_number"], rows[0]["amount"]) == (on_portal["customer_po"], on_portal["amount"])
    assert bytes(rows[0]["pdf"]) == Path(on_portal["pdf"]).read_bytes()
    assert json.loads(again.stdout)["counts"].get("queued", 0) == 0  # nothing queued twice
    queue.close()
