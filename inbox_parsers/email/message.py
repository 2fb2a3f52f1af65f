"""One email message, opened safely: headers decoded, bodies and attachments listed.

Reads any MIME structure Python's parser accepts (it is lenient: broken boundaries and
bad base64 become defects, not errors), decodes quoted-printable and base64 and every
charset, and sorts the parts into bodies (a plain-text and/or HTML rendering of the
same text), attachments (name, type, bytes) and attached messages (message/rfc822,
i.e. forwarded as attachment). Inline images and other media are left out.
"""

import email
import email.errors
import email.header
import email.utils
import re
from dataclasses import dataclass, field
from email.message import Message

from inbox_parsers.errors import InputError

_NOT_EMAIL_MAGIC = {
    b"%PDF": "a PDF file", b"PK\x03\x04": "a zip archive (or Office file)", b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image", b"\xff\xd8\xff": "a JPEG image", b"\xd0\xcf\x11\xe0": "an old Office file",
    b"\x1f\x8b": "a gzip archive",
}
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]?")
_EMAIL_HEADERS = {"from", "to", "subject", "date", "message-id", "received", "mime-version", "return-path", "sender", "cc"}


@dataclass
class Body:
    """The text of a message body: its plain-text and/or its HTML rendering."""

    plain: str | None = None
    html: str | None = None


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class Mail:
    """What a message holds, decoded."""

    message: Message
    message_id: str | None
    sender_name: str | None
    sender_email: str | None
    subject: str
    bodies: list[Body] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    attached_messages: list["Mail"] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        """A header's decoded value, "" when absent."""
        return decode_header(self.message.get(name, ""))


def read_message(raw: bytes, name: str | None = None) -> Mail:
    """Open one RFC 5322 message. Raises ``InputError`` when the bytes are not an email."""
    check_is_email(raw, name)
    message = email.message_from_bytes(raw)
    return _mail(message)


def check_is_email(raw: bytes, name: str | None = None) -> None:
    """Raise ``InputError`` unless ``raw`` starts with a block of email headers."""
    if not raw or not raw.strip():
        raise InputError("the file is empty, not an email", name)
    for magic, kind in _NOT_EMAIL_MAGIC.items():
        if raw.startswith(magic):
            raise InputError(f"the file is {kind}, not an email", name)
    head = raw[:65536]
    if b"\x00" in head:
        raise InputError("the file is binary, not an email", name)
    lines = head.lstrip(b"\r\n").splitlines()
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]  # mbox separator line
    names = set()
    for line in lines:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue
        if not _HEADER_LINE.match(line):
            raise InputError("the file does not start with email headers (corrupt or not an email)", name)
        names.add(line.split(b":", 1)[0].decode("ascii", "replace").lower())
    if not names & _EMAIL_HEADERS:
        raise InputError("the file has no email headers (From, To, Subject, Date...), not an email", name)


def decode_header(value) -> str:
    """A header value with its encoded words (=?utf-8?q?...?=) decoded."""
    if value is None:
        return ""
    try:
        text = str(email.header.make_header(email.header.decode_header(str(value))))
    except (UnicodeError, LookupError, email.errors.HeaderParseError, ValueError):
        text = str(value)
    return " ".join(text.split())


def part_text(part: Message) -> str:
    """A text part's content as str, whatever its transfer encoding and charset."""
    data = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or ""
    for candidate in (charset, "utf-8", "cp1252"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _mail(message: Message) -> Mail:
    name, address = email.utils.parseaddr(decode_header(message.get("From", "")))
    mail = Mail(
        message=message,
        message_id=(decode_header(message.get("Message-ID", "")) or None),
        sender_name=name.strip().strip('"') or None,
        sender_email=address.strip().lower() or None,
        subject=decode_header(message.get("Subject", "")),
    )
    if message.defects:
        mail.warnings.append("malformed MIME: " + ", ".join(sorted({type(d).__name__ for d in message.defects})))
    _collect(message, mail, depth=0)
    return mail


def _collect(part: Message, mail: Mail, depth: int) -> None:
    if depth > 20:
        mail.warnings.append("MIME nesting too deep; inner parts ignored")
        return
    content_type = part.get_content_type()
    if content_type == "message/rfc822" or (content_type.startswith("message/") and isinstance(part.get_payload(), list)):
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            mail.attached_messages.append(_mail(inner))
        return
    if part.is_multipart():
        if content_type == "multipart/alternative":
            body = Body()
            for sub in part.get_payload():
                sub_type = sub.get_content_type()
                if sub_type == "text/plain" and body.plain is None and not _is_attachment(sub):
                    body.plain = part_text(sub)
                elif sub_type == "text/html" and body.html is None and not _is_attachment(sub):
                    body.html = part_text(sub)
                elif sub.is_multipart():
                    inner = Mail(mail.message, None, None, None, "")
                    _collect(sub, inner, depth + 1)
                    for b in inner.bodies:
                        body.plain = body.plain if body.plain is not None else b.plain
                        body.html = body.html if body.html is not None else b.html
                    mail.attachments += inner.attachments
                    mail.attached_messages += inner.attached_messages
            if body.plain is not None or body.html is not None:
                mail.bodies.append(body)
            return
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _collect(sub, mail, depth + 1)
        return
    filename = part.get_filename()
    if filename:
        filename = decode_header(filename)
    named_file = bool(filename) and not filename.lower().endswith((".txt", ".htm", ".html"))
    if content_type in ("text/plain", "text/html") and not _is_attachment(part) and not named_file:
        text = part_text(part)
        mail.bodies.append(Body(plain=text) if content_type == "text/plain" else Body(html=text))
        return
    if content_type.startswith(("image/", "audio/", "video/")) and not _is_attachment(part):
        return  # inline images: logos and signatures
    if filename or _is_attachment(part):
        data = part.get_payload(decode=True) or b""
        mail.attachments.append(Attachment(filename or f"unnamed.{content_type.split('/')[-1]}", content_type, data))


def _is_attachment(part: Message) -> bool:
    return str(part.get("Content-Disposition", "") or "").strip().lower().startswith("attachment")
