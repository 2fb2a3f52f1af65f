"""Scheduled runs in a fleet: the scheduler queues them, a worker runs them, never two at once.

With ``fleet.enabled`` the scheduler (``o2c schedule``) does not start bots itself: each
due job becomes a work item of kind ``run:<bot>`` (``FleetRunner.start``), keyed by the
bot and the minute it fell due, so two schedulers on two machines queue it once. A worker
with that bot in ``--bots`` claims it (``RunRequests``) and, holding the bot's lock in the
database (``BotLocks``), runs ``o2c run BOT --once --json`` as a child process with the
job's timeout. The lock is renewed by the worker's heartbeat and expires when its holder
dies, so a bot never runs on two machines at once and a dead holder blocks nobody for
long. A run that falls due while the bot runs elsewhere is completed as skipped.

The ERP bots need no scheduled runs in a fleet: a worker's slots take their items as they
come, so their run requests are completed at once, saying so.
"""

import json
import subprocess
import tempfile
import time

from bots.runtime.logs import get_logger
from bots.runtime.workqueue import key_for

log = get_logger(__name__)

RUN_KIND_PREFIX = "run:"


def run_kind(bot: str) -> str:
    """The work item kind of a scheduled run of ``bot``."""
    return RUN_KIND_PREFIX + bot


class FleetRunner:
    """What the scheduler starts bots with, in a fleet: it queues a run request per due job.

    Has the methods of ``bots.runtime.schedules.BotRunner`` that the scheduler calls.
    """

    def __init__(self, queue, timeout=lambda bot: 30 * 60, clock=None):
        self.queue = queue
        self.timeout = timeout
        self.clock = clock or queue.clock

    def start(self, bot: str) -> bool:
        """Queue a run of ``bot`` for the workers; False when this minute's run was queued already."""
        due = self.clock.now().replace(second=0, microsecond=0)
        item, created = self.queue.add(run_kind(bot), {"bot": bot, "due": due.isoformat(),
                                                       "timeout_seconds": float(self.timeout(bot))},
                                       key=key_for("run", bot, due.isoformat()), source_ref=f"schedule {bot}")
        log.info("scheduled run queued" if created else "scheduled run already queued", bot=bot, item_id=item.id,
                 due=due.isoformat())
        return created

    def reap(self) -> None:
        """Nothing to reap: the runs are the workers'."""

    def stop_all(self) -> None:
        """Nothing to stop: the workers finish their runs."""


def scheduler_runner(settings=None):
    """What ``o2c schedule`` starts bots with: a ``bots.runtime.schedules.BotRunner`` (each run a child
    process here), or with ``fleet.enabled`` a ``FleetRunner`` that queues the runs for the workers."""
    from bots.runtime.config import load_settings
    from bots.runtime.schedules import BotRunner

    settings = settings or load_settings()
    if not settings.fleet_enabled:
        return BotRunner()
    from bots.runtime.fleet.worker import refuse_sqlite
    from bots.runtime.workqueue import WorkQueue

    refuse_sqlite(settings.database_url)
    log.info("fleet enabled: scheduled runs are queued for the workers")
    return FleetRunner(WorkQueue.open(settings=settings))


class RunRequests:
    """A worker's loop over the run requests of its bots (``Worker(extra_loops=[...])``).

    :param bots: the bots whose scheduled runs this worker takes.
    :param served_by_slots: those among them whose items the worker's slots do anyway.
    :param command: the argv of ``o2c run`` (default: this installation's).
    """

    def __init__(self, bots: list[str], served_by_slots: list[str] = (), command: list[str] | None = None,
                 poll_seconds: float = 2.0):
        from bots.runtime.schedules import default_command

        self.bots = list(bots)
        self.served_by_slots = set(served_by_slots)
        self.command = command or default_command()
        self.poll_seconds = poll_seconds

    def __call__(self, worker) -> None:
        from bots.runtime.runs import worker_name

        lease = worker_name("scheduled-runs")
        worker.lease_names.append(lease)
        kinds = [run_kind(bot) for bot in self.bots]
        while not worker.stopping.is_set():
            claimed = worker.queue.claim(lease, kinds=kinds, limit=1)
            if not claimed:
                worker.stopping.wait(self.poll_seconds)
                continue
            with worker.queue.processing(claimed[0], lease) as work:
                work.result = self.run_one(worker, work.payload)

    def run_one(self, worker, payload: dict) -> dict:
        """Run the requested bot once under its lock; return what happened, for the item's result."""
        bot = payload["bot"]
        if bot in self.served_by_slots:
            return {"outcome": "served", "note": f"this worker's slots do {bot}'s items as they come"}
        if not worker.locks.acquire(bot, worker.me.name, worker.settings.lock_ttl_seconds):
            holder = worker.locks.holder(bot)
            log.info("scheduled run skipped", bot=bot, reason="running elsewhere", holder=holder)
            return {"outcome": "skipped", "holder": holder}
        try:
            return self._run_process(bot, float(payload.get("timeout_seconds") or 30 * 60))
        finally:
            worker.locks.release(bot, worker.me.name)

    def _run_process(self, bot: str, timeout: float) -> dict:
        from bots.runtime.schedules import bot_argv, stop_run

        argv = [*self.command, *bot_argv(bot), "--once", "--json"]  # "robot robots/tasks/x.robot" is two words
        started = time.monotonic()
        with tempfile.TemporaryFile() as output:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output, start_new_session=True)
            log.info("scheduled run started", bot=bot, pid=process.pid, timeout_seconds=timeout)
            try:
                process.wait(timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                stop_run(process)
                timed_out = True
            output.seek(0)
            counts = _counts(output.read())
        result = {"outcome": "timed_out" if timed_out else ("success" if process.returncode == 0 else "failed"),
                  "exit_code": process.returncode, "seconds": round(time.monotonic() - started, 1), "counts": counts}
        log.info("scheduled run ended", bot=bot, **result)
        return result


def _counts(raw: bytes) -> dict | None:
    try:
        return json.loads(raw.decode("utf-8", "replace")).get("counts")
    except (ValueError, AttributeError):
        return None
