"""``o2c run credit-agency``: the customers' credit reports from the credit agency's website.

The agency has no API: the bot signs in, searches each customer by name and country, opens
its report and reads rating, payment index, recommended limit and report date, which it
caches in the store (``credit_reports``) for the credit gate. The customers come from the
ERP's customer master (XD03).

- A customer is looked up at most once per ``interval_days`` (its cached report's fetch date).
- At most ``max_lookups`` reports per run, and the run stops at the agency's daily quota page
  (counted ``quota_reached``): the rest wait for the next run.
- "This report is being updated": skipped this run (``report_updating``), looked up next time.
- A customer the agency does not know, or knows twice in its country, is skipped
  (``not_found`` / ``ambiguous``) and logged: the gate then has no rating for it.

Every report fetched is in the audit log (action ``credit_report``).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bots.runtime.bot_settings import evidence_folder, own_section
from bots.runtime.errors import ApplicationException
from bots.runtime.logs import get_logger

log = get_logger(__name__)

BOT_NAME = "credit-agency"
_KEYS = {"agency_url", "agency_user", "password_secret", "interval_days", "max_lookups", "customers",
         "timeout_seconds", "evidence_dir"}


@dataclass
class AgencySettings:
    """The bot's settings (``bots.credit-agency``) and the ERP account it reads customers with."""

    agency_url: str
    agency_user: str
    agency_password: str | None
    erp_url: str
    erp_user: str
    erp_password: str | None
    interval_days: int = 30
    max_lookups: int = 20
    customers: tuple = ()  # only these customer numbers (default: every customer in the ERP)
    timeout_seconds: float = 15.0
    evidence_dir: Path = Path(".o2c/evidence")

    def __post_init__(self):
        if not str(self.agency_url or "").startswith(("http://", "https://")):
            raise ValueError(f"credit-agency needs the agency's address: set bots.credit-agency.agency_url "
                             f"(now {self.agency_url!r})")
        if self.interval_days < 0 or self.max_lookups < 1:
            raise ValueError("credit-agency interval_days must be 0 or more and max_lookups 1 or more")


def load_agency_settings(settings, *, need_password: bool = True) -> AgencySettings:
    """Build the settings from ``load_settings()``; passwords O2C_CREDIT_AGENCY_PASSWORD and O2C_ERP_PASSWORD."""
    from bots.runtime.config import secret

    own = own_section(settings, BOT_NAME, _KEYS)
    return AgencySettings(
        agency_url=str(own.get("agency_url") or ""), agency_user=str(own.get("agency_user") or ""),
        agency_password=secret(own.get("password_secret", "credit_agency_password")) if need_password else None,
        erp_url=settings.erp_url, erp_user=settings.erp_user,
        erp_password=secret("erp_password") if need_password else None,
        interval_days=int(own.get("interval_days", 30)), max_lookups=int(own.get("max_lookups", 20)),
        customers=tuple(str(c).upper() for c in own.get("customers") or ()),
        timeout_seconds=float(own.get("timeout_seconds", 15)), evidence_dir=evidence_folder(settings, own))


class QuotaReached(Exception):
    """The agency's daily lookup quota is used up."""


class ReportUpdating(Exception):
    """The agency shows "report being updated" instead of the report."""


class CreditAgency:
    """The agency's website on one Playwright page; each method is one thing an analyst does."""

    def __init__(self, page, settings: AgencySettings):
        from bots.runtime.screens import Screen

        self.page = page
        self.settings = settings
        self.login = Screen(page, "credit_agency/login")
        self.search = Screen(page, "credit_agency/search")
        self.report = Screen(page, "credit_agency/report")
        page.set_default_timeout(settings.timeout_seconds * 1000)

    def sign_in(self) -> None:
        self.page.goto(self.settings.agency_url.rstrip("/") + "/search")
        if self.login["log_on"].count() == 0:
            return
        self.login["user"].fill(self.settings.agency_user)
        self.login["password"].fill(self.settings.agency_password or "")
        with self.page.expect_navigation():
            self.login["log_on"].click()
        if self.login["log_on"].count() > 0:
            raise ApplicationException("agency_login", f"the credit agency refused the sign-in as "
                                       f"{self.settings.agency_user!r}")

    def find(self, name: str, country: str) -> list[tuple[str, str, str]]:
        """(report link text, company name, country) of the companies the search shows."""
        self.page.goto(self.settings.agency_url.rstrip("/") + "/search")
        self.search["name"].fill(name)
        self.search["country"].fill(country)
        with self.page.expect_navigation():
            self.search["search"].click()
        from bots.runtime.screens import locate

        cell = self.search.entry("cell")
        hits = []
        for row in self.search["company_rows"].all():
            cells = [" ".join(t.split()) for t in locate(row, cell).all_inner_texts()]
            if len(cells) >= 4:
                hits.append((cells[3], cells[0], cells[1]))
        return hits

    def open_report(self, ref: str) -> dict:
        """Open report ``ref`` from the search results and read it."""
        from bots.runtime.screens import locate

        link = self.search["report_link"].filter(has_text=ref)
        with self.page.expect_navigation():
            link.first.click()
        if self.report["quota"].count():
            raise QuotaReached()
        if self.report["updating"].count():
            raise ReportUpdating()
        value = self.report.entry("value")
        facts = {name: " ".join(locate(self.report[name], value).inner_text().split())
                 for name in ("report_number", "company", "country", "rating", "payment_index", "recommended_limit",
                              "report_date")}
        if facts["report_number"] != ref:
            raise ApplicationException("agency_page", f"opened report {ref} but the page shows {facts['report_number']}")
        return facts


def run_agency(settings: AgencySettings, *, headless: bool = True, queue=None, browser=None) -> dict:
    """Look up the customers due for a report; return the run's counts."""
    from bots.runtime.browser import open_browser
    from bots.runtime.runs import bot_run
    from bots.runtime.workqueue import WorkQueue

    queue = queue or WorkQueue.open()
    if browser is None:
        with open_browser(headless=headless) as started:
            return run_agency(settings, headless=headless, queue=queue, browser=started)
    with bot_run(queue, BOT_NAME) as run:
        context = browser.new_context()
        try:
            customers = _erp_customers(context.new_page(), settings)
            due = [c for c in customers if _due(queue, c["customer_id"], settings.interval_days)]
            run.count("customers", len(customers))
            run.count("due", len(due))
            if due:
                agency = CreditAgency(context.new_page(), settings)
                agency.sign_in()
                _look_up(agency, due, settings, queue, run)
        finally:
            context.close()
        return dict(run.counts)


def _look_up(agency: CreditAgency, due: list[dict], settings: AgencySettings, queue, run) -> None:
    from bots.credit.reports import save_report
    from bots.erp.customers import normalize_name

    for customer in due:
        if run.counts.get("reports", 0) >= settings.max_lookups:
            break
        hits = [hit for hit in agency.find(customer["name"], customer["country"])
                if normalize_name(hit[1]) == normalize_name(customer["name"]) and hit[2] == customer["country"]]
        if len(hits) != 1:
            run.count("not_found" if not hits else "ambiguous")
            log.warning("no single agency report for the customer", customer_id=customer["customer_id"],
                        name=customer["name"], hits=len(hits))
            continue
        try:
            facts = agency.open_report(hits[0][0])
        except ReportUpdating:
            run.count("report_updating")
            continue
        except QuotaReached:
            run.count("quota_reached")
            log.warning("the credit agency's daily quota is used up; the rest wait for the next run")
            return
        limit_text, _, currency = facts["recommended_limit"].partition(" ")
        save_report(queue, customer["customer_id"], company_name=facts["company"], country=facts["country"],
                    agency_ref=facts["report_number"], rating=facts["rating"],
                    payment_index=int(facts["payment_index"]), recommended_limit=_amount(limit_text),
                    currency=currency or None, report_date=date.fromisoformat(facts["report_date"]))
        run.audit("credit_report", "credit_agency", f"report of {customer['customer_id']}",
                  detail={"rating": facts["rating"], "payment_index": facts["payment_index"],
                          "report_date": facts["report_date"]}, document_number=facts["report_number"])
        run.count("reports")


def _due(queue, customer_id: str, interval_days: int) -> bool:
    from bots.credit.reports import last_fetched

    fetched = last_fetched(queue.session, customer_id)
    return fetched is None or queue.clock.now() - fetched >= timedelta(days=interval_days)


def _erp_customers(page, settings: AgencySettings) -> list[dict]:
    """Every customer of the ERP's customer master (XD03): number, name, country."""
    from bots.erp.screens import ErpClient
    from bots.runtime.screens import Screen, locate

    erp = ErpClient(page, settings.erp_url, settings.erp_user, settings.erp_password,
                    timeout_seconds=settings.timeout_seconds)
    erp.log_in()
    erp.open_transaction("XD03")
    screen = Screen(page, "erp/customer_master")
    screen["customers"].wait_for()
    cell = screen.entry("cell")
    found = []
    for row in screen["customer_rows"].all():
        cells = [" ".join(t.split()) for t in locate(row, cell).all_inner_texts()]
        if len(cells) >= 5 and (not settings.customers or cells[0].upper() in settings.customers):
            found.append({"customer_id": cells[0], "name": cells[1], "country": cells[4]})
    erp.log_off()
    return found


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
