"""The tables, as SQLAlchemy 2 ORM classes.

- ``WorkItem``: the unit that flows between bots (an order, a remittance, a payment...),
  with its state, lease and, when in state exception, the reason and evidence.
- ``ItemEvent`` (alias ``ExceptionEvent``): the item's history, one row per change of
  state and per supervisor action, with who did it and their note.
- ``BotRun``: one run of one bot, its counts and outcome.
- ``AuditEntry``: append-only record of every action a bot takes on an outside system.
  The ORM refuses to update or delete audit rows, and the migration adds database
  triggers that refuse it too.

Times are stored as naive UTC and come back as aware UTC datetimes.
"""

from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, event, types
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from bots.runtime.errors import O2CError

Json = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(types.TypeDecorator):
    """An aware UTC datetime, stored naive (SQLite has no time zones) and read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=timezone.utc) if value is not None else None


class Base(DeclarativeBase):
    pass


class WorkItem(Base):
    """One unit of work and where it stands."""

    __tablename__ = "work_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column("idempotency_key", String(255), unique=True)
    source_ref: Mapped[str | None] = mapped_column(String(2000))
    payload: Mapped[dict] = mapped_column(Json)
    result: Mapped[dict | None] = mapped_column(Json)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("work_items.id"))
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set while the item is (or last was) in state exception.
    exception_type: Mapped[str | None] = mapped_column(String(20))
    exception_code: Mapped[str | None] = mapped_column(String(80))
    exception_message: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict | None] = mapped_column(Json)
    traceback: Mapped[str | None] = mapped_column(Text)

    events: Mapped[list["ItemEvent"]] = relationship(back_populates="item", order_by="ItemEvent.id")

    __table_args__ = (Index("ix_work_items_state_kind", "state", "kind"),)

    def __repr__(self) -> str:
        return f"<WorkItem {self.id} {self.kind} {self.state} key={self.key!r}>"


class ItemEvent(Base):
    """One entry in a work item's history: a change of state or a supervisor's action."""

    __tablename__ = "item_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict | None] = mapped_column(Json)

    item: Mapped[WorkItem] = relationship(back_populates="events")


ExceptionEvent = ItemEvent


class BotRun(Base):
    """One run of one bot: when, where, what it counted and how it ended."""

    __tablename__ = "bot_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bot: Mapped[str] = mapped_column(String(80), index=True)
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict] = mapped_column(Json)


class AuditEntry(Base):
    """What a bot did on an outside system: keyed what, where, and the document number it got."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("bot_runs.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("work_items.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    bot: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80))
    system: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(500))
    detail: Mapped[dict | None] = mapped_column(Json)
    document_number: Mapped[str | None] = mapped_column(String(80), index=True)


class AuditLogIsAppendOnly(O2CError):
    """Raised on any attempt to change or delete an audit row."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_audit_change(mapper, connection, target):
    raise AuditLogIsAppendOnly(f"audit entry {target.id} cannot be changed or deleted: the audit log is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_change(state):
    # Bulk update()/delete() statements bypass the per-object hooks above.
    if (state.is_update or state.is_delete) and state.bind_mapper is not None and state.bind_mapper.class_ is AuditEntry:
        raise AuditLogIsAppendOnly("the audit log is append-only: update and delete are refused")


# --- console and web sign-in (issue 11; migration 0002_console) -------------------------
# Two columns on work items: ``version`` (bumped on every change, so a supervisor acting on
# a page that is out of date is told who got there first) and ``assigned_to`` (the person
# an exception is given to). Users of the web apps and their sign-in throttling live in
# their own tables; ``realm`` keeps apps apart (console staff, customer contacts...).

from sqlalchemy import Boolean, UniqueConstraint  # noqa: E402

WorkItem.version = mapped_column(Integer, nullable=False, default=1, server_default="1")
WorkItem.assigned_to = mapped_column(String(200), nullable=True)
Index("ix_work_items_state_updated", WorkItem.state, WorkItem.updated_at)
Index("ix_work_items_assigned_to", WorkItem.assigned_to)
Index("ix_work_items_state_reason", WorkItem.state, WorkItem.exception_code)


@event.listens_for(WorkItem, "before_update")
def _bump_item_version(mapper, connection, target):
    # Every change a flush writes makes the item one version newer.
    target.version = (target.version or 1) + 1


class WebUser(Base):
    """A person who signs in to one of the web apps (``realm``), with a role and an argon2 hash."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    realm: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("realm", "name", name="uq_web_users_realm_name"),)


class SignInFailures(Base):
    """Failed sign-ins of one user name or one address in a realm, to slow the next try down."""

    __tablename__ = "web_sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    realm: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(10))  # "user" or "address"
    subject: Mapped[str] = mapped_column(String(255))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("realm", "scope", "subject", name="uq_web_sign_in_failures_subject"),)


class WebSession(Base):
    """One signed-in session of a web app, kept on the server so sign-out and idle expiry are final."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the cookie's token
    realm: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- fleet of workers (issue 16; migration 0003_fleet) -----------------------------------
# ``fleet_workers``: one row per `o2c worker` process, written when it starts and on every
# heartbeat, so `o2c workers` and `o2c status` can show who is alive and on what item.
# ``bot_locks``: at most one holder per bot across machines; a lock whose holder stopped
# heartbeating (it died) expires at ``expires_at`` and can be taken by the next one.


class FleetWorker(Base):
    """One worker process of the fleet: where it runs, its bots, its slots' items, its last heartbeat."""

    __tablename__ = "fleet_workers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)  # host:pid:start, unique per process
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    bots: Mapped[list] = mapped_column(Json)
    concurrency: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(20))  # running, stopping, stopped
    current_items: Mapped[list] = mapped_column(Json)  # [{"slot", "bot", "item_id"}]
    metrics_port: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_heartbeat: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BotLock(Base):
    """Who runs ``bot`` now, until when: a lock shared by every machine of the fleet."""

    __tablename__ = "bot_locks"

    bot: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- outgoing mail, receivables and collections (issue 14; migration 0005_collections) ---
# ``outgoing_messages``: every message the bots send, written as an intent (with its
# Message-ID and the whole MIME text) before the SMTP send, so a run killed half-way
# finishes it instead of sending it again (bots/runtime/outgoing_mail.py).
# ``ar_items`` / ``ar_receipts``: the receivables ledger kept from the ERP's open-items
# exports, read by bots/receivables. The rest is collections: contacts and their history,
# promises to pay, dispute cases, the dunning stage reached by each item, risk scores,
# collector assignments and the stop on new orders the credit gate reads.

from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

from sqlalchemy import Date, LargeBinary, Numeric  # noqa: E402

Money = Numeric(18, 2)


class OutgoingMessage(Base):
    """One message to send exactly once: intent, then sent over SMTP, then copied to Sent (done)."""

    __tablename__ = "outgoing_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)       # what it is for, e.g. dunning:C1001:2:2026-12-03
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    purpose: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20))                   # intent, sent, done, refused
    sender: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[list] = mapped_column(Json)
    subject: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    found_in_sent: Mapped[bool] = mapped_column(Boolean, default=False)  # finished by a restart that found the copy
    meta: Mapped[dict] = mapped_column(Json)        # what the sender needs to finish its own records
    error: Mapped[str | None] = mapped_column(Text)  # why the server refused it (state refused)


class ArItem(Base):
    """An invoice or credit memo of the receivables ledger, as the ERP's latest export showed it."""

    __tablename__ = "ar_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(80), index=True)
    customer_name: Mapped[str] = mapped_column(String(300))
    invoice: Mapped[str] = mapped_column(String(80))
    invoice_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Money)
    open_amount: Mapped[Decimal] = mapped_column(Money)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("customer_id", "invoice", name="uq_ar_items_customer_invoice"),)


class ArReceipt(Base):
    """Cash applied to one ledger item on one day (a later export showed less open)."""

    __tablename__ = "ar_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(80), index=True)
    invoice: Mapped[str] = mapped_column(String(80))
    receipt_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    source: Mapped[str] = mapped_column(String(200))


class CustomerContact(Base):
    """A person at a customer whom collections writes to or calls."""

    __tablename__ = "collection_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10), default="en")
    receives_dunning: Mapped[bool] = mapped_column(Boolean, default=True)


class ContactLog(Base):
    """One contact with a customer (a reminder sent, a call, a letter, a note), for the history."""

    __tablename__ = "collection_contact_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))       # reminder, call, letter, sms, note, promise, dispute
    channel: Mapped[str | None] = mapped_column(String(40))
    stage: Mapped[int | None] = mapped_column(Integer)
    invoices: Mapped[list] = mapped_column(Json)
    note: Mapped[str | None] = mapped_column(Text)
    message_key: Mapped[str | None] = mapped_column(String(255))


class PromiseToPay(Base):
    """A customer's promise to pay items by a date; broken when the date passes unpaid."""

    __tablename__ = "collection_promises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(80), index=True)
    invoices: Mapped[list] = mapped_column(Json)
    amount: Mapped[Decimal] = mapped_column(Money)
    promised_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))      # open, kept, broken
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DisputeCase(Base):
    """A question or dispute about an invoice, or a deduction, routed to a team with a due date."""

    __tablename__ = "collection_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(80), index=True)
    invoice: Mapped[str | None] = mapped_column(String(80), index=True)
    kind: Mapped[str] = mapped_column(String(20))       # dispute, question, deduction
    reason: Mapped[str] = mapped_column(String(80))
    team: Mapped[str] = mapped_column(String(80))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    state: Mapped[str] = mapped_column(String(20))      # open, closed
    due_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(40))     # email, cash-application, console
    source_ref: Mapped[str | None] = mapped_column(String(255), unique=True)   # one case per email or deduction
    note: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    resolution: Mapped[str | None] = mapped_column(Text)


class DunningNotice(Base):
    """That ``invoice`` was given dunning ``stage``: written once, in the transaction that finishes its message."""

    __tablename__ = "dunning_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(80))
    invoice: Mapped[str] = mapped_column(String(80))
    stage: Mapped[int] = mapped_column(Integer)
    message_key: Mapped[str] = mapped_column(String(255), index=True)
    noticed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("customer_id", "invoice", "stage", name="uq_dunning_notices_stage"),)


class CustomerRiskScore(Base):
    """A customer's latest risk score (0 safe .. 100 risky) and the factors that made it."""

    __tablename__ = "customer_risk_scores"

    customer_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    factors: Mapped[list] = mapped_column(Json)          # [{"factor", "value", "points", "explanation"}]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CollectorAssignment(Base):
    """Which collector works a customer."""

    __tablename__ = "collection_assignments"

    customer_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    collector: Mapped[str] = mapped_column(String(200), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_by: Mapped[str] = mapped_column(String(200))


class OrderStop(Base):
    """No new orders for this customer (dunning's last stage); the credit gate reads it."""

    __tablename__ = "order_stops"

    customer_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by: Mapped[str] = mapped_column(String(200))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(200))


# --- credit gate, credit reports, invoice delivery (issue 13; migration 0004) ------------
# ``work_items.priority``: how urgent an item is (higher first); the credit step sets it on
# queued orders from the requested delivery date, the customer's tier and the order's value.
# ``credit_reports``: the credit agency's report of a customer, cached with its date.
# ``portal_contacts`` / ``portal_attachments``: the customer portal's contacts (each tied to
# one customer) and the files they attach to disputes.

WorkItem.priority = mapped_column(Integer, nullable=True)


class CreditReport(Base):
    """A credit agency's report of one customer as the credit-agency bot read it."""

    __tablename__ = "credit_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40), index=True)
    company_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    agency_ref: Mapped[str] = mapped_column(String(80))
    rating: Mapped[str] = mapped_column(String(10))
    payment_index: Mapped[int] = mapped_column(Integer)
    recommended_limit: Mapped[str | None] = mapped_column(String(20))  # decimal string
    currency: Mapped[str | None] = mapped_column(String(3))
    report_date: Mapped[str] = mapped_column(String(10))  # ISO date the agency printed
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PortalContact(Base):
    """A customer contact's portal account (a ``web_users`` row of realm ``customer``) and its customer.

    Every page of the customer portal shows only this customer's data."""

    __tablename__ = "portal_contacts"

    web_user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(80), index=True)


class PortalAttachment(Base):
    """A file a customer attached in the portal: to a dispute (``case_id``) or a remittance advice."""

    __tablename__ = "portal_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(80), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer)  # dispute_cases.id (created by a later migration)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by: Mapped[str] = mapped_column(String(200))


# --- Robot Framework runs (issue 12; migration 0006) -----------------------------------
# ``bot_runs.artifacts``: what a run kept, by name -> path; for `o2c run robot` the
# task's output.xml, log.html and report.html (and the folder that holds them).

BotRun.artifacts = mapped_column(Json, nullable=True)

