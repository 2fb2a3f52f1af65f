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

from bots.errors import O2CError

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


# --- credit gate, credit reports, invoice delivery (issue 13; migration 0004) ------------
# ``work_items.priority``: how urgent an item is (higher first); the credit step sets it on
# queued orders from the requested delivery date, the customer's tier and the order's value.
# ``credit_reports``: the credit agency's report of a customer, cached with its date.
# ``invoice_deliveries``: one row per invoice and channel, written BEFORE an invoice is sent
# (the intent, with its Message-ID), so a bot killed after sending finds it and sends nothing twice.

from sqlalchemy import UniqueConstraint  # noqa: E402,F811

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


class InvoiceDelivery(Base):
    """Sending one invoice over one channel: the intent first, then what the channel answered."""

    __tablename__ = "invoice_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))  # email, portal
    state: Mapped[str] = mapped_column(String(20))  # sending, sent, failed
    message_id: Mapped[str | None] = mapped_column(String(255))  # email: the Message-ID sent
    confirmation: Mapped[str | None] = mapped_column(String(80))  # portal: its confirmation number
    recipient: Mapped[str | None] = mapped_column(String(320))
    detail: Mapped[dict | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("invoice", "channel", name="uq_invoice_deliveries_invoice_channel"),)
