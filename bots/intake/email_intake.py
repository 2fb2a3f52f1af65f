"""The email-intake bot: purchase orders from mailboxes into the work queue, exactly once.

``o2c run email-intake [--once] [--mailbox NAME]``. For each message waiting in a mailbox:

1. keep the raw message as evidence, ``<home>/evidence/<sha256>.eml``;
2. parse it (``inbox_parsers.email.parse_email``) into orders;
3. commit one work item per order, all of the message's items in one transaction;
4. only then move the message to Processed, Exceptions or Not orders.

A crash anywhere before step 4 leaves the message in the inbox: the next run parses it
again, the work queue finds every key already there, and the message is moved. Keys
come from the customer and the PO number, so a re-delivered or forwarded copy of an
order makes no second item (see ``order_key``).

What cannot go through becomes an exception item, with the raw message as evidence,
and the other messages go on:

- unreadable (malformed MIME, an empty message, a parser failure): ``unreadable``;
- larger than ``max_message_mb``: ``too_large`` (not parsed at all);
- nothing readable holds an order, but parts could not be read (broken MIME, a zip, a
  PDF with no text): ``unreadable``, with the parser's warnings;
- not an order (out-of-office, invoice query, newsletter): ``not_order``; the message
  goes to the Not orders folder (``queue_not_orders: false`` only moves it there);
- an order without a PO number, without lines, with a line without an item number or
  a usable quantity, with SKUs not in the item master, or with other parser warnings
  (a missing price is none: the price list applies): ``missing_po``, ``no_lines``,
  ``missing_sku``, ``bad_quantity``, ``unknown_sku``, ``order_incomplete``; one PO number
  twice in a message with other lines: ``duplicate_po`` for the second. The order is
  kept in the payload; a supervisor who fixes the cause sends it on with ``retry``.

Where a message's orders go: "Processed" when every one became a clean item,
"Exceptions" when any went to the exception queue, "Not orders" for the rest.
"""

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from bots.runtime.errors import ApplicationException, InputError
from bots.intake.common import digest, normalize_po, order_problem, read_known_skus
from bots.runtime.bot_settings import check_keys
from bots.runtime.crash import crash_point
from bots.runtime.evidence import store_evidence
from bots.runtime.planned_items import PlannedItem, commit
from bots.intake.mailbox import MailboxSettings, MailMessage, open_mailbox
from bots.runtime.logs import get_logger

BOT_NAME = "email-intake"
ITEM_KIND = "order"  # what the order-entry bot claims
EXCEPTION_KIND = "email_message"

log = get_logger(__name__)


# -- settings ------------------------------------------------------------------------


@dataclass
class EmailIntakeSettings:
    """The bot's settings (``bots.email-intake`` in config/o2c.yaml), checked on load."""

    mailboxes: list[MailboxSettings]
    evidence_dir: Path
    poll_seconds: float = 60.0
    max_message_mb: float = 10.0
    item_kind: str = ITEM_KIND
    known_skus: frozenset | None = None
    queue_not_orders: bool = True

    def __post_init__(self):
        if not self.mailboxes:
            raise ValueError("email-intake has no mailboxes: add bots.email-intake.mailboxes to the config")
        names = [m.name for m in self.mailboxes]
        if len(set(names)) != len(names):
            raise ValueError(f"email-intake mailbox names repeat: {names}")
        if self.poll_seconds <= 0:
            raise ValueError(f"email-intake poll_seconds must be above 0, not {self.poll_seconds}")
        if self.max_message_mb <= 0:
            raise ValueError(f"email-intake max_message_mb must be above 0, not {self.max_message_mb}")

    @property
    def max_message_bytes(self) -> int:
        return int(self.max_message_mb * 1024 * 1024)

    def mailbox(self, name: str) -> MailboxSettings:
        """Return the mailbox called ``name``; the error lists the configured ones."""
        for mailbox in self.mailboxes:
            if mailbox.name == name:
                return mailbox
        known = ", ".join(m.name for m in self.mailboxes)
        raise ValueError(f"no mailbox named {name!r} in the email-intake settings (configured: {known})")


def load_email_intake_settings(settings, *, need_passwords: bool = True) -> EmailIntakeSettings:
    """Build the bot's settings from ``load_settings()``.

    Mailboxes come from ``bots.email-intake.mailboxes``; an IMAP entry takes whatever it
    leaves out (host, port, user, TLS, folders) from the ``imap:`` section, and its
    password from ``secret(<password_secret>)`` (default ``imap_password``, i.e.
    ``O2C_IMAP_PASSWORD`` or the keyring). With no mailboxes configured: the mailbox of
    the ``imap:`` section once its password is set, else the embedded default, a folder
    of .eml files ``<home>/mailbox``.
    """
    from bots.runtime.config import secret

    own = settings.bot(BOT_NAME)
    check_keys(own, _SETTING_KEYS, f"bots.{BOT_NAME}")
    entries = own.get("mailboxes") or _default_mailboxes(settings)
    if not isinstance(entries, list):
        raise ValueError(f"bots.{BOT_NAME}.mailboxes must be a list of mailboxes")
    mailboxes = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ValueError(f"bots.{BOT_NAME}.mailboxes: entry {number} must be a mapping (name, kind, ...)")
        check_keys(entry, _MAILBOX_KEYS, f"bots.{BOT_NAME}.mailboxes[{number}]")
        entry = dict(entry)
        entry.setdefault("name", f"mailbox{number}")
        secret_name = entry.pop("password_secret", "imap_password")
        if entry.get("kind", "folder") == "imap":
            defaults = _imap_defaults(settings)
            entry = {**defaults, **entry, "folders": {**defaults["folders"], **(entry.get("folders") or {})}}
            if need_passwords:
                entry["password"] = secret(secret_name)
        mailboxes.append(MailboxSettings(**entry))
    return EmailIntakeSettings(
        mailboxes=mailboxes,
        evidence_dir=Path(own.get("evidence_dir") or settings.home / "evidence"),
        poll_seconds=float(own.get("poll_seconds", 60)),
        max_message_mb=float(own.get("max_message_mb", 10)),
        item_kind=own.get("item_kind", ITEM_KIND),
        queue_not_orders=bool(own.get("queue_not_orders", True)),
        known_skus=read_known_skus(own["known_skus_file"]) if own.get("known_skus_file") else None,
    )


_SETTING_KEYS = {"mailboxes", "evidence_dir", "poll_seconds", "max_message_mb", "item_kind", "queue_not_orders",
                 "known_skus_file"}
_MAILBOX_KEYS = {"name", "kind", "path", "host", "port", "user", "security", "ca_file", "insecure", "only_unseen",
                 "timeout", "folders", "password_secret"}


# -- one message ---------------------------------------------------------------------


@dataclass
class MessagePlan:
    """What one message becomes: its items and the folder it goes to afterwards."""

    items: list[PlannedItem] = field(default_factory=list)
    folder: str = "processed"


def plan_message(message: MailMessage, evidence: dict, *, max_bytes: int, known_skus=None,
                 item_kind: str = ITEM_KIND, mailbox: str = "", queue_not_orders: bool = True) -> MessagePlan:
    """Read one message and decide its work items and target folder. Touches nothing.

    :param queue_not_orders: make an exception item of a message that is no order (an
        out-of-office reply, a newsletter), so a person glances over it; else only move it.
    """
    from inbox_parsers.email import parse_email

    raw_sha = evidence["sha256"]
    header_id = _header_message_id(message.raw)
    context = {"mailbox": mailbox, "source": message.source}

    def message_exception(code: str, text: str, parsed: dict | None = None) -> PlannedItem:
        payload = {**context, "reason": code, "message_id": header_id}
        if parsed:
            payload.update({"from": parsed.get("from"), "subject": parsed.get("subject")})
        return PlannedItem(
            kind=EXCEPTION_KIND, key="email-message:" + digest(header_id or raw_sha),
            payload=payload, source_ref=message.source, evidence=evidence, exception=(code, text),
        )

    if message.size > max_bytes:
        limit = max_bytes / 1024 / 1024
        text = f"message is {message.size / 1024 / 1024:.1f} MB, above the {limit:g} MB limit; not parsed"
        return MessagePlan([message_exception("too_large", text)], "exceptions")
    try:
        parsed = parse_email(message.raw, known_skus=known_skus)
    except InputError as error:
        return MessagePlan([message_exception("unreadable", f"cannot read the message: {error.message}")],
                           "exceptions")
    except Exception as error:  # a parser bug on hostile input must not stop the other messages
        log.exception("parse_email failed", source=message.source)
        text = f"the email parser failed on this message ({type(error).__name__}: {error})"
        return MessagePlan([message_exception("unreadable", text)], "exceptions")

    warnings = [str(w) for w in parsed.get("warnings") or []]
    if parsed.get("status") != "order":
        if warnings:  # something in it could not be read: it may have held an order
            text = "no order could be read: " + "; ".join(warnings)
            return MessagePlan([message_exception("unreadable", text, parsed)], "exceptions")
        if not queue_not_orders:
            return MessagePlan([], "not_orders")
        reason = parsed.get("reason") or "not an order"
        text = f"not a purchase order ({reason}): {parsed.get('subject') or '(no subject)'}"
        return MessagePlan([message_exception("not_order", text, parsed)], "not_orders")
    orders = parsed.get("orders") or []
    if not orders:
        return MessagePlan([message_exception("no_orders", "looks like an order but no order was found", parsed)],
                           "exceptions")

    message_id = _normalize_message_id(parsed.get("message_id")) or header_id
    original_sender = forwarded_from(message.raw)
    plan = MessagePlan()
    for index, order in enumerate(orders):
        payload = {
            **context, "channel": "email", "order": order, "message_id": message_id,
            "from": parsed.get("from"), "subject": parsed.get("subject"), "message_warnings": warnings,
            "forwarded_from": original_sender,
        }
        customer = dict(order.get("customer") or {})
        if original_sender and str(customer.get("email") or "").lower() == str(parsed.get("from") or "").lower():
            # The order came in a forward but is credited to whoever forwarded it: key it
            # by the buyer who wrote the original, as the original's own copy is.
            customer["email"] = original_sender
        key = order_key({**order, "customer": customer}, message_id=message_id or raw_sha,
                        sender=parsed.get("from"), index=index)
        problem = order_problem(order)
        earlier = next((item for item in plan.items if item.key == key), None)
        if earlier is not None:
            if _same_lines(earlier.payload["order"], order):
                continue  # the same order twice (body and attachment): one item
            # Two different orders under one PO number: queuing the second under the
            # first's key would lose it, so it gets its own key and goes to a person.
            key = f"{key}:{index}"
            problem = ("duplicate_po", f"PO {order.get('po_number')} appears twice in this message with other lines")
        plan.items.append(PlannedItem(kind=item_kind, key=key, payload=payload, source_ref=message.source,
                                      evidence=evidence, exception=problem))
    if any(item.exception for item in plan.items):
        plan.folder = "exceptions"
    return plan


def order_key(order: dict, *, message_id: str, sender: str | None, index: int) -> str:
    """The idempotency key of one order found in an email.

    A customer never reuses its own PO number, so customer + PO number names the order,
    whichever copy of the message brought it: a re-delivered copy (same Message-ID) and
    a forwarded one (new Message-ID, the same buyer and PO inside) give the same key.
    The customer is the buyer's email address as parsed from the order, else its
    normalized name, else the sender. Without a PO number, the order is only known by
    the message it came in and its place there.
    """
    po = normalize_po(order.get("po_number"))
    customer = _customer_identity(order.get("customer") or {}, sender)
    if po and customer:
        basis = f"customer-po\n{customer}\n{po}"
    elif po:
        basis = f"message-po\n{message_id}\n{po}"
    else:
        basis = f"message-order\n{message_id}\n{index}"
    return "email-order:" + digest(basis)


def forwarded_from(raw: bytes) -> str | None:
    """The address of whoever wrote the original of a forwarded message, or None.

    Looks in a forwarded attachment (message/rfc822) and in the "From:" line of an
    inline forward ("---------- Forwarded message ---------", "-----Original Message-----",
    "Begin forwarded message:").
    """
    from email import message_from_bytes, policy
    from email.utils import parseaddr

    try:
        message = message_from_bytes(raw, policy=policy.default)
        for part in message.walk():
            if part.get_content_type() == "message/rfc822":
                inner = part.get_payload()[0] if part.is_multipart() else None
                address = parseaddr(str(inner.get("From", "")))[1] if inner is not None else ""
                if "@" in address:
                    return address.lower()
            elif part.get_content_type() == "text/plain" and not part.get_filename():
                address = _inline_forward_sender(part.get_content())
                if address:
                    return address
    except Exception:  # a broken message simply has no readable forward
        return None
    return None


_FORWARD_MARKER = re.compile(r"(?i)(forwarded message|original message|begin forwarded message|weitergeleitete nachricht)")
_FROM_LINE = re.compile(r"(?i)^\s*>?\s*(?:from|von|de)\s*:\s*(.+)$")


def _inline_forward_sender(text: str) -> str | None:
    from email.utils import parseaddr

    lines = str(text).splitlines()
    for number, line in enumerate(lines):
        if _FORWARD_MARKER.search(line):
            for following in lines[number + 1:number + 8]:
                match = _FROM_LINE.match(following)
                if match:
                    address = parseaddr(match.group(1).replace("[mailto:", "<").replace("]", ">"))[1]
                    return address.lower() if "@" in address else None
            return None
    return None


# -- the run -------------------------------------------------------------------------


class EmailIntake:
    """Takes the messages of one mailbox at a time into the work queue."""

    def __init__(self, queue, run, settings: EmailIntakeSettings):
        self.queue = queue
        self.run = run
        self.settings = settings

    def process_mailbox(self, mailbox) -> int:
        """Handle every message waiting in ``mailbox``; return how many were handled."""
        handled = 0
        for message in mailbox.waiting():
            self.process_message(mailbox, message)
            handled += 1
        return handled

    def process_message(self, mailbox, message: MailMessage) -> MessagePlan:
        """Evidence, parse, commit the items, then move the message: in that order."""
        evidence = store_evidence(self.settings.evidence_dir, message.raw, ".eml")
        plan = plan_message(
            message, evidence, max_bytes=self.settings.max_message_bytes, known_skus=self.settings.known_skus,
            item_kind=self.settings.item_kind, mailbox=mailbox.name, queue_not_orders=self.settings.queue_not_orders,
        )
        crash_point("after_parse")
        created = sum(was_created for _, was_created in commit(self.queue, self.run, plan.items))
        crash_point("after_commit")
        mailbox.move(message, plan.folder)
        self.run.count("messages")
        self.run.count(f"messages_{plan.folder}")
        self.run.audit("move", "mailbox", f"{mailbox.name}:{message.ref}",
                       detail={"folder": plan.folder, "items": len(plan.items), "created": created})
        log.info("message handled", mailbox=mailbox.name, source=message.source, folder=plan.folder,
                 items=len(plan.items), created=created)
        return plan


def run_email_intake(settings, *, once: bool, mailbox_names: list[str] | None = None, queue=None) -> dict:
    """Run the bot: every mailbox once (``once``), or poll until interrupted.

    Returns the run's counts. IMAP trouble (server down, connection lost) is logged and
    retried at the next poll; with ``once`` it is raised as an ApplicationException.
    """
    from bots.runtime.runs import bot_run
    from bots.runtime.workqueue import WorkQueue

    chosen = [settings.mailbox(name) for name in mailbox_names] if mailbox_names else settings.mailboxes
    queue = queue or WorkQueue.open()
    totals: dict[str, int] = {}
    while True:
        waited = False
        with bot_run(queue, BOT_NAME) as run:
            intake = EmailIntake(queue, run, settings)
            failures = []
            for mailbox_settings in chosen:
                try:
                    with open_mailbox(mailbox_settings) as mailbox:
                        intake.process_mailbox(mailbox)
                        if not once and len(chosen) == 1:
                            # One mailbox: wait on it; with IMAP IDLE new mail wakes the bot at once.
                            mailbox.wait(settings.poll_seconds)
                            waited = True
                except ApplicationException as error:  # this mailbox now; the others still go on
                    failures.append(error)
                    run.count("mailbox_errors")
                    log.error("mailbox failed", mailbox=mailbox_settings.name, code=error.code, error=error.message)
            _add_counts(totals, run)
            if once and failures:
                raise failures[0]
        if once:
            return totals
        if not waited:
            time.sleep(settings.poll_seconds)


# -- helpers -------------------------------------------------------------------------


def _default_mailboxes(settings) -> list[dict]:
    from bots.runtime.config import ConfigError, secret

    if settings.imap_host and settings.imap_user:
        try:
            secret("imap_password")
            return [{"name": "imap", "kind": "imap"}]
        except ConfigError:
            pass
    # The embedded default: a drop folder in the home, made on first use.
    folder = settings.home / "mailbox"
    log.info("no mailbox configured and no IMAP password set: reading the folder", folder=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    return [{"name": "default", "kind": "folder", "path": str(folder)}]


def _imap_defaults(settings) -> dict:
    """What an IMAP mailbox entry leaves out comes from the ``imap:`` section of the settings."""
    defaults = {
        "host": settings.imap_host, "port": settings.imap_port, "user": settings.imap_user,
        "security": "tls" if settings.imap_ssl else "starttls",
        "folders": {"inbox": settings.imap_folder, "processed": settings.imap_done_folder,
                    "exceptions": settings.imap_exception_folder},
    }
    return {key: value for key, value in defaults.items() if value is not None}


def _add_counts(totals: dict, run) -> None:
    for name, value in (getattr(run, "counts", None) or {}).items():
        totals[name] = totals.get(name, 0) + value


def _same_lines(first: dict, second: dict) -> bool:
    def lines(order):
        return sorted((str(line.get("sku")), str(line.get("quantity"))) for line in order.get("lines") or [])

    return lines(first) == lines(second)


def _normalize_message_id(value) -> str | None:
    text = str(value or "").strip().strip("<>").strip()
    return text or None


def _header_message_id(raw: bytes) -> str | None:
    """The Message-ID header, read leniently (it works on mail no parser accepts)."""
    from email.parser import BytesHeaderParser

    try:
        value = BytesHeaderParser().parsebytes(raw[:262144]).get("Message-ID")
    except Exception:  # header bytes so broken even the lenient parser gives up
        return None
    return _normalize_message_id(str(value).split()[0]) if value and str(value).split() else None


_LEGAL_FORMS = re.compile(r"\b(inc|incorporated|llc|ltd|limited|corp|corporation|co|company|gmbh|ag|sa|bv|plc)\b")


def _customer_identity(customer: dict, sender: str | None) -> str | None:
    email = str(customer.get("email") or "").strip().lower()
    if "@" in email:
        return "email:" + email
    name = _LEGAL_FORMS.sub(" ", str(customer.get("name") or "").casefold())
    name = re.sub(r"[^0-9a-z]+", "", name)
    if name:
        return "name:" + name
    sender = str(sender or "").strip().lower()
    return "email:" + sender if "@" in sender else None
