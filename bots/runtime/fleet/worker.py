"""A long-running worker: slots that claim and do items, a heartbeat, a graceful stop.

::

    worker = Worker(queue, [ORDER_ENTRY_FLEET_BOT], concurrency=2, settings=FleetSettings())
    exit_code = worker.run()          # until SIGTERM / Ctrl-C (or worker.stop())

Each bot gets ``concurrency`` slots, one thread each. A slot opens the bot's session once
(``FleetBot.session``: for the ERP bots its own browser, logged on to the ERP with its own
session) and then claims one item at a time inside ``queue.processing``, so an item is
completed, retried or sent to the exception queue exactly as when the bot runs alone.
Items done back to back form one bot run (``bot_run``); an empty queue ends the run.

The heartbeat thread, every ``heartbeat_seconds``, writes the worker's row (its slots'
current items), extends the leases of every item it holds and of the bot locks it has, and
refreshes the queue-depth metrics. A worker that is killed stops heartbeating: its leases
run out after ``lease_seconds`` and other workers take its items over (the bots check the
outside system before acting, so nothing is done twice).

SIGTERM (or Ctrl-C) stops the worker gracefully: no slot claims anything more, each
finishes the item it is on, items still held are released untouched, the row is marked
stopped, and ``run()`` returns 0, within ``stop_timeout_seconds``; past it, the items are
released anyway and ``run()`` returns 3.
"""

import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, ContextManager

from bots.runtime.errors import ApplicationException, BusinessException, O2CError
from bots.runtime.fleet.registry import STOPPING, BotLocks, WorkerRegistry
from bots.runtime.logs import get_logger
from bots.runtime.runs import bot_run, worker_name

log = get_logger(__name__)

STOPPED_LATE = 3  # exit code: the slots did not finish within the stop timeout


@dataclass(frozen=True)
class FleetBot:
    """A bot as a worker runs it.

    :param name: the bot's name (runs, leases, metrics), e.g. ``erp-order-entry``.
    :param item_kind: the kind of work item it does.
    :param session: ``session(slot, run)`` opens what one slot works in (a logged-on browser)
        and yields ``do_one(work)``, the function that does one item; ``run`` has
        ``count(name, n)`` for the bot's own counters.
    :param session_errors: exceptions that end the session (the ERP went into maintenance):
        the slot waits ``retry_seconds`` and opens a new one.
    :param max_concurrency: most slots the bot may have (the ERP's sessions per user).
    :param stop_after_failures: application failures in a row after which the slot waits
        ``retry_seconds`` and opens a new session.
    """

    name: str
    item_kind: str
    session: Callable[..., ContextManager[Callable]]
    session_errors: tuple = ()
    max_concurrency: int | None = None
    stop_after_failures: int = 3
    poll_seconds: float = 2.0
    retry_seconds: float = 30.0


@dataclass
class FleetSettings:
    """How a worker keeps in touch with the fleet (``fleet:`` in config/o2c.yaml)."""

    heartbeat_seconds: float = 10.0
    stop_timeout_seconds: float = 120.0
    lock_ttl_seconds: float = 60.0

    def __post_init__(self):
        for name in ("heartbeat_seconds", "stop_timeout_seconds", "lock_ttl_seconds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"fleet {name} must be more than 0, not {getattr(self, name)}")


class WorkerError(O2CError):
    """The worker cannot start as asked; the message says why and what to change."""


@dataclass
class _Slot:
    bot: FleetBot
    number: int
    item_id: int | None = None
    thread: threading.Thread | None = field(default=None, repr=False)


class _RunProxy:
    """What a bot's session sees as its run (a ``bots.runtime.runs.Run``): the slot's current one.

    A session outlives its runs (one per stretch of items), so counts go to whichever run
    is open; ``_sessions`` is the store the runs live in, as on a ``Run``.
    """

    def __init__(self, queue):
        from sqlalchemy.orm import sessionmaker

        self.run = None
        self._sessions = sessionmaker(queue.engine, expire_on_commit=False)

    def count(self, name: str, n: int = 1) -> None:
        if self.run is not None:
            self.run.count(name, n)

    def __getattr__(self, name):
        if self.run is None:
            raise AttributeError(f"{name}: no run is open on this slot now")
        return getattr(self.run, name)


class Worker:
    """One worker process: slots per bot, a heartbeat, a graceful stop. See the module docstring."""

    def __init__(self, queue, bots: list[FleetBot], *, concurrency: int = 1, settings: FleetSettings | None = None,
                 metrics=None, extra_loops: list[Callable] | None = None):
        if not bots and not extra_loops:
            raise WorkerError("a worker needs at least one bot (--bots erp-order-entry,...)")
        if concurrency < 1:
            raise WorkerError(f"--concurrency must be 1 or more, not {concurrency}")
        for bot in bots:
            if bot.max_concurrency is not None and concurrency > bot.max_concurrency:
                raise WorkerError(f"{bot.name} may have at most {bot.max_concurrency} sessions at once (the ERP's "
                                  f"sessions per user, erp.sessions_per_user); --concurrency {concurrency} is more")
        self.queue = queue
        self.bots = bots
        self.concurrency = concurrency
        self.settings = settings or FleetSettings()
        self.metrics = metrics
        self.extra_loops = extra_loops or []
        self.registry = WorkerRegistry(queue, stale_seconds=3 * self.settings.heartbeat_seconds)
        self.locks = BotLocks(queue)
        self.stopping = threading.Event()
        self.ended = threading.Event()  # set when run() is over: the heartbeat stops too
        self.slots = [_Slot(bot, n) for bot in bots for n in range(1, concurrency + 1)]
        self.lease_names = [worker_name(bot.name) for bot in bots]
        self.me = None

    # --- the whole life of the worker ---

    def run(self, install_signals: bool = True) -> int:
        """Work until ``stop()``, SIGTERM or Ctrl-C; return the exit code (0: stopped gracefully)."""
        names = [bot.name for bot in self.bots]
        names += [name for loop in self.extra_loops for name in getattr(loop, "bots", ()) if name not in names]
        self.me = self.registry.register(names, self.concurrency,
                                         self.metrics.port if self.metrics else None)
        previous = self._on_signals() if install_signals else {}
        log.info("worker started", worker=self.me.name, bots=names,
                 concurrency=self.concurrency, lease_seconds=self.queue.lease_seconds)
        heartbeat = threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True)
        heartbeat.start()
        for slot in self.slots:
            slot.thread = threading.Thread(target=self._slot_loop, args=(slot,), daemon=True,
                                           name=f"{slot.bot.name}#{slot.number}")
            slot.thread.start()
        extra = [threading.Thread(target=loop, args=(self,), daemon=True) for loop in self.extra_loops]
        for thread in extra:
            thread.start()
        try:
            while not self.stopping.is_set():
                self.stopping.wait(0.5)
        except KeyboardInterrupt:
            self.stopping.set()
        code = self._wind_down([slot.thread for slot in self.slots] + extra)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        return code

    def stop(self) -> None:
        """Ask the worker to stop: no new claims; each slot finishes its current item."""
        self.stopping.set()

    # --- slots ---

    def _slot_loop(self, slot: _Slot) -> None:
        lease = worker_name(slot.bot.name)
        while not self.stopping.is_set():
            proxy = _RunProxy(self.queue)
            try:
                with slot.bot.session(slot.number, proxy) as do_one:
                    log.info("slot ready", bot=slot.bot.name, slot=slot.number)
                    self._work(slot, lease, do_one, proxy)
            except Exception as error:  # the session could not open or broke: wait, then a new one
                if self.stopping.is_set():
                    break
                log.error("slot session failed; trying again later", bot=slot.bot.name, slot=slot.number,
                          error=getattr(error, "message", None) or f"{type(error).__name__}: {error}",
                          retry_seconds=slot.bot.retry_seconds)
                self.stopping.wait(slot.bot.retry_seconds)
        log.info("slot stopped", bot=slot.bot.name, slot=slot.number)

    def _work(self, slot: _Slot, lease: str, do_one: Callable, proxy: _RunProxy) -> None:
        """Claim and do items until stopping; a run per stretch of items done back to back."""
        failures_in_a_row = 0
        while not self.stopping.is_set():
            item = self._claim(slot, lease)
            if item is None:
                self.stopping.wait(slot.bot.poll_seconds)
                continue
            with bot_run(self.queue, slot.bot.name, worker=lease) as run:
                proxy.run = run
                try:
                    while item is not None:
                        failure = self._do(slot, lease, do_one, item, run)
                        failures_in_a_row = failures_in_a_row + 1 if failure is not None else 0
                        if isinstance(failure, slot.bot.session_errors):
                            raise failure
                        if failures_in_a_row >= slot.bot.stop_after_failures:
                            raise ApplicationException("failing", f"{failures_in_a_row} items in a row failed "
                                                       f"(last: {failure.message}); a new session later")
                        item = None if self.stopping.is_set() else self._claim(slot, lease)
                finally:
                    proxy.run = None

    def _claim(self, slot: _Slot, lease: str):
        claimed = self.queue.claim(lease, kinds=[slot.bot.item_kind], limit=1)
        return claimed[0] if claimed else None

    def _do(self, slot: _Slot, lease: str, do_one: Callable, item, run) -> ApplicationException | None:
        """Do one item inside ``queue.processing``; return its application failure, if any."""
        slot.item_id = item.id
        started = time.perf_counter()
        outcome, failure = "done", None
        try:
            with self.queue.processing(item, lease, run=run) as work:
                try:
                    do_one(work)
                except BusinessException:
                    outcome = "exception"
                    raise
                except ApplicationException as error:
                    outcome, failure = "retry", error
                    raise
                except Exception:
                    outcome = "error"
                    raise
        except Exception as error:  # a bug: the item was routed (retry, then exception); keep the slot going
            log.error("item failed with an unexpected error", bot=slot.bot.name, item_id=item.id,
                      error=f"{type(error).__name__}: {error}", exc_info=True)
        finally:
            slot.item_id = None
            if self.metrics is not None:
                self.metrics.item_finished(slot.bot.name, outcome, time.perf_counter() - started)
        return failure

    # --- heartbeat and stop ---

    def current_items(self) -> list[dict]:
        """What each busy slot works on now."""
        return [{"slot": slot.number, "bot": slot.bot.name, "item_id": slot.item_id}
                for slot in self.slots if slot.item_id is not None]

    def beat(self, state: str | None = None) -> None:
        """One heartbeat: the worker's row, its leases, its locks, the queue-depth metrics."""
        self.registry.beat(self.me, self.current_items(), state=state)
        self.queue.extend_leases(self.lease_names)
        self.locks.renew(self.me.name, self.settings.lock_ttl_seconds)
        if self.metrics is not None:
            self.metrics.queue_depth(self.queue.counts())
            self.metrics.busy_slots(len(self.current_items()))

    def _heartbeat_loop(self) -> None:
        while not self.ended.is_set():
            try:
                self.beat(STOPPING if self.stopping.is_set() else None)
            except Exception as error:  # the database away for a moment: the lease covers a few misses
                log.warning("heartbeat failed", worker=self.me.name, error=f"{type(error).__name__}: {error}")
            self.ended.wait(self.settings.heartbeat_seconds)

    def _wind_down(self, threads: list[threading.Thread]) -> int:
        log.info("worker stopping", worker=self.me.name, busy=self.current_items(),
                 timeout_seconds=self.settings.stop_timeout_seconds)
        try:
            self.beat(STOPPING)
        except Exception:
            pass
        deadline = time.monotonic() + self.settings.stop_timeout_seconds
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        late = [thread.name for thread in threads if thread.is_alive()]
        self.ended.set()
        released = self._release_held()
        self.registry.stopped(self.me)
        if late:
            log.error("worker stopped late: slots still busy were abandoned", worker=self.me.name, slots=late,
                      released=released)
            return STOPPED_LATE
        log.info("worker stopped", worker=self.me.name, released=released)
        return 0

    def _release_held(self) -> list[int]:
        released = []
        for item in self.queue.held_by(self.lease_names):
            try:
                self.queue.release(item.id, item.lease_owner)
                released.append(item.id)
            except Exception as error:
                log.warning("item not released", item_id=item.id, error=str(error))
        return released

    def _on_signals(self) -> dict:
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda signum, frame: self.stopping.set())
        return previous


def refuse_sqlite(url: str) -> None:
    """A fleet shares one store across processes and machines: refuse SQLite, saying what to set."""
    from sqlalchemy.engine import make_url

    if make_url(url).get_backend_name() == "sqlite":
        raise WorkerError("a fleet of workers needs PostgreSQL, and the store is SQLite "
                          f"({make_url(url).database}): set O2C_DATABASE_URL=postgresql+psycopg://USER@HOST/DB "
                          "(then `o2c db upgrade`)")

