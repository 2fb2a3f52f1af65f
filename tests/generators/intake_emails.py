"""Email messages for the intake-bot tests: orders with known truth, forwards, and the bad input mailboxes get.

Each builder returns the raw bytes of one RFC 5322 message.
"""

import io
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone

SKUS = ("NW-4410", "NW-2205", "NW-3108")


def order_email(po: str, *, buyer: str = "buyer@pinecrest.example", customer: str = "Pinecrest Grocers",
                lines=(("NW-4410", "24", "18.75"),), message_id: str | None = None,
                attachment: bool = True) -> bytes:
    """A purchase order from ``buyer``: a CSV attachment, or a plain-text table in the body."""
    message = _base(buyer, f"Purchase order {po}", message_id)
    intro = f"Hello,\n\nplease find our purchase order {po} for {customer}.\nDeliver by: 2026-12-15\n"
    if attachment:
        message.set_content(intro + "\nRegards,\nPurchasing\n")
        csv_text = "PO Number,Customer,SKU,Description,Quantity,Unit Price\n" + "".join(
            f"{po},{customer},{sku},Item {sku},{qty},{price}\n" for sku, qty, price in lines
        )
        message.add_attachment(csv_text.encode(), maintype="text", subtype="csv", filename=f"PO{po}.csv")
    else:
        body = intro + f"PO Number: {po}\n\n{'Item':<10}{'Description':<18}{'Qty':>6}{'Unit Price':>12}\n" + "".join(
            f"{sku:<10}{'Item ' + sku:<18}{qty:>6}{price:>12}\n" for sku, qty, price in lines
        )
        message.set_content(body)
    return bytes(message)


def forwarded(original: bytes, forwarder: str = "sales.rep@seller.example") -> bytes:
    """``original`` forwarded as an attachment (message/rfc822) under a new Message-ID."""
    from email import message_from_bytes, policy

    inner = message_from_bytes(original, policy=policy.default)
    message = _base(forwarder, "Fwd: " + str(inner["Subject"]), None)
    message.set_content("FYI, order from our customer below.\n")
    message.add_attachment(inner)
    return bytes(message)


def forwarded_inline(original: bytes, forwarder: str = "sales.rep@seller.example") -> bytes:
    """``original`` forwarded inline, the way most mail clients do: quoted header block, body,
    and its attachments carried over to the forward."""
    from email import message_from_bytes, policy

    inner = message_from_bytes(original, policy=policy.default)
    body = inner.get_body(("plain",)).get_content()
    message = _base(forwarder, "Fwd: " + str(inner["Subject"]), None)
    message.set_content(
        "Please enter this one.\n\n---------- Forwarded message ---------\n"
        f"From: Buyer <{inner['From']}>\nDate: {inner['Date']}\nSubject: {inner['Subject']}\n"
        f"To: {inner['To']}\n\n{body}"
    )
    for part in inner.iter_attachments():
        message.add_attachment(part.get_content().encode() if isinstance(part.get_content(), str)
                               else part.get_content(), maintype=part.get_content_maintype(),
                               subtype=part.get_content_subtype(), filename=part.get_filename())
    return bytes(message)


def out_of_office(sender: str = "buyer@pinecrest.example") -> bytes:
    message = _base(sender, "Automatic reply: Out of office", None)
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("I am out of the office until December 1 with no access to email.\n")
    return bytes(message)


def malformed_mime() -> bytes:
    """A multipart message whose boundary never appears and whose headers are garbled."""
    return (
        b"From: broken@example.com\r\nSubject: =?utf-8?B?notbase64!!?=\r\n"
        b"Message-ID: <broken-1@example.com>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=\"missing\"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n\x00\xff\xfe garbage \x00 that is not base64 %%%\r\n"
    )


def empty_body() -> bytes:
    return b"From: nobody@example.com\r\nSubject: \r\nMessage-ID: <empty-1@example.com>\r\n\r\n"


def empty_message() -> bytes:
    return b""


def zip_attachment() -> bytes:
    """An order zipped up: we do not unpack archives, so a person has to look."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("PO777.csv", "PO Number,SKU,Quantity\n777,NW-4410,5\n")
    message = _base("buyer@zipco.example", "Orders attached", None)
    message.set_content("Our orders are in the attached archive.\n")
    message.add_attachment(buffer.getvalue(), maintype="application", subtype="zip", filename="orders.zip")
    return bytes(message)


def huge_attachment(megabytes: int = 20) -> bytes:
    message = _base("buyer@bigfiles.example", "PO 99887 with drawings", None)
    message.set_content("PO 99887, drawings attached.\n")
    message.add_attachment(b"\x89PNG" + b"\x00" * (megabytes * 1024 * 1024), maintype="image", subtype="png",
                           filename="drawing.png")
    return bytes(message)


def _base(sender: str, subject: str, message_id: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "orders@seller.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc))
    message["Message-ID"] = message_id or make_msgid(domain=sender.split("@")[-1])
    return message
