"""``o2c run dunning`` and the collections commands (``o2c collections ...``)."""

from datetime import date

import typer

from bots.cli.main import app, run_app

collections_app = typer.Typer(help="Collections: open items, contacts, promises, cases, the worklist.",
                              no_args_is_help=True)
app.add_typer(collections_app, name="collections")


def _business_date(text: str | None, option: str = "--date") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a date; use the format YYYY-MM-DD") from None


@run_app.command("dunning")
def dunning(
    once: bool = typer.Option(True, "--once", help="One run (dunning always runs once; for the scheduler)."),
    day: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Business date (default: today, UTC)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Send the day's reminders: one letter per customer with items due for a new stage (friendly
    reminder, second notice, final notice, stop new orders), never for disputed or promised items,
    each stage exactly once, with the statement of account attached; also as print-ready PDFs."""
    from bots.collections.dunning import BOT, DunningSettings, run_dunning
    from bots.collections.language import configured_languages
    from bots.cli.intake import _configured, _report, _running, _settings

    today = _configured(lambda: _business_date(day))
    settings = _configured(_settings)
    # A mistake in the dunning settings is one clear line before the run starts, not a failed run.
    _configured(lambda: (DunningSettings.from_settings(settings), configured_languages(settings)))
    counts = _running(lambda: run_dunning(settings, today=today))
    _report(BOT, counts, as_json)


@run_app.command("risk-scores")
def risk_scores(
    once: bool = typer.Option(True, "--once", help="One run (always; for the scheduler)."),
    day: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Business date (default: today, UTC)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Recompute every customer's risk score (0 safe .. 100 risky) from the payment history, with
    the factors that made it: days late and their trend, share paid late, past due, open disputes,
    credit used, broken promises."""
    from bots.collections.risk import run_risk_scores
    from bots.cli.intake import _configured, _report, _running, _settings

    today = _configured(lambda: _business_date(day))
    settings = _configured(_settings)
    _report("risk-scores", _running(lambda: run_risk_scores(settings, today=today)), as_json)


@run_app.command("collections-cases")
def collections_cases(
    once: bool = typer.Option(True, "--once", help="One run (always; for the scheduler)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Open dispute and question cases from the invoice queries email intake set aside, and
    deduction cases from the payments cash application applied short; each routed to its team."""
    from bots.collections.case_intake import run_case_intake
    from bots.cli.intake import _configured, _report, _running, _settings

    settings = _configured(_settings)
    _report("collections-cases", _running(lambda: run_case_intake(settings)), as_json)


def _sessions():
    from sqlalchemy.orm import sessionmaker

    from bots.runtime.config import load_settings
    from bots.runtime.store.engine import make_engine, upgrade

    engine = make_engine(load_settings().database_url)
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def _whoami() -> str:
    import getpass

    return getpass.getuser()


@collections_app.command("load-open-items")
def load_open_items(
    csv_file: str = typer.Argument(..., metavar="CSV", help="The ERP's open-items export (contract 3's columns)."),
    day: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="The day of the export (default today)."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as one JSON object."),
) -> None:
    """Fold a full open-items export into the receivables ledger the collections bots read."""
    from bots.cli.intake import _configured
    from bots.cli.output import fail_input, print_json, print_table
    from bots.runtime.errors import InputError
    from bots.receivables.store import read_open_items, sync_open_items

    on = _configured(lambda: _business_date(day)) or _now().date()
    try:
        rows = read_open_items(csv_file)
        with _sessions().begin() as session:
            counts = sync_open_items(session, rows, on, _now(), f"export {csv_file} of {on.isoformat()}")
    except InputError as error:
        fail_input(error, as_json)
        return
    if as_json:
        print_json(counts)
    else:
        print_table("Open items loaded", list(counts), [list(counts.values())])


@collections_app.command("worklist")
def show_worklist(
    day: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Business date (default today)."),
    collector: str = typer.Option(None, "--collector", help="Only this collector's customers."),
    limit: int = typer.Option(100, "--limit", help="At most this many rows on the terminal."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """The overdue items, largest risk first (score x open amount x days past due)."""
    from bots.collections.worklist import worklist
    from bots.cli.intake import _configured
    from bots.cli.output import print_json, print_table

    today = _configured(lambda: _business_date(day)) or _now().date()
    with _sessions()() as session:
        rows = worklist(session, today, collector)
    if as_json:
        print_json({"date": today.isoformat(), "items": [row.to_json() for row in rows]})
        return
    columns = ["Customer", "Invoice", "Due", "Days", "Open", "Score", "Priority", "Collector"]
    print_table(f"Worklist {today.isoformat()}", columns,
                [[f"{r.customer_id} {r.customer_name}", r.invoice, r.due_date.isoformat(), r.days_past_due,
                  f"{r.open:.2f}", f"{r.score:.2f}", f"{r.priority:.2f}", r.collector or ""] for r in rows[:limit]],
                right={"Days", "Open", "Score", "Priority"})


@collections_app.command("assign")
def assign_collector(customer_id: str = typer.Argument(...), collector: str = typer.Argument(...)) -> None:
    """Give a customer to a collector."""
    from bots.collections.worklist import assign

    with _sessions().begin() as session:
        assign(session, customer_id, collector, _whoami(), _now())
    typer.echo(f"{customer_id} is now worked by {collector}")


@collections_app.command("promise")
def promise(
    customer_id: str = typer.Argument(...),
    invoices: list[str] = typer.Option(..., "--invoice", help="An invoice promised (repeat for several)."),
    amount: str = typer.Option(..., "--amount", help="The amount promised, e.g. 1250.00."),
    by_date: str = typer.Option(..., "--by", metavar="YYYY-MM-DD", help="The day it is promised for."),
    note: str = typer.Option(None, "--note"),
) -> None:
    """Record a promise to pay: its items leave dunning and the worklist until the date passes."""
    from decimal import Decimal, InvalidOperation

    from bots.collections.promises import record_promise
    from bots.cli.intake import _configured

    def parsed():
        try:
            return Decimal(amount), _business_date(by_date, "--by")
        except InvalidOperation:
            raise ValueError(f"--amount {amount!r} is not an amount") from None

    value, when = _configured(parsed)
    with _sessions().begin() as session:
        record_promise(session, customer_id, invoices, value, when, _whoami(), _now(), note)
    typer.echo(f"promise of {value} by {when.isoformat()} recorded for {customer_id}")


@collections_app.command("dispute")
def dispute(
    customer_id: str = typer.Argument(...), invoice: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="pricing, shortage, damage, freight, tax, ..."),
    note: str = typer.Option(None, "--note"),
) -> None:
    """Open a dispute case on an invoice, routed to its team; the invoice leaves dunning while it is open."""
    from bots.collections.cases import open_case, routing_rules
    from bots.runtime.config import load_settings

    rules = routing_rules(load_settings().bot("collections-cases").get("routing"))
    with _sessions().begin() as session:
        case, _ = open_case(session, customer_id=customer_id, invoice=invoice, kind="dispute", reason=reason,
                            source="console", by=_whoami(), at=_now(), rules=rules, note=note)
        session.flush()
        typer.echo(f"case #{case.id} opened for {invoice}: {case.team}, due {case.due_date.isoformat()}")


@collections_app.command("score")
def score(customer_id: str = typer.Argument(...),
          as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """A customer's risk score and the factors that made it (as the last risk-scores run left it)."""
    from bots.cli.output import print_json, print_table
    from bots.runtime.store.models import CustomerRiskScore

    with _sessions()() as session:
        row = session.get(CustomerRiskScore, customer_id)
    if row is None:
        typer.echo(f"no score for {customer_id}: run `o2c run risk-scores` first", err=True)
        raise typer.Exit(1)
    if as_json:
        print_json({"customer_id": customer_id, "score": str(row.score), "factors": row.factors,
                    "computed_at": row.computed_at})
        return
    print_table(f"Risk score of {customer_id}: {row.score}", ["Factor", "Value", "Points", "Why"],
                [[f["factor"], f["value"], f["points"], f["explanation"]] for f in row.factors], right={"Points"})


@run_app.command("ar-ledger")
def ar_ledger(
    once: bool = typer.Option(True, "--once", help="One run (always; for the scheduler)."),
    day: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Business date (default: today, UTC)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Export the open items from the ERP (FBL5N) and fold them into the receivables ledger
    that dunning, the worklist, the risk scores and the reports read."""
    from bots.cli.intake import _configured, _report, _running, _settings
    from bots.receivables.erp_sync import BOT, run_ar_ledger

    today = _configured(lambda: _business_date(day))
    settings = _configured(_settings)
    _report(BOT, _running(lambda: run_ar_ledger(settings, today=today)), as_json)


@collections_app.command("import-contacts")
def import_contacts(
    csv_file: str = typer.Argument(..., metavar="CSV", help="customer_id,name,email,phone,language,receives_dunning"),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as one JSON object."),
) -> None:
    """Add or update the customers' collections contacts (the same customer and name: updated)."""
    from sqlalchemy import select

    from bots.cli.output import fail_input, print_json
    from bots.runtime.errors import InputError
    from bots.receivables.ledger_csv import read_rows, text_field, where_is
    from bots.runtime.store.models import CustomerContact

    counts = {"added": 0, "updated": 0}
    try:
        rows = list(read_rows(csv_file, ["customer_id", "name"], "contacts"))
        with _sessions().begin() as session:
            for number, row in rows:
                where = where_is("contacts", number, None)
                customer_id, name = text_field(row, "customer_id", where, csv_file), text_field(row, "name", where,
                                                                                                   csv_file)
                email = (row.get("email") or "").strip() or None
                if email and "@" not in email:
                    raise InputError(f"{where}: email {email!r} is not an address", csv_file)
                contact = session.scalars(select(CustomerContact).where(CustomerContact.customer_id == customer_id,
                                                                        CustomerContact.name == name)).first()
                if contact is None:
                    contact = CustomerContact(customer_id=customer_id, name=name)
                    session.add(contact)
                    counts["added"] += 1
                else:
                    counts["updated"] += 1
                contact.email, contact.phone = email, (row.get("phone") or "").strip() or None
                contact.language = (row.get("language") or "").strip() or "en"
                contact.receives_dunning = (row.get("receives_dunning") or "yes").strip().lower() not in (
                    "no", "false", "0", "n")
    except InputError as error:
        fail_input(error, as_json)
        return
    if as_json:
        print_json(counts)
    else:
        typer.echo(f"{counts['added']} contact(s) added, {counts['updated']} updated")
