"""The portal-intake bot: new purchase orders on a customer portal into the work queue, exactly once.

``o2c run portal-intake [--once]``. It logs into the customer's supplier portal with
Playwright, walks the paginated list of new POs, and for each one:

1. opens it and skips it unless the portal still shows it New;
2. downloads it as CSV (else PDF), keeps the file as evidence, parses it with
   ``orders_from_file`` and checks the lines add up to the total the portal shows
   (a PDF that lost a line does not pass; the other format is tried);
3. commits one work item, key ``portal:<portal>:<PO number>``;
4. only then clicks Acknowledge, retrying with backoff while the portal answers
   "System busy, try again" (the portal guarantees the click was not carried out).

A crash between 3 and 4 leaves the PO New on the portal: the next run finds the item
already queued, makes no second one, and acknowledges. An order with a problem (a SKU
not in the item master, lines that do not add up, a file that cannot be read) becomes
an exception item with the file and a screenshot as evidence, and is left New on the
portal for the supervisor; it is acknowledged by a later run once the supervisor sent it
on (retry) or keyed it by hand (resolve), never when dismissed. Trouble with one PO (a
page not as expected, the portal still busy after ``busy_attempts``) leaves a screenshot
in the evidence folder and a log line, and the PO stays New for the next run.

Screens come from selectors/portal/ (login, inbox, order), by role and label, so the
portal's second theme (other ids and classes) changes nothing here.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import urljoin

from bots.runtime.bot_settings import check_account, check_at_least_one, evidence_folder, own_section, system_account
from bots.runtime.errors import ApplicationException, InputError
from bots.intake.common import order_problem, read_known_skus
from bots.runtime.crash import crash_point
from bots.runtime.evidence import store_evidence
from bots.runtime.planned_items import PlannedItem, commit, finish_routing
from bots.runtime.logs import get_logger

BOT_NAME = "portal-intake"
ITEM_KIND = "order"
MAX_PAGES = 500  # a pager that never ends is a broken portal, not a big one

log = get_logger(__name__)


# -- settings ------------------------------------------------------------------------


@dataclass
class PortalIntakeSettings:
    """The bot's settings: the ``portal:`` section plus ``bots.portal-intake``, checked on load."""

    url: str
    user: str
    password: str | None
    evidence_dir: Path
    portal_name: str = "portal"
    item_kind: str = ITEM_KIND
    poll_seconds: float = 300.0
    busy_attempts: int = 5
    busy_wait_seconds: float = 1.0
    timeout_seconds: float = 15.0
    known_skus: frozenset | None = None
    formats: tuple = ("csv", "pdf")

    def __post_init__(self):
        check_account(BOT_NAME, "portal", self.url, self.user)
        check_at_least_one(BOT_NAME, self, ("busy_attempts",))
        unknown = set(self.formats) - {"csv", "pdf"}
        if unknown or not self.formats:
            raise ValueError(f"portal-intake formats must be a list of csv and pdf, not {list(self.formats)}")


def load_portal_intake_settings(settings, *, need_password: bool = True) -> PortalIntakeSettings:
    """Build the bot's settings from ``load_settings()``; the password comes from ``secret("portal_password")``."""
    own = own_section(settings, BOT_NAME, _SETTING_KEYS)
    return PortalIntakeSettings(
        **system_account(settings, own, "portal", need_password=need_password),
        evidence_dir=evidence_folder(settings, own),
        portal_name=own.get("portal_name", "portal"),
        item_kind=own.get("item_kind", ITEM_KIND),
        poll_seconds=float(own.get("poll_seconds", 300)),
        busy_attempts=int(own.get("busy_attempts", 5)),
        busy_wait_seconds=float(own.get("busy_wait_seconds", 1)),
        timeout_seconds=float(own.get("timeout_seconds", 15)),
        known_skus=read_known_skus(own["known_skus_file"]) if own.get("known_skus_file") else None,
        formats=tuple(own.get("formats", ("csv", "pdf"))),
    )


_SETTING_KEYS = {"password_secret", "evidence_dir", "portal_name", "item_kind", "poll_seconds", "busy_attempts",
                 "busy_wait_seconds", "timeout_seconds", "known_skus_file", "formats"}


# -- the portal, as a clerk uses it --------------------------------------------------


class PortalBusy(ApplicationException):
    """The portal answered "System busy, try again"; the action was not carried out."""

    def __init__(self, action: str):
        super().__init__("portal_busy", f"the portal was busy and did not {action}")


@dataclass(frozen=True)
class OrderLink:
    """One PO in the list of new orders: its number and the address of its page."""

    po_number: str
    url: str


@dataclass
class PortalOrder:
    """What the portal's page of one PO shows."""

    po_number: str
    state: str
    url: str
    requested_date: str | None = None
    ship_to: str | None = None
    total: Decimal | None = None


class CustomerPortal:
    """The customer portal on a Playwright page; each method is one thing a clerk does there."""

    def __init__(self, page, settings: PortalIntakeSettings):
        from bots.runtime.screens import Screen

        self.page = page
        self.settings = settings
        self.login_screen = Screen(page, "portal/login")
        self.inbox = Screen(page, "portal/inbox")
        self.order = Screen(page, "portal/order")
        self.busy_answers = 0  # how often the portal said "System busy", for the run's counts
        page.set_default_timeout(settings.timeout_seconds * 1000)

    def log_in(self) -> None:
        """Open the portal and log on; the error says so when the portal refuses."""
        self.page.goto(self.settings.url)
        if not self._on_login_page():
            return
        self._submit_login()

    def new_orders(self) -> list[OrderLink]:
        """Every PO in the list of new orders, walking all its pages."""
        self._goto(self.settings.url)
        self.inbox["new_orders"].click()
        self.page.wait_for_load_state()
        found: dict[str, OrderLink] = {}
        for _ in range(MAX_PAGES):
            self.inbox["orders_table"].wait_for()
            for link in self.inbox["order_links"].all():
                po_number = link.inner_text().strip()
                href = link.get_attribute("href")
                if po_number and href:
                    found.setdefault(po_number, OrderLink(po_number, urljoin(self.page.url, href)))
            next_page = self.inbox["next_page"]
            if next_page.count() == 0:
                return list(found.values())
            next_page.click()
            self.page.wait_for_load_state()
        raise ApplicationException("portal_pager", f"the list of new orders ran past {MAX_PAGES} pages")

    def open(self, link: OrderLink) -> PortalOrder:
        """Open the page of one PO and read its header."""
        from inbox_parsers.amounts import parse_amount

        self._goto(link.url)
        shown = self.order["po_number"].inner_text().strip()
        if shown != link.po_number:
            raise ApplicationException("portal_page", f"opened PO {link.po_number} but the page shows {shown!r}")
        return PortalOrder(
            po_number=shown, state=self.order["state"].inner_text().strip(), url=link.url,
            requested_date=self.order["requested_date"].inner_text().strip() or None,
            ship_to=self.order["ship_to"].inner_text().strip() or None,
            total=parse_amount(self.order["total"].inner_text()),
        )

    def download(self, order: PortalOrder, fmt: str) -> tuple[str, bytes] | None:
        """Download the open PO as ``fmt`` ("csv" or "pdf"); None when the page offers no such file."""
        link = self.order[f"download_{fmt}"]
        if link.count() == 0:
            return None
        with self.page.expect_download() as info:
            link.click()
        download = info.value
        failure = download.failure()
        if failure:
            raise ApplicationException("portal_download", f"downloading PO {order.po_number} as {fmt} failed: {failure}")
        return download.suggested_filename or f"PO_{order.po_number}.{fmt}", Path(download.path()).read_bytes()

    def acknowledge(self, order: PortalOrder) -> None:
        """Click Acknowledge on the PO's page, retrying with backoff while the portal is busy."""
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

        retrying = Retrying(
            retry=retry_if_exception_type(PortalBusy), stop=stop_after_attempt(self.settings.busy_attempts),
            wait=wait_exponential(multiplier=self.settings.busy_wait_seconds, max=30), reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self._acknowledge_once(order)

    def screenshot(self, folder: Path, name: str) -> str | None:
        """Save what the screen shows now as evidence; None when even that fails."""
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = folder / f"{name}-{stamp}.png"
        try:
            self.page.screenshot(path=str(path), full_page=True)
        except Exception as error:  # the browser may be the thing that broke; the failure is reported anyway
            log.warning("screenshot failed", error=str(error))
            return None
        return str(path.resolve())

    # -- private -----------------------------------------------------------------

    def _acknowledge_once(self, order: PortalOrder) -> None:
        self._goto(order.url)
        if self._state() == "Acknowledged":
            return  # done already (by us before a crash, or by a person)
        button = self.order["acknowledge"]
        with self.page.expect_navigation():
            button.click()
        if self.order["busy_dialog"].count() > 0:
            self.busy_answers += 1
            self.order["busy_ok"].click()
            self.page.wait_for_load_state()
            raise PortalBusy(f"acknowledge PO {order.po_number}")
        if self._on_login_page():
            raise ApplicationException("portal_session", f"the session ended while acknowledging PO {order.po_number}")
        state = self._state()
        if state != "Acknowledged":
            raise ApplicationException(
                "portal_acknowledge", f"clicked Acknowledge on PO {order.po_number}, but the portal shows {state!r}"
            )

    def _state(self) -> str:
        return self.order["state"].inner_text().strip()

    def _goto(self, url: str) -> None:
        """Go to ``url``, logging on again when the session has ended (idle timeout)."""
        self.page.goto(url)
        if self._on_login_page():
            self._submit_login()
            if self.page.url.split("?")[0] != url.split("?")[0]:
                self.page.goto(url)

    def _on_login_page(self) -> bool:
        return self.login_screen["log_on"].count() > 0 and self.login_screen["password"].count() > 0

    def _submit_login(self) -> None:
        self.login_screen["user"].fill(self.settings.user)
        self.login_screen["password"].fill(self.settings.password or "")
        with self.page.expect_navigation():
            self.login_screen["log_on"].click()
        if self._on_login_page():
            message = self.login_screen["status"].inner_text().strip() if self.login_screen["status"].count() else ""
            raise ApplicationException(
                "portal_login", f"the portal refused the log-on as {self.settings.user!r}: {message or 'no reason given'}"
            )


# -- the bot -------------------------------------------------------------------------


def portal_key(portal_name: str, po_number: str) -> str:
    """The idempotency key of a PO taken from a portal: the portal and the PO number name it."""
    return f"portal:{portal_name}:{po_number.strip()}"


class PortalIntake:
    """Takes the new POs of one portal into the work queue, one at a time."""

    def __init__(self, queue, run, settings: PortalIntakeSettings, portal: CustomerPortal):
        self.queue = queue
        self.run = run
        self.settings = settings
        self.portal = portal

    def take_all(self) -> None:
        """Every PO in the list of new orders; trouble with one is logged and the rest go on."""
        from playwright.sync_api import Error as PlaywrightError

        for link in self.portal.new_orders():
            self.run.count("pos_listed")
            try:
                self.take(link)
            except (ApplicationException, PlaywrightError) as error:
                # The PO stays New on the portal, so the next run tries it again.
                shot = self.portal.screenshot(self.settings.evidence_dir, f"portal-{link.po_number}-failure")
                self.run.count("po_errors")
                log.error("PO not taken; the next run tries again", po_number=link.po_number,
                          error=str(error), screenshot=shot)

    def take(self, link: OrderLink) -> str:
        """Queue one PO and acknowledge it; return what happened ("queued", "exception", "skipped")."""
        order_page = self.portal.open(link)
        if order_page.state != "New":
            self.run.count("pos_not_new")
            return "skipped"
        key = portal_key(self.settings.portal_name, link.po_number)
        item = self.queue.find(key)
        if item is None:
            planned = self._plan(order_page, key)
            crash_point("after_parse")
            ((item, _),) = commit(self.queue, self.run, [planned])
        else:
            self.run.count("items_already_queued")
            item = finish_routing(self.queue, self.run, item)
        crash_point("after_commit")
        if item.state in ("exception", "dismissed"):
            self.run.count("pos_left_for_supervisor")
            return "exception"
        busy_before = self.portal.busy_answers
        try:
            self.portal.acknowledge(order_page)
        finally:
            self.run.count("portal_busy", self.portal.busy_answers - busy_before)
        self.run.count("pos_acknowledged")
        self.run.audit("acknowledge", "portal", link.url, item_id=item.id, document_number=link.po_number,
                       detail={"portal": self.settings.portal_name})
        return "queued"

    def _plan(self, order_page: PortalOrder, key: str) -> PlannedItem:
        """Download, keep and parse the PO; the item to commit, with its problem if it has one."""
        order, evidence, problem = self._read(order_page)
        order = _with_page_fields(order, order_page)
        if problem is None:
            problem = order_problem(order)
        if problem is not None:
            evidence["screenshot"] = self.portal.screenshot(self.settings.evidence_dir, f"portal-{order_page.po_number}")
        payload = {
            "channel": "portal", "portal": self.settings.portal_name, "order": order,
            "portal_po": {"po_number": order_page.po_number, "url": order_page.url,
                          "total": str(order_page.total) if order_page.total is not None else None},
        }
        return PlannedItem(kind=self.settings.item_kind, key=key, payload=payload, source_ref=order_page.url,
                           evidence=evidence, exception=problem)

    def _read(self, order_page: PortalOrder) -> tuple[dict, dict, tuple | None]:
        """The PO's order from the first format that reads and adds up; else the best try and why."""
        from inbox_parsers.purchase_orders import orders_from_file

        evidence: dict = {"portal_url": order_page.url, "files": []}
        best, problem = None, None
        for fmt in self.settings.formats:
            downloaded = self.portal.download(order_page, fmt)
            if downloaded is None:
                continue
            name, data = downloaded
            kept = store_evidence(self.settings.evidence_dir, data, "." + fmt)
            evidence["files"].append({**kept, "name": name})
            evidence.setdefault("file", kept["file"])
            try:
                orders = orders_from_file(name, data, self.settings.known_skus)
            except InputError as error:
                problem = problem or ("unreadable", f"PO {order_page.po_number}: {name} cannot be read: {error.message}")
                continue
            order = _matching(orders, order_page.po_number)
            if order is None:
                problem = problem or ("po_mismatch", f"{name} holds no order {order_page.po_number}")
                continue
            best = best or order
            mismatch = _total_mismatch(order, order_page.total)
            if mismatch:
                problem = problem or ("total_mismatch", f"PO {order_page.po_number} ({name}): {mismatch}")
                continue
            return order, evidence, None
        if best is None:
            best = {"po_number": order_page.po_number, "lines": [], "warnings": []}
            problem = problem or ("no_document", f"PO {order_page.po_number} offers no CSV or PDF to download")
        return best, evidence, problem


def run_portal_intake(settings: PortalIntakeSettings, *, once: bool, headless: bool = True, queue=None,
                      browser=None) -> dict:
    """Run the bot: take the new POs once (``once``) or every ``poll_seconds`` until interrupted.

    Returns the counts of the runs. A portal that cannot be reached or refuses the log-on
    raises an ApplicationException with ``once``; when polling it is logged and retried.

    :param browser: a Playwright Browser to use (tests share one); default: start Chromium
        for each round and close it after.
    """
    from playwright.sync_api import Error as PlaywrightError

    from bots.runtime.runs import bot_run
    from bots.runtime.workqueue import WorkQueue

    queue = queue or WorkQueue.open()
    totals: dict[str, int] = {}
    while True:
        with bot_run(queue, BOT_NAME) as run:
            try:
                _one_round(queue, run, settings, headless, browser)
            except (ApplicationException, PlaywrightError) as error:
                run.count("portal_errors")
                log.error("portal run failed", error=str(error))
                if once:
                    if isinstance(error, ApplicationException):
                        raise
                    raise ApplicationException("portal_unreachable", f"the portal at {settings.url} failed: {error}") from error
            for name, value in run.counts.items():
                totals[name] = totals.get(name, 0) + value
        if once:
            return totals
        time.sleep(settings.poll_seconds)


def _one_round(queue, run, settings: PortalIntakeSettings, headless: bool, browser=None) -> None:
    """One browser session: log on, take every new PO, close the session."""
    from bots.runtime.browser import open_browser

    if browser is None:
        with open_browser(headless=headless) as started:
            _one_round(queue, run, settings, headless, started)
        return
    context = browser.new_context(accept_downloads=True)
    try:
        portal = CustomerPortal(context.new_page(), settings)
        portal.log_in()
        PortalIntake(queue, run, settings, portal).take_all()
    finally:
        context.close()


# -- helpers -------------------------------------------------------------------------


def _matching(orders: list[dict], po_number: str) -> dict | None:
    from bots.intake.common import normalize_po

    for order in orders:
        if normalize_po(order.get("po_number")) == normalize_po(po_number):
            return order
    return orders[0] if len(orders) == 1 and not orders[0].get("po_number") else None


def _total_mismatch(order: dict, shown: Decimal | None) -> str | None:
    """Say how the parsed lines differ from the total the portal shows, or None when they agree."""
    if shown is None:
        return None
    try:
        total = sum((Decimal(line["quantity"]) * Decimal(line["unit_price"]) for line in order.get("lines") or []),
                    Decimal("0")).quantize(Decimal("0.01"))
    except (KeyError, TypeError, ArithmeticError):
        return "the lines have no readable quantity or price"
    if total != shown.quantize(Decimal("0.01")):
        return f"the lines add up to {total}, the portal shows {shown}"
    return None


def _with_page_fields(order: dict, order_page: PortalOrder) -> dict:
    """Fill what the file left out (requested date, ship-to) from what the portal page shows."""
    from inbox_parsers.dates import iso

    order = dict(order)
    order["po_number"] = order.get("po_number") or order_page.po_number
    if not order.get("requested_date") and order_page.requested_date:
        order["requested_date"] = iso(order_page.requested_date)
    if not order.get("ship_to") and order_page.ship_to:
        order["ship_to"] = order_page.ship_to
    return order
