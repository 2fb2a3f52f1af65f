"""Routes of the collector's pages (see the package docstring)."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bots.runtime.web import current_user, requires

ROLE = "collector"
HERE = Path(__file__).resolve().parent
pages = Blueprint("collections", __name__, url_prefix="/collections", template_folder=str(HERE / "templates"))


@dataclass
class CollectionsContext:
    sessions: sessionmaker
    engine: object
    settings: object | None          # load_settings(): dunning, outgoing mail, routing
    today: object                    # () -> date, the business date

    def now(self) -> datetime:
        return current_app.extensions["o2c_web"].clock.now()


def register_collections(app, engine, *, settings=None, today=None) -> None:
    """Add the collector's pages to ``app`` (a ``bots.runtime.web`` app whose realm has the collector role)."""
    realm = app.extensions["o2c_web"].realm
    if ROLE not in realm.roles:
        raise ValueError(f"the {realm.name} realm has no {ROLE!r} role; add it to its roles")
    clock = app.extensions["o2c_web"].clock
    if settings is None:
        from bots.runtime.config import ConfigError, load_settings

        try:
            settings = load_settings()
        except ConfigError:
            settings = None         # the pages still work; reminders say what to set
    app.extensions["o2c_collections"] = CollectionsContext(sessionmaker(engine, expire_on_commit=False), engine,
                                                           settings, today or (lambda: clock.now().date()))
    app.register_blueprint(pages)


def _context() -> CollectionsContext:
    return current_app.extensions["o2c_collections"]


def _me() -> str:
    return current_user().name


@pages.get("/")
@requires(ROLE)
def worklist_page():
    from bots.collections.worklist import worklist

    context = _context()
    everyone = request.args.get("all") == "1"
    today = context.today()
    with context.sessions() as session:
        rows = worklist(session, today, None if everyone else _me())
    return render_template("collections/worklist.html", rows=rows, everyone=everyone, today=today)


@pages.get("/customers/<customer_id>")
@requires(ROLE)
def customer_page(customer_id: str):
    from bots.collections.statement import open_lines
    from bots.receivables.metrics import aging, compute_metrics, past_due
    from bots.receivables.store import load_store_ledger
    from bots.runtime.store.models import (CollectorAssignment, ContactLog, CustomerContact, CustomerRiskScore, DisputeCase,
                                   PromiseToPay)

    context = _context()
    today = context.today()
    with context.sessions() as session:
        ledger = load_store_ledger(session, customer_id)
        if not ledger.invoices:
            abort(404, description=f"No customer {customer_id} in the receivables ledger.")
        score = session.get(CustomerRiskScore, customer_id)
        assignment = session.get(CollectorAssignment, customer_id)
        contacts = session.scalars(select(CustomerContact).where(CustomerContact.customer_id == customer_id)).all()
        history = session.scalars(select(ContactLog).where(ContactLog.customer_id == customer_id)
                                  .order_by(ContactLog.at.desc(), ContactLog.id.desc()).limit(100)).all()
        cases = session.scalars(select(DisputeCase).where(DisputeCase.customer_id == customer_id)
                                .order_by(DisputeCase.state.desc(), DisputeCase.opened_at.desc())).all()
        promises = session.scalars(select(PromiseToPay).where(PromiseToPay.customer_id == customer_id)
                                   .order_by(PromiseToPay.created_at.desc())).all()
    currencies = ledger.currencies()
    currency = request.args.get("currency") if request.args.get("currency") in currencies else currencies[0]
    ledger = ledger.in_currency(currency)      # figures of one currency at a time, never added up
    lines = open_lines(ledger, today)
    buckets = aging(ledger, today)
    year = compute_metrics(ledger, date(today.year - 1, today.month, 1), today, per_customer=False)
    disputed = {c.invoice for c in cases if c.state == "open"}
    promised = {i for p in promises if p.state == "open" and p.promised_date >= today for i in p.invoices}
    return render_template(
        "collections/customer.html", customer_id=customer_id, name=ledger.invoices[0].customer_name,
        currency=currency, currencies=currencies, lines=lines, buckets=buckets, past_due=past_due(buckets),
        figures=year, score=score, assignment=assignment, contacts=contacts, history=history, cases=cases,
        promises=promises, disputed=disputed, promised=promised, today=today, reminder_key=uuid.uuid4().hex,
        reasons=sorted(set(_rules()) - {"default", "invoice_question", "copy_request"}) + ["other"])


def _rules():
    from bots.collections.cases import routing_rules

    settings = _context().settings
    return routing_rules(settings.bot("collections-cases").get("routing") if settings else None)


@pages.post("/customers/<customer_id>/assignment")
@requires("operator")
def assign_collector(customer_id: str):
    """Give the customer to a collector (operators and supervisors hand out the work)."""
    from bots.collections.worklist import assign

    collector = request.form.get("collector", "").strip()
    if not collector or len(collector) > 200:
        flash("Name the collector.", "error")
        return redirect(url_for(".customer_page", customer_id=customer_id))
    with _context().sessions.begin() as session:
        assign(session, customer_id, collector, _me(), _context().now())
    flash(f"{customer_id} is now worked by {collector}.", "success")
    return redirect(url_for(".customer_page", customer_id=customer_id))


@pages.post("/customers/<customer_id>/calls")
@requires(ROLE)
def log_call(customer_id: str):
    from bots.runtime.store.models import ContactLog

    note = request.form.get("note", "").strip()
    if not note:
        flash("Say what the call was about.", "error")
        return redirect(url_for(".customer_page", customer_id=customer_id))
    with _context().sessions.begin() as session:
        session.add(ContactLog(customer_id=customer_id, at=_context().now(), actor=_me(), kind="call",
                               channel="phone", invoices=request.form.getlist("invoice"), note=note[:4000]))
    flash("Call logged.", "success")
    return redirect(url_for(".customer_page", customer_id=customer_id))


@pages.post("/customers/<customer_id>/promises")
@requires(ROLE)
def record_promise_view(customer_id: str):
    from bots.collections.promises import record_promise

    invoices = request.form.getlist("invoice")
    try:
        amount = Decimal(request.form.get("amount", "").strip())
        promised = date.fromisoformat(request.form.get("promised_date", "").strip())
        if amount <= 0 or not amount.is_finite():
            raise ValueError
    except (InvalidOperation, ValueError):
        flash("A promise needs an amount above zero and a date (YYYY-MM-DD).", "error")
        return redirect(url_for(".customer_page", customer_id=customer_id))
    if not invoices:
        flash("Tick the invoices the customer promised to pay.", "error")
        return redirect(url_for(".customer_page", customer_id=customer_id))
    if promised < _context().today():
        flash("A promise to pay is for today or a later day.", "error")
        return redirect(url_for(".customer_page", customer_id=customer_id))
    with _context().sessions.begin() as session:
        record_promise(session, customer_id, invoices, amount.quantize(Decimal("0.01")), promised, _me(),
                       _context().now(), request.form.get("note") or None)
    flash(f"Promise of {amount:.2f} by {promised.isoformat()} recorded.", "success")
    return redirect(url_for(".customer_page", customer_id=customer_id))


@pages.post("/customers/<customer_id>/disputes")
@requires(ROLE)
def open_dispute(customer_id: str):
    from bots.collections.cases import open_case

    invoice = request.form.get("invoice", "").strip()
    reason = request.form.get("reason", "").strip() or "other"
    if not invoice:
        flash("Choose the invoice in dispute.", "error")
        return redirect(url_for(".customer_page", customer_id=customer_id))
    with _context().sessions.begin() as session:
        case, _ = open_case(session, customer_id=customer_id, invoice=invoice, kind="dispute", reason=reason,
                            source="console", by=_me(), at=_context().now(), rules=_rules(),
                            note=request.form.get("note") or None)
        session.flush()
        flash(f"Case #{case.id} opened for {invoice}: {case.team}, due {case.due_date.isoformat()}.", "success")
    return redirect(url_for(".customer_page", customer_id=customer_id))


@pages.post("/cases/<int:case_id>/close")
@requires(ROLE)
def close_case_view(case_id: int):
    from bots.collections.cases import close_case

    resolution = request.form.get("resolution", "").strip()
    if not resolution:
        abort(400, description="Say how the case was resolved.")
    with _context().sessions.begin() as session:
        try:
            case = close_case(session, case_id, _me(), _context().now(), resolution[:4000])
        except LookupError:
            abort(404)
        customer_id = case.customer_id
    flash(f"Case #{case_id} closed.", "success")
    return redirect(url_for(".customer_page", customer_id=customer_id))


@pages.post("/customers/<customer_id>/reminders")
@requires(ROLE)
def send_reminder(customer_id: str):
    from bots.collections.dunning import make_dunning
    from bots.collections.channels import RefusedDelivery
    from bots.runtime.errors import ApplicationException

    context = _context()
    key = request.form.get("reminder_key", "")
    if not key.isalnum() or len(key) > 64:
        abort(400, description="The reminder form is out of date; reload the page.")
    if context.settings is None:
        abort(503, description="Reminders need the mail settings (bots.outgoing-mail).")
    today = context.today()
    dunning = _from_dunning_settings(lambda: make_dunning(context.settings, context.engine, today=today,
                                                          clock=current_app.extensions["o2c_web"].clock))
    try:
        counts = dunning.remind_now(customer_id, today, context.now(), f"reminder-now:{customer_id}:{key}")
    except (ApplicationException, RefusedDelivery) as error:
        flash(f"The reminder could not be sent: {error}", "error")
        return redirect(url_for(".customer_page", customer_id=customer_id))
    if counts["letters"] == 0:
        flash("Nothing is due that a reminder could ask for (disputed and promised items are left out).", "warning")
    elif counts["emails"]:
        flash("Reminder sent by email, with the statement of account.", "success")
    else:
        flash("Reminder written as a letter to print (no email address, or sent before).", "success")
    return redirect(url_for(".customer_page", customer_id=customer_id))


def _from_dunning_settings(read):
    """What ``read`` makes of the dunning settings; a mistake in them is a 503 that names it
    (the page cannot work until an operator mends config/o2c.yaml), not a server error."""
    try:
        return read()
    except ValueError as error:
        abort(503, description=f"The dunning settings cannot be used: {error}")


@pages.get("/customers/<customer_id>/statement.pdf")
@requires(ROLE)
def statement(customer_id: str):
    from bots.collections.dunning import DunningSettings
    from bots.collections.language import configured_languages, customer_language
    from bots.collections.statement import Seller, statement_pdf
    from bots.receivables.store import load_store_ledger

    context = _context()
    with context.sessions() as session:
        ledger = load_store_ledger(session, customer_id)
        language = customer_language(session, customer_id,
                                     _from_dunning_settings(lambda: configured_languages(context.settings)))
    if not ledger.invoices:
        abort(404)
    currencies = ledger.currencies()
    ledger = ledger.in_currency(request.args.get("currency") if request.args.get("currency") in currencies
                                else currencies[0])
    seller = _from_dunning_settings(lambda: DunningSettings.from_settings(context.settings).seller) \
        if context.settings else Seller("Accounts receivable")
    today = context.today()
    return current_app.response_class(statement_pdf(ledger, today, seller, language=language), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="statement-{customer_id}-{today.isoformat()}.pdf"'})
