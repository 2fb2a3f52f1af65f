"""An item's evidence files, for a person to look at: emails opened up, PDF pages as images.

The files are the ones the bots recorded in the item's ``evidence`` (a path under any key,
or in a list of ``{"file": ...}``), numbered in a fixed order; the console serves them by
item id and that number, never by a path taken from a request.
"""

import email
import email.policy
import hashlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PDF_SCALE = 1.4  # about 100 dpi: readable beside the fields, small enough to load fast
MAX_PREVIEW = 200_000
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}
TEXT_SUFFIXES = {".html", ".htm", ".xml", ".csv", ".txt", ".json", ".log", ".bai", ".bai2"}


@dataclass(frozen=True)
class EvidenceFile:
    number: int
    label: str          # the evidence key it was recorded under ("remittance", "screenshot"...)
    path: Path
    kind: str           # email, pdf, image, text, trace, file

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def evidence_files(evidence: dict) -> list[EvidenceFile]:
    """The item's evidence files that exist on this machine, numbered from 0."""
    found: list[tuple[str, Path]] = []
    for label, path in _paths(evidence or {}, ""):
        if path not in [p for _, p in found]:
            found.append((label, path))
    return [EvidenceFile(number, label, path, _kind(path)) for number, (label, path) in enumerate(found)]


def _paths(value, label: str):
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _paths(value[key], key if not label else (label if key == "file" else f"{label}.{key}"))
    elif isinstance(value, list):
        for entry in value:
            name = entry.get("name") if isinstance(entry, dict) else None
            yield from _paths(entry, f"{label}: {name}" if name else label)
    elif isinstance(value, str) and value.startswith("/") and len(value) < 4096:
        path = Path(value)
        try:
            if path.is_file():
                yield label or "file", path
        except OSError:
            return


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".eml":
        return "email"
    if suffix == ".pdf":
        return "pdf"
    if suffix in IMAGE_TYPES:
        return "image"
    if suffix == ".zip" and "trace" in path.name.lower():
        return "trace"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "file"


def preview_text(path: Path) -> str:
    """The start of a text file, decoded leniently (shown escaped, never rendered)."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_PREVIEW)
    return data.decode("utf-8", errors="replace")


# --- emails ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    number: int
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class OpenedEmail:
    headers: list[tuple[str, str]]
    text: str
    attachments: list[Attachment]


HEADERS_SHOWN = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "Reply-To")


def open_email(path: Path) -> OpenedEmail:
    message = _message(path)
    headers = [(name, str(message[name])) for name in HEADERS_SHOWN if message[name] is not None]
    text = ""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        text = _content(body)
        if body.get_content_type() == "text/html":
            text = html_to_text(text)
    attachments = [Attachment(number, name, part.get_content_type(), len(_part_bytes(part)))
                   for number, (name, part) in enumerate(_attachments(message))]
    return OpenedEmail(headers, text, attachments)


def attachment(path: Path, number: int) -> tuple[str, str, bytes] | None:
    """(name, content type, bytes) of attachment ``number`` of the email at ``path``."""
    parts = list(_attachments(_message(path)))
    if not 0 <= number < len(parts):
        return None
    name, part = parts[number]
    return name, part.get_content_type(), _part_bytes(part)


def _message(path: Path):
    return email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)


def _attachments(message):
    for number, part in enumerate(message.iter_attachments()):
        name = part.get_filename() or f"attachment-{number + 1}"
        yield name, part


def _part_bytes(part) -> bytes:
    """An attachment's bytes; an attached message or delivery report is a list of parts, written out."""
    inner = part.get_payload()
    if isinstance(inner, list):  # message/rfc822, message/delivery-status
        return b"\n".join(block.as_bytes() for block in inner)
    return part.get_payload(decode=True) or b""


def _content(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError, ValueError):
        return (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")


def html_to_text(html: str) -> str:
    """The readable text of an HTML body (shown escaped; its markup never reaches the page)."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except Exception:  # an empty or broken body: show the source as text
        return html
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    for br in tree.xpath("//br|//p|//tr|//div|//li"):
        br.tail = "\n" + (br.tail or "")
    return re.sub(r"\n\s*\n+", "\n\n", tree.text_content()).strip()


# --- PDF pages --------------------------------------------------------------------------


def pdf_page_count(data: bytes) -> int:
    return _page_count(hashlib.sha256(data).hexdigest(), data)


def pdf_page_png(data: bytes, page: int) -> bytes | None:
    """Page ``page`` (from 0) of the PDF ``data`` as a PNG, or None when there is no such page."""
    return _page_png(hashlib.sha256(data).hexdigest(), data, page)


@lru_cache(maxsize=64)
def _page_count(_digest: str, data: bytes) -> int:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return 0
    try:
        return len(document)
    finally:
        document.close()


@lru_cache(maxsize=128)
def _page_png(_digest: str, data: bytes, page: int) -> bytes | None:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return None
    try:
        if not 0 <= page < len(document):
            return None
        bitmap = document[page].render(scale=PDF_SCALE)
        image = bitmap.to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()


def pdf_text(data: bytes) -> str:
    """The PDF's text (pdfplumber), for the fields beside the page images."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return "\n\n".join(page.extract_text() or "" for page in pdf.pages[:20])
    except Exception:  # an unreadable PDF is shown as such, not an error page
        return ""
