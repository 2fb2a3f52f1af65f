"""``o2c run mail-bounces``: mail that was sent but never arrived, handed to a person.

A mail server that accepts a message may still fail to deliver it, hours later, and say so in
a delivery report (a "bounce") to the sending account. Each run:

1. reads the sending account's inbox (``bots.mail-bounces.mailbox``; default: the IMAP account
   of ``bots.outgoing-mail``), taking delivery reports only (``inbox_parsers.email.bounces``):
   customers' replies and other mail stay where they are, unread;
2. finds the message each failed recipient was sent (``outgoing_messages``, by the Message-ID
   the report carries back, else by recipient and subject);
3. puts one item per bounced message and recipient straight into the exception queue, in
   one transaction, keyed ``bounce:<report>:<address>`` so a report read twice makes one item:
   - an invoice (``invoice-delivery``): an ``invoice_delivery`` item with the delivery's
     payload and the bounced ``recipient``. A supervisor corrects the recipient and retries:
     ``invoice-delivery`` sends the invoice to the corrected address (and refuses to send it
     to the address that bounced);
   - any other mail (dunning letters, reports): a ``mail_bounce`` item to resolve or dismiss;
   - a report about a message we have no record of: ``bounce_unmatched`` (``report_unmatched``);
4. moves the report to the ``processed`` folder, after the items are committed: a run killed
   before the move reads it again and adds nothing twice.

Reports that say "delayed" (the server will keep trying) or "delivered" change nothing; a
message the server refused while we sent it is already an exception and is left alone.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from bots.bounces.sent_messages import sent_message_for
from bots.intake.mailbox import MailboxSettings, open_mailbox
from bots.runtime.bot_settings import check_keys, evidence_folder, own_section
from bots.runtime.evidence import store_evidence
from bots.runtime.logs import get_logger

log = get_logger(__name__)

BOT_NAME = "mail-bounces"
BOUNCE_KIND = "mail_bounce"
_KEYS = {"mailbox", "report_unmatched", "limit", "evidence_dir"}
_MAILBOX_KEYS = {"kind", "path", "host", "port", "user", "security", "ca_file", "insecure", "only_unseen", "timeout",
                 "folders", "password_secret"}
# bots.outgoing-mail names its IMAP security as smtplib does; the mailbox as IMAP does.
_IMAP_SECURITY = {"ssl": "tls", "starttls": "starttls", "plain": "plain"}


@dataclass
class BounceSettings:
    """The bot's settings (``bots.mail-bounces``)."""

    mailbox: MailboxSettings
    report_unmatched: bool = True
    limit: int = 500
    evidence_dir: Path = field(default_factory=lambda: Path(".o2c/evidence"))


def load_bounce_settings(settings, *, need_password: bool = True) -> BounceSettings:
    """Build the bot's settings from ``load_settings()``.

    :raises ValueError: an unknown setting, or no mailbox to read (the message says which to set).
    """
    from bots.runtime.config import secret

    own = own_section(settings, BOT_NAME, _KEYS)
    entry = dict(own.get("mailbox") or _sending_account(settings))
    check_keys(entry, _MAILBOX_KEYS, f"bots.{BOT_NAME}.mailbox")
    secret_name = entry.pop("password_secret", "mail_imap_password")
    if entry.get("kind", "folder") == "imap":
        entry["folders"] = {"processed": "Bounces", **(entry.get("folders") or {})}
        if need_password:
            entry["password"] = secret(secret_name)
    elif not entry.get("path"):
        entry["path"] = settings.home / "bounces"
        Path(entry["path"]).mkdir(parents=True, exist_ok=True)  # the embedded default: a folder of .eml files
    limit = int(own.get("limit", 500))
    if limit < 1:
        raise ValueError(f"bots.{BOT_NAME}.limit must be 1 or more, not {limit}")
    return BounceSettings(mailbox=MailboxSettings(name=BOT_NAME, **entry),
                          report_unmatched=bool(own.get("report_unmatched", True)), limit=limit,
                          evidence_dir=evidence_folder(settings, own))


def _sending_account(settings) -> dict:
    """The IMAP account ``bots.outgoing-mail`` keeps its Sent copies in: reports come to its inbox."""
    imap = dict((settings.bot("outgoing-mail") or {}).get("imap") or {})
    if not imap:
        return {"kind": "folder"}
    imap.pop("sent_folder", None)
    security = _IMAP_SECURITY.get(str(imap.pop("security", "ssl")), "tls")
    return {"kind": "imap", "security": security, **imap}


class BounceReader:
    """Turns the delivery reports in one mailbox into exception items, each report once."""

    def __init__(self, settings: BounceSettings, queue, run):
        self.settings = settings
        self.queue = queue
        self.run = run

    def read(self, mailbox) -> None:
        from inbox_parsers.email.bounces import parse_bounce
        from inbox_parsers.errors import InputError

        for number, message in enumerate(mailbox.waiting()):
            if number >= self.settings.limit:
                break
            try:
                bounce = parse_bounce(message.raw)
            except InputError:
                bounce = None  # not an email: not a report either, and not ours to judge
            if bounce is None:
                self.run.count("other_mail_left")
                continue
            evidence = store_evidence(self.settings.evidence_dir, message.raw, ".eml")
            entries = self.entries(bounce, message, evidence)
            added = self.queue.add_many(entries) if entries else []
            for item, created in added:
                self.run.count("exceptions" if created else "exceptions_already_raised")
                if created:
                    self.run.audit("raise_bounce", "workqueue", item.key, item_id=item.id,
                                   detail={"recipient": item.payload.get("recipient"), "report": message.source})
            mailbox.move(message, "processed")
            self.run.count("reports")
            self.run.audit("move", "mailbox", f"{mailbox.name}:{message.ref}", detail={"folder": "processed"})

    def entries(self, bounce, message, evidence: dict) -> list[dict]:
        """The exception items one report makes (none for delays and success reports)."""
        report_id = bounce.message_id or "sha256:" + hashlib.sha256(message.raw).hexdigest()
        if not bounce.recipients:
            return [self._entry(BOUNCE_KIND, f"bounce:{report_id}", {"report": _report(bounce, None)}, evidence,
                                ("bounce_unreadable", f"a delivery report ({bounce.subject!r} from {bounce.sender}) "
                                 "names no recipient; read it and check what was sent"), message.source)]
        entries = []
        with self.queue.session() as session:
            for recipient in bounce.recipients:
                if not recipient.permanent:
                    self.run.count(f"reports_{recipient.action or 'unknown'}")
                    continue
                sent = sent_message_for(session, bounce, recipient.address)
                key = f"bounce:{report_id}:{recipient.address}"
                if sent is None:
                    if self.settings.report_unmatched:
                        entries.append(self._entry(BOUNCE_KIND, key, {"recipient": recipient.address,
                                                                      "report": _report(bounce, recipient)}, evidence,
                                                   ("bounce_unmatched", f"mail to {recipient.address} bounced "
                                                    f"({_reason(recipient)}), but no message we sent matches "
                                                    f"{bounce.original_message_id or bounce.original_subject or 'the report'}"),
                                                   message.source))
                    else:
                        self.run.count("unmatched_ignored")
                    continue
                if sent.state == "refused":
                    self.run.count("already_refused")  # the server refused it at once: an exception already
                    continue
                entries.append(self._bounced(sent, recipient, bounce, key, evidence, message.source))
        return entries

    def _bounced(self, sent, recipient, bounce, key: str, evidence: dict, source: str) -> dict:
        address = recipient.address
        if address not in {r.lower() for r in sent.recipients} and len(sent.recipients) == 1:
            address = sent.recipients[0].lower()  # the report names where a forward led, we sent to this one
        meta = dict(sent.meta or {})
        report = {**_report(bounce, recipient), "sent_to": address, "message_key": sent.key, "message_id": sent.message_id}
        what = f"invoice {meta['invoice']}" if sent.purpose == "invoice" and meta.get("invoice") else \
            f"the {sent.purpose} mail {sent.subject!r}"
        problem = ("bounced", f"{what} to {address} bounced: {_reason(recipient)}")
        delivery = self._delivery_item(sent) if sent.purpose == "invoice" else None
        if delivery is not None:
            payload = {**delivery.payload, "recipient": address, "bounce": report}
            return self._entry(delivery.kind, key, payload, evidence, (problem[0], problem[1] + "; correct the "
                               "recipient and retry to send it again"), source, parent_id=delivery.id)
        payload = {"purpose": sent.purpose, "recipient": address, "subject": sent.subject,
                   "customer_id": meta.get("customer_id"), "bounce": report}
        return self._entry(BOUNCE_KIND, key, payload, evidence, problem, source)

    def _delivery_item(self, sent):
        """The ``invoice_delivery`` item that sent this invoice, if it is still in the queue."""
        work_key = (sent.meta or {}).get("work_key")
        if not work_key and (sent.meta or {}).get("invoice"):
            from bots.delivery.bot import delivery_key

            work_key = delivery_key(sent.meta["invoice"], "email")  # sent before the key was recorded
        return self.queue.find(work_key) if work_key else None

    @staticmethod
    def _entry(kind, key, payload, evidence, exception, source, parent_id=None) -> dict:
        entry = {"kind": kind, "key": key, "payload": payload, "evidence": {"report": evidence},
                 "source_ref": source, "exception": exception}
        if parent_id is not None:
            entry["parent_id"] = parent_id
        return entry


def _report(bounce, recipient) -> dict:
    """What a person needs to see of the report (the raw file is in the item's evidence)."""
    report = {"from": bounce.sender, "subject": bounce.subject, "date": bounce.date.isoformat() if bounce.date else None,
              "reporting_mta": bounce.reporting_mta, "original_message_id": bounce.original_message_id,
              "standard": bounce.standard}
    if recipient is not None:
        report.update(address=recipient.address, action=recipient.action, status=recipient.status,
                      diagnostic=recipient.diagnostic, remote_mta=recipient.remote_mta)
    return report


def _reason(recipient) -> str:
    said = " ".join(part for part in (recipient.status, recipient.diagnostic) if part)
    return said or "the server gave no reason"


def run_bounces(settings: BounceSettings, *, queue=None) -> dict:
    """Read the mailbox once; return the run's counts."""
    from bots.runtime.runs import bot_run
    from bots.runtime.workqueue import WorkQueue

    queue = queue or WorkQueue.open()
    with bot_run(queue, BOT_NAME) as run, open_mailbox(settings.mailbox) as mailbox:
        BounceReader(settings, queue, run).read(mailbox)
        return dict(run.counts)
