"""bots/runtime/outgoing_mail.py against a real SMTP server (aiosmtpd) and a real IMAP Sent folder (Dovecot):
templates per language, attachments, the three kinds of connection, and exactly once even when
the sending process is killed with SIGKILL between the steps."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from email import message_from_bytes

import pytest
from imapclient import IMAPClient

from bots.runtime.outgoing_mail import (Attachment, MailSettings, OutgoingMail, ServerSettings, compose, render_bodies,
                                render_message)
from bots.runtime.store.engine import make_engine, upgrade
from bots.runtime.store.models import OutgoingMessage
from tests.fixtures.dovecot import messages_in


@pytest.fixture
def templates(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "notice.en.txt.j2").write_text(
        "{% block subject %}Statement for {{ customer }}{% endblock %}\n"
        "{% block body %}Dear {{ customer }},\nyou owe {{ amount }}.{% endblock %}\n")
    (folder / "notice.en.html.j2").write_text("<p>Dear {{ customer }}, you owe <b>{{ amount }}</b>.</p>\n")
    (folder / "notice.de.txt.j2").write_text(
        "{% block subject %}Kontoauszug für {{ customer }}{% endblock %}\n"
        "{% block body %}Sehr geehrte Damen und Herren,\noffen sind {{ amount }}.{% endblock %}\n")
    return folder


def test_bodies_per_language_with_fallback_and_escaping(templates):
    subject, text, html = render_bodies(templates, "notice", "de-CH", {"customer": "Müller & Co", "amount": "10.00"})
    assert subject == "Kontoauszug für Müller & Co" and "offen sind 10.00." in text and html is None
    subject, text, html = render_bodies(templates, "notice", "fr", {"customer": "<Acme>", "amount": "5.00"})
    assert subject == "Statement for <Acme>" and text.startswith("Dear <Acme>,")   # plain text: not escaped
    assert "Dear &lt;Acme&gt;" in html                                              # HTML: escaped


def mail_for(tmp_path, smtp, imap_account=None, **smtp_options):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    settings = MailSettings(
        sender="ar@seller.example",
        smtp=ServerSettings(host=smtp.host, port=smtp.port, security=smtp.security, user=smtp.user,
                            password=smtp.password, ca_file=str(smtp.ca_file), **smtp_options),
        imap=None if imap_account is None else ServerSettings(
            host=imap_account.host, port=imap_account.tls_port, security="ssl", user=imap_account.user,
            password=imap_account.password, ca_file=str(imap_account.ca_file)))
    return OutgoingMail.open(settings, engine=engine)


def sent_folder_ids(account, folder="Sent"):
    return [message_from_bytes(raw)["Message-ID"] for raw in messages_in(account, folder)]


def test_send_once_over_starttls_with_copy_in_sent(tmp_path, templates, smtp_server, imap_account):
    mail = mail_for(tmp_path, smtp_server, imap_account)
    message = render_message(templates, "notice", "en", {"customer": "Acme", "amount": "42.00"},
                             sender="ar@seller.example", to=["ap@acme.example"],
                             attachments=[Attachment("statement.pdf", b"%PDF-1.4 test", "application/pdf")])
    outcome = mail.send_once("notice:acme:1", message, purpose="test", meta={"customer": "Acme"})
    assert outcome.state == "done" and outcome.sent_now, outcome.error
    [received] = smtp_server.messages
    assert received.recipients == ["ap@acme.example"] and received.mail_from == "ar@seller.example"
    assert received.message["Subject"] == "Statement for Acme"
    assert received.message["Message-ID"] == outcome.message_id
    [attachment] = list(received.message.iter_attachments())
    assert attachment.get_filename() == "statement.pdf" and attachment.get_content() == b"%PDF-1.4 test"
    assert "you owe <b>42.00</b>" in received.message.get_body(("html",)).get_content()
    assert sent_folder_ids(imap_account) == [outcome.message_id]
    # The same key again (a second run): nothing goes out, whatever the new message says.
    again = mail.send_once("notice:acme:1", compose(sender="ar@seller.example", to=["ap@acme.example"],
                                                    subject="other", text="other"), purpose="test")
    assert again.state == "done" and not again.sent_now and again.message_id == outcome.message_id
    assert len(smtp_server.messages) == 1 and len(sent_folder_ids(imap_account)) == 1


@pytest.mark.parametrize("security, auth", [("ssl", True), ("plain", False)])
def test_implicit_tls_and_plain_servers(tmp_path, smtp_server_factory, security, auth):
    server = smtp_server_factory(security, auth=auth)
    mail = mail_for(tmp_path, server)
    outcome = mail.send_once("k1", compose(sender="ar@seller.example", to=["a@x.example"], cc=["b@x.example"],
                                           subject="Hello", text="Body"), purpose="test")
    assert outcome.sent_now and server.messages[0].recipients == ["a@x.example", "b@x.example"]


def test_server_down_is_an_application_error_and_the_intent_stays(tmp_path, smtp_server):
    from bots.runtime.errors import ApplicationException
    from tests.fixtures.smtp import _free_port

    mail = mail_for(tmp_path, smtp_server, timeout=5)
    mail.settings.smtp.port, port = _free_port(), mail.settings.smtp.port      # nothing listens there
    with pytest.raises(ApplicationException) as raised:
        mail.send_once("k1", compose(sender="ar@seller.example", to=["a@x.example"], subject="s", text="t"),
                       purpose="test")
    assert raised.value.code == "smtp_unreachable" and mail.lookup("k1").state == "intent"
    mail.settings.smtp.port = port
    [outcome] = mail.finish_pending()
    assert outcome.sent_now and len(smtp_server.messages) == 1
    assert mail.finish_pending() == []


def test_refused_recipient_is_recorded_not_retried(tmp_path, smtp_server):
    smtp_server.refuse.add("gone@x.example")
    mail = mail_for(tmp_path, smtp_server)
    outcome = mail.send_once("k1", compose(sender="ar@seller.example", to=["gone@x.example"], subject="s", text="t"),
                             purpose="test")
    assert outcome.state == "refused" and "gone@x.example" in outcome.error and smtp_server.messages == []
    assert mail.send_once("k1", compose(sender="ar@seller.example", to=["gone@x.example"], subject="s", text="t"),
                          purpose="test").state == "refused"
    assert smtp_server.messages == []


SENDER_SCRIPT = textwrap.dedent("""
    import json, os, signal, sys
    from bots.runtime.outgoing_mail import MailSettings, OutgoingMail, ServerSettings, compose
    from bots.runtime.store.engine import make_engine, upgrade
    from bots.runtime.store.models import ContactLog
    config = json.loads(sys.argv[1])
    kill_at = config.pop("kill_at")
    engine = make_engine(config["database_url"]); upgrade(engine)
    settings = MailSettings(sender="ar@seller.example", smtp=ServerSettings(**config["smtp"]),
                            imap=ServerSettings(**config["imap"]))
    def step(name):
        if name == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
    def on_done(session, record):
        from datetime import datetime, timezone
        session.add(ContactLog(customer_id="C1", at=datetime.now(timezone.utc), actor="test", kind="reminder",
                               invoices=["INV-1"], message_key=record.key))
    mail = OutgoingMail.open(settings, engine=engine, on_step=step)
    mail.finish_pending(on_done=on_done)
    message = compose(sender="ar@seller.example", to=["ap@acme.example"], subject="Reminder", text="Please pay")
    print(json.dumps(mail.send_once("reminder:C1:1", message, purpose="dunning", on_done=on_done).__dict__))
""")


@pytest.mark.parametrize("kill_at", ["intent_recorded", "sent_recorded", "copied_to_sent"])
def test_killed_between_steps_sends_exactly_once(tmp_path, smtp_server, imap_account, kill_at):
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    config = {"database_url": database_url, "kill_at": kill_at,
              "smtp": {"host": smtp_server.host, "port": smtp_server.port, "security": "starttls",
                       "user": smtp_server.user, "password": smtp_server.password, "ca_file": str(smtp_server.ca_file)},
              "imap": {"host": imap_account.host, "port": imap_account.tls_port, "security": "ssl",
                       "user": imap_account.user, "password": imap_account.password,
                       "ca_file": str(imap_account.ca_file)}}
    run = [sys.executable, "-c", SENDER_SCRIPT]
    killed = subprocess.run([*run, json.dumps(config)], capture_output=True, text=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    sent_before_restart = len(smtp_server.messages)
    assert sent_before_restart == (0 if kill_at == "intent_recorded" else 1)
    config["kill_at"] = None
    restarted = subprocess.run([*run, json.dumps(config)], capture_output=True, text=True, timeout=60)
    assert restarted.returncode == 0, restarted.stderr
    outcome = json.loads(restarted.stdout)
    assert outcome["state"] == "done"
    assert len(smtp_server.messages) == 1                           # exactly once
    assert not outcome["found_in_sent"]        # a copy already in Sent was not appended twice either
    assert sent_folder_ids(imap_account) == [smtp_server.messages[0].message["Message-ID"]]
    engine = make_engine(database_url)
    with engine.connect() as connection:
        from sqlalchemy import func, select

        from bots.runtime.store.models import ContactLog

        assert connection.scalar(select(func.count()).select_from(ContactLog)) == 1    # logged once
        assert connection.scalar(select(OutgoingMessage.state)) == "done"
    engine.dispose()


def test_an_intent_whose_copy_is_in_sent_is_not_sent_again(tmp_path, smtp_server, imap_account):
    # Servers such as Exchange file what they relay in Sent themselves: a run that died right after
    # the SMTP server took the message (before "sent" was committed) is then found there.
    mail = mail_for(tmp_path, smtp_server, imap_account)
    mail.on_step = lambda step: (_ for _ in ()).throw(KeyboardInterrupt) if step == "intent_recorded" else None
    with pytest.raises(KeyboardInterrupt):
        mail.send_once("k1", compose(sender="ar@seller.example", to=["a@x.example"], subject="s", text="t"),
                       purpose="test")
    record = mail.lookup("k1")
    with IMAPClient(imap_account.host, port=imap_account.port, ssl=False) as client:
        client.login(imap_account.user, imap_account.password)
        client.create_folder("Sent")
        client.append("Sent", record.raw)
    mail.on_step = lambda step: None
    [outcome] = mail.finish_pending()
    assert outcome.state == "done" and outcome.found_in_sent and not outcome.sent_now
    assert smtp_server.messages == [] and sent_folder_ids(imap_account) == [record.message_id]


def test_the_module_is_runtime_and_imports_no_bot():
    import ast
    from pathlib import Path

    import bots.runtime.outgoing_mail

    tree = ast.parse(Path(bots.runtime.outgoing_mail.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    runtime = ("bots.runtime.clock", "bots.runtime.config", "bots.runtime.errors", "bots.runtime.logs", "bots.runtime.store")
    ours = {name for name in imported if name.startswith("bots")}
    assert ours and all(name.startswith(runtime) for name in ours), ours
