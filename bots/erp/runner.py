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

The settings object is the bot's own dataclass; the runner reads ``url``, ``user``,
``password``, ``item_kind``, ``limit``, ``poll_seconds``, ``timeout_seconds`` and
``stop_after_failures`` from it.
"""

import time
from dataclasses import dataclass
from typing import Callable

from bots.erp.screens import ErpClient, ErpDown
from bots.errors import ApplicationException
from bots.logs import get_logger

log = get_logger(__name__)


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


def run_erp_bot(bot: ErpBot, settings, *, once: bool, limit: int | None = None, headless: bool = True,
                queue=None, browser=None) -> dict:
    """Run ``bot``: up to ``limit`` waiting items once (``once``), or every ``settings.poll_seconds``.

    Returns the counts of the runs. With ``once``, an ERP that is down raises an
    ApplicationException (the items stay queued); when polling it is logged and retried.

    :param browser: a Playwright Browser to use (tests share one); default: start Chromium.
    """
    from playwright.sync_api import Error as PlaywrightError

    from bots.runs import bot_run
    from bots.workqueue import WorkQueue

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
    from bots.browser import open_browser
    from bots.runs import worker_name

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
