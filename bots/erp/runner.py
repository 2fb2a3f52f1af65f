"""How an ERP bot runs: rounds of one browser session each, one work item at a time.

Both ERP bots (``order_entry.py``, ``cash_posting.py``) run the same way and differ only in
what they do with one item. A bot describes itself with an ``ErpBot`` and calls
``run_erp_bot``::

    ORDER_ENTRY = ErpBot(name="erp-order-entry", activity="order entry", items="orders",
                         handler=lambda erp, settings, run: OrderEntry(erp, settings, run).enter)
    run_erp_bot(ORDER_ENTRY, settings, once=True)

Each round is one ``bot_run``: open a browser context, log on to the ERP (an ERP that is
down stops the round before anything is claimed), then claim one item of
``settings.item_kind`` at a time, up to ``limit``, and hand it to the bot inside
``queue.processing``. The round counts the ERP's busy answers, and stops on a
maintenance page or after ``settings.stop_after_failures`` application failures in a row.

What else the two bots share lives here too:

- ``ErpBotSettings``: the settings every ERP bot has (address, user, limit, busy retries...),
  which the runner reads; each bot's own settings dataclass extends it, and its loader
  reads those fields with ``erp_bot_settings``.
- ``ErpItemHandler``: the base of the classes that do one item (``OrderEntry``,
  ``CashPosting``): busy retries, run counts, a screenshot as evidence of a failure.
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ClassVar

from bots.runtime.bot_settings import check_account, check_at_least_one, evidence_folder, system_account
from bots.erp.screens import ErpClient, ErpDown, retrying
from bots.runtime.errors import ApplicationException, BusinessException
from bots.runtime.logs import get_logger

log = get_logger(__name__)


# The keys of ``bots.<name>`` that every ERP bot reads (the fields of ``ErpBotSettings``).
ERP_BOT_KEYS = {"password_secret", "evidence_dir", "item_kind", "limit", "poll_seconds", "busy_attempts",
                "busy_wait_seconds", "timeout_seconds", "stop_after_failures"}


@dataclass
class ErpBotSettings:
    """The settings every ERP bot has: the ``erp:`` section plus its ``bots.<name>``, checked on load.

    A bot's own settings dataclass extends it, sets ``bot_name`` (named in the messages) and
    its ``item_kind``, and adds its own fields and checks.
    """

    bot_name: ClassVar[str] = "erp-bot"

    url: str
    user: str
    password: str | None
    evidence_dir: Path
    item_kind: str = ""
    limit: int = 50
    poll_seconds: float = 60.0
    busy_attempts: int = 5
    busy_wait_seconds: float = 1.0
    timeout_seconds: float = 15.0
    stop_after_failures: int = 3

    def __post_init__(self):
        check_account(self.bot_name, "erp", self.url, self.user)
        check_at_least_one(self.bot_name, self, ("busy_attempts", "limit", "stop_after_failures"))


def erp_bot_settings(settings, own: dict, item_kind: str, *, need_password: bool) -> dict:
    """The fields of ``ErpBotSettings`` from ``load_settings()`` and the bot's ``own`` section, as keywords."""
    return {
        **system_account(settings, own, "erp", need_password=need_password),
        "evidence_dir": evidence_folder(settings, own),
        "item_kind": own.get("item_kind", item_kind),
        "limit": int(own.get("limit", 50)),
        "poll_seconds": float(own.get("poll_seconds", 60)),
        "busy_attempts": int(own.get("busy_attempts", 5)),
        "busy_wait_seconds": float(own.get("busy_wait_seconds", 1)),
        "timeout_seconds": float(own.get("timeout_seconds", 15)),
        "stop_after_failures": int(own.get("stop_after_failures", 3)),
    }


@dataclass(frozen=True)
class ErpBot:
    """What sets one ERP bot apart from another.

    :param name: the bot's name in runs and worker names, e.g. ``erp-order-entry``.
    :param activity: what it does, for the log line when it stops, e.g. ``order entry``.
    :param items: what it works on, plural, for messages, e.g. ``orders``.
    :param handler: ``handler(erp, settings, run)`` gives the function that does one item:
        it takes a ``Work`` from ``queue.processing`` and raises Business- or
        ApplicationException when it cannot.
    """

    name: str
    activity: str
    items: str
    handler: Callable


class ErpItemHandler:
    """What the classes that do one item in the ERP share: the client, the settings, the run's counts."""

    def __init__(self, erp: ErpClient, settings, run=None):
        self.erp = erp
        self.settings = settings
        self.run = run

    def _with_evidence(self, action: Callable[[], str], shot_name: str, subject: str) -> str:
        """Return ``action()``; when it fails, keep a screenshot of the ERP as the failure's evidence.

        The screenshot is ``<shot_name>-<code>`` in ``settings.evidence_dir``. A screen not
        as expected (a Playwright error) becomes ApplicationException ``erp_screen``, whose
        message starts with ``subject`` (e.g. "PO 4711").
        """
        from playwright.sync_api import Error as PlaywrightError

        try:
            return action()
        except (BusinessException, ApplicationException) as error:
            if not isinstance(error, ErpDown):  # a maintenance page is no evidence about the item
                shot = self.erp.screenshot(self.settings.evidence_dir, f"{shot_name}-{error.code}")
                error.evidence.setdefault("screenshot", shot)
            raise
        except PlaywrightError as error:
            # A screen not as expected (an element never came): the system's fault, retried later.
            shot = self.erp.screenshot(self.settings.evidence_dir, f"{shot_name}-screen")
            raise ApplicationException("erp_screen", f"{subject}: the ERP screen was not as expected: "
                                       f"{str(error).splitlines()[0]}", {"screenshot": shot}) from error

    def _retrying(self, step):
        """Run ``step`` again (with backoff) while the ERP answers busy or the session expired."""
        return retrying(step, attempts=self.settings.busy_attempts, wait_seconds=self.settings.busy_wait_seconds)

    def _count(self, name: str) -> None:
        if self.run is not None:
            self.run.count(name)


def run_erp_bot(bot: ErpBot, settings, *, once: bool, limit: int | None = None, headless: bool = True,
                queue=None, browser=None) -> dict:
    """Run ``bot``: up to ``limit`` waiting items once (``once``), or every ``settings.poll_seconds``.

    Returns the counts of the runs. With ``once``, an ERP that is down raises an
    ApplicationException (the items stay queued); when polling it is logged and retried.

    :param browser: a Playwright Browser to use (tests share one); default: start Chromium.
    """
    from playwright.sync_api import Error as PlaywrightError

    from bots.runtime.runs import bot_run
    from bots.runtime.workqueue import WorkQueue

    queue = queue or WorkQueue.open()
    totals: dict[str, int] = {}
    while True:
        with bot_run(queue, bot.name) as run:
            try:
                try:
                    _one_round(bot, queue, run, settings, limit or settings.limit, headless, browser)
                except PlaywrightError as error:  # the browser itself failed (log-on page not as expected...)
                    raise ApplicationException("erp_browser", f"the ERP at {settings.url} failed: "
                                               f"{str(error).splitlines()[0]}") from error
            except ApplicationException as error:
                run.count("erp_down")
                log.error(f"{bot.activity} stopped: the ERP cannot be used now", bot=bot.name, error=error.message)
                if once:
                    raise
            finally:
                for name, value in run.counts.items():
                    totals[name] = totals.get(name, 0) + value
        if once:
            return totals
        time.sleep(settings.poll_seconds)


def _one_round(bot: ErpBot, queue, run, settings, limit: int, headless: bool, browser=None) -> None:
    """One browser session: log on, then claim and do one item at a time until ``limit`` or none left."""
    from bots.runtime.browser import open_browser
    from bots.runtime.runs import worker_name

    if browser is None:
        with open_browser(headless=headless) as started:
            _one_round(bot, queue, run, settings, limit, headless, started)
        return
    worker = worker_name(bot.name)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        erp = ErpClient(context.new_page(), settings.url, settings.user, settings.password,
                        timeout_seconds=settings.timeout_seconds)
        erp.log_in()  # the ERP down: stop before claiming anything
        do_one = bot.handler(erp, settings, run)
        failures_in_a_row = 0
        for _ in range(limit):
            claimed = queue.claim(worker, kinds=[settings.item_kind], limit=1)
            if not claimed:
                break
            busy_before = erp.busy_answers
            outcome = _do_one(queue, worker, run, do_one, claimed[0])
            run.count("erp_busy", erp.busy_answers - busy_before)
            failures_in_a_row = failures_in_a_row + 1 if outcome is not None else 0
            if isinstance(outcome, ErpDown):
                raise ErpDown(outcome.message)
            if failures_in_a_row >= settings.stop_after_failures:
                raise ApplicationException("erp_failing", f"{failures_in_a_row} {bot.items} in a row failed on the "
                                           f"ERP (last: {outcome.message}); stopping until the next run")
        erp.log_off()  # the ERP limits open sessions per user: give this one back
    finally:
        context.close()


def _do_one(queue, worker: str, run, do_one: Callable, item) -> ApplicationException | None:
    """Do one item inside ``queue.processing``; return the application failure, if there was one."""
    failure = None
    with queue.processing(item, worker, run=run) as work:
        try:
            do_one(work)
        except ApplicationException as error:
            failure = error
            raise
    return failure


def fleet_bot(bot: ErpBot, settings, *, headless: bool = True, sessions_per_user: int | None = None):
    """``bot`` as a fleet worker runs it (``o2c worker``): per slot, its own Chromium logged on
    to the ERP once, with its own session; ``sessions_per_user`` caps the slots (the ERP's limit).

    A slot whose ERP goes into maintenance (``ErpDown``) or fails ``stop_after_failures``
    items in a row logs off and opens a new session after ``poll_seconds``.
    """
    from contextlib import contextmanager

    from bots.runtime.fleet.worker import FleetBot

    @contextmanager
    def session(slot: int, run):
        from bots.runtime.browser import open_browser

        with open_browser(headless=headless) as browser:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            erp = ErpClient(context.new_page(), settings.url, settings.user, settings.password,
                            timeout_seconds=settings.timeout_seconds)
            try:
                erp.log_in()
                yield bot.handler(erp, settings, run)
            finally:
                erp.log_off()  # gives the session back to the ERP's limit per user
                context.close()

    return FleetBot(name=bot.name, item_kind=settings.item_kind, session=session, session_errors=(ErpDown,),
                    max_concurrency=sessions_per_user or None, stop_after_failures=settings.stop_after_failures,
                    poll_seconds=min(settings.poll_seconds, 2.0), retry_seconds=settings.poll_seconds)
