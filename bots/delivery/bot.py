"""``o2c run invoice-delivery``: every invoice the ERP raised, delivered once per channel.

Each run:

1. queues one work item of kind ``invoice_delivery`` per invoice billed by ``erp-invoicing``
   (its done ``billing`` items) and channel, key ``delivery:<invoice>:<channel>``: a second
   run queues nothing twice;
2. delivers each item inside ``queue.processing``: ``email`` (the PDF attached, the body in
   the customer's language, exactly once through ``bots.runtime.outgoing_mail``) or ``portal``
   (uploaded to the customer's supplier portal, checked there first by invoice number, the
   confirmation number read back);
3. completes the item with the Message-ID or the confirmation number and the audit entry
   ``deliver_invoice`` in the same transaction.

A refused recipient or a portal's rejection goes to the exception queue with the reason;
a mail server or portal that cannot be reached is retried later.

The channel of a customer comes from ``bots.invoice-delivery.channels`` (customer number ->
``email`` or ``portal``, with ``default``); the address from the ERP's customer master (the
invoice's bill-to email), unless ``recipients`` names another; an item raised again by a
late bounce (``o2c run mail-bounces``) goes to the ``recipient`` a supervisor corrected, never
again to the address that bounced.
"""

from dataclasses import dataclass, field
from pathlib import Path

from bots.runtime.bot_settings import evidence_folder, own_section
from bots.runtime.errors import ApplicationException, BusinessException
from bots.runtime.logs import get_logger

log = get_logger(__name__)

BOT_NAME = "invoice-delivery"
ITEM_KIND = "invoice_delivery"
CHANNELS = ("email", "portal")
_KEYS = {"channels", "recipients", "languages", "portal_url", "portal_user", "portal_password_secret", "limit",
         "busy_attempts", "busy_wait_seconds", "timeout_seconds", "evidence_dir"}


@dataclass
class DeliverySettings:
    """The bot's settings (``bots.invoice-delivery``), checked on load.

    :param channels: customer number -> ``email`` or ``portal``; ``default`` for the others.
    :param recipients: customer number -> the address invoices go to (default: the ERP's).
    :param languages: customer number -> language of the email body (default ``en``).
    """

    channels: dict = field(default_factory=lambda: {"default": "email"})
    recipients: dict = field(default_factory=dict)
    languages: dict = field(default_factory=dict)
    sender: str = ""
    mail: object = None  # bots.runtime.outgoing_mail.MailSettings, when some customer gets email
    url: str = ""  # the supplier portal (for customers on the portal channel)
    user: str = ""
    password: str | None = None
    limit: int = 100
    busy_attempts: int = 5
    busy_wait_seconds: float = 1.0
    timeout_seconds: float = 15.0
    evidence_dir: Path = Path(".o2c/evidence")

    def __post_init__(self):
        self.channels = {str(k).upper() if k != "default" else k: str(v) for k, v in (self.channels or {}).items()}
        self.channels.setdefault("default", "email")
        for customer, channel in self.channels.items():
            if channel not in CHANNELS:
                raise ValueError(f"invoice-delivery channels.{customer} must be one of {', '.join(CHANNELS)}, "
                                 f"not {channel!r}")
        self.recipients = {str(k).upper(): str(v) for k, v in (self.recipients or {}).items()}
        self.languages = {str(k).upper(): str(v) for k, v in (self.languages or {}).items()}
        if "portal" in self.channels.values() and not self.url.startswith(("http://", "https://")):
            raise ValueError("invoice-delivery sends some customers' invoices to the portal: set portal.url "
                             "(or bots.invoice-delivery.portal_url)")

    def channel_of(self, customer_id: str) -> str:
        return self.channels.get(str(customer_id).upper(), self.channels["default"])


def load_delivery_settings(settings, *, need_password: bool = True) -> DeliverySettings:
    """Build the bot's settings from ``load_settings()``; mail from ``bots.outgoing-mail``."""
    from bots.runtime.config import secret

    own = own_section(settings, BOT_NAME, _KEYS)
    channels = own.get("channels") or {"default": "email"}
    mail = None
    if "email" in dict(channels).values() or dict(channels).get("default", "email") == "email":
        from bots.runtime.outgoing_mail import mail_settings

        mail = mail_settings(settings)
    uses_portal = "portal" in dict(channels).values()
    return DeliverySettings(
        channels=channels, recipients=own.get("recipients") or {}, languages=own.get("languages") or {},
        sender=mail.sender if mail else "", mail=mail,
        url=str(own.get("portal_url") or settings.portal_url or ""), user=str(own.get("portal_user") or settings.portal_user or ""),
        password=secret(own.get("portal_password_secret", "portal_password")) if uses_portal and need_password else None,
        limit=int(own.get("limit", 100)), busy_attempts=int(own.get("busy_attempts", 5)),
        busy_wait_seconds=float(own.get("busy_wait_seconds", 1)), timeout_seconds=float(own.get("timeout_seconds", 15)),
        evidence_dir=evidence_folder(settings, own))


def delivery_key(invoice: str, channel: str) -> str:
    return f"delivery:{invoice}:{channel}"


def queue_billed_invoices(queue, settings: DeliverySettings) -> int:
    """One delivery item per invoice billed (done ``billing`` items) and channel; return how many are new."""
    entries = []
    for billing in queue.items(state="done", kind="billing", limit=None):
        facts = billing.result or {}
        if not facts.get("invoice"):
            continue
        channel = settings.channel_of(facts.get("customer_id", ""))
        entries.append({"kind": ITEM_KIND, "key": delivery_key(facts["invoice"], channel), "parent_id": billing.id,
                        "source_ref": f"invoice {facts['invoice']}", "payload": {**facts, "channel": channel}})
    return sum(created for _, created in queue.add_many(entries)) if entries else 0


class Delivery:
    """Delivers one invoice over its channel; the mail sender and the portal are opened when first needed."""

    def __init__(self, settings: DeliverySettings, queue, run, browser_factory):
        self.settings = settings
        self.queue = queue
        self.run = run
        self._browser_factory = browser_factory
        self._mail = None
        self._portal = None

    def deliver(self, work) -> None:
        facts = work.payload
        invoice, channel = facts.get("invoice"), facts.get("channel")
        customer = str(facts.get("customer_id") or "").upper()
        if channel == "email":
            recipient = self._recipient(facts, customer)
            from bots.delivery.mail import send_invoice

            done = send_invoice(self.mail(), facts, recipient, self.settings.languages.get(customer, "en"),
                                self.settings.sender, work_key=work.key)
            target, number = recipient, done["message_id"]
            self._count("emails_sent" if done["sent_now"] else "emails_found_sent")
        elif channel == "portal":
            done, target = self._upload(facts), self.settings.url
            number = done["confirmation"]
        else:
            raise BusinessException("unknown_channel", f"invoice {invoice} has no delivery channel {channel!r}")
        work.audit("deliver_invoice", channel, target, document_number=number, detail={"invoice": invoice, **done})
        work.result = {"invoice": invoice, "channel": channel, **done}

    def _recipient(self, facts: dict, customer: str) -> str:
        """Where the invoice goes: a supervisor's correction (``recipient``), the configured address, the ERP's."""
        invoice = facts.get("invoice")
        recipient = str(facts.get("recipient") or self.settings.recipients.get(customer) or facts.get("email") or "").strip()
        if "@" not in recipient:
            raise BusinessException("no_recipient", f"invoice {invoice}: customer {customer} has no email address")
        bounced = (facts.get("bounce") or {}).get("sent_to")
        if bounced and recipient.lower() == str(bounced).lower():
            raise BusinessException("bounced", f"invoice {invoice}: {recipient} is the address that bounced; "
                                    "correct the recipient, or resolve the item by hand")
        return recipient

    def mail(self):
        if self._mail is None:
            from bots.runtime.crash import crash_point
            from bots.runtime.outgoing_mail import OutgoingMail

            if self.settings.mail is None:
                raise BusinessException("no_mail_settings", "invoice-delivery sends email but bots.outgoing-mail is not set")
            # The same store as the queue; a test may stop the process at each step.
            self._mail = OutgoingMail.open(self.settings.mail, engine=self.queue.engine, clock=self.queue.clock,
                                           on_step=crash_point)
        return self._mail

    def _upload(self, facts: dict) -> dict:
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

        from bots.intake.portal_intake import PortalBusy

        portal = self.portal()
        invoice = facts["invoice"]
        try:
            found = portal.confirmation_of(invoice)
            if found:
                self._count("uploads_found")
                return {"confirmation": found, "found_existing": True}
            for attempt in Retrying(retry=retry_if_exception_type(PortalBusy),
                                    stop=stop_after_attempt(self.settings.busy_attempts),
                                    wait=wait_exponential(multiplier=self.settings.busy_wait_seconds, max=30),
                                    reraise=True):
                with attempt:
                    confirmation = portal.confirmation_of(invoice) or portal.upload(facts)
            self._count("uploads")
            return {"confirmation": confirmation, "found_existing": False}
        except BusinessException as error:
            error.evidence.setdefault("screenshot", portal.screenshot(Path(self.settings.evidence_dir),
                                                                     f"portal-{invoice}-{error.code}"))
            raise

    def portal(self):
        if self._portal is None:
            from bots.delivery.portal import InvoicePortal

            context = self._browser_factory().new_context()
            self._portal = InvoicePortal(context.new_page(), self.settings)
            self._portal.log_in()
        return self._portal

    def _count(self, name: str) -> None:
        if self.run is not None:
            self.run.count(name)


def run_delivery(settings: DeliverySettings, *, limit: int | None = None, headless: bool = True, queue=None,
                 browser=None) -> dict:
    """Queue the billed invoices and deliver up to ``limit`` of them once; return the run's counts.

    :param browser: a Playwright Browser (tests share one); default: Chromium started when a
        portal upload needs it.
    """
    from contextlib import ExitStack

    from playwright.sync_api import Error as PlaywrightError

    from bots.runtime.runs import bot_run, worker_name
    from bots.runtime.workqueue import WorkQueue

    queue = queue or WorkQueue.open()
    worker = worker_name(BOT_NAME)
    with ExitStack() as stack, bot_run(queue, BOT_NAME) as run:
        run.count("queued", queue_billed_invoices(queue, settings))

        def browser_factory():
            nonlocal browser
            if browser is None:
                from bots.runtime.browser import open_browser

                browser = stack.enter_context(open_browser(headless=headless))
            return browser

        delivery = Delivery(settings, queue, run, browser_factory)
        for _ in range(limit or settings.limit):
            claimed = queue.claim(worker, kinds=[ITEM_KIND], limit=1)
            if not claimed:
                break
            with queue.processing(claimed[0], worker, run=run) as work:
                try:
                    delivery.deliver(work)
                except PlaywrightError as error:  # a portal screen not as expected: its fault, retried later
                    raise ApplicationException("portal_screen", f"invoice {work.payload.get('invoice')}: the portal "
                                               f"was not as expected: {str(error).splitlines()[0]}") from error
        return dict(run.counts)
