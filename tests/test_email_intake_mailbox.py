"""The mailbox layer under the email-intake bot: a folder of .eml files and a real Dovecot."""

import ssl
import threading
import time

import pytest
from imapclient import IMAPClient

from bots.runtime.errors import ApplicationException
from bots.intake.mailbox import MailboxSettings, open_mailbox


def _eml(n: int) -> bytes:
    return (
        f"From: buyer{n}@example.com\r\nTo: orders@seller.test\r\nSubject: PO {n}\r\n"
        f"Message-ID: <msg{n}@example.com>\r\n\r\nPlease ship order {n}.\r\n"
    ).encode()


def _imap_settings(account, **overrides) -> MailboxSettings:
    options = dict(
        name="test", kind="imap", host=account.host, port=account.tls_port, user=account.user,
        password=account.password, security="tls", ca_file=account.ca_file,
    )
    options.update(overrides)
    return MailboxSettings(**options)


def _client(account) -> IMAPClient:
    context = ssl.create_default_context(cafile=str(account.ca_file))
    client = IMAPClient(account.host, port=account.tls_port, ssl=True, ssl_context=context)
    client.login(account.user, account.password)
    return client


# -- folder mailbox --------------------------------------------------------------------


def test_folder_mailbox_lists_eml_files_and_moves_them_into_subfolders(tmp_path):
    (tmp_path / "a.eml").write_bytes(_eml(1))
    (tmp_path / "b.eml").write_bytes(_eml(2))
    (tmp_path / "notes.txt").write_text("not a message")
    mailbox = open_mailbox(MailboxSettings(name="drop", kind="folder", path=tmp_path))

    messages = list(mailbox.waiting())
    assert sorted(m.ref for m in messages) == ["a.eml", "b.eml"]
    assert {m.raw for m in messages} == {_eml(1), _eml(2)}

    mailbox.move(messages[0], "processed")
    mailbox.move(messages[1], "exceptions")
    assert (tmp_path / "processed" / messages[0].ref).read_bytes() == messages[0].raw
    assert (tmp_path / "exceptions" / messages[1].ref).exists()
    assert [m.ref for m in mailbox.waiting()] == []


def test_folder_mailbox_keeps_both_copies_when_a_name_repeats(tmp_path):
    settings = MailboxSettings(name="drop", kind="folder", path=tmp_path)
    for body in (_eml(1), _eml(2)):
        (tmp_path / "po.eml").write_bytes(body)
        mailbox = open_mailbox(settings)
        mailbox.move(next(mailbox.waiting()), "processed")
    kept = sorted(p.read_bytes() for p in (tmp_path / "processed").iterdir())
    assert kept == sorted([_eml(1), _eml(2)])


def test_missing_folder_and_bad_settings_are_clear_errors(tmp_path):
    with pytest.raises(ApplicationException, match="does not exist"):
        open_mailbox(MailboxSettings(name="drop", kind="folder", path=tmp_path / "nope"))
    with pytest.raises(ValueError, match="security must be"):
        MailboxSettings(name="x", kind="imap", user="u", security="ssl3")
    with pytest.raises(ValueError, match="needs 'path'"):
        MailboxSettings(name="x", kind="folder")
    with pytest.raises(ValueError, match="unknown folder role"):
        MailboxSettings(name="x", kind="folder", path=tmp_path, folders={"archive": "old"})


# -- IMAP mailbox against Dovecot ------------------------------------------------------


@pytest.mark.imap
def test_imap_fetch_does_not_mark_seen_and_move_needs_no_existing_folder(imap_account):
    client = _client(imap_account)
    client.append("INBOX", _eml(1))
    client.append("INBOX", _eml(2))

    with open_mailbox(_imap_settings(imap_account)) as mailbox:
        messages = list(mailbox.waiting())
        assert [m.raw.replace(b"\r\n", b"\n") for m in messages] == [
            _eml(1).replace(b"\r\n", b"\n"), _eml(2).replace(b"\r\n", b"\n")]
        assert messages[0].source.endswith(f"INBOX;UID={messages[0].ref}")
        client.select_folder("INBOX", readonly=True)
        assert len(client.search(["UNSEEN"])) == 2  # peeked, not seen

        mailbox.move(messages[0], "processed")
        mailbox.move(messages[1], "not_orders")

    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert client.select_folder("Processed")[b"EXISTS"] == 1
    assert client.select_folder("Not orders")[b"EXISTS"] == 1
    client.logout()


@pytest.mark.imap
def test_imap_move_falls_back_to_copy_and_expunge_without_move(imap_account):
    client = _client(imap_account)
    client.append("INBOX", _eml(1))
    with open_mailbox(_imap_settings(imap_account)) as mailbox:
        real = mailbox.client.has_capability
        mailbox.client.has_capability = lambda name: False if name == "MOVE" else real(name)
        mailbox.move(next(mailbox.waiting()), "exceptions")
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert client.select_folder("Exceptions")[b"EXISTS"] == 1
    client.logout()


@pytest.mark.imap
def test_imap_only_unseen_skips_messages_a_person_has_read(imap_account):
    client = _client(imap_account)
    client.append("INBOX", _eml(1), flags=[b"\\Seen"])
    client.append("INBOX", _eml(2))
    with open_mailbox(_imap_settings(imap_account)) as mailbox:
        assert len(list(mailbox.waiting())) == 1
    with open_mailbox(_imap_settings(imap_account, only_unseen=False)) as mailbox:
        assert len(list(mailbox.waiting())) == 2
    client.logout()


@pytest.mark.imap
def test_imap_starttls_insecure_and_plain_modes_connect(imap_account):
    starttls = _imap_settings(imap_account, port=imap_account.port, security="starttls")
    with open_mailbox(starttls) as mailbox:
        assert list(mailbox.waiting()) == []
    insecure = _imap_settings(imap_account, ca_file=None, insecure=True)
    with open_mailbox(insecure) as mailbox:
        assert list(mailbox.waiting()) == []
    plain = _imap_settings(imap_account, port=imap_account.port, security="plain", ca_file=None)
    with open_mailbox(plain) as mailbox:
        assert list(mailbox.waiting()) == []


@pytest.mark.imap
def test_imap_refuses_an_untrusted_certificate_and_a_wrong_password(imap_account):
    with pytest.raises(ApplicationException) as untrusted:
        open_mailbox(_imap_settings(imap_account, ca_file=None))
    assert untrusted.value.code == "imap_unreachable"
    with pytest.raises(ApplicationException) as refused:
        open_mailbox(_imap_settings(imap_account, password="wrong"))
    assert refused.value.code == "imap_login"


@pytest.mark.imap
def test_imap_wait_returns_early_when_mail_arrives(imap_account):
    with open_mailbox(_imap_settings(imap_account)) as mailbox:
        assert mailbox.client.has_capability("IDLE")

        def deliver():
            time.sleep(0.5)
            client = _client(imap_account)
            client.append("INBOX", _eml(3))
            client.logout()

        threading.Thread(target=deliver).start()
        started = time.monotonic()
        mailbox.wait(20)
        assert time.monotonic() - started < 10
        assert len(list(mailbox.waiting())) == 1
