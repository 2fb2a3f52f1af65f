"""Bot runs and the audit log.

::

    with bot_run(queue, "email-intake") as run:
        ...
        run.count("messages")
        run.audit("create_sales_order", system="erp", target="Sales Order form",
                  detail={"po_number": "4500012345"}, document_number="SO-10442", item_id=item.id)

A row in ``bot_runs`` is written when the run starts (outcome ``running``) and closed
when it ends: ``success``, or ``failed`` with the error when an exception leaves the
block (the exception is raised again). Audit rows are written at once, one per call,
and can never be changed or deleted.
"""

import os
import socket
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bots.runtime.clock import Clock, SystemClock
from bots.runtime.config import setup_logging
from bots.runtime.logs import get_logger, mask
from bots.runtime.store.models import AuditEntry, BotRun

log = get_logger(__name__)


def worker_name(bot: str) -> str:
    """``bot@host:pid``: who holds a lease, in words a person can trace."""
    return f"{bot}@{socket.gethostname()}:{os.getpid()}"


class Run:
    """One run of one bot, as it happens."""

    def __init__(self, sessions: sessionmaker, clock: Clock, run_id: int, bot: str, worker: str):
        self._sessions = sessions
        self._clock = clock
        self.id = run_id
        self.bot = bot
        self.worker = worker
        self.counts: dict[str, int] = {}
        self.artifacts: dict[str, str] = {}  # what the run kept, name -> path (a Robot task's log.html...)

    def count(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the counter ``name`` (messages read, orders keyed, exceptions...)."""
        self.counts[name] = self.counts.get(name, 0) + n

    def audit(self, action: str, system: str, target: str, detail: dict | None = None,
              document_number: str | None = None, item_id: int | None = None) -> None:
        """Append one row to the audit log: ``action`` done on ``system`` at ``target``.

        :param detail: what was keyed (never secrets: known secret values are masked).
        :param document_number: the number the outside system gave back (sales order, posting).
        """
        with self._sessions.begin() as session:
            session.add(AuditEntry(
                run_id=self.id, item_id=item_id, at=self._clock.now(), bot=self.bot, action=action, system=system,
                target=mask(str(target)), detail=mask(detail) if detail else None, document_number=document_number,
            ))
        log.info("audit", bot=self.bot, action=action, system=system, target=target, document_number=document_number)

    def __repr__(self) -> str:
        return f"<Run {self.id} {self.bot} {self.counts}>"


@contextmanager
def bot_run(queue_or_store, bot_name: str, *, worker: str | None = None, clock: Clock | None = None):
    """Record one run of ``bot_name``; yields a ``Run``.

    :param queue_or_store: a ``WorkQueue`` (its store and clock are used), an Engine,
        or a database URL (None: the settings' store).
    """
    setup_logging()
    engine, clock = _store(queue_or_store, clock)
    sessions = sessionmaker(engine, expire_on_commit=False)
    worker = worker or worker_name(bot_name)
    with sessions.begin() as session:
        row = BotRun(bot=bot_name, worker=worker, started_at=clock.now(), outcome="running", counts={})
        session.add(row)
        session.flush()
        run = Run(sessions, clock, row.id, bot_name, worker)
    log.info("run started", bot=bot_name, run_id=run.id, worker=worker)
    try:
        yield run
    except BaseException as error:
        _finish(sessions, run, clock, "failed", mask(f"{type(error).__name__}: {error}"))
        raise
    _finish(sessions, run, clock, "success", None)


def recent_runs(queue_or_store, limit: int = 20) -> list[dict]:
    """The latest runs, newest first, as plain dicts."""
    engine, _ = _store(queue_or_store, None)
    with sessionmaker(engine)() as session:
        rows = session.scalars(select(BotRun).order_by(BotRun.id.desc()).limit(limit))
        return [_run_dict(row) for row in rows]


def audit_entries(queue_or_store, *, item_id: int | None = None, run_id: int | None = None,
                  limit: int | None = 200) -> list[dict]:
    """Audit rows, oldest first, optionally of one item or one run."""
    engine, _ = _store(queue_or_store, None)
    query = select(AuditEntry).order_by(AuditEntry.id)
    if item_id is not None:
        query = query.where(AuditEntry.item_id == item_id)
    if run_id is not None:
        query = query.where(AuditEntry.run_id == run_id)
    if limit:
        query = query.limit(limit)
    with sessionmaker(engine)() as session:
        return [
            {"id": r.id, "at": r.at.isoformat(), "run_id": r.run_id, "item_id": r.item_id, "bot": r.bot,
             "action": r.action, "system": r.system, "target": r.target, "detail": r.detail,
             "document_number": r.document_number}
            for r in session.scalars(query)
        ]


def _finish(sessions, run: Run, clock: Clock, outcome: str, error: str | None) -> None:
    with sessions.begin() as session:
        row = session.get(BotRun, run.id)
        row.ended_at = clock.now()
        row.outcome = outcome
        row.error = error
        row.counts = dict(run.counts)
        row.artifacts = dict(run.artifacts) or None
    log.info("run ended", bot=run.bot, run_id=run.id, outcome=outcome, counts=run.counts, error=error)


def _store(queue_or_store, clock):
    from sqlalchemy.engine import Engine

    from bots.runtime.store.engine import make_engine, upgrade

    if hasattr(queue_or_store, "engine") and hasattr(queue_or_store, "clock"):
        return queue_or_store.engine, clock or queue_or_store.clock
    if isinstance(queue_or_store, Engine):
        return queue_or_store, clock or SystemClock()
    engine = make_engine(queue_or_store)
    upgrade(engine)
    return engine, clock or SystemClock()


def _run_dict(row: BotRun) -> dict:
    return {
        "id": row.id, "bot": row.bot, "worker": row.worker, "started_at": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat() if row.ended_at else None, "outcome": row.outcome,
        "error": row.error, "counts": row.counts, "artifacts": row.artifacts or {},
    }
