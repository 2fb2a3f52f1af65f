"""Delivery reports as mail servers send them, each with what it says (the oracle).

``bounce_case(rng, original)`` builds one report about ``original`` (the raw bytes of a message
we sent) in one of the shapes real servers use:

- ``postfix``: RFC 3464, the whole original attached as message/rfc822;
- ``exchange``: RFC 3464, a localized "Undeliverable:" subject, HTML text, only the original's
  headers (text/rfc822-headers);
- ``gmail``: RFC 3464, "Delivery Status Notification (Failure)", the headers attached;
- ``global``: RFC 6533 message/global-delivery-status (UTF-8 text, not split by Python);
- ``qmail``: plain text "failure notice", the original quoted below a marker;
- ``exim``: plain text "Mail delivery failed", the addresses indented, the original quoted;

and with ``outcome`` ``failed`` (some or all recipients), ``delayed`` (Action: delayed, or an
Exim warning) or ``delivered`` (a success report). Field names change case, long diagnostics
are folded, line ends are CRLF or LF, Original-Recipient comes and goes.
"""

import random
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, getaddresses, make_msgid
from datetime import datetime, timedelta, timezone

SHAPES = ("postfix", "exchange", "gmail", "global", "qmail", "exim")
STANDARD = {"postfix", "exchange", "gmail", "global"}
_FAILURES = (("5.1.1", "550 5.1.1 <{a}>: Recipient address rejected: User unknown in virtual mailbox table"),
             ("5.2.2", "552 5.2.2 The email account that you tried to reach is over quota"),
             ("5.1.10", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"),
             ("5.7.1", "554 5.7.1 <{a}>: Relay access denied"),
             ("5.4.4", "550 5.4.4 Host or domain name not found. Name service error for name=example.invalid"))
_DELAYS = (("4.4.7", "421 4.4.7 Message delayed: connection timed out"),
           ("4.2.2", "452 4.2.2 Mailbox full, try again later"))
_SUBJECTS = {"en": "Undeliverable: ", "de": "Unzustellbar: ", "fr": "Non remis : ", "nl": "Onbestelbaar: ",
             "es": "No se puede entregar: "}


@dataclass
class BounceCase:
    raw: bytes
    shape: str
    outcome: str
    original_message_id: str
    failed: dict        # address -> status (may be "" for a plain-text bounce that gives none)
    delayed: set
    delivered: set
    standard: bool


def sent_message(rng: random.Random, *, sender="ar@northwind.example", to=None, subject=None) -> bytes:
    """A message as we send it: an invoice email with a small PDF-like attachment."""
    to = to or [f"{rng.choice(['ap', 'billing', 'accounts', 'invoices'])}{rng.randint(1, 999)}@"
                f"{rng.choice(['pinecrest', 'oldmill', 'harbor', 'köln-bau'.encode('idna').decode(), 'brightside'])}.example"]
    message = EmailMessage()
    message["From"] = f"Northwind AR <{sender}>"
    message["To"] = ", ".join(to)
    message["Subject"] = subject or f"Invoice INV-{rng.randint(10000, 99999)} from Northwind Supply Co."
    message["Date"] = format_datetime(datetime(2026, 11, rng.randint(1, 28), 9, 30, tzinfo=timezone.utc))
    message["Message-ID"] = make_msgid(domain="northwind.example")
    message.set_content("Dear customer,\n\nplease find our invoice attached.\n")
    message.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="invoice.pdf")
    return bytes(message)


def bounce_case(rng: random.Random, original: bytes, *, shape: str | None = None, outcome: str | None = None) -> BounceCase:
    shape = shape or rng.choice(SHAPES)
    outcome = outcome or rng.choice(("failed", "failed", "failed", "delayed", "delivered"))
    sent = message_from_bytes(original, policy=policy.default)
    recipients = [address.lower() for _, address in getaddresses([str(sent["To"])])]
    if outcome == "failed":
        count = rng.randint(1, len(recipients))
        failed = {address: rng.choice(_FAILURES) for address in rng.sample(recipients, count)}
        delayed = {}
    elif outcome == "delayed":
        failed, delayed = {}, {recipients[0]: rng.choice(_DELAYS)}
    else:
        failed, delayed = {}, {}
    if shape in ("qmail", "exim") and outcome == "delivered":
        outcome, failed = "failed", {recipients[0]: rng.choice(_FAILURES)}  # plain-text servers send no success reports
    if shape == "qmail" and outcome == "delayed":
        shape = "exim"  # qmail warns of nothing
    delivered = set(recipients) - set(failed) - set(delayed) if outcome == "delivered" else set()
    builder = {"postfix": _rfc3464, "exchange": _rfc3464, "gmail": _rfc3464, "global": _rfc3464,
               "qmail": _qmail, "exim": _exim}[shape]
    report = builder(rng, shape, sent, original, failed, delayed, delivered)
    raw = report.as_bytes()
    if rng.random() < 0.5:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    plain = shape not in STANDARD
    return BounceCase(raw=raw, shape=shape, outcome=outcome, original_message_id=str(sent["Message-ID"]),
                      failed={address: status for address, (status, _) in failed.items()},
                      delayed=set(delayed), delivered=delivered, standard=not plain)


def not_a_bounce(rng: random.Random) -> bytes:
    """Mail the sending account also gets: a customer's reply, an auto-reply, a question."""
    message = EmailMessage()
    message["From"] = rng.choice(["Jane Buyer <jane@pinecrest.example>", "ap@oldmill.example"])
    message["To"] = "ar@northwind.example"
    message["Subject"] = rng.choice(["Re: Invoice INV-10231", "Automatic reply: Invoice INV-555", "Question on statement"])
    message["Date"] = format_datetime(datetime(2026, 12, 1, tzinfo=timezone.utc))
    message["Message-ID"] = make_msgid(domain="pinecrest.example")
    message.set_content("Thanks, we received the invoice and will pay on the 15th. ap@pinecrest.example\n")
    return bytes(message)


# --- shapes ---------------------------------------------------------------------------------


def _envelope(rng, shape, sent, subject) -> MIMEMultipart:
    report = MIMEMultipart("report", report_type="delivery-status")
    domain = {"exchange": "outlook.example", "gmail": "googlemail.example"}.get(shape, "mx.northwind.example")
    report["From"] = {"exchange": f"postmaster@{domain}", "gmail": "Mail Delivery Subsystem <mailer-daemon@googlemail.example>"}.get(
        shape, f"MAILER-DAEMON@{domain} (Mail Delivery System)")
    report["To"] = str(sent["From"])
    report["Subject"] = subject
    sent_at = datetime.fromisoformat("2026-11-01T09:30:00+00:00")
    report["Date"] = format_datetime(sent_at + timedelta(days=rng.randint(0, 30), minutes=rng.randint(1, 600)))
    report["Message-ID"] = make_msgid(domain=domain)
    report["Auto-Submitted"] = "auto-replied"
    return report


def _rfc3464(rng, shape, sent, original, failed, delayed, delivered) -> Message:
    if failed:
        subject = {"exchange": rng.choice(list(_SUBJECTS.values())) + str(sent["Subject"]),
                   "gmail": "Delivery Status Notification (Failure)"}.get(shape, "Undelivered Mail Returned to Sender")
    elif delayed:
        subject = "Delivery Status Notification (Delay)" if shape == "gmail" else "Delayed Mail (still being retried)"
    else:
        subject = "Successful Mail Delivery Report" if shape != "gmail" else "Delivery Status Notification (Success)"
    report = _envelope(rng, shape, sent, subject)
    human = "This is the mail system at host mx.northwind.example.\n\nI'm sorry to have to inform you that your message " \
            "could not be delivered to one or more recipients.\n\n" + "".join(
                f"<{address}>: host mx.customer.example said: {text.format(a=address)}\n" for address, (_, text) in failed.items())
    if shape == "exchange":
        about = ", ".join(failed or delayed or delivered)
        said = "couldn't be delivered" if failed else "is delayed" if delayed else "was delivered"
        report.attach(MIMEText(f"<html><body><p><b>Your message to {about} {said}.</b></p></body></html>", "html"))
    else:
        report.attach(MIMEText(human))
    fields = _case(rng, "Reporting-MTA") + ": dns; mx.northwind.example\n"
    fields += _case(rng, "X-Postfix-Queue-ID") + ": 4Fq2" + str(rng.randint(100, 999)) + "\n" if rng.random() < 0.5 else ""
    fields += _case(rng, "Arrival-Date") + ": " + str(sent["Date"]) + "\n"
    blocks = [fields]
    for address, (status, text) in failed.items():
        blocks.append(_recipient_block(rng, address, "failed", status, text.format(a=address)))
    for address, (status, text) in delayed.items():
        blocks.append(_recipient_block(rng, address, "delayed", status, text) + _case(rng, "Will-Retry-Until")
                      + ": Fri, 4 Dec 2026 09:30:00 +0000\n")
    for address in sorted(delivered):
        blocks.append(_recipient_block(rng, address, "delivered", "2.0.0", "250 2.0.0 Ok: queued as 7F2A3"))
    status_text = "\n".join(blocks)
    if shape == "global":
        part = MIMEBase("message", "global-delivery-status")
        part.set_payload(status_text.encode("utf-8"))
        from email import encoders

        encoders.encode_7or8bit(part) if all(b < 128 for b in status_text.encode()) else encoders.encode_base64(part)
    else:
        part = message_from_bytes(b"Content-Type: message/delivery-status\n\n" + status_text.encode())
    report.attach(part)
    headers_only = shape in ("exchange", "gmail") or rng.random() < 0.3
    if headers_only:
        head = original.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in original else original.split(b"\n\n", 1)[0]
        report.attach(MIMEText(head.decode("utf-8", "replace") + "\n", "rfc822-headers"))
    else:
        inner = MIMEBase("message", "rfc822")
        inner.set_payload([message_from_bytes(original)])
        report.attach(inner)
    return report


def _recipient_block(rng, address, action, status, text) -> str:
    block = ""
    if rng.random() < 0.5:
        block += _case(rng, "Original-Recipient") + f": rfc822;{address}\n"
    block += _case(rng, "Final-Recipient") + f": rfc822; {address}\n"
    block += _case(rng, "Action") + f": {action if rng.random() < 0.8 else action.upper()}\n"
    block += _case(rng, "Status") + f": {status}\n"
    block += _case(rng, "Remote-MTA") + ": dns; mx.customer.example\n"
    diagnostic = f"smtp; {text}"
    if len(diagnostic) > 60 and rng.random() < 0.6:
        cut = diagnostic.rfind(" ", 0, 60)
        diagnostic = diagnostic[:cut] + "\n    " + diagnostic[cut + 1:]  # folded as long fields are
    return block + _case(rng, "Diagnostic-Code") + f": {diagnostic}\n"


def _qmail(rng, shape, sent, original, failed, delayed, delivered) -> Message:
    text = ("Hi. This is the qmail-send program at mx.northwind.example.\nI'm afraid I wasn't able to deliver your "
            "message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n")
    for address, (_, diagnostic) in failed.items():
        text += f"<{address}>:\n192.0.2.25 does not like recipient.\nRemote host said: {diagnostic.format(a=address)}\n" \
                "Giving up on 192.0.2.25.\n\n"
    text += "--- Below this line is a copy of the message.\n\n" + original.decode("utf-8", "replace")
    return _plain(rng, sent, "failure notice", text)


def _exim(rng, shape, sent, original, failed, delayed, delivered) -> Message:
    if failed:
        subject = "Mail delivery failed: returning message to sender"
        text = ("This message was created automatically by mail delivery software.\n\nA message that you sent could "
                "not be delivered to one or more of its\nrecipients. This is a permanent error. The following "
                "address(es) failed:\n\n")
        for address, (_, diagnostic) in failed.items():
            text += f"  {address}\n    host mx.customer.example [192.0.2.25]\n    SMTP error from remote mail server " \
                    f"after RCPT TO:<{address}>:\n    {diagnostic.format(a=address)}\n\n"
    else:
        subject = "Warning: message 1vXyZ-000ABC-3q delayed 24 hours"
        text = ("This message was created automatically by mail delivery software.\nA message that you sent has not "
                "yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on "
                "mx.northwind.example.\n\n")
        for address, (_, diagnostic) in delayed.items():
            text += f"  {address}\n    host mx.customer.example [192.0.2.25]\n    Delay reason: SMTP error from " \
                    f"remote mail server after RCPT TO:<{address}>:\n    {diagnostic}\n\n"
        text += "No action is required on your part. Delivery attempts will continue for some time.\n\n"
    text += "------ This is a copy of the message, including all the headers. ------\n\n" + original.decode("utf-8", "replace")
    return _plain(rng, sent, subject, text)


def _plain(rng, sent, subject, text) -> Message:
    message = MIMEText(text)
    message["From"] = "MAILER-DAEMON@mx.northwind.example"
    message["To"] = str(sent["From"])
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 12, rng.randint(1, 3), 8, tzinfo=timezone.utc))
    if rng.random() < 0.7:
        message["Message-ID"] = make_msgid(domain="mx.northwind.example")
    return message


def _case(rng, name: str) -> str:
    return rng.choice((name, name, name.lower(), name.upper()))
