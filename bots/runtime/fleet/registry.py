"""Who is in the fleet: worker rows with heartbeats, and the bot locks shared across machines.

::

    registry = WorkerRegistry(queue)
    me = registry.register(bots=["erp-order-entry"], concurrency=2)
    registry.beat(me, current_items=[{"slot": 1, "bot": "erp-order-entry", "item_id": 42}])
    registry.live()            # workers whose last heartbeat is recent
    registry.stopped(me)

    locks = BotLocks(queue)
    if locks.acquire("email-intake", holder=me.name, ttl_seconds=30):
        ...                    # renew() on each heartbeat; release() when done

A worker that dies stops heartbeating: it drops out of ``live()`` after ``stale_seconds``,
its item leases run out (``WorkQueue.claim`` then hands them to others) and the locks it
held expire at their ``expires_at``. Times come from the queue's clock.
"""

import itertools
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bots.runtime.store.models import BotLock, FleetWorker

RUNNING, STOPPING, STOPPED = "running", "stopping", "stopped"


@dataclass(frozen=True)
class WorkerInfo:
    """A worker as `o2c workers` shows it."""

    name: str
    host: str
    pid: int
    bots: tuple[str, ...]
    concurrency: int
    state: str
    current_items: tuple[dict, ...]
    metrics_port: int | None
    started_at: datetime
    last_heartbeat: datetime
    stopped_at: datetime | None = None

    def to_dict(self) -> dict:
        data = {name: (value.isoformat() if isinstance(value, datetime) else value) for name, value in vars(self).items()}
        data["bots"] = list(self.bots)
        data["current_items"] = list(self.current_items)
        return data


_workers_in_this_process = itertools.count(1)


def this_process_name(started_at: datetime) -> str:
    """``host:pid:HHMMSSmmm``: one name per worker (a pid reused later gets another name).

    A second worker started in the same process (threads, tests) may start in the same
    millisecond, or on a frozen clock: it gets ``-2``, the next ``-3``.
    """
    name = f"{socket.gethostname()}:{os.getpid()}:{started_at.strftime('%H%M%S%f')[:9]}"
    nth = next(_workers_in_this_process)
    return name if nth == 1 else f"{name}-{nth}"


class WorkerRegistry:
    """The ``fleet_workers`` table: register, heartbeat, stop, and who is alive."""

    def __init__(self, queue, stale_seconds: float = 30.0):
        self.queue = queue
        self.clock = queue.clock
        self.stale_seconds = stale_seconds
        self._sessions = sessionmaker(queue.engine, expire_on_commit=False)

    def register(self, bots: list[str], concurrency: int = 1, metrics_port: int | None = None) -> WorkerInfo:
        """Add this process as a running worker; return its row."""
        now = self.clock.now()
        row = FleetWorker(name=this_process_name(now), host=socket.gethostname(), pid=os.getpid(), bots=list(bots),
                          concurrency=concurrency, state=RUNNING, current_items=[], metrics_port=metrics_port,
                          started_at=now, last_heartbeat=now)
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return _info(row)

    def beat(self, worker: WorkerInfo, current_items: list[dict] | None = None, state: str | None = None) -> None:
        """Record a heartbeat of ``worker`` now, with the items its slots work on."""
        values = {"last_heartbeat": self.clock.now()}
        if current_items is not None:
            values["current_items"] = list(current_items)
        if state is not None:
            values["state"] = state
        with self.queue.engine.begin() as connection:
            connection.execute(update(FleetWorker).where(FleetWorker.name == worker.name).values(**values))

    def stopped(self, worker: WorkerInfo) -> None:
        """Mark ``worker`` as stopped (it exited on purpose)."""
        now = self.clock.now()
        with self.queue.engine.begin() as connection:
            connection.execute(update(FleetWorker).where(FleetWorker.name == worker.name)
                               .values(state=STOPPED, stopped_at=now, last_heartbeat=now, current_items=[]))

    def live(self) -> list[WorkerInfo]:
        """Workers not stopped whose last heartbeat is younger than ``stale_seconds``, by host and pid."""
        since = self.clock.now() - timedelta(seconds=self.stale_seconds)
        query = (select(FleetWorker).where(FleetWorker.state != STOPPED, FleetWorker.last_heartbeat >= since)
                 .order_by(FleetWorker.host, FleetWorker.pid))
        with self._sessions() as session:
            return [_info(row) for row in session.scalars(query)]

    def lost(self) -> list[WorkerInfo]:
        """Workers that stopped heartbeating without saying they stopped (killed, machine down)."""
        since = self.clock.now() - timedelta(seconds=self.stale_seconds)
        query = (select(FleetWorker).where(FleetWorker.state != STOPPED, FleetWorker.last_heartbeat < since)
                 .order_by(FleetWorker.last_heartbeat.desc()).limit(50))
        with self._sessions() as session:
            return [_info(row) for row in session.scalars(query)]


class BotLocks:
    """One holder per bot across the fleet, until it releases the lock or stops renewing it."""

    def __init__(self, queue):
        self.queue = queue
        self.clock = queue.clock

    def acquire(self, bot: str, holder: str, ttl_seconds: float) -> bool:
        """Take the lock on ``bot`` for ``holder`` unless someone else holds it unexpired."""
        now = self.clock.now()
        expires = now + timedelta(seconds=ttl_seconds)
        with self.queue.engine.begin() as connection:
            taken = connection.execute(
                update(BotLock).where(BotLock.bot == bot, or_(BotLock.expires_at < now, BotLock.holder == holder))
                .values(holder=holder, acquired_at=now, expires_at=expires)).rowcount
            if taken:
                return True
        try:
            with self.queue.engine.begin() as connection:
                connection.execute(BotLock.__table__.insert().values(bot=bot, holder=holder, acquired_at=now,
                                                                     expires_at=expires))
            return True
        except IntegrityError:  # someone holds it (or took it a moment ago)
            return False

    def renew(self, holder: str, ttl_seconds: float) -> int:
        """Push back the expiry of every lock ``holder`` has; return how many."""
        expires = self.clock.now() + timedelta(seconds=ttl_seconds)
        with self.queue.engine.begin() as connection:
            return connection.execute(update(BotLock).where(BotLock.holder == holder)
                                      .values(expires_at=expires)).rowcount

    def release(self, bot: str, holder: str) -> None:
        """Give the lock on ``bot`` back (only the holder can)."""
        with self.queue.engine.begin() as connection:
            connection.execute(delete(BotLock).where(BotLock.bot == bot, BotLock.holder == holder))

    def holder(self, bot: str) -> str | None:
        """Who holds the lock on ``bot`` now (None: nobody, or it expired)."""
        with self.queue.engine.connect() as connection:
            row = connection.execute(select(BotLock.holder, BotLock.expires_at).where(BotLock.bot == bot)).first()
        if row is None:
            return None
        expires = row.expires_at
        return row.holder if expires is not None and _aware(expires) >= self.clock.now() else None


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _info(row: FleetWorker) -> WorkerInfo:
    return WorkerInfo(name=row.name, host=row.host, pid=row.pid, bots=tuple(row.bots or ()),
                      concurrency=row.concurrency, state=row.state, current_items=tuple(row.current_items or ()),
                      metrics_port=row.metrics_port, started_at=row.started_at, last_heartbeat=row.last_heartbeat,
                      stopped_at=row.stopped_at)
