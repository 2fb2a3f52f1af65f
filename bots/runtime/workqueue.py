"""The work queue: what flows between bots, and the exception queue supervisors work.

Usage::

    queue = WorkQueue.open()                     # the store from the settings, schema upgraded
    item, created = queue.add("order", order, key=key_for("order", message_id, po_number),
                              source_ref=message_id)
    for item in queue.claim("erp-entry@host-1", kinds=["order"], limit=10):
        with queue.processing(item, "erp-entry@host-1") as work:
            work.result = {"sales_order": key_in_the_order(work.payload)}

An item moves through these states::

    new ──claim──> in_progress ──complete──> done
     ^                 │  │
     └─ app failure ───┘  └─ business failure, or attempts used up ──> exception
        (with backoff)                                                 │ │ │
    retried <──────────────────────── retry (supervisor) ──────────────┘ │ │
    resolved <─────────────────────── resolve (supervisor, with a note) ─┘ │
    dismissed <────────────────────── dismiss (supervisor, with a note) ───┘

``retried`` items are claimed like new ones. An ``in_progress`` item whose lease ran out
(its worker died) is claimed again by the next worker. Every change is written to the
item's history with who made it.

Claiming is atomic: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, one
``BEGIN IMMEDIATE`` writer transaction on SQLite, so several worker processes never take
the same item. Items handed out are ``Item`` snapshots, usable after the database
session has closed. Time comes from a ``Clock`` (``bots.runtime.clock``) that tests can set.
"""

import hashlib
import traceback as tb
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bots.runtime.clock import Clock, SystemClock
from bots.runtime.errors import ApplicationException, BotException, BusinessException, O2CError
from bots.runtime.logs import get_logger, mask, register_environment_secrets
from bots.runtime.store.engine import make_engine, reader, upgrade
from bots.runtime.store.models import AuditEntry, ItemEvent, WorkItem

log = get_logger(__name__)


# --- the vocabulary --------------------------------------------------------------------


class State(str, Enum):
    """Where a work item stands."""

    NEW = "new"  # waiting for a worker
    IN_PROGRESS = "in_progress"  # claimed; its worker holds a lease until lease_expires_at
    DONE = "done"  # finished; result holds what the bot recorded
    EXCEPTION = "exception"  # waiting for a supervisor
    RETRIED = "retried"  # a supervisor sent it back to the bots; claimed like new
    RESOLVED = "resolved"  # a supervisor handled it by hand
    DISMISSED = "dismissed"  # a supervisor decided nothing needs doing

    def __str__(self) -> str:
        return self.value


CLAIMABLE = (State.NEW.value, State.RETRIED.value)
FINISHED = (State.DONE.value, State.RESOLVED.value, State.DISMISSED.value)


class QueueError(O2CError):
    """A queue operation that cannot be done; the message says why."""


class ItemNotFound(QueueError):
    """No work item has that id."""


class IllegalTransition(QueueError):
    """The item's state does not allow the requested action."""


class LeaseLost(QueueError):
    """The worker no longer holds the item: its lease ran out and another worker took it."""


class ItemChanged(QueueError):
    """Someone changed the item since the person acting last saw it (its version moved on).

    The message says who did what, so the second of two people acting at once knows."""


@dataclass(frozen=True)
class Event:
    """One entry of an item's history."""

    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    note: str | None = None
    detail: dict | None = None


@dataclass(frozen=True)
class Item:
    """A snapshot of a work item, safe to use after the database session closed."""

    id: int
    kind: str
    key: str
    payload: dict
    state: str
    attempts: int
    source_ref: str | None = None
    result: dict | None = None
    parent_id: int | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    not_before: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    exception_type: str | None = None
    exception_code: str | None = None
    exception_message: str | None = None
    evidence: dict = field(default_factory=dict)
    traceback: str | None = None
    history: tuple[Event, ...] = ()
    version: int = 1  # one higher after every change; supervisors' actions check it
    assigned_to: str | None = None  # the person an exception is given to

    def to_dict(self, *, history: bool = True, traceback: bool = True) -> dict:
        """The item as plain JSON-ready data (datetimes as ISO strings)."""
        data = {
            name: (value.isoformat() if isinstance(value, datetime) else value)
            for name, value in vars(self).items()
            if name not in ("history", "traceback")
        }
        if traceback:
            data["traceback"] = self.traceback
        if history:
            data["history"] = [
                {**vars(event), "at": event.at.isoformat() if event.at else None} for event in self.history
            ]
        return data


def key_for(*parts) -> str:
    """An idempotency key from the parts that identify a piece of work.

    ``key_for("order", message_id, po_number)`` is the same string every time the same
    email is read, so adding it twice makes one item.
    """
    text = "\x1f".join("" if part is None else str(part).strip() for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_key(path: str | Path, kind: str = "file") -> str:
    """An idempotency key from a file's content (the same PDF dropped twice is one item)."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return f"{kind}:sha256:{digest}"


# --- the queue -------------------------------------------------------------------------


class WorkQueue:
    """Work items in the store, and every way they move."""

    def __init__(self, engine, *, clock: Clock | None = None, max_attempts: int = 3,
                 retry_backoff_seconds: int = 30, lease_seconds: int = 300):
        self.engine = engine
        self.clock = clock or SystemClock()
        self.max_attempts = max_attempts
        self.retry_backoff_seconds = retry_backoff_seconds
        self.lease_seconds = lease_seconds
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._reader = reader(engine)

    @classmethod
    def open(cls, url: str | None = None, *, clock: Clock | None = None, settings=None,
             upgrade_schema: bool = True, **options) -> "WorkQueue":
        """Open the queue at ``url`` (default: the settings' store) and upgrade its schema.

        ``options`` override the settings' ``max_attempts``, ``retry_backoff_seconds``
        and ``lease_seconds``.
        """
        if settings is None:
            from bots.runtime.config import load_settings

            settings = load_settings()
        register_environment_secrets()  # O2C_*_PASSWORD values never reach evidence or history
        engine = make_engine(url or settings.database_url)
        if upgrade_schema:
            upgrade(engine)
        defaults = {
            "max_attempts": settings.max_attempts,
            "retry_backoff_seconds": settings.retry_backoff_seconds,
            "lease_seconds": settings.lease_seconds,
        }
        return cls(engine, clock=clock, **{**defaults, **options})

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> "WorkQueue":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def session(self) -> Session:
        """A new ORM session on the store (for runs and reports; bots use the methods)."""
        return self._sessions()

    # --- adding work ---

    def add(self, kind: str, payload: dict, *, key: str, source_ref: str | None = None,
            evidence: dict | None = None, parent_id: int | None = None) -> tuple[Item, bool]:
        """Add one item, unless one with ``key`` exists already.

        :return: ``(item, created)``; ``created`` is False when the key was seen before
            (in this process or another), and ``item`` is then the existing one.
        """
        return self.add_many([{"kind": kind, "payload": payload, "key": key, "source_ref": source_ref,
                               "evidence": evidence, "parent_id": parent_id}])[0]

    def add_many(self, entries: list[dict]) -> list[tuple[Item, bool]]:
        """Add several items in ONE transaction: all are stored, or none.

        Each entry is a dict with ``kind``, ``payload``, ``key`` and optionally
        ``source_ref``, ``evidence``, ``parent_id``, and ``exception``: a
        ``(code, message)`` pair that puts the new item straight into the exception
        queue, in the same transaction. Keys seen before give back the existing item
        with ``created`` False (and its state unchanged).
        """
        for entry in entries:
            missing = [name for name in ("kind", "payload", "key") if entry.get(name) in (None, "")]
            if missing:
                raise QueueError(f"a work item needs {', '.join(missing)}: {entry!r:.200}")
            exception = entry.get("exception")
            if exception is not None and not (isinstance(exception, (tuple, list)) and len(exception) == 2 and exception[0]):
                raise QueueError(f"an entry's exception is a (code, message) pair, not {exception!r:.100}")
        now = self.clock.now()
        with self._sessions.begin() as session:
            try:
                # Fast path: one query for the keys already there, one insert for the rest.
                # The savepoint undoes only this attempt when another process inserted
                # one of the keys meanwhile; the careful path below then sorts it out.
                with session.begin_nested():
                    results = self._add_all(session, entries, now)
            except IntegrityError:
                results = [self._add_one(session, entry, now) for entry in entries]
        for item, created in results:
            if created:
                log.info("item added", item_id=item.id, kind=item.kind, source_ref=item.source_ref)
        return results

    def _add_all(self, session: Session, entries: list[dict], now: datetime) -> list[tuple[Item, bool]]:
        keys = list({entry["key"] for entry in entries})
        found = {}
        for start in range(0, len(keys), 500):  # keep the IN list within every database's limits
            chunk = keys[start:start + 500]
            found.update((row.key, row) for row in session.scalars(select(WorkItem).where(WorkItem.key.in_(chunk))))
        rows, plan = [], []
        for entry in entries:
            if entry["key"] in found:
                plan.append((found[entry["key"]], False))
                continue
            row = _new_row(entry, now)
            found[entry["key"]] = row
            rows.append(row)
            plan.append((row, True))
        session.add_all(rows)
        session.flush()
        for row, created in plan:
            if created:
                session.add_all(_creation_events(row, now))
        session.flush()
        return [(_snapshot(row), created) for row, created in plan]

    def _add_one(self, session: Session, entry: dict, now: datetime) -> tuple[Item, bool]:
        existing = session.scalar(select(WorkItem).where(WorkItem.key == entry["key"]))
        if existing is not None:
            return _snapshot(existing), False
        row = _new_row(entry, now)
        try:
            # A savepoint: when another process added the same key a moment ago, only
            # this insert is undone and we return that process's item.
            with session.begin_nested():
                session.add(row)
                session.flush()
                session.add_all(_creation_events(row, now))
                session.flush()
        except IntegrityError:
            existing = session.scalar(select(WorkItem).where(WorkItem.key == entry["key"]))
            if existing is None:
                raise
            return _snapshot(existing), False
        return _snapshot(row), True

    # --- working ---

    def claim(self, worker: str, *, kinds: list[str] | None = None, limit: int = 1,
              lease_seconds: int | None = None) -> list[Item]:
        """Take up to ``limit`` items for ``worker``: highest ``priority`` first, then oldest.

        Takes items in state new or retried whose backoff has passed, and in_progress
        items whose lease ran out (their worker died). Each becomes in_progress, leased
        to ``worker`` for ``lease_seconds``, with ``attempts`` one higher.
        """
        now = self.clock.now()
        lease = timedelta(seconds=lease_seconds or self.lease_seconds)
        claimable = or_(
            and_(WorkItem.state.in_(CLAIMABLE), or_(WorkItem.not_before.is_(None), WorkItem.not_before <= now)),
            and_(WorkItem.state == State.IN_PROGRESS.value, WorkItem.lease_expires_at < now),
        )
        query = select(WorkItem).where(claimable)
        if kinds:
            query = query.where(WorkItem.kind.in_(list(kinds)))
        # The most urgent first (priority, set on orders by bots.credit.priority), then the oldest.
        query = query.order_by(WorkItem.priority.desc().nulls_last(), WorkItem.id).limit(limit)
        query = query.with_for_update(skip_locked=True)
        claimed = []
        with self._sessions.begin() as session:
            for row in session.scalars(query):
                previous_state, previous_owner = row.state, row.lease_owner
                row.state = State.IN_PROGRESS.value
                row.lease_owner = worker
                row.lease_expires_at = now + lease
                row.attempts += 1
                row.not_before = None
                row.updated_at = now
                if previous_state == State.IN_PROGRESS.value:
                    _record(session, row, now, worker, "lease_expired", previous_state, row.state,
                            detail={"previous_owner": previous_owner})
                claimed.append(_snapshot(row))
        if claimed:
            log.debug("items claimed", worker=worker, item_ids=[item.id for item in claimed])
        return claimed

    def heartbeat(self, item_id: int, worker: str, lease_seconds: int | None = None) -> Item:
        """Extend ``worker``'s lease on the item by ``lease_seconds`` from now.

        :raises LeaseLost: the worker no longer holds the item.
        """
        now = self.clock.now()
        with self._sessions.begin() as session:
            row = self._held(session, item_id, worker)
            row.lease_expires_at = now + timedelta(seconds=lease_seconds or self.lease_seconds)
            row.updated_at = now
            return _snapshot(row)

    def extend_leases(self, workers: list[str], lease_seconds: int | None = None) -> int:
        """Extend every lease the ``workers`` hold by ``lease_seconds`` from now (a fleet
        worker's heartbeat); return how many items that was. One statement, so a worker
        with many slots heartbeats in one round trip; the item's version is left alone."""
        from sqlalchemy import update

        now = self.clock.now()
        statement = (update(WorkItem)
                     .where(WorkItem.state == State.IN_PROGRESS.value, WorkItem.lease_owner.in_(list(workers)))
                     .values(lease_expires_at=now + timedelta(seconds=lease_seconds or self.lease_seconds)))
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount

    def release(self, item_id: int, worker: str, note: str = "worker stopping") -> Item:
        """Give a claimed item back untouched: new again at once, the claim not counted as an attempt.

        :raises LeaseLost: the worker no longer holds the item.
        """
        now = self.clock.now()
        with self._sessions.begin() as session:
            row = self._held(session, item_id, worker)
            row.state = State.NEW.value
            row.attempts = max(0, row.attempts - 1)
            row.lease_owner = None
            row.lease_expires_at = None
            row.updated_at = now
            _record(session, row, now, worker, "released", State.IN_PROGRESS.value, row.state, note=note)
            return _snapshot(row)

    def held_by(self, workers: list[str]) -> list[Item]:
        """The items the ``workers`` hold now (in progress under their lease), oldest first."""
        query = (select(WorkItem).where(WorkItem.state == State.IN_PROGRESS.value,
                                        WorkItem.lease_owner.in_(list(workers))).order_by(WorkItem.id))
        with self._read() as session:
            return [_snapshot(row) for row in session.scalars(query)]

    def complete(self, item_id: int, worker: str, result: dict | None = None,
                 audit: list[dict] | None = None) -> Item:
        """Mark the item done with the bot's ``result``.

        :param audit: audit entries (``action``, ``system``, ``target``, ``detail``,
            ``document_number``, ``bot``, ``run_id``) written in the same transaction
            that closes the item, so what was done and the item's state never disagree.
        :raises LeaseLost: the worker no longer holds the item.
        """
        now = self.clock.now()
        with self._sessions.begin() as session:
            row = self._held(session, item_id, worker)
            row.state = State.DONE.value
            row.result = result
            row.lease_owner = None
            row.lease_expires_at = None
            row.updated_at = now
            _record(session, row, now, worker, "completed", State.IN_PROGRESS.value, row.state)
            for entry in audit or []:
                session.add(_audit_row(entry, now, item_id=item_id, bot=worker))
            item = _snapshot(row)
        log.info("item done", item_id=item_id, worker=worker)
        return item

    def fail(self, item_id: int, worker: str, exc: BaseException) -> Item:
        """Record that ``worker`` failed on the item with ``exc``, and route it.

        A ``BusinessException`` sends the item to the exception queue at once. An
        ``ApplicationException`` or any other exception sends it back to new, to be
        claimed again after a backoff that doubles each time, until ``max_attempts``
        attempts are used; then to the exception queue. The traceback is kept for
        developers.
        """
        now = self.clock.now()
        business = isinstance(exc, BusinessException)
        ours = isinstance(exc, BotException)  # other exceptions' "code" (HTTPError's 500...) means something else
        code = (exc.code if ours else None) or ("application_error" if ours else "unexpected_error")
        message = (exc.message if ours else None) or f"{type(exc).__name__}: {exc}"
        evidence = exc.evidence if ours else {}
        trace = mask("".join(tb.format_exception(type(exc), exc, exc.__traceback__)))
        with self._sessions.begin() as session:
            row = self._held(session, item_id, worker)
            row.traceback = trace
            row.lease_owner = None
            row.lease_expires_at = None
            row.updated_at = now
            detail = {"code": code, "message": mask(message), "type": type(exc).__name__}
            if business or row.attempts >= self.max_attempts:
                _to_exception(row, "business" if business else "application", code, message, evidence)
                action = "business_exception" if business else "attempts_exhausted"
                _record(session, row, now, worker, action, State.IN_PROGRESS.value, row.state, detail=detail)
            else:
                row.state = State.NEW.value
                row.not_before = now + timedelta(seconds=self.retry_backoff_seconds * 2 ** (row.attempts - 1))
                _record(session, row, now, worker, "failed_will_retry", State.IN_PROGRESS.value, row.state,
                        detail={**detail, "not_before": row.not_before.isoformat()})
            item = _snapshot(row)
        log.warning("item failed", item_id=item_id, worker=worker, code=code, state=item.state, attempts=item.attempts)
        return item

    def to_exception(self, item_id: int, code: str, message: str, evidence: dict | None = None,
                     *, by: str = "bot") -> Item:
        """Send the item to the exception queue with a reason ``code``, a plain-language
        ``message`` for the supervisor and the ``evidence`` (merged into what it has)."""
        now = self.clock.now()
        with self._sessions.begin() as session:
            row = self._row(session, item_id)
            if row.state not in (*CLAIMABLE, State.IN_PROGRESS.value):
                raise IllegalTransition(f"item {item_id} is {row.state}; only new, retried or in_progress items can go to the exception queue")
            previous = row.state
            _to_exception(row, "business", code, message, evidence or {})
            row.lease_owner = None
            row.lease_expires_at = None
            row.updated_at = now
            _record(session, row, now, by, "exception", previous, row.state, detail={"code": code, "message": mask(message)})
            item = _snapshot(row)
        log.warning("item sent to the exception queue", item_id=item_id, code=code)
        return item

    @contextmanager
    def processing(self, item: Item, worker: str, run=None):
        """Work on one claimed item; complete it on success, route a failure.

        Yields a ``Work`` (the item's fields, plus ``result`` to set and ``audit()``
        to record actions in the transaction that completes the item). On exit:
        no exception -> done; ``BusinessException`` / ``ApplicationException`` ->
        routed as in ``fail`` and swallowed, so the bot's loop goes on; any other
        exception is routed the same way and then raised again, so bugs surface.
        ``run`` (from ``bots.runtime.runs.bot_run``) gets counts done / exception / retry.
        """
        work = Work(item, run)
        try:
            yield work
        except (BusinessException, ApplicationException) as error:
            self._route(item, worker, error, run)
            return
        except Exception as error:
            self._route(item, worker, error, run)
            raise
        self.complete(item.id, worker, result=work.result, audit=work.audit_entries)
        if run is not None:
            run.count("done")

    def _route(self, item: Item, worker: str, error: BaseException, run) -> None:
        try:
            _count(run, self.fail(item.id, worker, error))
        except LeaseLost as lost:
            # Another worker took the item over; its outcome is theirs to record.
            log.warning("failure not recorded: lease lost", item_id=item.id, worker=worker, error=str(lost))

    # --- the supervisor's actions ---

    # Each takes, optionally: ``expected_version`` (the version the person saw; another one
    # raises ItemChanged naming who acted meanwhile), ``audit`` (an audit entry written in the
    # same transaction), and for retry ``payload`` (corrected data the bots take up) and
    # ``action`` (the history's word for it, e.g. "correct").

    def retry(self, item_id: int, by: str, note: str | None = None, **checks) -> Item:
        """Send an item in the exception queue back to the bots, with a fresh set of attempts."""
        return self._decide(item_id, by, note, checks.pop("action", "retry"), State.RETRIED, **checks)

    def resolve(self, item_id: int, by: str, note: str, **checks) -> Item:
        """Close an item in the exception queue as handled by hand; ``note`` says how."""
        return self._decide(item_id, by, note, "resolve", State.RESOLVED, **checks)

    def dismiss(self, item_id: int, by: str, note: str, **checks) -> Item:
        """Close an item in the exception queue as needing nothing; ``note`` says why."""
        return self._decide(item_id, by, note, "dismiss", State.DISMISSED, **checks)

    def assign(self, item_id: int, to: str | None, by: str, *, expected_version: int | None = None) -> Item:
        """Give an item in the exception queue to the person ``to`` (None: to nobody)."""
        now = self.clock.now()
        with self._sessions.begin() as session:
            row = self._row(session, item_id, lock=True)
            _check_version(session, row, expected_version)
            if row.state != State.EXCEPTION.value:
                raise IllegalTransition(f"cannot assign item {item_id}: it is {row.state}, not in the exception queue")
            before, row.assigned_to, row.updated_at = row.assigned_to, (to or None), now
            _record(session, row, now, by, "assign", row.state, row.state, detail={"from": before, "to": to or None})
            return _snapshot(row)

    def _decide(self, item_id: int, by: str, note: str | None, action: str, to: State, *,
                expected_version: int | None = None, payload: dict | None = None, audit: dict | None = None) -> Item:
        if to is not State.RETRIED and not (note and note.strip()):
            raise QueueError(f"{action} needs a note saying what was done (--note)")
        if not by:
            raise QueueError(f"{action} needs the name of the person doing it")
        now = self.clock.now()
        with self._sessions.begin() as session:
            row = self._row(session, item_id, lock=True)
            _check_version(session, row, expected_version)
            if row.state != State.EXCEPTION.value:
                raise IllegalTransition(
                    f"cannot {action} item {item_id}: it is {row.state}, and only items in the exception queue can be {_past(to)}"
                )
            row.state = to.value
            row.updated_at = now
            if to is State.RETRIED:
                row.attempts = 0
                row.not_before = None
            detail = None
            if payload is not None:
                detail = {"payload_before": row.payload}
                row.payload = payload
            _record(session, row, now, by, action, State.EXCEPTION.value, to.value, note=note, detail=detail)
            if audit:
                session.add(_audit_row(audit, now, item_id=item_id, bot=by))
            item = _snapshot(row, with_history=True)
        log.info(f"item {_past(to)}", item_id=item_id, by=by, action=action)
        return item

    # --- looking ---

    def get(self, item_id: int) -> Item:
        """The item with its history. :raises ItemNotFound:"""
        with self._read() as session:
            return _snapshot(self._row(session, item_id), with_history=True)

    def find(self, key: str) -> Item | None:
        """The item with idempotency key ``key``, or None."""
        with self._read() as session:
            row = session.scalar(select(WorkItem).where(WorkItem.key == key))
            return _snapshot(row) if row is not None else None

    def items(self, state: str | None = None, kind: str | None = None, limit: int | None = 200) -> list[Item]:
        """Items oldest first, optionally only of one ``state`` and ``kind``."""
        if state is not None:
            state = _state(state)
        query = select(WorkItem).order_by(WorkItem.id)
        if state:
            query = query.where(WorkItem.state == state)
        if kind:
            query = query.where(WorkItem.kind == kind)
        if limit:
            query = query.limit(limit)
        with self._read() as session:
            return [_snapshot(row) for row in session.scalars(query)]

    def exceptions(self, kind: str | None = None, limit: int | None = None) -> list[Item]:
        """The exception queue, longest waiting first."""
        query = select(WorkItem).where(WorkItem.state == State.EXCEPTION.value).order_by(WorkItem.updated_at, WorkItem.id)
        if kind:
            query = query.where(WorkItem.kind == kind)
        if limit:
            query = query.limit(limit)
        with self._read() as session:
            return [_snapshot(row) for row in session.scalars(query)]

    def counts(self) -> dict[str, int]:
        """How many items are in each state."""
        from sqlalchemy import func

        with self._read() as session:
            rows = session.execute(select(WorkItem.state, func.count()).group_by(WorkItem.state))
            return {state: count for state, count in rows}

    # --- helpers ---

    def reading(self):
        """A read-only ORM session (a context manager) for queries of reports and the console;
        on SQLite it takes no write lock, so bots keep working meanwhile."""
        return self._read()

    @contextmanager
    def _read(self):
        with self._sessions(bind=self._reader) as session:
            yield session

    def _row(self, session: Session, item_id: int, lock: bool = False) -> WorkItem:
        row = session.get(WorkItem, item_id, with_for_update=lock)
        if row is None:
            raise ItemNotFound(f"no work item {item_id}")
        return row

    def _held(self, session: Session, item_id: int, worker: str) -> WorkItem:
        """The item, locked, provided ``worker`` still holds it."""
        row = session.get(WorkItem, item_id, with_for_update=True)
        if row is None:
            raise ItemNotFound(f"no work item {item_id}")
        if row.state != State.IN_PROGRESS.value or row.lease_owner != worker:
            holder = f"held by {row.lease_owner}" if row.lease_owner else "not held by anyone"
            raise LeaseLost(f"{worker} no longer holds item {item_id}: it is {row.state}, {holder}")
        return row


class Work:
    """The item a bot is working on inside ``WorkQueue.processing``."""

    def __init__(self, item: Item, run=None):
        self.item = item
        self.result: dict | None = None
        self.audit_entries: list[dict] = []
        self._run = run

    def __getattr__(self, name):
        return getattr(self.item, name)

    def audit(self, action: str, system: str, target: str, detail: dict | None = None,
              document_number: str | None = None) -> None:
        """Record an action on an outside system; written when the item completes."""
        entry = {"action": action, "system": system, "target": target, "detail": detail,
                 "document_number": document_number}
        if self._run is not None:
            entry.update(run_id=self._run.id, bot=self._run.bot)
        self.audit_entries.append(entry)


# --- private helpers -------------------------------------------------------------------


def _snapshot(row: WorkItem, with_history: bool = False) -> Item:
    history = ()
    if with_history:
        history = tuple(
            Event(at=e.at, actor=e.actor, action=e.action, from_state=e.from_state, to_state=e.to_state,
                  note=e.note, detail=e.detail)
            for e in row.events
        )
    return Item(
        id=row.id, kind=row.kind, key=row.key, payload=row.payload, state=row.state, attempts=row.attempts,
        source_ref=row.source_ref, result=row.result, parent_id=row.parent_id, lease_owner=row.lease_owner,
        lease_expires_at=row.lease_expires_at, not_before=row.not_before, created_at=row.created_at,
        updated_at=row.updated_at, exception_type=row.exception_type, exception_code=row.exception_code,
        exception_message=row.exception_message, evidence=dict(row.evidence or {}), traceback=row.traceback,
        history=history, version=row.version or 1, assigned_to=row.assigned_to,
    )


def _check_version(session, row: WorkItem, expected: int | None) -> None:
    """Raise ItemChanged, naming the last person or bot who acted, when ``row`` moved past ``expected``."""
    if expected is None or int(expected) == (row.version or 1):
        return
    last = session.scalar(select(ItemEvent).where(ItemEvent.item_id == row.id).order_by(ItemEvent.id.desc()).limit(1))
    who = f"{last.actor} ({last.action}, {last.at:%Y-%m-%d %H:%M} UTC)" if last else "someone"
    raise ItemChanged(f"item {row.id} was changed by {who} since you opened it; it is now {row.state}. "
                      "Nothing was done: look at it again before acting.")


def _new_row(entry: dict, now: datetime) -> WorkItem:
    row = WorkItem(
        kind=entry["kind"], key=entry["key"], payload=entry["payload"], source_ref=entry.get("source_ref"),
        evidence=mask(entry.get("evidence") or {}), parent_id=entry.get("parent_id"),
        state=State.NEW.value, attempts=0, created_at=now, updated_at=now,
    )
    if entry.get("exception"):
        code, message = entry["exception"]
        _to_exception(row, "business", code, message, {})
    return row


def _creation_events(row: WorkItem, now: datetime) -> list[ItemEvent]:
    events = [ItemEvent(item_id=row.id, at=now, actor="bot", action="created", from_state=None, to_state=State.NEW.value)]
    if row.state == State.EXCEPTION.value:
        events.append(ItemEvent(item_id=row.id, at=now, actor="bot", action="exception", from_state=State.NEW.value,
                                to_state=row.state, detail={"code": row.exception_code, "message": row.exception_message}))
    return events


def _record(session, row, now, actor, action, from_state, to_state, note=None, detail=None) -> None:
    event = ItemEvent(at=now, actor=actor, action=action, from_state=from_state, to_state=to_state,
                      note=note, detail=mask(detail) if detail else None)
    if row.id is None:
        session.flush()
    event.item_id = row.id
    session.add(event)


def _to_exception(row: WorkItem, kind: str, code: str, message: str, evidence: dict) -> None:
    row.state = State.EXCEPTION.value
    row.exception_type = kind
    row.exception_code = code
    row.exception_message = mask(message)
    row.evidence = mask({**(row.evidence or {}), **(evidence or {})})


def _audit_row(entry: dict, now: datetime, *, item_id=None, bot="bot") -> AuditEntry:
    return AuditEntry(
        run_id=entry.get("run_id"), item_id=entry.get("item_id", item_id), at=now, bot=entry.get("bot") or bot,
        action=entry["action"], system=entry["system"], target=mask(str(entry["target"])),
        detail=mask(entry.get("detail")) if entry.get("detail") else None, document_number=entry.get("document_number"),
    )


def _count(run, item: Item) -> None:
    if run is not None:
        run.count("exception" if item.state == State.EXCEPTION.value else "retry")


def _state(value: str) -> str:
    try:
        return State(value).value
    except ValueError:
        raise QueueError(f"unknown state {value!r}; states are {', '.join(s.value for s in State)}") from None


def _past(action) -> str:
    """The past participle of an action or its target state ("retry" and State.RETRIED -> "retried")."""
    if isinstance(action, State):
        return action.value
    return {"retry": "retried", "resolve": "resolved", "dismiss": "dismissed"}[action]
