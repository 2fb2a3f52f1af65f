"""Customer purchase orders in an email message (contract 2, ``o2c parse-email``).

Usage::

    from inbox_parsers.email import parse_email

    result = parse_email(raw_bytes, known_skus={"NW-4410", ...})
    if result["status"] == "order":
        for order in result["orders"]: ...

The result holds ``status`` ("order" or "not_order"), ``message_id``, ``from``, ``subject``,
``orders`` (contract-2 order dicts, each with ``warnings``), and two extra fields:
``reason`` (why a message is ``not_order``: "bounce", "auto-reply", "newsletter",
"automatic message", "invoice query", "quote request", "cancellation", "shipping notice",
"no order found", "empty") and
``warnings`` (attachments that could not be read, malformed MIME).

Where an order is looked for: each body (HTML before its plain-text twin), the writer's own
text before any quoted part, the quoted part only when the top holds no order and it is not
our own earlier mail or the sender's own order quoted in a follow-up (then the customer is
the writer quoted there); every attachment (CSV, XLSX, PDF, HTML, text); attached messages.
A PO that an attachment carries is taken from the attachment, not from the body's summary.

What is what, for the intake bot:
- bytes that are not an email at all (empty, binary, a PDF or zip, no header block):
  ``InputError``; ``o2c parse-email`` exits 2 with the error JSON. An exception item.
- an email with broken MIME, a 20 MB or zip attachment, an unreadable PDF: parsed as far
  as it goes; what could not be read is named in ``warnings``. When nothing readable
  holds an order the status is ``not_order`` with reason "no order found" and those
  warnings: the intake bot makes an exception item of a ``not_order`` that has warnings.
- an empty body and no attachments: ``not_order``, reason "empty".
- an order with an unknown SKU, a missing price or PO number: an order whose ``warnings``
  say so, for the exception queue.
"""

import re
from dataclasses import replace

from inbox_parsers.errors import InputError
from inbox_parsers.dates import find_dates
from inbox_parsers.email.customer import customer_name
from inbox_parsers.email.message import Attachment, Mail, read_message
from inbox_parsers.email.not_orders import bulk_reason, not_order_reason, text_reason
from inbox_parsers.email.quoting import split_quoted
from inbox_parsers.purchase_orders import Hints, html_lines, orders_from_file, orders_from_lines
from inbox_parsers.purchase_orders.labels import Header, find_currency, find_po_number, find_requested_date, read_header

__all__ = ["parse_email", "InputError"]

_DAY_FIRST_TLDS = {
    "uk": "GB", "de": "DE", "fr": "FR", "it": "IT", "es": "ES", "nl": "NL", "be": "BE", "at": "AT", "ch": "CH",
    "se": "SE", "no": "NO", "dk": "DK", "fi": "FI", "pl": "PL", "cz": "CZ", "ie": "IE", "pt": "PT", "au": "AU",
    "nz": "NZ", "in": "IN", "br": "BR", "za": "ZA", "eu": "EU", "us": "US", "ca": "CA", "mx": "MX",
}
_IGNORED_FILES = (".vcf", ".p7s", ".asc", ".sig", ".ics", "winmail.dat")  # signatures, cards, invitations
_IGNORED_TYPES = ("application/pkcs7-signature", "application/pgp-signature", "text/calendar", "text/vcard", "text/x-vcard",
                  "application/ms-tnef")
_ORDER_FILES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".pdf", ".htm", ".html")


def parse_email(raw: bytes, known_skus: set[str] | None = None) -> dict:
    """Read one email and say whether it carries purchase orders, and which (contract 2).

    :param raw: the message as bytes (RFC 5322 / MIME).
    :param known_skus: the item master's SKUs; lines with other SKUs get ``"unknown_sku": true``
        and their order a warning. Parsing never depends on it.
    :raises InputError: when ``raw`` is not an email at all.
    """
    mail = read_message(raw)
    result = {
        "status": "not_order", "message_id": mail.message_id, "from": mail.sender_email,
        "subject": mail.subject, "orders": [], "reason": None, "warnings": list(mail.warnings),
    }
    reason = not_order_reason(mail)
    if reason:
        result["reason"] = reason
        return result
    orders, top_text = _orders_in(mail, known_skus, result["warnings"])
    if orders:
        reason = text_reason(top_text, lines_found=True)
        if not reason and bulk_reason(mail) and not all(order["po_number"] for order in orders):
            reason = bulk_reason(mail)
    else:
        empty = not any((body.plain or "").strip() or (body.html or "").strip() for body in mail.bodies) \
            and not mail.attachments and not mail.attached_messages
        reason = text_reason(top_text) or bulk_reason(mail) or ("empty" if empty else "no order found")
    if reason:
        result["reason"] = reason
        return result
    for order in orders:
        order.pop("_final", None)
    result["status"], result["orders"] = "order", orders
    return result


def _orders_in(mail: Mail, known_skus, warnings: list[str], depth: int = 0) -> tuple[list[dict], str]:
    """Orders in a message's bodies, attachments and attached messages, and the writer's own text."""
    country = _country(mail.sender_email)
    body_lines = [line for body in mail.bodies for line in _body_lines(body)]
    split = split_quoted(body_lines)
    all_text = "\n".join(body_lines + [mail.subject])
    hints = Hints(country=country, currency=find_currency(body_lines), date_texts=find_dates(all_text), sent=_sent(mail))
    subject_po = find_po_number([re.sub(r"(?i)^\s*(?:(?:re|aw|fw|fwd|wg|tr)\s*:\s*)+", "", mail.subject)])

    orders: list[dict] = []
    for body in mail.bodies:
        orders += _body_orders(body, hints, known_skus, subject_po, mail)

    fallback = read_header(split.top + split.quoted)
    fallback.po_number = fallback.po_number or subject_po
    for attachment in mail.attachments:
        orders += _attachment_orders(attachment, replace(hints, fallback=fallback), known_skus, warnings)
    for inner in mail.attached_messages:
        if depth < 3:
            inner_orders, _ = _orders_in(inner, known_skus, warnings, depth + 1)
            orders += inner_orders
    orders = _unique(orders)

    writer = (mail.sender_name, mail.sender_email, split.top)
    if _is_forward(mail, split) and split.quoted_sender[1]:
        # Forwarded inline: the order (in the body or in an attachment the forward kept)
        # is the original sender's, named in the forwarded header block.
        writer = (*split.quoted_sender, split.quoted)
    for order in orders:
        if order.get("_final"):
            continue  # an order from an attached message, given its sender there
        name, address, lines = order.pop("_writer", None) or writer
        # A contact printed in the order itself beats the mailbox it came from.
        address = order["customer"]["email"] or address
        order["customer"] = {"name": customer_name(order["customer"]["name"], name, address, lines, mail.subject), "email": address}
        order["_final"] = True
    return orders, "\n".join(split.top + [mail.subject])


def _body_lines(body) -> list[str]:
    if body.html is not None and body.html.strip():
        return html_lines(body.html)
    return (body.plain or "").splitlines()


def _body_orders(body, hints: Hints, known_skus, subject_po, mail: Mail) -> list[dict]:
    """Orders in one body: the writer's text first, the quoted/forwarded part only if
    the top holds none (then the customer is the writer quoted there). HTML is tried
    before its plain-text twin."""
    renderings = []
    if body.html is not None and body.html.strip():
        renderings.append(html_lines(body.html))
    if body.plain is not None and body.plain.strip():
        renderings.append(body.plain.splitlines())
    body_hints = replace(hints, fallback=Header(po_number=subject_po, requested_date=find_requested_date([mail.subject])))
    for lines in renderings:
        split = split_quoted(lines)
        found = orders_from_lines(split.top, "body", body_hints, known_skus)
        if found:
            return found
        if split.quoted:
            name, address = split.quoted_sender
            if address and address.rsplit("@", 1)[1] in _recipient_domains(mail):
                continue  # our own earlier message quoted in a reply (a confirmation), not an order
            if _is_reply(mail) and not split.forwarded and address and address == mail.sender_email:
                continue  # the sender's own earlier order quoted in a follow-up ("any news?"), not a new one
            quoted_hints = replace(body_hints, country=_country(address) or hints.country)
            found = orders_from_lines(split.quoted, "body", quoted_hints, known_skus)
            for order in found:
                if address:
                    order["_writer"] = (name, address, split.quoted)
            if found:
                return found
    return []


def _attachment_orders(attachment: Attachment, hints: Hints, known_skus, warnings: list[str]) -> list[dict]:
    name = attachment.name
    lower = name.lower()
    if attachment.content_type.startswith(("image/", "audio/", "video/")):
        return []
    if not lower.endswith(_ORDER_FILES) and attachment.content_type not in (
            "text/csv", "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
        if lower.endswith((".zip", ".7z", ".rar", ".gz")) or "zip" in attachment.content_type:
            warnings.append(f"attachment {name}: archives are not opened")
        elif not lower.endswith(_IGNORED_FILES) and not attachment.content_type.startswith(_IGNORED_TYPES):
            warnings.append(f"attachment {name}: a {attachment.content_type} file is not read for orders")
        return []
    try:
        return orders_from_file(name, attachment.data, known_skus, hints)
    except InputError as error:
        warnings.append(f"attachment {name}: {error.message}")
        return []


def _unique(orders: list[dict]) -> list[dict]:
    """One order per PO: where the body repeats (or sums up) a PO that an attachment
    carries, the attachment, the buyer's formal document, stands; exact repeats go."""
    attached = {o["po_number"] for o in orders if o["source"] != "body" and o["po_number"]}
    seen, out = set(), []
    for order in orders:
        if order["source"] == "body" and order["po_number"] in attached:
            continue
        key = (order["po_number"], tuple((line["sku"], line["quantity"]) for line in order["lines"]))
        if key not in seen:
            seen.add(key)
            out.append(order)
    return out


def _is_forward(mail: Mail, split) -> bool:
    """True for a message that forwards another inline (a forward marker, or a "Fwd:" subject
    over a quoted header block)."""
    return split.forwarded or bool(re.match(r"(?i)^\s*(?:fw|fwd|wg|tr|vb|enc)\s*:", mail.subject))


def _is_reply(mail: Mail) -> bool:
    return bool(re.match(r"(?i)^\s*(?:re|aw|sv|antw|r)\s*:", mail.subject))


def _recipient_domains(mail: Mail) -> set[str]:
    import email.utils

    addresses = email.utils.getaddresses([mail.header("To"), mail.header("Cc")])
    return {address.rsplit("@", 1)[1].lower() for _, address in addresses if "@" in address}


def _sent(mail: Mail):
    """The day the email was sent (its Date header), or None."""
    import email.utils

    try:
        return email.utils.parsedate_to_datetime(mail.header("Date")).date()
    except (TypeError, ValueError, IndexError):
        return None


def _country(address: str | None) -> str | None:
    if not address or "." not in address:
        return None
    return _DAY_FIRST_TLDS.get(address.rsplit(".", 1)[1].lower())
