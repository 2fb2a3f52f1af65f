"""Bot schedules: config/schedules.yaml read into ``schedule`` jobs that run the bots.

::

    schedule:
      - every 5 minutes: email-intake
      - every 15 minutes from 07:00 until 19:00 on weekdays: portal-intake
      - every day at 06:30: erp-cash-posting

    plan = load_schedule("config/schedules.yaml")   # every line checked here, not at the first run
    run_scheduler(plan)                             # until Ctrl-C or SIGTERM

Each line reads as a sentence, ``every [N] UNIT [at TIME] [from HH:MM] [until HH:MM]
[on DAYS]: BOT``. UNIT is seconds, minutes, hours, days or weeks (singular without N:
``every minute``), a weekday (``every monday at 07:00``) or ``weekday`` (Monday to Friday).
``from``/``until`` make a daily window and ``on`` names the days (``weekdays``,
``weekends``, ``monday, wednesday and friday``, ``mon to fri``): outside them a job waits
for the window to open, every day again (unlike schedule's own ``until()``, which ends
a job for good). Times are the machine's local time.

A due job starts ``o2c run BOT --once --json`` as a child process in its own process
group, so a bot that crashes or hangs never takes the others or the scheduler down. A run
still going after the bot's timeout is stopped. A bot never runs twice at once: a run that
falls due while the last is still going is skipped (and logged). One log line per start,
end (with exit code, seconds and the bot's counts) and skip.
"""

import datetime
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import schedule

from bots.runtime.config import ConfigError
from bots.runtime.logs import get_logger

log = get_logger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30 * 60
STOP_GRACE_SECONDS = 10  # how long a stopped bot gets to exit after SIGTERM before SIGKILL

UNITS = ("seconds", "minutes", "hours", "days", "weeks")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ALIASES = {day[:3]: day for day in DAYS} | {"tues": "tuesday", "thur": "thursday", "thurs": "thursday"}
_CLAUSES = ("at", "from", "until", "on")
_SHAPE = "write each entry as '- every 5 minutes: email-intake'"


class ScheduleFileError(ConfigError):
    """The schedule file is wrong; the message names the file, the line and the fix."""

    def __init__(self, message: str, file: Path | None = None):
        super().__init__(message)
        self.message = message
        self.file = file


@dataclass(frozen=True)
class Window:
    """When in the week a job may run: a daily time window and a set of weekdays (0 is Monday)."""

    start: datetime.time | None = None
    end: datetime.time | None = None
    days: frozenset = frozenset(range(7))

    @property
    def always(self) -> bool:
        return self.start is None and self.end is None and len(self.days) == 7

    def allows(self, moment: datetime.datetime) -> bool:
        """True when ``moment`` is on one of the days and inside the daily window."""
        if moment.weekday() not in self.days:
            return False
        start, end, now = self.start or datetime.time(0), self.end, moment.time()
        if end is None:
            return now >= start
        if start < end:
            return start <= now < end
        return now >= start or now < end  # an overnight window, e.g. from 22:00 until 06:00

    def next_opening(self, moment: datetime.datetime) -> datetime.datetime:
        """The first moment after ``moment`` at which the window opens on an allowed day."""
        openings = [self.start or datetime.time(0)]
        if self.end is not None and self.start is not None and self.start > self.end:
            openings.insert(0, datetime.time(0))  # an overnight window is also open from midnight
        for offset in range(9):
            day = moment.date() + datetime.timedelta(days=offset)
            for opening in openings:
                candidate = datetime.datetime.combine(day, opening)
                if candidate > moment and self.allows(candidate):
                    return candidate
        raise ScheduleFileError("the window never opens")  # unreachable: load() refuses empty windows


class BotJob(schedule.Job):
    """A schedule Job for one bot, kept inside its ``Window``."""

    def __init__(self, interval: int, scheduler: schedule.Scheduler, bot: str, sentence: str, line: int,
                 window: Window):
        super().__init__(interval, scheduler)
        self.bot = bot
        self.sentence = sentence
        self.line = line
        self.window = window

    def _schedule_next_run(self) -> None:
        super()._schedule_next_run()
        if self.window.always or self.window.allows(self.next_run):
            return
        if self.at_time is not None:
            # Keep the job's own time of day (06:30, :15 past): step a period at a time.
            period = datetime.timedelta(**{self.unit: self.interval})
            for _ in range(1000):
                self.next_run += period
                if self.window.allows(self.next_run):
                    return
            raise ScheduleFileError(f"{self.sentence!r} never falls on its days; use 'every day' with 'on DAYS'")
        else:
            self.next_run = self.window.next_opening(self.next_run)

    def __repr__(self) -> str:
        return f"<BotJob {self.sentence}: {self.bot} (line {self.line}, next run {self.next_run})>"


@dataclass
class Plan:
    """A loaded schedule file: the scheduler with one job per entry, and each bot's timeout."""

    file: Path
    scheduler: schedule.Scheduler
    timeouts: dict[str, float]
    default_timeout: float = DEFAULT_TIMEOUT_SECONDS

    @property
    def jobs(self) -> list[BotJob]:
        return sorted(self.scheduler.jobs, key=lambda job: (job.next_run, job.line))

    def timeout(self, bot: str) -> float:
        """Seconds a run of ``bot`` may take before it is stopped."""
        return self.timeouts.get(bot, self.default_timeout)


def default_schedule_file() -> Path:
    """config/schedules.yaml beside the package (or in the wheel's data)."""
    from bots.runtime.resources import data_dir

    return data_dir("config") / "schedules.yaml"


def load_schedule(path: str | Path | None = None, bots: list[str] | None = None,
                  now: datetime.datetime | None = None) -> Plan:
    """Read and check a schedule file into a ``Plan``; next runs are computed from ``now``.

    :param path: the YAML file (default config/schedules.yaml).
    :param bots: the bot names allowed (``o2c schedule`` passes the bots ``o2c run`` knows,
        ``bots.cli.bot_names()``; None: any name, for tools that only read the timing).
    :param now: the local time (naive) the first next runs count from (default: the machine's clock);
        ``o2c schedule --list --now`` and the tests set it.
    :raises ScheduleFileError: naming the line and the fix, for any mistake in the file.
    """
    import yaml

    path = Path(path) if path else default_schedule_file()
    bots = None if bots is None else list(bots)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScheduleFileError(f"cannot read the schedule file {path}: {error.strerror or error}", path) from None
    except yaml.YAMLError as error:
        where = f", line {error.problem_mark.line + 1}" if getattr(error, "problem_mark", None) else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ScheduleFileError(f"{path.name}{where}: not valid YAML ({problem})", path) from None
    checker = _Checker(path, bots)
    with _schedule_clock(now):
        return checker.plan(root)


@contextmanager
def _schedule_clock(now: datetime.datetime | None):
    """Let ``schedule`` compute next runs from ``now``: it reads ``datetime.datetime.now()`` itself."""
    if now is None:
        yield
        return
    moment = now.replace(tzinfo=None)

    class _Fixed(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return moment if tz is None else moment.astimezone(tz)

    real = schedule.datetime
    schedule.datetime = SimpleNamespace(datetime=_Fixed, timedelta=datetime.timedelta, time=datetime.time)
    try:
        yield
    finally:
        schedule.datetime = real


@dataclass
class _Running:
    process: subprocess.Popen
    started: float
    timeout: float
    output: object
    timed_out: bool = False


@dataclass
class BotRunner:
    """Starts bots as child processes, never two of the same bot at once, and stops overdue ones.

    :param command: the argv that runs ``o2c run`` (default: this installation's o2c);
        the runner appends ``BOT --once --json``. Tests pass a fake bot here.
    :param timeout: seconds a run of a bot may take, as a function of the bot's name.

    Runs are checked each time ``start`` or ``reap`` is called (the scheduler loop does so
    every second), so a run's logged ``seconds`` can be up to one tick long.
    """

    command: list[str] = field(default_factory=lambda: default_command())
    timeout: Callable[[str], float] = lambda bot: DEFAULT_TIMEOUT_SECONDS
    running: dict[str, _Running] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, bot: str) -> bool:
        """Start a run of ``bot`` unless one is still going; return whether it started."""
        self.reap()
        with self.lock:
            if bot in self.running:
                current = self.running[bot]
                log.info("scheduled run skipped", bot=bot, reason="the last run is still going",
                         pid=current.process.pid, seconds=round(time.monotonic() - current.started, 1))
                return False
            argv = [*self.command, *bot_argv(bot), "--once", "--json"]
            output = tempfile.TemporaryFile()
            try:
                # Own session: a timeout can stop the bot with its browser, and Ctrl-C on the
                # scheduler's terminal does not reach a bot halfway through an order.
                process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output, start_new_session=True)
            except OSError as error:
                output.close()
                log.error("scheduled run not started", bot=bot, command=" ".join(argv), error=str(error))
                return False
            self.running[bot] = _Running(process, time.monotonic(), float(self.timeout(bot)), output)
        log.info("scheduled run started", bot=bot, pid=process.pid, timeout_seconds=self.timeout(bot))
        return True

    def reap(self) -> None:
        """Log the runs that have ended; stop the ones past their timeout."""
        with self.lock:
            for bot, run in list(self.running.items()):
                if run.process.poll() is None and time.monotonic() - run.started > run.timeout:
                    run.timed_out = True
                    _stop(run.process)
                if run.process.poll() is not None:
                    del self.running[bot]
                    _log_end(bot, run)

    def stop_all(self) -> None:
        """Stop every bot still running (the scheduler is shutting down)."""
        with self.lock:
            for bot, run in list(self.running.items()):
                if run.process.poll() is None:
                    _stop(run.process)
                del self.running[bot]
                _log_end(bot, run, stopped=True)

    def wait_idle(self, timeout: float) -> bool:
        """Reap until no bot runs or ``timeout`` seconds pass; return whether all ended (for tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.reap()
            if not self.running:
                return True
            time.sleep(0.05)
        return False


def default_command() -> list[str]:
    """The argv of ``o2c run`` in this installation (the o2c script beside this Python)."""
    beside = Path(sys.executable).with_name("o2c")
    script = str(beside) if beside.exists() else shutil.which("o2c")
    if script:
        return [script, "run"]
    return [sys.executable, "-c", "from bots.cli.main import main; main()", "run"]


def stop_run(process: subprocess.Popen) -> None:
    """SIGTERM a run's process group, then SIGKILL if it lingers (for other runners of bots)."""
    _stop(process)


def schedule_bots(plan: Plan, runner: BotRunner) -> None:
    """Point each of the plan's jobs at ``runner`` (a job's call starts its bot)."""
    runner.timeout = plan.timeout
    for job in plan.scheduler.jobs:
        job.job_func = _named(runner.start, job.bot)


def run_scheduler(plan: Plan, runner: BotRunner | None = None, stop: threading.Event | None = None,
                  tick_seconds: float = 1.0) -> None:
    """Run the plan's jobs until ``stop`` is set, SIGTERM arrives or Ctrl-C; then stop running bots.

    Runs that fell due while the machine slept are run once, not once per missed period
    (schedule's ``run_pending`` behaviour).
    """
    runner = runner or BotRunner()
    stop = stop or threading.Event()
    schedule_bots(plan, runner)
    previous = _on_sigterm(stop)
    log.info("scheduler started", file=str(plan.file), jobs=len(plan.scheduler.jobs))
    try:
        while not stop.is_set():
            plan.scheduler.run_pending()
            runner.reap()
            idle = plan.scheduler.idle_seconds
            stop.wait(tick_seconds if idle is None else max(0.0, min(tick_seconds, idle)))
    except KeyboardInterrupt:
        pass
    finally:
        runner.stop_all()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        log.info("scheduler stopped", file=str(plan.file))


def describe(job: BotJob, plan: Plan) -> dict:
    """One job as a plain dict: bot, schedule sentence, line, next run, timeout."""
    return {"bot": job.bot, "schedule": job.sentence, "line": job.line,
            "next_run": job.next_run.isoformat(timespec="seconds") if job.next_run else None,
            "timeout_seconds": int(plan.timeout(job.bot))}


class _Checker:
    """Walks the composed YAML and turns each entry into a BotJob, or a ScheduleFileError."""

    def __init__(self, path: Path, bots: list[str] | None):
        self.path = path
        self.bots = bots
        self.scheduler = schedule.Scheduler()

    def fail(self, node, problem: str):
        line = f", line {node.start_mark.line + 1}" if node is not None else ""
        raise ScheduleFileError(f"{self.path.name}{line}: {problem}", self.path)

    def plan(self, root) -> Plan:
        import yaml

        if root is None:
            self.fail(None, "the file is empty; add a 'schedule:' list, e.g. '- every 5 minutes: email-intake'")
        if not isinstance(root, yaml.MappingNode):
            self.fail(root, "the file must be a mapping with 'schedule:' (and optionally 'timeouts:')")
        sections = {}
        for key, value in root.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name not in ("schedule", "timeouts"):
                self.fail(key, f"unknown section {name!r}; use 'schedule:' and 'timeouts:'")
            sections[name] = value
        if "schedule" not in sections:
            self.fail(root, "no 'schedule:' list; add one, e.g. 'schedule:' then '  - every 5 minutes: email-intake'")
        default_timeout, timeouts = self.timeouts(sections.get("timeouts"))
        self.entries(sections["schedule"])
        return Plan(self.path, self.scheduler, timeouts, default_timeout)

    def timeouts(self, node) -> tuple[float, dict[str, float]]:
        import yaml

        if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")):
            return DEFAULT_TIMEOUT_SECONDS, {}
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, "'timeouts:' must map 'default' or a bot to a duration, e.g. 'erp-order-entry: 45 minutes'")
        default, found = DEFAULT_TIMEOUT_SECONDS, {}
        for key, value in node.value:
            name = str(key.value)
            if name != "default":
                self.bot(key, name)
            seconds = self.duration(value)
            if name == "default":
                default = seconds
            else:
                found[name] = seconds
        return default, found

    def duration(self, node) -> float:
        import yaml

        text = node.value.strip().lower() if isinstance(node, yaml.ScalarNode) else ""
        match = re.fullmatch(r"(\d+)\s*(seconds?|minutes?|hours?)", text)
        if not match or int(match.group(1)) == 0:
            self.fail(node, f"{text or 'this'!r} is not a duration; use a number and a unit, e.g. '30 minutes'")
        unit = match.group(2).rstrip("s") + "s"
        return float(datetime.timedelta(**{unit: int(match.group(1))}).total_seconds())

    def entries(self, node) -> None:
        import yaml

        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.fail(node, f"'schedule:' must be a list of entries; {_SHAPE}")
        for entry in node.value:
            if not (isinstance(entry, yaml.MappingNode) and len(entry.value) == 1
                    and all(isinstance(part, yaml.ScalarNode) for part in entry.value[0])):
                self.fail(entry, f"this entry is not 'when: bot'; {_SHAPE}")
            when, bot = entry.value[0]
            self.bot(bot, bot.value.strip())
            self.job(when, " ".join(when.value.split()), bot.value.strip())

    def bot(self, node, name: str) -> None:
        if name.split()[:1] == ["robot"] and (self.bots is None or "robot" in self.bots):
            return self.robot_task(node, name)
        if self.bots is None or name in self.bots:
            return
        close = difflib.get_close_matches(name, self.bots, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        self.fail(node, f"unknown bot {name!r}{hint}; the bots are {', '.join(self.bots)}")

    def robot_task(self, node, name: str) -> None:
        """``robot robots/tasks/NAME.robot``: a Robot task run by ``o2c run robot``; the file must exist."""
        words = bot_argv(name)
        if len(words) != 2 or not words[1].endswith(".robot"):
            self.fail(node, f"{name!r}: write 'robot robots/tasks/NAME.robot' (one task file)")
        if not Path(words[1]).is_file():
            self.fail(node, f"{name!r}: there is no task file {words[1]} (paths are from where o2c schedule runs)")

    def job(self, node, sentence: str, bot: str) -> None:
        """Read one sentence, ``every [N] UNIT [at T] [from T] [until T] [on DAYS]``, into a BotJob."""
        words = sentence.lower().split()
        if not words or words[0] != "every":
            self.fail(node, f"{sentence!r} does not start with 'every'; write e.g. 'every 5 minutes' or 'every day at 06:30'")
        words = words[1:]
        interval = None
        if words and words[0].isdigit():
            interval = int(words.pop(0))
            if interval == 0:
                self.fail(node, f"{sentence!r}: the interval must be 1 or more")
        if not words:
            self.fail(node, f"{sentence!r} has no unit; write e.g. 'every 5 minutes'")
        unit, start_day, days = self.unit(node, sentence, words.pop(0), interval)
        clauses = self.clauses(node, sentence, words)

        job = BotJob(interval or 1, self.scheduler, bot, sentence, node.start_mark.line + 1, Window())
        job.unit, job.start_day = unit, start_day
        if "at" in clauses:
            job.at_time = self.at_time(node, sentence, clauses["at"], unit, start_day)
        if ("from" in clauses or "until" in clauses) and (unit in ("days", "weeks")):
            self.fail(node, f"{sentence!r}: 'from' and 'until' go with seconds, minutes or hours; "
                            f"for a daily run use 'at HH:MM'")
        if "on" in clauses:
            if start_day or days is not None or unit == "weeks":
                self.fail(node, f"{sentence!r}: 'on' does not go with a weekday or weeks; "
                                f"write e.g. 'every day at 06:30 on weekdays'")
            days = self.days(node, sentence, clauses["on"])
        start = self.clock_time(node, sentence, "from", clauses["from"]) if "from" in clauses else None
        end = self.clock_time(node, sentence, "until", clauses["until"]) if "until" in clauses else None
        if start is not None and start == end:
            self.fail(node, f"{sentence!r}: 'from' and 'until' are both {start:%H:%M}; give a window, "
                            f"e.g. 'from 07:00 until 19:00'")
        job.window = Window(start, end, frozenset(range(7)) if days is None else days)
        try:
            job.do(_not_scheduled, bot)  # computes the first next run; schedule_bots() points it at the runner
        except ScheduleFileError as error:
            self.fail(node, error.message)

    def unit(self, node, sentence: str, word: str, interval: int | None):
        """Return (schedule unit, start weekday, weekday set or None) for the unit word."""
        if word in UNITS:
            if interval is None:
                self.fail(node, f"{sentence!r}: use 'every {word[:-1]}' or 'every N {word}'")
            return word, None, None
        if word in (u[:-1] for u in UNITS):
            if interval not in (None, 1):
                self.fail(node, f"{sentence!r}: use {word}s instead of {word} ('every {interval} {word}s')")
            return word + "s", None, None
        if word in ("weekday", "weekdays"):
            if interval is not None or word.endswith("s"):
                self.fail(node, f"{sentence!r}: write 'every weekday at HH:MM'")
            return "days", None, frozenset(range(5))
        day = _DAY_ALIASES.get(word, word if word in DAYS else None)
        if day is None and word.endswith("s"):
            day = _DAY_ALIASES.get(word[:-1], word[:-1] if word[:-1] in DAYS else None)
            if day is not None:
                self.fail(node, f"{sentence!r}: write 'every {day}', not '{word}'")
        if day is not None:
            if interval not in (None, 1):
                self.fail(node, f"{sentence!r}: a weekday runs every week; write 'every {day} at HH:MM'")
            return "weeks", day, None
        self.fail(node, f"{sentence!r}: unknown unit {word!r}; use seconds, minutes, hours, days or weeks, "
                        f"a weekday (every monday at 07:00) or 'weekday'")

    def clauses(self, node, sentence: str, words: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        current = None
        for word in words:
            if word in _CLAUSES:
                if word in found:
                    self.fail(node, f"{sentence!r}: '{word}' is given twice")
                current = word
                found[word] = []
            elif current is None:
                self.fail(node, f"{sentence!r}: unexpected {word!r}; after the unit come 'at HH:MM', "
                                f"'from HH:MM', 'until HH:MM' and 'on DAYS'")
            else:
                found[current].append(word)
        for name, value in found.items():
            if not value:
                self.fail(node, f"{sentence!r}: '{name}' needs a value, e.g. '{name} {'weekdays' if name == 'on' else '07:00'}'")
        return found

    def at_time(self, node, sentence: str, words: list[str], unit: str, start_day: str | None) -> datetime.time:
        text = " ".join(words)
        if unit == "hours":
            match = re.fullmatch(r":([0-5]\d)", text)
            if not match:
                self.fail(node, f"{sentence!r}: {text!r} is not a minute past the hour; use :MM, e.g. 'every hour at :15'")
            return datetime.time(0, int(match.group(1)))
        if unit == "days" or start_day:
            return self.clock_time(node, sentence, "at", words)
        self.fail(node, f"{sentence!r}: 'at' goes with days, hours or a weekday; "
                        f"write e.g. 'every day at 06:30' or 'every hour at :15'")

    def clock_time(self, node, sentence: str, clause: str, words: list[str]) -> datetime.time:
        text = " ".join(words)
        match = re.fullmatch(r"(\d{1,2}):(\d\d)", text)
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self.fail(node, f"{sentence!r}: {text!r} after '{clause}' is not a time; use HH:MM (24-hour), e.g. 06:30")
        return datetime.time(int(match.group(1)), int(match.group(2)))

    def days(self, node, sentence: str, words: list[str]) -> frozenset:
        text = " ".join(words).replace(",", " , ")
        chosen: set[int] = set()
        for part in re.split(r"\s*(?:,|\band\b)\s*", " ".join(text.split())):
            part = part.strip()
            if not part:
                continue
            if part in ("weekdays", "weekday"):
                chosen.update(range(5))
                continue
            if part in ("weekends", "weekend"):
                chosen.update((5, 6))
                continue
            ends = re.split(r"\s*(?:-|\bto\b)\s*", part)
            indexes = [self.day_index(node, sentence, end) for end in ends]
            if len(indexes) == 1:
                chosen.add(indexes[0])
            elif len(indexes) == 2:
                first, last = indexes
                chosen.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
            else:
                self.fail(node, f"{sentence!r}: {part!r} is not a range of days; write e.g. 'monday to friday'")
        return frozenset(chosen)

    def day_index(self, node, sentence: str, word: str) -> int:
        word = word.strip()
        name = _DAY_ALIASES.get(word) or (word if word in DAYS else None) or (word[:-1] if word[:-1] in DAYS else None)
        if name is None:
            self.fail(node, f"{sentence!r}: {word!r} is not a day; use monday ... sunday, weekdays or weekends")
        return DAYS.index(name)


def bot_argv(bot: str) -> list[str]:
    """The words after ``o2c run`` for a schedule's bot: ``email-intake``, or ``robot robots/tasks/x.robot``."""
    import shlex

    return shlex.split(bot)


def _not_scheduled(bot: str) -> None:
    raise RuntimeError(f"the job for {bot} is not connected to a runner; call schedule_bots() first")


def _named(function, bot: str):
    def start() -> None:
        function(bot)

    start.__name__ = f"start_{bot}"
    return start


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the bot's process group (bot, browser and all), then SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(STOP_GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue


def _log_end(bot: str, run: _Running, stopped: bool = False) -> None:
    seconds = round(time.monotonic() - run.started, 1)
    code = run.process.returncode
    counts = _counts(run.output)
    fields = dict(bot=bot, pid=run.process.pid, exit_code=code, seconds=seconds, counts=counts)
    if run.timed_out:
        log.error("scheduled run ended", timed_out=True, timeout_seconds=run.timeout, **fields)
    elif stopped:
        log.warning("scheduled run ended", stopped="the scheduler is stopping", **fields)
    elif code != 0:
        log.warning("scheduled run ended", **fields)
    else:
        log.info("scheduled run ended", **fields)


def _counts(output) -> dict | None:
    """The counts the bot printed with --json, when it printed them."""
    try:
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
        output.close()
        return json.loads(text).get("counts") if text.strip() else None
    except (ValueError, AttributeError, OSError):
        return None


def _on_sigterm(stop: threading.Event):
    """Let SIGTERM set ``stop`` (only possible from the main thread); return the old handler."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
