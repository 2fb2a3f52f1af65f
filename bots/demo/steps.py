"""The demo's steps, in the order they run; ``run_demo`` calls them one by one.

Each step is a small function that takes the ``Demo`` (what earlier steps produced),
does one thing through the public API of one part of o2c-bots, and returns a one-line
summary that is printed with the time it took. A step that fails stops the demo with a
plain message (the traceback goes to the demo's log file, for developers).
"""

import json
import os
import shutil
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console

from bots.demo.files import AS_SENT, BAI2, BANK_ONLY, PAYMENTS_JSON, PIPELINE, STATEMENT  # noqa: F401 (re-exported)
from bots.runtime.errors import BotException, InputError, O2CError


@dataclass
class DemoOptions:
    """What ``o2c demo`` was asked for.

    :param seed: seed of the world and the sandbox (the same seed gives the same documents).
    :param keep_running: after the report, keep the sandbox systems up until Ctrl-C.
    :param home: the runtime home (default: the settings' ``home``, i.e. ``O2C_HOME``).
    :param as_of: business date the world and the sandbox are laid out around (default today).
    :param erp_orders: queued orders the ERP order-entry bot keys per demo run (0: none).
    :param erp_payments: applied payments the ERP cash-posting bot posts per demo run (0: none).
    :param console_port: with ``keep_running``, the supervisor console's port (0: any free one).
    """

    seed: int = 42
    keep_running: bool = False
    home: Path | None = None
    as_of: date | None = None
    erp_orders: int = 5
    erp_payments: int = 5
    gates: bool = True  # issue 13's steps: credit hold and release, billing and delivery, the customer portal
    console_port: int = 8480

    def __post_init__(self):
        for name in ("erp_orders", "erp_payments"):
            if getattr(self, name) < 0:
                raise ValueError(f"--{name.replace('_', '-')} must be 0 or more, not {getattr(self, name)}")


@dataclass
class Demo:
    """What the steps have produced so far."""

    options: DemoOptions
    folder: Path                        # $O2C_HOME/demo
    as_of: date
    database_url: str
    console: Console
    truth: dict = field(default_factory=dict)
    queue: object = None
    sandbox: object = None
    intake_counts: dict = field(default_factory=dict)       # bot -> its run's counts
    remittances: dict = field(default_factory=dict)         # file name -> contract 1 record, or the error
    open_items_csv: Path | None = None
    open_items_as_world: bool | None = None
    matched_open_items_csv: Path | None = None              # what the statement is matched against
    bank_payments: list = field(default_factory=list)       # the statement's payments, remittances attached
    remittance_files: dict = field(default_factory=dict)    # payment reference -> its remittance PDF
    cash_feeds: dict = field(default_factory=dict)          # source -> the payments given to the matcher
    cash: dict = field(default_factory=dict)                # source -> contract 3 output
    queued_payments: dict = field(default_factory=dict)     # created / already_queued / exceptions
    portal_name: str = "portal"                             # the portal-intake's name for the portal
    portal_customer_id: str | None = None                   # whose portal it is, in the ERP
    erp_counts: dict = field(default_factory=dict)          # ERP bot -> its run's counts
    erp_done: dict = field(default_factory=dict)            # item kind -> ids the ERP bots completed this run
    timings: list = field(default_factory=list)             # (step title, seconds)

    @property
    def world(self) -> Path:
        return self.folder / "world"

    @property
    def evidence(self) -> Path:
        return self.folder / "evidence"

    @property
    def log_file(self) -> Path:
        return self.folder / "demo.log"


class DemoFailed(O2CError):
    """A step could not be carried out; the message says which and why, in plain words."""


# --- the steps -------------------------------------------------------------------------


def generate_world(demo: Demo) -> str:
    """Write the scenario world and its truth into $O2C_HOME/demo/world, replacing an earlier one."""
    from sandbox.scenario import generate_world as generate, write_world

    world = generate(demo.options.seed, as_of=demo.as_of)
    # The world is generated data: writing it afresh puts the emails back in the inbox
    # folder, so a second demo shows that reading them again queues nothing twice.
    if demo.world.exists():
        shutil.rmtree(demo.world)
    files = write_world(world, demo.world)
    demo.portal_customer_id = world.portal_customer_id
    demo.truth = json.loads(files["truth"].read_text(encoding="utf-8"))
    pdfs = sum(1 for p in world.payments if p.remittance_layout)
    return (f"{len(world.emails)} emails, {len(world.portal_orders())} portal POs, {len(world.open_items)} open items, "
            f"{len(world.payments)} payments, {pdfs} remittance PDFs")


def open_store(demo: Demo) -> str:
    """Open (create or upgrade) the work queue the bots write to."""
    from bots.runtime.workqueue import WorkQueue

    demo.queue = WorkQueue.open(demo.database_url)
    counts = demo.queue.counts()
    return f"{_safe_url(demo.database_url)}, {sum(counts.values())} items already there"


def start_sandbox(demo: Demo) -> str:
    """Start the ERP, the customer portal and the bank portal on free loopback ports."""
    from sandbox.common import SandboxOptions
    from sandbox.server import start_all

    # One database folder per seed and business date: the systems remember what the bots
    # did (acknowledged POs) from one demo to the next, and never mix two worlds.
    data_dir = demo.folder / "sandbox" / f"seed-{demo.options.seed}-{demo.as_of.isoformat()}"
    options = SandboxOptions(seed=demo.options.seed, today=demo.as_of, data_dir=data_dir)
    demo.sandbox = start_all(options, port_base=0)
    missing = {name: reason for name, reason in demo.sandbox.skipped.items() if name in ("erp", "portal")}
    if missing:
        raise DemoFailed("; ".join(f"the sandbox {name} did not start: {reason}" for name, reason in missing.items()))
    return ", ".join(f"{name} {server.url}" for name, server in demo.sandbox.servers.items())


def take_in_emails(demo: Demo) -> str:
    """Run the email-intake bot once over the world's folder of .eml files."""
    from bots.intake.common import read_known_skus
    from bots.intake.email_intake import EmailIntakeSettings, run_email_intake
    from bots.intake.mailbox import MailboxSettings

    settings = EmailIntakeSettings(
        mailboxes=[MailboxSettings(name="demo", kind="folder", path=demo.world / "emails")],
        evidence_dir=demo.evidence, known_skus=read_known_skus(demo.world / "masterdata" / "items.csv"),
    )
    counts = run_email_intake(settings, once=True, queue=demo.queue)
    demo.intake_counts["email-intake"] = counts
    return (f"{counts.get('messages', 0)} messages, {counts.get('items_created', 0)} items created, "
            f"{counts.get('items_already_queued', 0)} already queued, {counts.get('exceptions', 0)} to the exception queue")


def take_in_portal_orders(demo: Demo) -> str:
    """Run the portal-intake bot once against the sandbox portal, in headless Chromium."""
    from bots.intake.common import read_known_skus
    from bots.intake.portal_intake import PortalIntakeSettings, run_portal_intake

    user, password = _bot_account(demo.sandbox, "portal")
    settings = PortalIntakeSettings(url=demo.sandbox.url("portal"), user=user, password=password,
                                    evidence_dir=demo.evidence,
                                    known_skus=read_known_skus(demo.world / "masterdata" / "items.csv"))
    demo.portal_name = settings.portal_name
    counts = run_portal_intake(settings, once=True, headless=True, queue=demo.queue)
    demo.intake_counts["portal-intake"] = counts
    if counts.get("po_errors"):
        raise DemoFailed(f"the portal-intake bot could not take {counts['po_errors']} PO(s); see {demo.log_file}")
    return (f"{counts.get('pos_listed', 0)} new POs listed, {counts.get('items_created', 0)} items created, "
            f"{counts.get('pos_acknowledged', 0)} acknowledged")


def read_remittances(demo: Demo) -> str:
    """Parse every remittance advice PDF of the world with the remittance parser."""
    from inbox_parsers.remittance import parse_remittance, to_contract

    demo.remittances = {}
    for path in sorted((demo.world / "remittances").glob("*.pdf")):
        try:
            demo.remittances[path.name] = to_contract(parse_remittance(path))
        except InputError as error:
            demo.remittances[path.name] = error.message
    read = sum(1 for record in demo.remittances.values() if isinstance(record, dict))
    return f"{read} of {len(demo.remittances)} PDFs read"


def download_open_items(demo: Demo) -> str:
    """Export the open items from the ERP's FBL5N screen, in headless Chromium."""
    from bots.erp.open_items import download_open_items as download

    user, password = _bot_account(demo.sandbox, "erp")
    demo.open_items_csv = download(demo.sandbox.url("erp"), user, password, demo.folder / "open_items_from_erp.csv")
    rows = _open_items(demo.open_items_csv)
    demo.open_items_as_world = rows == _open_items(demo.world / "open_items.csv")
    same = "the same as" if demo.open_items_as_world else "NOT the same as"
    if not demo.open_items_as_world and _demo_posted_cash(demo):
        same += " (the cash-posting bot has posted payments in an earlier run)"
    return f"{len(rows)} open items, {same} the world's open_items.csv"


def apply_cash(demo: Demo) -> str:
    """Match payments to the ERP's open items: the bank statement with the parsed remittances,
    and, beside it, payments.json (remittance as sent) and the BAI2 file alone."""
    from bots.bank.cash_application import attach_remittances
    from bots.cash import DiscountPolicy, MatchSettings, load_open_items, load_payments, load_terms, match_payments

    settings = MatchSettings(policy=load_terms(demo.world / "terms.csv", DiscountPolicy()))
    # A bank statement is matched against the open items of its first match, kept beside the
    # sandbox's data: after the cash-posting bot has posted some of its payments, matching it
    # again against today's ERP would find those invoices paid and judge the same payments anew.
    demo.matched_open_items_csv = demo.sandbox.options.data_dir / "open_items_at_first_match.csv"
    first_match = demo.matched_open_items_csv.exists()
    if not first_match:
        shutil.copyfile(demo.open_items_csv, demo.matched_open_items_csv)
    demo.bank_payments = load_payments(demo.world / STATEMENT)
    demo.remittance_files = attach_remittances(demo.bank_payments, demo.remittances)
    demo.cash_feeds = {PIPELINE: demo.bank_payments, AS_SENT: load_payments(demo.world / PAYMENTS_JSON),
                       BANK_ONLY: load_payments(demo.world / BAI2)}
    for source, payments in demo.cash_feeds.items():
        # Each run starts from the export as downloaded: a run closes the invoices it applies.
        demo.cash[source] = match_payments(load_open_items(demo.matched_open_items_csv), payments,
                                           settings).to_json()
    summary = demo.cash[PIPELINE]["summary"]
    against = (f"against the {len(_open_items(demo.matched_open_items_csv))} open items of the statement's "
               "first match" if first_match else "against the open items downloaded")
    return (f"{summary['payments']} payments, {len(demo.remittance_files)} with a parsed remittance, {against}; "
            f"{summary['applied']} fully applied, {summary['exceptions']} exceptions")


def queue_payments(demo: Demo) -> str:
    """One work item per payment: ready for the ERP's cash-receipt bot, or in the exception queue."""
    from bots.bank.cash_application import open_amounts, plan_payment_items
    from bots.runtime.planned_items import commit
    from bots.runtime.runs import bot_run

    # The cash-application bot's own items, from the statement the demo matched.
    planned = plan_payment_items(
        demo.bank_payments, demo.cash[PIPELINE], open_amounts(demo.matched_open_items_csv), bank="demo",
        statement=demo.world / STATEMENT,
        remittance_files={reference: demo.world / "remittances" / name
                          for reference, name in demo.remittance_files.items()},
        open_items_file=demo.matched_open_items_csv)
    with bot_run(demo.queue, "demo-cash-application") as run:
        results = commit(demo.queue, run, planned)
    created = sum(1 for _, was_created in results if was_created)
    in_exception = sum(1 for item, _ in results if item.state == "exception")
    demo.queued_payments = {"created": created, "already_queued": len(results) - created, "exceptions": in_exception}
    return f"{created} items created, {len(results) - created} already queued, {in_exception} in the exception queue"


def key_orders_in_erp(demo: Demo) -> str:
    """Run the ERP order-entry bot on a few of the queued orders (``--erp-orders``), in headless Chromium."""
    from bots.erp.order_entry import OrderEntrySettings, run_order_entry

    if demo.options.erp_orders == 0:
        return "skipped (--erp-orders 0)"
    user, password = _bot_account(demo.sandbox, "erp")
    # POs from the customer's own portal name no customer: the setting says whose portal it is.
    settings = OrderEntrySettings(url=demo.sandbox.url("erp"), user=user, password=password,
                                  evidence_dir=demo.evidence, busy_wait_seconds=0.2,
                                  portal_customers={demo.portal_name: demo.portal_customer_id})
    counts = _run_erp_bot(demo, "order", lambda: run_order_entry(settings, once=True, limit=demo.options.erp_orders,
                                                                 headless=True, queue=demo.queue))
    demo.erp_counts["erp-order-entry"] = counts
    return (f"{counts.get('orders_keyed', 0)} sales orders keyed, {counts.get('found_existing', 0)} found already "
            f"in the ERP, {counts.get('exception', 0)} to the exception queue")


def post_cash_in_erp(demo: Demo) -> str:
    """Run the ERP cash-posting bot on a few of the applied payments (``--erp-payments``), in headless Chromium."""
    from bots.erp.cash_posting import CashPostingSettings, run_cash_posting

    if demo.options.erp_payments == 0:
        return "skipped (--erp-payments 0)"
    user, password = _bot_account(demo.sandbox, "erp")
    settings = CashPostingSettings(url=demo.sandbox.url("erp"), user=user, password=password,
                                   evidence_dir=demo.evidence, busy_wait_seconds=0.2)
    counts = _run_erp_bot(demo, "payment", lambda: run_cash_posting(
        settings, once=True, limit=demo.options.erp_payments, headless=True, queue=demo.queue))
    demo.erp_counts["erp-cash-posting"] = counts
    return (f"{counts.get('receipts_posted', 0)} payment documents posted, {counts.get('found_existing', 0)} found "
            f"already posted, {counts.get('exception', 0)} to the exception queue")


from bots.demo.gates import bill_and_deliver, customer_uses_portal, hold_and_release_credit  # noqa: E402

# Issue 13's steps: the credit gate, invoicing and delivery, the customer portal (--no-gates: left out).
GATE_STEPS = [
    ("Credit hold and release (erp-order-entry, o2c release-hold)", hold_and_release_credit),
    ("Bill and deliver invoices (erp-invoicing, invoice-delivery)", bill_and_deliver),
    ("A customer uses the self-service portal (o2c portal)", customer_uses_portal),
]

STEPS = [
    ("Generate the scenario world", generate_world),
    ("Open the work queue", open_store),
    ("Start the sandbox ERP, portal and bank", start_sandbox),
    ("Email intake (folder of .eml files)", take_in_emails),
    ("Portal intake (headless Chromium)", take_in_portal_orders),
    ("Read the remittance advices (PDF)", read_remittances),
    ("Download open items from the ERP (FBL5N)", download_open_items),
    ("Apply cash (o2c match)", apply_cash),
    ("Queue the payments and their exceptions", queue_payments),
    ("Key orders in the ERP (erp-order-entry)", key_orders_in_erp),
    ("Post cash in the ERP (erp-cash-posting)", post_cash_in_erp),
]


# --- the run ---------------------------------------------------------------------------


def run_demo(options: DemoOptions, console: Console | None = None) -> int:
    """Run every step, print the report, and return the exit code (0 when every step ran).

    The sandbox systems stop at the end, unless ``options.keep_running``: then their
    URLs are printed and they serve until Ctrl-C.
    """
    from bots.demo.report import print_next_steps, print_report, print_sandbox

    console = console or Console()
    try:
        demo = _prepare(options, console)
        log_handle = _log_to_file(demo.log_file)
    except OSError as error:
        console.print(f"The demo cannot write its files in {error.filename or 'its home'}: "
                      f"{error.strerror or error}. Set O2C_HOME to a folder you can write to.", highlight=False)
        return 1
    demo.console.print(f"[bold]o2c demo[/bold]: seed {options.seed}, business date {demo.as_of.isoformat()}, "
                       f"in {demo.folder}")
    try:
        steps = STEPS + (GATE_STEPS if options.gates else [])
        demo.step_count = len(steps)
        for number, (title, step) in enumerate(steps, start=1):
            if not _run_step(demo, number, title, step):
                return 1
        try:
            print_report(demo)
        except Exception as error:  # a report that cannot be made is a plain line too, never a traceback
            _log_failure(demo, "the report")
            demo.console.print(f"The report could not be made: {_plain(error)}. Details for developers: "
                               f"{demo.log_file}", highlight=False)
            return 1
        print_next_steps(demo)
        if options.keep_running:
            print_sandbox(demo)
            console_server = _start_console(demo)
            _wait_for_ctrl_c()
            if console_server is not None:
                console_server.stop()
            demo.console.print("Sandbox stopped.")
        return 0
    except KeyboardInterrupt:
        demo.console.print("Interrupted.")
        return 130
    finally:
        if getattr(demo, "portal_server", None) is not None:
            demo.portal_server.stop()
        if demo.sandbox is not None:
            demo.sandbox.stop()
        if demo.queue is not None:
            demo.queue.close()
        log_handle.close()


def _run_step(demo: Demo, number: int, title: str, step) -> bool:
    """Run one step, timed; print its summary, or a plain message when it fails."""
    demo.console.print(f"[{number}/{getattr(demo, 'step_count', len(STEPS))}] {title} ...")
    started = time.perf_counter()
    try:
        summary = step(demo)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # any failure ends the demo with one plain line, never a traceback
        _log_failure(demo, f"step {number} ({title})")
        demo.console.print(f"      [red]failed[/red]: {_plain(error)}", highlight=False)
        demo.console.print(f"The demo stopped at step {number} ({title}). Details for developers: {demo.log_file}",
                           highlight=False)
        return False
    seconds = time.perf_counter() - started
    demo.timings.append((title, seconds))
    demo.console.print(f"      done in {seconds:.1f} s: {summary}", highlight=False)
    return True


def _log_failure(demo: Demo, what: str) -> None:
    """Keep the traceback of the exception being handled in the demo's log, for developers."""
    with open(demo.log_file, "a", encoding="utf-8") as log:
        log.write(f"{what} failed:\n{traceback.format_exc()}\n")


def _prepare(options: DemoOptions, console: Console) -> Demo:
    from bots.runtime.config import load_settings

    settings = load_settings()
    home = Path(options.home or settings.home).expanduser().resolve()
    folder = home / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    # The demo keeps its own store unless one is set for it, so it never mixes with real work.
    database_url = os.environ.get("O2C_DATABASE_URL") or f"sqlite:///{folder / 'o2c.db'}"
    return Demo(options=options, folder=folder, as_of=options.as_of or date.today(),
                database_url=database_url, console=console)


def _log_to_file(path: Path):
    """Send the bots' log lines to the demo's log file, so the terminal shows the report."""
    from bots.runtime.logs import configure_logging

    handle = open(path, "a", encoding="utf-8")
    configure_logging("INFO", "json", stream=handle)
    return handle


def _demo_posted_cash(demo: Demo) -> bool:
    """True when the store holds payments the cash-posting bot completed (they changed the ERP)."""
    return any(item.result and item.result.get("document_number")
               for item in demo.queue.items(kind="payment", state="done", limit=None))


def _run_erp_bot(demo: Demo, kind: str, run) -> dict:
    """Run an ERP bot once; remember which items of ``kind`` it completed (for the report)."""
    before = {item.id for item in demo.queue.items(kind=kind, state="done", limit=None)}
    counts = run()
    demo.erp_done[kind] = [item.id for item in demo.queue.items(kind=kind, state="done", limit=None)
                           if item.id not in before]
    return counts


def _bot_account(sandbox, system: str) -> tuple[str, str]:
    """The sandbox system's account for bots ("bot"), else its first user."""
    users = sandbox.users(system)
    user = "bot" if "bot" in users else next(iter(users))
    return user, users[user]


def _open_items(path: Path) -> list[tuple]:
    """The open items of a CSV, without the customer's name (the ERP prints the legal one)."""
    import csv

    columns = ("customer_id", "invoice", "invoice_date", "due_date", "currency", "amount", "open_amount")
    with open(path, newline="", encoding="utf-8") as handle:
        return [tuple(row[name] for name in columns) for row in csv.DictReader(handle)]


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _plain(error: Exception) -> str:
    """One line for a person: our own errors say it in words; others by type and first line."""
    if isinstance(error, (BotException, InputError)):
        return error.message
    text = str(error).strip()
    if isinstance(error, DemoFailed):
        return text
    first = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def _start_console(demo: Demo):
    """Serve the supervisor console on the demo's queue and say how to sign in (None if it cannot start)."""
    from bots.demo.console import start_console

    try:
        server, user, password = start_console(demo, demo.options.console_port)
    except Exception as error:  # the sandbox stays useful without the console
        _log_failure(demo, "the supervisor console")
        demo.console.print(f"The supervisor console could not start: {_plain(error)}", highlight=False)
        return None
    demo.console.print(f"  console {server.url}/   sign in as {user} / {password}  (the exception queue, its "
                       "evidence, the dashboard)", highlight=False)
    return server


def _wait_for_ctrl_c() -> None:
    """Serve until Ctrl-C, or until a service manager asks the demo to stop (SIGTERM)."""
    def stop(_signal, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, stop)   # started in the background by a shell that ignores Ctrl-C
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
