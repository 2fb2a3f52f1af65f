"""Outgoing mail, sent exactly once: dunning letters, invoices, scheduled reports.

Usage::

    from bots.runtime.outgoing_mail import Attachment, OutgoingMail, mail_settings, render_message

    mail = OutgoingMail.open(mail_settings(load_settings()))         # store from the settings
    message = render_message(TEMPLATES, "reminder", "de", {"customer": ...},
                             sender="ar@example.com", to=["ap@customer.example"],
                             attachments=[Attachment("statement.pdf", pdf_bytes, "application/pdf")])
    outcome = mail.send_once("dunning:C1001:2:2026-12-03", message, purpose="dunning",
                             meta={"customer_id": "C1001"}, on_done=record_notices)
    outcome.sent_now      # False when this key was sent before (nothing went out again)

**Bodies** are Jinja2 templates, one pair per template and language in a folder the caller
owns: ``<name>.<lang>.txt.j2`` (plain text, not escaped) holding ``{% block subject %}`` and
``{% block body %}``, and optionally ``<name>.<lang>.html.j2`` (autoescaped) with a
``{% block body %}``. The language falls back from ``de-CH`` to ``de`` to ``en``.

**Exactly once.** ``send_once`` keeps each message in the store (``outgoing_messages``) under
the caller's key and walks it through these states, committing after each step::

    intent ──SMTP accepted──> sent ──copy appended to the Sent folder (IMAP)──> done
           └──server refused a recipient──> refused

1. The intent, with its Message-ID and the whole MIME text, is committed before anything goes out.
2. The message is sent over SMTP (``security``: ``starttls``, ``ssl`` or ``plain``; the password
   from ``secret(password_secret)``, default ``smtp_password`` = ``O2C_SMTP_PASSWORD``).
3. ``sent`` is committed; a copy is appended to the Sent folder over IMAP (imapclient).
4. ``done`` is committed, together with whatever the caller's ``on_done(session, record)``
   writes (dunning records the stage of each item in that same transaction).

A run killed at any point leaves the message in ``intent`` or ``sent``. The next ``send_once``
with that key, or ``finish_pending`` (run at the start of every bot that sends), finishes it
from the stored MIME text, never sending it twice: a ``sent`` message only gets its Sent copy;
an ``intent`` is first looked up by Message-ID in the Sent folder, and sent only when it is
not there. What no protocol closes is the moment between the SMTP server's "250 OK" and the
commit of ``sent`` (milliseconds): a kill exactly then sends the message a second time.
Without an IMAP account (``imap`` left out) a leftover ``intent`` cannot be checked and is
sent again, with a warning in the log.

Settings (``bots.outgoing-mail`` in config/o2c.yaml): ``sender``, ``smtp`` (host, port,
security, user, password_secret, ca_file, insecure, timeout) and ``imap`` (host, port,
security, user, password_secret, ca_file, insecure, sent_folder).

This module is runtime: it imports no bot.
"""

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY   # CRLF line ends, as SMTP DATA and IMAP APPEND want
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bots.runtime.clock import Clock, SystemClock
from bots.runtime.errors import ApplicationException, BusinessException
from bots.runtime.logs import get_logger

log = get_logger(__name__)

SECURITY = ("starttls", "ssl", "plain")
DEFAULT_LANGUAGE = "en"


# --- settings ---------------------------------------------------------------------------


@dataclass
class ServerSettings:
    """Where one mail server listens and how to log on to it."""

    host: str
    port: int
    security: str = "starttls"
    user: str | None = None
    password_secret: str = "smtp_password"
    ca_file: str | None = None
    insecure: bool = False          # skip certificate checks: test servers only
    timeout: float = 30.0
    password: str | None = None     # filled from the secret when the server is first used

    def __post_init__(self):
        if self.security not in SECURITY:
            raise ValueError(f"mail server security {self.security!r} is not one of {', '.join(SECURITY)}")
        self.port = int(self.port)

    def resolved_password(self) -> str | None:
        if self.user and self.password is None:
            from bots.runtime.config import secret

            self.password = secret(self.password_secret)
        return self.password

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_file or None)
        if self.insecure:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


@dataclass
class MailSettings:
    """The sending account: SMTP to send, IMAP (optional) for the copy in Sent."""

    sender: str
    smtp: ServerSettings
    imap: ServerSettings | None = None
    sent_folder: str = "Sent"
    database_url: str | None = None


def mail_settings(settings) -> MailSettings:
    """``MailSettings`` from ``load_settings()``'s ``bots.outgoing-mail`` section.

    :raises ValueError: no sender or SMTP host, or an unknown key (the message names it).
    """
    own = settings.bot("outgoing-mail")
    unknown = set(own) - {"sender", "smtp", "imap"}
    if unknown:
        raise ValueError("bots.outgoing-mail has unknown setting(s) " + ", ".join(sorted(unknown)))
    if not own.get("sender") or not (own.get("smtp") or {}).get("host"):
        raise ValueError("outgoing mail needs bots.outgoing-mail.sender and bots.outgoing-mail.smtp.host")
    smtp = ServerSettings(**{"port": 587, **own["smtp"]})
    imap_own = dict(own.get("imap") or {})
    sent_folder = imap_own.pop("sent_folder", "Sent")
    imap = ServerSettings(**{"port": 993, "security": "ssl", "password_secret": "mail_imap_password",
                             **imap_own}) if imap_own else None
    return MailSettings(sender=own["sender"], smtp=smtp, imap=imap, sent_folder=sent_folder,
                        database_url=settings.database_url)


# --- building a message -----------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/pdf"


def compose(*, sender: str, to: list[str], subject: str, text: str, html: str | None = None,
            attachments: list[Attachment] = (), cc: list[str] = (), reply_to: str | None = None) -> EmailMessage:
    """A MIME message with a plain-text body (and an HTML alternative), attachments and a fresh Message-ID."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "o2c-bots.invalid"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        main, _, sub = attachment.mime_type.partition("/")
        message.add_attachment(attachment.content, maintype=main, subtype=sub or "octet-stream",
                               filename=attachment.filename)
    return message


def render_bodies(folder: str | Path, name: str, language: str, context: dict) -> tuple[str, str, str | None]:
    """(subject, text, html or None) from the templates ``name`` in ``folder`` for ``language``."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    folder = Path(folder)
    chosen = template_language(folder, name, language)
    loader = FileSystemLoader(str(folder))
    plain = Environment(loader=loader, autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)
    text_template = plain.get_template(f"{name}.{chosen}.txt.j2")
    blocks = text_template.new_context(dict(context))
    subject = "".join(text_template.blocks["subject"](blocks)).strip()
    text = "".join(text_template.blocks["body"](blocks)).strip() + "\n"
    html = None
    if (folder / f"{name}.{chosen}.html.j2").is_file():
        escaped = Environment(loader=loader, autoescape=select_autoescape(default=True), undefined=StrictUndefined)
        html = escaped.get_template(f"{name}.{chosen}.html.j2").render(**context)
    return subject, text, html


def template_language(folder: Path, name: str, language: str | None) -> str:
    """The language whose template exists: ``de-CH``, else ``de``, else English."""
    wanted = (language or DEFAULT_LANGUAGE).replace("_", "-")
    for candidate in (wanted, wanted.split("-")[0].lower(), DEFAULT_LANGUAGE):
        if (Path(folder) / f"{name}.{candidate}.txt.j2").is_file():
            return candidate
    raise FileNotFoundError(f"no template {name}.{DEFAULT_LANGUAGE}.txt.j2 in {folder}")


def render_message(folder: str | Path, name: str, language: str, context: dict, *, sender: str, to: list[str],
                   attachments: list[Attachment] = (), **headers) -> EmailMessage:
    """``compose`` with the subject and bodies rendered from the templates ``name``."""
    subject, text, html = render_bodies(folder, name, language, context)
    return compose(sender=sender, to=to, subject=subject, text=text, html=html, attachments=attachments, **headers)


# --- sending exactly once ---------------------------------------------------------------


@dataclass
class Outcome:
    """What ``send_once`` did: the message's key, Message-ID and state; ``sent_now`` if it went out in this call."""

    key: str
    message_id: str
    state: str
    sent_now: bool = False
    found_in_sent: bool = False
    error: str | None = None


@dataclass
class OutgoingMail:
    """Sends messages over SMTP exactly once each, with a copy in the Sent folder."""

    settings: MailSettings
    sessions: sessionmaker
    clock: Clock = field(default_factory=SystemClock)
    # Called with the name of each step as it completes; tests stop the process there.
    on_step: Callable[[str], None] = lambda step: None

    @classmethod
    def open(cls, settings: MailSettings, *, engine=None, clock: Clock | None = None, **kwargs) -> "OutgoingMail":
        """Open the store (``settings.database_url``, schema upgraded) to send from."""
        from bots.runtime.store.engine import make_engine, upgrade

        if engine is None:
            engine = make_engine(settings.database_url)
            upgrade(engine)
        return cls(settings, sessionmaker(engine, expire_on_commit=False), clock or SystemClock(), **kwargs)

    def send_once(self, key: str, message: EmailMessage, *, purpose: str, meta: dict | None = None,
                  on_done: Callable[[Session, object], None] | None = None) -> Outcome:
        """Send ``message`` unless a message with ``key`` was sent before; finish one left half-way.

        :param key: what the message is for; the same key never goes out twice.
        :param on_done: writes the caller's own records in the transaction that marks it done.
        :raises ApplicationException: a mail server could not be reached (the intent stays; try again).
        """
        record, fresh = self._record_intent(key, message, purpose, meta or {})
        return self._finish(record, on_done, fresh=fresh)

    def finish_pending(self, purpose: str | None = None,
                       on_done: Callable[[Session, object], None] | None = None) -> list[Outcome]:
        """Finish every message a killed run left in ``intent`` or ``sent`` (of ``purpose``)."""
        from bots.runtime.store.models import OutgoingMessage

        with self.sessions() as session:
            query = select(OutgoingMessage.key).where(OutgoingMessage.state.in_(("intent", "sent")))
            if purpose:
                query = query.where(OutgoingMessage.purpose == purpose)
            keys = list(session.scalars(query.order_by(OutgoingMessage.id)))
        outcomes = []
        for key in keys:
            with self.sessions() as session:
                record = session.scalars(select(OutgoingMessage).where(OutgoingMessage.key == key)).one()
            outcomes.append(self._finish(record, on_done))
        return outcomes

    def lookup(self, key: str):
        """The stored message with ``key``, or None."""
        from bots.runtime.store.models import OutgoingMessage

        with self.sessions() as session:
            return session.scalars(select(OutgoingMessage).where(OutgoingMessage.key == key)).one_or_none()

    # -- the steps ------------------------------------------------------------------------

    def _record_intent(self, key: str, message: EmailMessage, purpose: str, meta: dict):
        from bots.runtime.store.models import OutgoingMessage

        existing = self.lookup(key)
        if existing is not None:
            return existing, False
        recipients = [address for _, address in
                      getaddresses([str(v) for h in ("To", "Cc", "Bcc") for v in message.get_all(h) or []]) if address]
        if not recipients:
            raise BusinessException("mail_no_recipient", f"message {key!r} has no recipient address")
        bcc = message.get_all("Bcc")
        if bcc:
            del message["Bcc"]          # envelope only: never in the text the recipients see
        record = OutgoingMessage(
            key=key, message_id=message["Message-ID"], purpose=purpose, state="intent",
            sender=parseaddr(message["From"])[1], recipients=recipients, subject=str(message["Subject"] or ""),
            raw=message.as_bytes(policy=SMTP_POLICY), created_at=self.clock.now(), found_in_sent=False, meta=meta)
        try:
            with self.sessions.begin() as session:
                session.add(record)
        except IntegrityError:
            # Another worker recorded this key a moment ago: finish what it recorded.
            return self.lookup(key), False
        log.info("mail intent recorded", key=key, message_id=record.message_id, recipients=len(recipients))
        self.on_step("intent_recorded")
        return record, True

    def _finish(self, record, on_done, *, fresh: bool = False) -> Outcome:
        """Take ``record`` from where it stands to done; ``fresh``: its intent was recorded by this call."""
        if record.state in ("done", "refused"):
            return Outcome(record.key, record.message_id, record.state, found_in_sent=record.found_in_sent,
                           error=record.error)
        sent_now = found = False
        if record.state == "intent":
            found = False if fresh else self._in_sent_folder(record)
            if not found:
                refused = self._smtp_send(record)
                if refused:
                    self._set(record, state="refused", error=refused)
                    return Outcome(record.key, record.message_id, "refused", error=refused)
                sent_now = True
                self.on_step("smtp_sent")
            self._set(record, state="sent", sent_at=self.clock.now(), found_in_sent=found)
            self.on_step("sent_recorded")
        if not found:
            self._copy_to_sent(record)
            self.on_step("copied_to_sent")
        self._set(record, state="done", done_at=self.clock.now(), on_done=on_done)
        log.info("mail done", key=record.key, message_id=record.message_id, sent_now=sent_now, found_in_sent=found)
        return Outcome(record.key, record.message_id, "done", sent_now=sent_now, found_in_sent=found)

    def _set(self, record, *, on_done=None, **values) -> None:
        from bots.runtime.store.models import OutgoingMessage

        with self.sessions.begin() as session:
            row = session.get(OutgoingMessage, record.id)
            for name, value in values.items():
                setattr(row, name, value)
                setattr(record, name, value)
            if on_done is not None:
                on_done(session, row)

    def _smtp_send(self, record) -> str | None:
        """Send the stored text; return the server's refusal (a business error), or None when accepted."""
        server = self.settings.smtp
        try:
            if server.security == "ssl":
                client = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout,
                                          context=server.ssl_context())
            else:
                client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
            with client:
                if server.security == "starttls":
                    client.starttls(context=server.ssl_context())
                if server.user:
                    client.login(server.user, server.resolved_password() or "")
                client.sendmail(record.sender, list(record.recipients), record.raw)
        except smtplib.SMTPRecipientsRefused as error:
            return "the mail server refused every recipient: " + ", ".join(sorted(error.recipients))
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            if 500 <= error.smtp_code < 600:
                return f"the mail server refused the message: {error.smtp_code} {error.smtp_error!r}"
            raise ApplicationException("smtp_busy", f"the mail server deferred the message: {error}") from error
        except smtplib.SMTPAuthenticationError as error:
            raise ApplicationException("smtp_login", f"SMTP login as {server.user!r} refused: {error}") from error
        except (smtplib.SMTPException, OSError, ssl.SSLError, socket.timeout) as error:
            raise ApplicationException("smtp_unreachable",
                                       f"cannot send through {server.host}:{server.port}: {error}") from error
        log.info("mail sent", key=record.key, message_id=record.message_id, server=f"{server.host}:{server.port}")
        return None

    def _in_sent_folder(self, record) -> bool:
        """Whether a copy of ``record`` is in the Sent folder (a run died after sending it)."""
        if self.settings.imap is None:
            log.warning("mail intent left by an earlier run cannot be checked without an IMAP account; sending it",
                        key=record.key, message_id=record.message_id)
            return False
        with self._imap() as client:
            folder = self.settings.sent_folder
            if not client.folder_exists(folder):
                return False
            client.select_folder(folder, readonly=True)
            return bool(client.search(["HEADER", "Message-ID", record.message_id]))

    def _copy_to_sent(self, record) -> None:
        if self.settings.imap is None:
            return
        with self._imap() as client:
            folder = self.settings.sent_folder
            if not client.folder_exists(folder):
                client.create_folder(folder)
            else:
                client.select_folder(folder, readonly=True)
                if client.search(["HEADER", "Message-ID", record.message_id]):
                    return      # a run killed after appending it
            client.append(folder, record.raw, flags=[b"\\Seen"], msg_time=_naive(record.sent_at or self.clock.now()))

    def _imap(self):
        from imapclient import IMAPClient
        from imapclient.exceptions import IMAPClientError

        server = self.settings.imap
        try:
            client = IMAPClient(server.host, port=server.port, ssl=server.security == "ssl",
                                ssl_context=server.ssl_context() if server.security == "ssl" else None,
                                timeout=server.timeout)
            if server.security == "starttls":
                client.starttls(server.ssl_context())
            client.login(server.user, server.resolved_password() or "")
        except (IMAPClientError, OSError, ssl.SSLError, socket.timeout) as error:
            raise ApplicationException("imap_unreachable",
                                       f"cannot open the Sent folder on {server.host}:{server.port}: {error}") from error
        return _LoggedOut(client)


class _LoggedOut:
    """An IMAPClient that logs out when the ``with`` block ends."""

    def __init__(self, client):
        self.client = client

    def __enter__(self):
        return self.client

    def __exit__(self, *exc):
        try:
            self.client.logout()
        except Exception:  # the connection may already be gone; closing must not fail
            pass


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo else moment
