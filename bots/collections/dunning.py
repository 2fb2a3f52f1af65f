"""Dunning, ``o2c run dunning``: reminders in stages by days past due, each stage exactly once.

One run, for the business date ``today``:

1. closes the promises to pay that were kept or broken (``promises.review_promises``);
2. finishes the letters a killed run left half-sent (``OutgoingMail.finish_pending``), recording them;
3. plans, from the receivables ledger in the store (``bots.receivables``): every item open and
   past due, less those under an open dispute case or a promise that still stands, each at the
   stage its days past due reach (``Stage.days``: by default 1 friendly reminder, 15 second
   notice, 30 final notice, 45 stop new orders);
4. writes one letter per customer (and currency) that has an item due for a stage it has not had yet: the
   letter is at the highest such stage and lists all the customer's due items, with the
   statement of account PDF attached (``statement.statement_pdf``);
5. delivers it by email to the customer's dunning contacts (template
   ``templates/dunning/<template>.<language>.txt.j2`` in the customer's language,
   ``language.customer_language``: its first contact's, else the configured one),
   also as a print-ready PDF letter, and by SMS where enabled and a phone is known;
6. records, in the transaction that completes the email (or the letter for a customer with
   no email), one ``dunning_notices`` row per item and stage, the contact in the history,
   the audit entry, and at the stop stage the stop on new orders the credit gate reads.

A second run on the same day, or after a kill at any point, sends nothing twice: the notices
say which stages each item has had, and the letter's key (customer, stage, day) lets
``bots.runtime.outgoing_mail`` finish rather than repeat a letter already on its way.

Settings, ``bots.dunning`` in config/o2c.yaml: ``stages`` (list of number, name, days,
template, stops_orders), ``seller`` (name, address, contact), ``letters_dir``, ``sms``
(true to text contacts with a phone), ``sms_file``, ``min_open`` (smallest amount worth a letter),
``language`` (the language of a customer with no contact and none in ``bots.invoice-delivery.languages``).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bots.collections.cases import disputed_invoices
from bots.collections.language import ConfiguredLanguages, amount_in, configured_languages, customer_language, date_in
from bots.collections.order_stops import set_stop
from bots.collections.promises import review_promises, standing_promise_invoices
from bots.collections.statement import Seller, letter_pdf, statement_pdf
from bots.runtime.logs import get_logger
from bots.receivables.ledger import Ledger
from bots.receivables.metrics import days_past_due, open_amount, two_places
from bots.runtime.store.models import AuditEntry, ContactLog, CustomerContact, DunningNotice

def render_letter(letter: "Letter", language: str | None, today: date, seller) -> tuple[str, str, str | None]:
    """(subject, text, html or None) of ``letter`` in ``language`` (its stage's template; English
    when there is none in that language), with the dates and amounts written the way that language
    does (``date_in``, ``amount_in``: "03.12.2026" and "1.234,50" in German; English as ISO and "1234.50")."""
    from bots.runtime.outgoing_mail import render_bodies

    language = language or "en"
    # Every date and amount a template prints is written here, once, in the letter's language.
    context = {"customer_name": letter.customer_name, "customer_id": letter.customer_id,
               "currency": letter.currency, "stage": letter.stage, "today": date_in(today, language),
               "seller": seller, "total": amount_in(letter.total, language),
               "items": [{"invoice": i.invoice, "invoice_date": date_in(i.invoice_date, language),
                          "due_date": date_in(i.due_date, language), "days_past_due": i.days_past_due,
                          "open": amount_in(i.open, language)} for i in letter.items]}
    return render_bodies(TEMPLATES, letter.stage.template, language, context)


log = get_logger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates" / "dunning"
BOT = "dunning"


@dataclass(frozen=True)
class Stage:
    number: int
    name: str
    days: int                    # days past due from which an item is at this stage
    template: str
    stops_orders: bool = False


DEFAULT_STAGES = (
    Stage(1, "friendly reminder", 1, "reminder"),
    Stage(2, "second notice", 15, "second_notice"),
    Stage(3, "final notice", 30, "final_notice"),
    Stage(4, "stop new orders", 45, "stop_orders", stops_orders=True),
)


@dataclass
class DunningSettings:
    stages: tuple[Stage, ...] = DEFAULT_STAGES
    seller: Seller = field(default_factory=lambda: Seller("Accounts receivable"))
    letters_dir: Path = Path("letters")
    sms: bool = False
    sms_file: Path = Path("sms-outbox.jsonl")
    min_open: Decimal = Decimal("0.01")

    def __post_init__(self):
        self.stages = tuple(sorted(self.stages, key=lambda s: s.days))
        numbers = [s.number for s in self.stages]
        if len(set(numbers)) != len(numbers) or numbers != sorted(numbers):
            raise ValueError("dunning stages need distinct numbers that rise with their days")
        if any(s.days < 1 for s in self.stages):
            raise ValueError("a dunning stage starts at 1 day past due or later")

    @classmethod
    def from_settings(cls, settings) -> "DunningSettings":
        own = settings.bot(BOT)
        # "language" is read with the customers' languages (language.configured_languages).
        unknown = set(own) - {"stages", "seller", "letters_dir", "sms", "sms_file", "min_open", "language"}
        if unknown:
            raise ValueError("bots.dunning has unknown setting(s) " + ", ".join(sorted(unknown)))
        values = {}
        if own.get("stages"):
            values["stages"] = tuple(Stage(**stage) for stage in own["stages"])
        if own.get("seller"):
            values["seller"] = Seller(**own["seller"])
        values["letters_dir"] = Path(own.get("letters_dir") or settings.home / "letters")
        values["sms_file"] = Path(own.get("sms_file") or settings.home / "sms-outbox.jsonl")
        values["sms"] = bool(own.get("sms", False))
        if own.get("min_open") is not None:
            values["min_open"] = Decimal(str(own["min_open"]))
        return cls(**values)

    def stage_for(self, days: int) -> Stage | None:
        """The highest stage ``days`` past due reach, or None when not yet dunned."""
        reached = [stage for stage in self.stages if days >= stage.days]
        return reached[-1] if reached else None


# --- the plan (pure) ------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    invoice: str
    invoice_date: date
    due_date: date
    days_past_due: int
    open: Decimal
    stage: Stage
    new: bool                    # this item has not had its stage yet


@dataclass
class Letter:
    customer_id: str
    customer_name: str
    currency: str
    stage: Stage
    items: list[DueItem]

    @property
    def total(self) -> Decimal:
        return sum((item.open for item in self.items), Decimal(0))

    def key(self, today: date) -> str:
        return f"dunning:{self.customer_id}:{self.stage.number}:{today.isoformat()}:{self.currency}"

    def meta(self, today: date) -> dict:
        """What recording the letter needs, kept with the message so a later run can record it."""
        return {"key": self.key(today), "customer_id": self.customer_id, "stage": self.stage.number, "stops_orders": self.stage.stops_orders,
                "items": [[item.invoice, item.stage.number] for item in self.items if item.new],
                "listed": [item.invoice for item in self.items], "total": two_places(self.total)}


def plan_dunning(ledger: Ledger, today: date, settings: DunningSettings, *, held: set[tuple[str, str]],
                 noticed: set[tuple[str, str, int]]) -> tuple[list[Letter], list[dict]]:
    """The letters to write today, and the past-due items held back (disputed or promised) with why.

    :param held: (customer_id, invoice) -> reason, for items dunning must leave alone.
    :param noticed: (customer_id, invoice, stage) already given.
    """
    paid = ledger.receipts_of()
    due: dict[tuple[str, str], list[DueItem]] = {}     # one letter per customer and currency
    names, skipped = {}, []
    for invoice in ledger.invoices:
        if invoice.invoice_date > today:
            continue
        still_open = open_amount(invoice, paid.get(ledger.key(invoice), []), today)
        days = days_past_due(invoice.due_date, today)
        stage = settings.stage_for(days)
        if still_open < settings.min_open or stage is None:
            continue
        if (invoice.customer_id, invoice.invoice) in held:
            skipped.append({"customer_id": invoice.customer_id, "invoice": invoice.invoice,
                            "reason": held[(invoice.customer_id, invoice.invoice)]})
            continue
        new = (invoice.customer_id, invoice.invoice, stage.number) not in noticed
        due.setdefault((invoice.customer_id, invoice.currency), []).append(
            DueItem(invoice.invoice, invoice.invoice_date, invoice.due_date, days, still_open, stage, new))
        names.setdefault(invoice.customer_id, invoice.customer_name)
    letters = []
    for customer_id, currency in sorted(due):
        items = sorted(due[(customer_id, currency)], key=lambda item: (-item.days_past_due, item.invoice))
        fresh = [item for item in items if item.new]
        if fresh:
            stage = max((item.stage for item in fresh), key=lambda s: s.number)
            letters.append(Letter(customer_id, names[customer_id], currency, stage, items))
    return letters, skipped


# --- the run --------------------------------------------------------------------------


@dataclass
class DunningRun:
    """One run of the dunning bot against the store, delivering through ``email`` (and letters, SMS)."""

    sessions: sessionmaker
    settings: DunningSettings
    email: object | None                   # channels.EmailChannel, or None when no mail is set up
    letters: object                        # channels.LetterChannel
    sms: object | None = None              # channels.SmsChannel
    run: object | None = None              # bots.runtime.runs.Run, for the audit entries
    sender: str = ""
    languages: ConfiguredLanguages = field(default_factory=ConfiguredLanguages)   # for customers with no contact

    def __call__(self, today: date, now: datetime) -> dict:
        from bots.receivables.store import load_store_ledger

        counts = {"letters": 0, "emails": 0, "letters_printed": 0, "sms": 0, "held_back": 0, "no_contact": 0,
                  "finished_from_earlier_run": 0, "refused": 0}
        with self.sessions.begin() as session:
            counts.update({f"promises_{k}": v for k, v in review_promises(session, today, now).items()})
        if self.email is not None:
            record = self._recorder(now)
            finished = self.email.mail.finish_pending(
                BOT, on_done=lambda session, row: record(session, "email", dict(row.meta)))
            counts["finished_from_earlier_run"] = len(finished)
        with self.sessions() as session:
            ledger = load_store_ledger(session)
            held = {key: "open dispute case" for key in disputed_invoices(session)}
            held.update({key: "promise to pay" for key in standing_promise_invoices(session, today)})
            noticed = {tuple(row) for row in session.execute(select(DunningNotice.customer_id, DunningNotice.invoice,
                                                                      DunningNotice.stage))}
            contacts = _contacts(session)
        letters, skipped = plan_dunning(ledger, today, self.settings, held=held, noticed=noticed)
        counts["held_back"] = len(skipped)
        languages = self._languages(letters)
        for letter in letters:
            self._deliver(letter, ledger, contacts.get(letter.customer_id, []), languages[letter.customer_id],
                          today, now, counts)
        log.info("dunning run done", **counts)
        return counts

    def remind_now(self, customer_id: str, today: date, now: datetime, key: str) -> dict:
        """A collector's "send a reminder now": a letter listing all of the customer's due items
        (not disputed, not promised) at the stage they are at, delivered once for ``key``."""
        from bots.receivables.store import load_store_ledger

        counts = {"letters": 0, "emails": 0, "letters_printed": 0, "sms": 0, "no_contact": 0, "refused": 0}
        with self.sessions() as session:
            ledger = load_store_ledger(session, customer_id)
            held = {k: "open dispute case" for k in disputed_invoices(session)}
            held.update({k: "promise to pay" for k in standing_promise_invoices(session, today)})
            contacts = _contacts(session).get(customer_id, [])
        letters, _ = plan_dunning(ledger, today, self.settings, held=held, noticed=set())
        languages = self._languages(letters)
        for letter in letters:
            self._deliver(letter, ledger, contacts, languages[letter.customer_id], today, now, counts, key=key)
        return counts

    def _languages(self, letters: list[Letter]) -> dict[str, str]:
        """Customer -> the language its letters are written in (the one the portal's statement uses too)."""
        with self.sessions() as session:
            return {customer_id: customer_language(session, customer_id, self.languages)
                    for customer_id in {letter.customer_id for letter in letters}}

    def _deliver(self, letter: Letter, ledger: Ledger, contacts: list, language: str, today: date, now: datetime,
                 counts: dict, key: str | None = None) -> None:
        from bots.collections.channels import Delivery, RefusedDelivery
        from bots.runtime.outgoing_mail import Attachment, compose

        emails = [c.email for c in contacts if c.email]
        subject, text, html = render_letter(letter, language, today, self.settings.seller)
        customer_ledger = ledger.for_customer(letter.customer_id).in_currency(letter.currency)
        key = key or letter.key(today)
        delivery = Delivery(key=key, customer_id=letter.customer_id, subject=subject, text=text,
                            meta={**letter.meta(today), "key": key},
                            letter_pdf=letter_pdf(customer_ledger, today, self.settings.seller, subject=subject,
                                                  text=text, language=language),
                            phone=next((c.phone for c in contacts if c.phone), None),
                            sms_text=f"{subject}: {two_places(letter.total)} {letter.currency} overdue. "
                                     f"{self.settings.seller.name}")
        record = self._recorder(now)
        counts["letters"] += 1
        # The print-ready letter is always written; it records the stage itself only for a
        # customer who has no email address (then it is the letter that goes out).
        primary_is_letter = not emails or self.email is None
        printed = self.letters.deliver(delivery, record if primary_is_letter else _record_contact_only(now))
        counts["letters_printed"] += printed
        if not primary_is_letter:
            statement = statement_pdf(customer_ledger, today, self.settings.seller, language=language)
            delivery.email_message = compose(
                sender=self.sender, to=emails, subject=subject, text=text, html=html,
                attachments=[Attachment(f"statement-{letter.customer_id}-{today.isoformat()}.pdf", statement)])
            try:
                counts["emails"] += self.email.deliver(delivery, record)
            except RefusedDelivery as error:
                counts["refused"] += 1
                log.warning("dunning letter refused by the mail server", customer_id=letter.customer_id,
                            error=str(error))
                self._to_exception_queue(key, letter, emails, str(error))
        if not contacts:
            counts["no_contact"] += 1
        if self.sms is not None and self.settings.sms and delivery.phone:
            counts["sms"] += self.sms.deliver(delivery, _record_contact_only(now))

    def _to_exception_queue(self, key: str, letter: Letter, emails: list[str], error: str) -> None:
        """A letter the mail server refused for good: a person fixes the contact (once per letter)."""
        from bots.runtime.workqueue import WorkQueue

        queue = WorkQueue(self.sessions.kw["bind"])
        item, created = queue.add("dunning_letter", {"customer_id": letter.customer_id, "stage": letter.stage.number,
                                                     "to": emails, "invoices": [i.invoice for i in letter.items]},
                                  key=f"refused:{key}")
        if created:
            queue.to_exception(item.id, "mail_refused", f"the dunning letter to {letter.customer_name} "
                               f"({letter.customer_id}) was refused: {error}; correct the contact's address")

    def _recorder(self, now: datetime):
        """Record a delivered letter: a notice per item and stage, the contact, the audit entry, the stop."""
        def record(session: Session, channel: str, meta: dict) -> None:
            customer_id, stage, message_key = meta["customer_id"], meta["stage"], meta["key"]
            for invoice, item_stage in meta["items"]:
                exists = session.scalars(select(DunningNotice.id).where(
                    DunningNotice.customer_id == customer_id, DunningNotice.invoice == invoice,
                    DunningNotice.stage == item_stage)).first()
                if exists is None:
                    session.add(DunningNotice(customer_id=customer_id, invoice=invoice, stage=item_stage,
                                              message_key=message_key, noticed_at=now))
            session.add(ContactLog(customer_id=customer_id, at=now, actor=BOT, kind="reminder", channel=channel,
                                   stage=stage, invoices=list(meta["listed"]), message_key=message_key,
                                   note=f"stage {stage}, {meta['total']} due"))
            session.add(AuditEntry(run_id=getattr(self.run, "id", None), at=now, bot=BOT, action="send_reminder",
                                   system=channel, target=customer_id,
                                   detail={"stage": stage, "invoices": meta["listed"], "total": meta["total"]},
                                   document_number=message_key))
            if meta.get("stops_orders"):
                set_stop(session, customer_id, f"dunning stage {stage}: {meta['total']} overdue", BOT, now)
        return record


def _record_contact_only(now: datetime):
    """Record a secondary delivery (the printed copy, an SMS) in the history only."""
    def record(session: Session, channel: str, meta: dict) -> None:
        session.add(ContactLog(customer_id=meta["customer_id"], at=now, actor=BOT, kind="reminder", channel=channel,
                               stage=meta["stage"], invoices=list(meta["listed"]), message_key=meta["key"],
                               note=f"stage {meta['stage']}, {meta['total']} due"))
    return record


def _contacts(session: Session) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for contact in session.scalars(select(CustomerContact).where(CustomerContact.receives_dunning.is_(True))
                                   .order_by(CustomerContact.id)):
        grouped.setdefault(contact.customer_id, []).append(contact)
    return grouped


def make_dunning(settings, engine, *, clock, today: date, on_step=None, run=None) -> DunningRun:
    """A ``DunningRun`` on ``engine`` with the mail, letters and SMS channels ``settings`` describe."""
    from bots.collections.channels import EmailChannel, FileSmsChannel, LetterChannel
    from bots.runtime.outgoing_mail import OutgoingMail, mail_settings

    own = DunningSettings.from_settings(settings)
    sessions = sessionmaker(engine, expire_on_commit=False)
    email, sender = None, ""
    if settings.bot("outgoing-mail"):
        outgoing = mail_settings(settings)
        mail = OutgoingMail.open(outgoing, engine=engine, clock=clock)
        if on_step is not None:
            mail.on_step = on_step
        email, sender = EmailChannel(mail), outgoing.sender
    sms = FileSmsChannel(sessions, path=own.sms_file) if own.sms else None
    letters = LetterChannel(sessions, folder=own.letters_dir / today.isoformat())
    return DunningRun(sessions, own, email, letters, sms, run, sender, configured_languages(settings))


def run_dunning(settings, *, today: date | None = None, clock=None, on_step=None) -> dict:
    """``o2c run dunning``: one run against the store and mail of ``settings`` (``load_settings()``).

    :param today: the business date (default: the clock's date in UTC).
    :param on_step: passed to ``OutgoingMail`` (tests stop the process between its steps).
    """
    from bots.runtime.clock import SystemClock
    from bots.runtime.runs import bot_run
    from bots.runtime.store.engine import make_engine, upgrade

    clock = clock or SystemClock()
    now = clock.now()
    today = today or now.date()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with bot_run(engine, BOT, clock=clock) as run:
        counts = make_dunning(settings, engine, clock=clock, today=today, on_step=on_step, run=run)(today, now)
        for name, value in counts.items():
            run.count(name, value)
    engine.dispose()
    return counts
