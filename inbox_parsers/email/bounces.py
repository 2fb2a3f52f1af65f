"""Delivery status notifications: which recipient of which message of ours did not get it, and why.

Usage::

    from inbox_parsers.email.bounces import parse_bounce

    bounce = parse_bounce(raw_bytes)          # None: not a bounce at all
    for recipient in bounce.failed:           # Action: failed (delayed and delivered are not)
        recipient.address, recipient.status, recipient.diagnostic
    bounce.original_message_id                # to find the message we sent

Two shapes are read:

- **RFC 3464** (Postfix, Exim, Sendmail, Exchange, Gmail...): a ``multipart/report;
  report-type=delivery-status`` whose ``message/delivery-status`` part (or RFC 6533's
  ``message/global-delivery-status``) holds a block of per-message fields and one block per
  recipient (Final-Recipient, Action, Status, Diagnostic-Code, Remote-MTA); the original
  message, or only its headers, follows as ``message/rfc822`` or ``text/rfc822-headers``.
- **Plain-text bounces** (qmail, Exim without DSN, old gateways): sent by MAILER-DAEMON or
  postmaster or titled like a bounce, naming the failed addresses in the text and quoting the
  original below a marker. ``standard`` is False; the addresses and codes are read from the
  text, and a warning that says "delayed" or "will retry" makes them ``delayed``.

Pure: bytes in, a ``Bounce`` out; nothing here knows what we sent.
"""

import base64
import binascii
import email
import email.utils
import quopri
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from email.parser import HeaderParser

from inbox_parsers.email.message import check_is_email, decode_header, part_text

BOUNCE_SUBJECT = re.compile(
    r"(?i)(?:undeliverable|undelivered\s+mail|delivery\s+status\s+notification|mail\s+delivery\s+(?:failed|failure|subsystem)"
    r"|returned\s+mail|delivery\s+(?:has\s+)?failed|failure\s+notice|non[\s-]?delivery"
    r"|unzustellbar|nicht\s+zustellbar|non\s+remis|impossible\s+de\s+remettre|no\s+se\s+puede\s+entregar|onbestelbaar"
    r"|non\s+recapitabile|n[ãa]o\s+entregue)"
)
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "bounce", "bounces")
# Where a plain-text bounce starts quoting the original message.
_COPY_MARKER = re.compile(
    r"(?im)^\s*(?:-{2,}\s*)?(?:below\s+this\s+line\s+is\s+a\s+copy|this\s+is\s+a\s+copy\s+of\s+the\s+message|"
    r"original\s+message\s+(?:follows|headers)|the\s+original\s+message\s+was|-+\s*original\s+message\s*-+|"
    r"-+\s*(?:the\s+)?(?:original|returned)\s+message\s*-+)")
_ADDRESS = re.compile(r"<?([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)>?")
_STATUS = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
_SMTP_CODE = re.compile(r"(?<!\d)([45]\d\d)[ -]")
_DELAYED_TEXT = re.compile(
    r"(?i)\b(?:delayed|has\s+not\s+yet\s+been\s+delivered|will\s+(?:continue\s+to\s+)?(?:retry|try)|still\s+trying"
    r"|temporary\s+(?:failure|error|problem)|no\s+action\s+is\s+required|warning:\s*message)\b")
_MESSAGE_ID_LINE = re.compile(r"(?im)^\s*message-id:\s*(<[^>\s]+>)")
_HEADER_LINE = re.compile(r"(?im)^(subject|to):[ \t]*(.*(?:\n[ \t]+.*)*)")


@dataclass(frozen=True)
class BouncedRecipient:
    """One recipient a report is about.

    ``action`` is RFC 3464's: failed, delayed, delivered, relayed or expanded. ``status`` the
    enhanced code (5.1.1), "" when the report gave none; ``diagnostic`` the remote server's words.
    """

    address: str
    action: str
    status: str = ""
    diagnostic: str = ""
    remote_mta: str = ""

    @property
    def permanent(self) -> bool:
        return self.action == "failed"


@dataclass(frozen=True)
class Bounce:
    """A delivery report about one message we sent."""

    message_id: str                     # the report's own Message-ID, "" when it has none
    date: datetime | None
    sender: str                         # who sent the report (MAILER-DAEMON@...)
    subject: str
    reporting_mta: str
    original_message_id: str            # the Message-ID of our message, "" when the report lost it
    original_subject: str
    original_recipients: tuple[str, ...]
    recipients: tuple[BouncedRecipient, ...]
    standard: bool                      # True for an RFC 3464 report, False for a plain-text one
    warnings: tuple[str, ...] = field(default=())

    @property
    def failed(self) -> list[BouncedRecipient]:
        """The recipients the message will never reach."""
        return [recipient for recipient in self.recipients if recipient.permanent]


def parse_bounce(raw: bytes) -> Bounce | None:
    """The delivery report in ``raw``, or None when the message is not one.

    :raises inbox_parsers.errors.InputError: when ``raw`` is not an email at all.
    """
    check_is_email(raw)
    message = email.message_from_bytes(raw)
    report = _delivery_status_part(message)
    if report is not None:
        return _standard(message, report)
    if _looks_like_bounce(message):
        return _plain_text(message)
    return None


# --- RFC 3464 -----------------------------------------------------------------------------


def _delivery_status_part(message: Message) -> Message | None:
    for part in message.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            return part
    return None


def _standard(message: Message, report: Message) -> Bounce:
    per_message, *per_recipient = _field_blocks(report)
    warnings = []
    recipients = []
    for block in per_recipient:
        address = _address_field(block.get("Final-Recipient")) or _address_field(block.get("Original-Recipient"))
        if not address:
            continue
        recipients.append(BouncedRecipient(
            address=address, action=_one_line(block.get("Action")).lower() or _action_from(block.get("Status")),
            status=_status(block.get("Status")), diagnostic=_after_type(block.get("Diagnostic-Code")),
            remote_mta=_after_type(block.get("Remote-MTA"))))
    if not recipients:
        warnings.append("the delivery report names no recipient")
    original = _original_headers(message)
    return _bounce(message, reporting_mta=_after_type(per_message.get("Reporting-MTA")), original=original,
                   recipients=recipients, standard=True, warnings=warnings)


def _field_blocks(report: Message) -> list[Message]:
    """The per-message block, then one block per recipient, as header mappings."""
    payload = report.get_payload()
    if report.get_content_type() == "message/delivery-status" and isinstance(payload, list) and payload:
        blocks = payload  # Python splits this type into its blocks itself
    else:
        parser = HeaderParser()
        blocks = [parser.parsestr(chunk.strip() + "\n") for chunk in re.split(r"\r?\n[ \t]*\r?\n", _report_text(report))
                  if chunk.strip()]
    return blocks or [Message()]


def _report_text(report: Message) -> str:
    """The text of a global-delivery-status part, which Python takes for one attached message."""
    payload = report.get_payload()
    text = "".join(inner.as_string() for inner in payload) if isinstance(payload, list) else str(payload)
    encoding = str(report.get("Content-Transfer-Encoding", "")).strip().lower()
    try:
        if encoding == "base64":
            return base64.b64decode(text).decode("utf-8", "replace")
        if encoding == "quoted-printable":
            return quopri.decodestring(text.encode("ascii", "replace")).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""
    return text


def _original_headers(message: Message) -> Message | None:
    """The headers of our message the report carries back, if it does."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                return inner[0]
            if isinstance(inner, str):
                return HeaderParser().parsestr(inner)
        if kind in ("text/rfc822-headers", "text/global-headers"):
            return HeaderParser().parsestr(part_text(part))
    return None


# --- plain-text bounces --------------------------------------------------------------------


def _looks_like_bounce(message: Message) -> bool:
    sender = email.utils.parseaddr(decode_header(message.get("From", "")))[1].lower()
    titled = bool(BOUNCE_SUBJECT.search(decode_header(message.get("Subject", ""))))
    return sender.split("@")[0] in _DAEMONS or titled


def _plain_text(message: Message) -> Bounce:
    text = "\n".join(part_text(part) for part in message.walk()
                     if part.get_content_type() == "text/plain" and not part.get_filename())
    marker = _COPY_MARKER.search(text)
    report, quoted = (text[:marker.start()], text[marker.end():]) if marker else (text, "")
    original = _original_headers(message)
    if original is None and quoted:
        original = _quoted_headers(quoted)
    report_sender = email.utils.parseaddr(decode_header(message.get("From", "")))[1].lower()
    delayed = bool(_DELAYED_TEXT.search(report)) or bool(re.search(r"(?i)\bwarning\b", decode_header(message.get("Subject", ""))))
    recipients, seen = [], {report_sender}
    for found in _ADDRESS.finditer(report):
        address = found.group(1).strip(".").lower()
        if address in seen or address.split("@")[0] in _DAEMONS:
            continue
        seen.add(address)
        context = _said_about(report[found.end():found.end() + 400], address)
        status = _STATUS.search(context)
        code = _SMTP_CODE.search(context)
        if not (status or code) and not _addresses_listed(report, found):
            continue  # an address the text mentions in passing, not one it reports on
        permanent = not delayed and not (status and status.group(1).startswith("4")) \
            and not (code and not status and code.group(1).startswith("4"))
        recipients.append(BouncedRecipient(
            address=address, action="failed" if permanent else "delayed",
            status=status.group(1) if status else "", diagnostic=" ".join(context.split())[:300]))
    warnings = [] if recipients else ["the bounce names no recipient address"]
    return _bounce(message, reporting_mta="", original=original, recipients=recipients, standard=False,
                   warnings=warnings)


def _said_about(after: str, address: str) -> str:
    """The text after an address up to the next other address (Exim names the same one again)."""
    for following in _ADDRESS.finditer(after):
        if following.group(1).strip(".").lower() != address:
            return after[:following.start()]
    return after


def _addresses_listed(report: str, found: re.Match) -> bool:
    """Whether the address stands on a line of its own (how qmail and Exim list the failed ones)."""
    start = report.rfind("\n", 0, found.start()) + 1
    end = report.find("\n", found.end())
    line = report[start:end if end >= 0 else len(report)].strip().rstrip(":")
    return line.strip("<>") == found.group(1)


def _quoted_headers(quoted: str) -> Message:
    """Subject, To and Message-ID from the original a plain-text bounce quotes."""
    headers = Message()
    found = _MESSAGE_ID_LINE.search(quoted)
    if found:
        headers["Message-ID"] = found.group(1)
    for name, value in _HEADER_LINE.findall(quoted[:20000]):
        if name.title() not in headers:
            headers[name.title()] = " ".join(value.split())
    return headers


# --- shared --------------------------------------------------------------------------------


def _bounce(message: Message, *, reporting_mta: str, original: Message | None, recipients: list[BouncedRecipient],
            standard: bool, warnings: list[str]) -> Bounce:
    original_id = _message_id(original.get("Message-ID")) if original is not None else ""
    original_id = original_id or _message_id(message.get("X-Original-Message-ID")) \
        or _message_id(message.get("In-Reply-To"))
    return Bounce(
        message_id=_message_id(message.get("Message-ID")), date=_date(message.get("Date")),
        sender=email.utils.parseaddr(decode_header(message.get("From", "")))[1].lower(),
        subject=decode_header(message.get("Subject", "")), reporting_mta=reporting_mta,
        original_message_id=original_id,
        original_subject=decode_header(original.get("Subject", "")) if original is not None else "",
        original_recipients=tuple(address.lower() for _, address in email.utils.getaddresses(
            [str(v) for h in ("To", "Cc") for v in (original.get_all(h) or [])] if original is not None else [])
            if address),
        recipients=_unique(recipients), standard=standard, warnings=tuple(warnings))


def _unique(recipients: list[BouncedRecipient]) -> tuple[BouncedRecipient, ...]:
    """One entry per address; a failure beats a delay reported in the same message."""
    chosen: dict[str, BouncedRecipient] = {}
    for recipient in recipients:
        if recipient.address not in chosen or (recipient.permanent and not chosen[recipient.address].permanent):
            chosen[recipient.address] = recipient
    return tuple(chosen.values())


def _address_field(value) -> str:
    """``rfc822; ap@customer.example`` -> ``ap@customer.example``."""
    text = _after_type(value)
    found = _ADDRESS.search(text)
    return found.group(1).lower() if found else ""


def _after_type(value) -> str:
    """A typed DSN field's value without its type: ``smtp; 550 5.1.1 ...`` -> ``550 5.1.1 ...``."""
    text = _one_line(value)
    kind, separator, rest = text.partition(";")
    return rest.strip() if separator and re.fullmatch(r"[A-Za-z0-9-]+", kind.strip()) else text


def _status(value) -> str:
    found = _STATUS.search(_one_line(value))
    return found.group(1) if found else ""


def _action_from(status) -> str:
    code = _status(status)
    return {"5": "failed", "4": "delayed", "2": "delivered"}.get(code[:1], "failed")


def _one_line(value) -> str:
    return " ".join(decode_header(value).split()) if value is not None else ""


def _message_id(value) -> str:
    found = re.search(r"<[^<>\s]+>", _one_line(value))
    return found.group(0) if found else ""


def _date(value) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError):
        return None
