"""The cash-application bot: the bank's payments of a day, matched to the ERP's open items, into the queue.

``o2c run cash-application [--once] [--date YYYY-MM-DD]``. In one bot run it:

1. logs on to the bank portal (password, then the one-time code; "System busy" is retried);
2. downloads the day's camt.053 statement and the remittance advice PDF of each payment
   that has one, and keeps every file as evidence;
3. parses the advices (``inbox_parsers.remittance``) and pairs each with its bank payment
   (``attach_remittances``), with the advices customers sent through the portal (work items
   of kind ``remittance``, claimed for the run: one used is done, naming its payment; one
   whose payment has not arrived yet is released to wait for a later statement);
4. exports the open items from the ERP's FBL5N screen (``bots.erp.open_items``), less what
   payment items already queued apply and the ERP does not show yet (``queued_applications``);
5. matches (``bots.cash``) and commits one work item of kind ``payment`` per payment, keyed
   ``payment:<bank>:<payment reference>``: applied payments wait for ``erp-cash-posting``,
   the unclear ones go to the exception queue with reason, candidates and explanation.

Run again, it queues nothing twice: when every payment of the statement is already queued it
stops after the download; otherwise the items already there are left as they are.
"""

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from bots.runtime.bot_settings import check_account, check_at_least_one, evidence_folder, own_section, system_account
from bots.runtime.errors import ApplicationException, InputError
from bots.runtime.logs import get_logger

BOT_NAME = "cash-application"
ITEM_KIND = "payment"
OTP_METHODS = ("sandbox", "totp")

log = get_logger(__name__)


# -- settings ------------------------------------------------------------------------


@dataclass
class CashApplicationSettings:
    """The bot's settings: ``bots.cash-application`` (the bank) plus the ``erp:`` section."""

    bank_url: str
    bank_user: str
    bank_password: str | None
    erp_url: str
    erp_user: str
    erp_password: str | None
    evidence_dir: Path
    otp: str = "sandbox"
    totp_secret: str | None = None
    bank_name: str = "bank"
    terms_file: Path | None = None
    poll_seconds: float = 3600.0
    busy_attempts: int = 5
    busy_wait_seconds: float = 1.0
    timeout_seconds: float = 15.0

    def __post_init__(self):
        if not self.bank_url or not str(self.bank_url).startswith(("http://", "https://")):
            raise ValueError(f"cash-application needs the bank portal's address: set "
                             f"bots.cash-application.bank_url (now {self.bank_url!r})")
        if not self.bank_user:
            raise ValueError("cash-application needs a bank user: set bots.cash-application.bank_user")
        if self.otp not in OTP_METHODS:
            raise ValueError(f"cash-application otp must be one of {', '.join(OTP_METHODS)}, not {self.otp!r}")
        check_account(BOT_NAME, "erp", self.erp_url, self.erp_user)
        check_at_least_one(BOT_NAME, self, ("busy_attempts",))


_SETTING_KEYS = {"bank_url", "bank_user", "password_secret", "erp_password_secret", "otp", "totp_secret_name",
                 "bank_name", "terms_file", "evidence_dir", "poll_seconds", "busy_attempts", "busy_wait_seconds",
                 "timeout_seconds"}


def load_cash_application_settings(settings, *, need_password: bool = True) -> CashApplicationSettings:
    """Build the bot's settings from ``load_settings()``; passwords come from ``secret()``.

    The bank password is ``secret("bank_password")`` (or ``password_secret``), the ERP's
    ``secret("erp_password")`` (or ``erp_password_secret``), and with ``otp: totp`` the
    TOTP secret is ``secret("bank_totp_secret")`` (or ``totp_secret_name``).
    """
    from bots.runtime.config import secret

    own = own_section(settings, BOT_NAME, _SETTING_KEYS)
    erp = system_account(settings, {"password_secret": own.get("erp_password_secret", "erp_password")}, "erp",
                         need_password=need_password)
    otp = own.get("otp", "sandbox")
    return CashApplicationSettings(
        bank_url=own.get("bank_url"), bank_user=own.get("bank_user"),
        bank_password=secret(own.get("password_secret", "bank_password")) if need_password else None,
        erp_url=erp["url"], erp_user=erp["user"], erp_password=erp["password"],
        evidence_dir=evidence_folder(settings, own), otp=otp,
        totp_secret=secret(own.get("totp_secret_name", "bank_totp_secret")) if need_password and otp == "totp" else None,
        bank_name=own.get("bank_name", "bank"),
        terms_file=Path(own["terms_file"]) if own.get("terms_file") else None,
        poll_seconds=float(own.get("poll_seconds", 3600)),
        busy_attempts=int(own.get("busy_attempts", 5)),
        busy_wait_seconds=float(own.get("busy_wait_seconds", 1)),
        timeout_seconds=float(own.get("timeout_seconds", 15)),
    )


# -- remittances to bank payments, payments to work items ----------------------------


def attach_remittances(payments: list, remittances: dict) -> dict[str, str]:
    """Give each bank payment the lines of its remittance advice, as a clerk pairs them.

    An advice goes with the payment that has its payment reference; an advice whose
    reference is missing or matches none goes with the one payment of the same currency
    and total from the same payer, and with none when two payments fit (a payer who
    sends the same amount twice).

    :param remittances: advice name -> contract 1 record (a string for one that could not be read).
    :return: payment reference -> the advice's name.
    """
    records = {name: record for name, record in remittances.items() if isinstance(record, dict)}
    by_reference = {_reference(payment.payment_reference): payment for payment in payments}
    joined: dict[str, str] = {}
    unpaired = []
    for name, record in sorted(records.items()):
        payment = by_reference.get(_reference(record.get("payment_reference") or ""))
        if payment is not None and payment.payment_reference not in joined and not payment.lines:
            joined[payment.payment_reference] = name
        else:
            unpaired.append(name)
    for name in unpaired:
        record = records[name]
        fits = [payment for payment in payments if payment.payment_reference not in joined and not payment.lines
                and payment.currency == record.get("currency") and f"{payment.total:.2f}" == record.get("total")
                and _same_payer(payment.payer or payment.memo, record.get("payer"))]
        if len(fits) == 1:
            joined[fits[0].payment_reference] = name
    for payment in payments:
        if payment.payment_reference in joined:
            payment.lines = [_remittance_line(line) for line in records[joined[payment.payment_reference]]["lines"]]
    return joined


def payment_key(bank: str, payment_reference: str) -> str:
    """The idempotency key of a payment: the bank it arrived at and the payer's reference name it."""
    return f"payment:{bank}:{payment_reference.strip()}"


def plan_payment_items(payments: list, output: dict, open_items: dict, *, bank: str, statement: Path,
                       remittance_files: dict[str, Path], remittance_items: dict[str, int] | None = None,
                       open_items_file: Path | None = None) -> list:
    """One ``PlannedItem`` of kind ``payment`` per bank payment, as ``erp-cash-posting`` reads it.

    Each application carries the open amount the matcher saw (less what earlier payments
    applied), so the cash-posting bot can tell when the ERP's open item has changed since.

    :param output: contract 3's output for ``payments``.
    :param open_items: invoice -> its open amount in the export that was matched.
    :param remittance_files: payment reference -> the kept advice PDF.
    :param remittance_items: payment reference -> the work item of the portal advice it took,
        recorded in the payload (``remittance_item``) so that item is closed even after a crash.
    :param open_items_file: the open-items CSV that was matched, kept as evidence so the
        supervisor console can show the customer's open items when a person resolves a payment.
    """
    from bots.runtime.planned_items import PlannedItem

    open_now = dict(open_items)
    applications: dict[str, list] = {}
    for application in output["applications"]:
        invoice = application["invoice"]
        seen = open_now.get(invoice)
        if seen is not None:
            application = {**application, "open_amount": f"{seen:.2f}"}
            open_now[invoice] = seen - Decimal(application["amount"]) - Decimal(application["discount"])
        applications.setdefault(application["payment_reference"], []).append(application)
    exceptions = {e["payment_reference"]: e for e in output["exceptions"]}
    planned = []
    for payment in payments:
        reference = payment.payment_reference
        exception = exceptions.get(reference)
        evidence = {"file": str(Path(statement).resolve())}
        if reference in remittance_files:
            evidence["remittance"] = str(Path(remittance_files[reference]).resolve())
        if open_items_file:
            evidence["open_items"] = str(Path(open_items_file).resolve())
        planned.append(PlannedItem(
            kind=ITEM_KIND, key=payment_key(bank, reference),
            payload={"payment": {"payment_reference": reference, "payer": payment.payer,
                                 "payment_date": payment.payment_date.isoformat() if payment.payment_date else None,
                                 "currency": payment.currency, "total": f"{payment.total:.2f}", "memo": payment.memo},
                     "applications": applications.get(reference, []), "exception": exception,
                     **({"remittance_item": remittance_items[reference]} if reference in (remittance_items or {}) else {})},
            source_ref=f"{Path(statement).name}#{reference}", evidence=evidence,
            exception=(exception["reason"], exception.get("explanation") or exception["detail"]) if exception else None,
        ))
    return planned


def open_amounts(open_items_csv: Path) -> dict[str, Decimal]:
    """Invoice -> open amount, from an open-items CSV (contract 3's columns)."""
    import csv

    with open(open_items_csv, newline="", encoding="utf-8") as handle:
        return {row["invoice"]: Decimal(row["open_amount"]) for row in csv.DictReader(handle)}


def queued_applications(queue) -> dict[str, Decimal]:
    """Invoice -> what queued payments apply to it (amount and discount) that the ERP does not show yet.

    Items waiting for ``erp-cash-posting`` (new, in progress) or for a supervisor (exception)
    are not posted: the ERP still shows their invoices open, and a remittance sent again
    on a later day must find them paid, not apply them a second time.
    """
    pending: dict[str, Decimal] = {}
    for state in ("new", "in_progress", "exception"):
        for item in queue.items(kind=ITEM_KIND, state=state, limit=None):
            for application in item.payload.get("applications") or []:
                taken = Decimal(application["amount"]) + Decimal(application.get("discount") or "0")
                pending[application["invoice"]] = pending.get(application["invoice"], Decimal("0")) + taken
    return pending


def less_queued(open_items_csv: Path, pending: dict[str, Decimal], target: Path) -> Path:
    """Write the open items less ``pending`` (an invoice fully taken shows 0.00 open) to ``target``."""
    import csv

    with open(open_items_csv, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["invoice"] in pending:
            left = Decimal(row["open_amount"]) - pending[row["invoice"]]
            row["open_amount"] = f"{max(left, Decimal('0')):.2f}"
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return target


# -- the bot -------------------------------------------------------------------------


def run_cash_application(settings: CashApplicationSettings, *, once: bool, day: date | None = None,
                         headless: bool = True, queue=None, browser=None) -> dict:
    """Run the bot once (``once``) or every ``poll_seconds`` until interrupted; return the runs' counts.

    :param day: the booking date of the statement; default the newest the bank offers.
    :param browser: a Playwright Browser to use (tests share one); default: start Chromium per round.
    :raises ApplicationException: with ``once``, when the bank or the ERP cannot be worked with.
    """
    from playwright.sync_api import Error as PlaywrightError

    from bots.runtime.runs import bot_run
    from bots.runtime.workqueue import WorkQueue

    queue = queue or WorkQueue.open()
    totals: dict[str, int] = {}
    while True:
        with bot_run(queue, BOT_NAME) as run:
            try:
                _one_round(queue, run, settings, day, headless, browser)
            except (ApplicationException, PlaywrightError) as error:
                run.count("system_errors")
                log.error("cash-application run failed", error=str(error))
                if once:
                    if isinstance(error, ApplicationException):
                        raise
                    raise ApplicationException("bank_unreachable",
                                               f"the bank portal at {settings.bank_url} failed: "
                                               f"{str(error).splitlines()[0]}") from error
            for name, value in run.counts.items():
                totals[name] = totals.get(name, 0) + value
        if once:
            return totals
        time.sleep(settings.poll_seconds)


def _one_round(queue, run, settings: CashApplicationSettings, day: date | None, headless: bool, browser) -> None:
    from bots.runtime.browser import open_browser

    if browser is None:
        with open_browser(headless=headless) as started:
            _one_round(queue, run, settings, day, headless, started)
        return
    context = browser.new_context(accept_downloads=True)
    try:
        statement, advices = _download_from_bank(run, settings, context.new_page(), day)
    finally:
        context.close()
    _apply_and_queue(queue, run, settings, statement, advices, browser)


def _download_from_bank(run, settings, page, day: date | None) -> tuple[Path, dict[str, Path]]:
    """Log on, keep the day's statement and the advices as evidence; return their paths."""
    from bots.bank.portal import BankPortal
    from bots.runtime.evidence import store_evidence

    bank = BankPortal(page, settings)
    try:
        bank.log_in()
        chosen = day.isoformat() if day else bank.newest_statement_day()
        downloaded = bank.statement(chosen)
        statement = Path(store_evidence(settings.evidence_dir, downloaded.data, ".xml")["file"])
        run.count("statements")
        run.audit("download_statement", "bank", f"{settings.bank_url}/statements", document_number=downloaded.name,
                  detail={"date": chosen, "file": str(statement)})
        advices: dict[str, Path] = {}
        for bank_reference in bank.payment_references(chosen):
            advice = bank.remittance_advice(bank_reference)
            if advice is None:
                continue
            kept = Path(store_evidence(settings.evidence_dir, advice.data, ".pdf")["file"])
            advices[f"{bank_reference}/{advice.name}"] = kept  # two payers may name their advices alike
            run.count("remittance_advices")
            run.audit("download_remittance", "bank", f"{settings.bank_url}/payments/{bank_reference}",
                      document_number=advice.name, detail={"file": str(kept)})
        return statement, advices
    finally:
        run.count("bank_busy", bank.busy_answers)


def _apply_and_queue(queue, run, settings, statement: Path, advices: dict[str, Path], browser) -> None:
    """Take the portal's advices for the run, queue the payments, close the advices they used."""
    waiting = claim_portal_remittances(queue, run.worker)
    finished: set[int] = set()
    try:
        payment_items = _match_and_queue(queue, run, settings, statement, advices, browser, waiting)
        finished = finish_portal_remittances(queue, run, waiting, payment_items, bank=settings.bank_name)
    finally:
        for item in waiting:
            if item.id not in finished:
                _give_back(queue, item.id, run.worker)


def _match_and_queue(queue, run, settings, statement: Path, advices: dict[str, Path], browser, waiting: list) -> list:
    """Parse, pair, export the open items, match, and commit the payment items in one transaction.

    :param waiting: the portal's advices claimed for this run (work items of kind ``remittance``).
    :return: the statement's payment items, as they stand now.
    """
    from bots.cash import DiscountPolicy, MatchSettings, load_open_items, load_payments, load_terms, match_payments
    from bots.cash.remittance_items import item_id_of, remittance_records
    from bots.erp.open_items import download_open_items
    from bots.runtime.planned_items import commit
    from inbox_parsers.remittance import parse_remittance, to_contract

    try:
        payments = load_payments(statement)
    except InputError as error:
        raise ApplicationException("bank_statement", f"the bank's statement cannot be read: {error.message}") from error
    run.count("payments", len(payments))
    queued = [queue.find(payment_key(settings.bank_name, p.payment_reference)) for p in payments]
    if all(queued):
        # Matching again against today's ERP (after posting) would judge the same payments anew.
        run.count("items_already_queued", len(payments))
        return queued
    remittances: dict = {}
    for name, path in advices.items():
        try:
            remittances[name] = to_contract(parse_remittance(path))
        except InputError as error:
            remittances[name] = error.message
            run.count("remittances_unreadable")
    remittances.update(remittance_records(waiting))
    joined = attach_remittances(payments, remittances)
    run.count("remittances_paired", len(joined))
    from_portal = {ref: item_id_of(name) for ref, name in joined.items() if name not in advices}
    kept = {ref: advices[name] for ref, name in joined.items() if name in advices}
    uploaded = {item.id: item.evidence["remittance_pdf"] for item in waiting if (item.evidence or {}).get("remittance_pdf")}
    kept.update({ref: uploaded[item_id] for ref, item_id in from_portal.items() if item_id in uploaded})
    exported = settings.evidence_dir / f"open_items-{statement.stem}.csv"
    download_open_items(settings.erp_url, settings.erp_user, settings.erp_password or "", exported,
                        browser=browser, timeout_seconds=settings.timeout_seconds)
    run.audit("export_open_items", "erp", f"{settings.erp_url} FBL5N", detail={"file": str(exported)})
    open_items_csv = less_queued(exported, queued_applications(queue),
                                 settings.evidence_dir / f"open_items-{statement.stem}-less-queued.csv")
    policy = DiscountPolicy()
    if settings.terms_file:
        policy = load_terms(settings.terms_file, policy)
    output = match_payments(load_open_items(open_items_csv), payments, MatchSettings(policy=policy)).to_json()
    planned = plan_payment_items(payments, output, open_amounts(open_items_csv), bank=settings.bank_name,
                                 statement=statement,
                                 remittance_files=kept, remittance_items=from_portal, open_items_file=open_items_csv)
    # One transaction; counts items_created, items_already_queued, exceptions.
    return [item for item, _ in commit(queue, run, planned)]


def claim_portal_remittances(queue, worker: str) -> list:
    """Lease every advice customers sent that waits for its payment (the portal's ``remittance`` items).

    Cash application is their one worker: the lease keeps another run from pairing the
    same advice meanwhile, and runs out by itself when this one dies.
    """
    from bots.cash.remittance_items import ITEM_KIND as REMITTANCE_KIND

    return queue.claim(worker, kinds=[REMITTANCE_KIND], limit=10_000)


def finish_portal_remittances(queue, run, waiting: list, payment_items: list, *, bank: str) -> set[int]:
    """Mark done each claimed advice a queued payment took (its payload's ``remittance_item``).

    Looks at this statement's payment items and at the one the advice's own reference names,
    so an advice whose payment was queued by a run that died before this step (on this
    statement or an earlier one) is closed now, not paired a second time.
    :return: the ids of the advices marked done.
    """
    from bots.runtime.workqueue import LeaseLost

    by_item = {item.payload.get("remittance_item"): item for item in payment_items if item is not None}
    done = set()
    for advice in waiting:
        payment = by_item.get(advice.id)
        if payment is None:
            reference = (advice.payload.get("remittance") or {}).get("payment_reference") or ""
            found = queue.find(payment_key(bank, reference)) if reference.strip() else None
            payment = found if found is not None and found.payload.get("remittance_item") == advice.id else None
        if payment is None:
            continue
        reference = payment.payload["payment"]["payment_reference"]
        try:
            queue.complete(advice.id, run.worker, result={"payment_item": payment.id, "payment_key": payment.key,
                                                          "payment_reference": reference},
                           audit=[{"action": "pair_remittance", "system": "workqueue", "target": payment.key,
                                   "run_id": run.id, "bot": BOT_NAME, "document_number": reference,
                                   "detail": {"remittance_item": advice.id, "payment_item": payment.id}}])
        except LeaseLost:  # a later run holds it now, and closes it the same way
            log.warning("portal remittance lease lost", item_id=advice.id)
            continue
        run.count("portal_remittances_used")
        done.add(advice.id)
    return done


def _give_back(queue, item_id: int, worker: str) -> None:
    """Release an advice this run did not use, to wait for a later statement."""
    from bots.runtime.workqueue import LeaseLost

    try:
        queue.release(item_id, worker, note="its payment has not arrived yet")
    except LeaseLost:  # the lease ran out and a later run holds it: nothing to give back
        log.warning("portal remittance lease lost", item_id=item_id)


# -- helpers -------------------------------------------------------------------------


def _remittance_line(line: dict):
    """Contract 1's line as the matcher's ``RemittanceLine``."""
    from bots.cash import RemittanceLine

    return RemittanceLine(
        invoice=line["invoice"], paid=Decimal(line["paid"]),
        gross=Decimal(line["gross"]) if line.get("gross") else None,
        discount=Decimal(line.get("discount") or "0"), deduction=Decimal(line.get("deduction") or "0"),
        invoice_date=date.fromisoformat(line["invoice_date"]) if line.get("invoice_date") else None,
    )


def _same_payer(bank_name: str | None, printed: str | None) -> bool:
    """True when the bank's payer and the advice's payer are one name (capitals, legal form aside)."""
    from rapidfuzz import fuzz

    if not bank_name or not printed:
        return False
    return fuzz.token_set_ratio(bank_name.casefold(), printed.casefold()) >= 90


def _reference(text: str) -> str:
    return "".join(ch for ch in str(text).upper() if ch.isalnum())
