"""The portal's pages. Every query is narrowed to the signed-in contact's customer first:
a number of another customer's answers 404, exactly like one that does not exist."""

import tempfile
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from bots.runtime.errors import ApplicationException, BusinessException, InputError
from bots.runtime.store.models import ArItem, ArReceipt, DisputeCase, PortalAttachment, PromiseToPay
from bots.runtime.web import current_user

pages = Blueprint("portal", __name__)

DISPUTE_REASONS = {"pricing": "Price differs from the agreed price", "shortage": "Goods missing or short",
                   "damage": "Goods damaged", "invoice_question": "Question about the invoice",
                   "copy_request": "I need a copy of a document", "other": "Something else"}
MAX_ATTACHMENT = 2 * 1024 * 1024


def _portal() -> dict:
    return current_app.extensions["o2c_portal"]


def _queue():
    return _portal()["queue"]


def _customer(session) -> str:
    """The signed-in contact's customer; a contact tied to none sees nothing at all."""
    from bots.customer_portal.contacts import customer_of

    customer = customer_of(session, current_user())
    if customer is None:
        abort(403)
    return customer


def _today() -> date:
    return _queue().clock.now().date()


def _open_items(session, customer: str) -> list[ArItem]:
    return list(session.scalars(select(ArItem).where(ArItem.customer_id == customer, ArItem.closed_at.is_(None),
                                                     ArItem.open_amount != 0)
                                .order_by(ArItem.due_date, ArItem.invoice)))


def _item(session, customer: str, invoice: str) -> ArItem:
    row = session.scalar(select(ArItem).where(ArItem.customer_id == customer, ArItem.invoice == invoice))
    if row is None:
        abort(404)  # not this customer's (or no such invoice): the same answer
    return row


@pages.get("/")
def invoices():
    with _queue().session() as session:
        customer = _customer(session)
        items = _open_items(session, customer)
        balance: dict[str, Decimal] = {}
        for item in items:
            balance[item.currency] = balance.get(item.currency, Decimal("0")) + Decimal(item.open_amount)
        promised = {invoice for promise in session.scalars(select(PromiseToPay).where(
            PromiseToPay.customer_id == customer, PromiseToPay.state == "open")) for invoice in promise.invoices}
        disputed = {case.invoice for case in session.scalars(select(DisputeCase).where(
            DisputeCase.customer_id == customer, DisputeCase.state == "open"))}
        name = items[0].customer_name if items else customer
    return render_template("portal/invoices.html", items=items, balance=sorted(balance.items()), customer=customer,
                           name=name, today=_today(), promised=promised, disputed=disputed)


@pages.get("/invoices/<invoice>")
def invoice(invoice):
    with _queue().session() as session:
        customer = _customer(session)
        item = _item(session, customer, invoice)
        payments = list(session.scalars(select(ArReceipt).where(ArReceipt.customer_id == customer,
                                                                ArReceipt.invoice == invoice).order_by(ArReceipt.id)))
        cases = list(session.scalars(select(DisputeCase).where(DisputeCase.customer_id == customer,
                                                               DisputeCase.invoice == invoice)))
    return render_template("portal/invoice.html", item=item, payments=payments, cases=cases,
                           has_pdf=_invoice_pdf(customer, invoice) is not None, reasons=DISPUTE_REASONS,
                           today=_today())


@pages.get("/invoices/<invoice>/pdf")
def invoice_pdf(invoice):
    with _queue().session() as session:
        customer = _customer(session)
        _item(session, customer, invoice)
    path = _invoice_pdf(customer, invoice)
    if path is None:
        abort(404)
    return Response(path.read_bytes(), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{path.name}"'})


@pages.get("/statement.pdf")
def statement():
    from bots.collections.language import customer_language
    from bots.collections.statement import Seller, statement_pdf
    from bots.receivables.store import load_store_ledger

    with _queue().session() as session:
        customer = _customer(session)
        ledger = load_store_ledger(session, customer)
        language = customer_language(session, customer, _portal()["languages"])  # the language of its dunning letters
    seller = _portal()["seller"]
    body = statement_pdf(ledger, _today(), Seller(seller["name"], list(seller.get("address") or []),
                                                  seller.get("contact", "")), language=language)
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="statement-{customer}-{_today()}.pdf"'})


@pages.get("/payments")
def payments():
    with _queue().session() as session:
        customer = _customer(session)
        rows = list(session.scalars(select(ArReceipt).where(ArReceipt.customer_id == customer)
                                    .order_by(ArReceipt.receipt_date.desc(), ArReceipt.id.desc())))
    return render_template("portal/payments.html", rows=rows)


@pages.post("/invoices/<invoice>/dispute")
def dispute(invoice):
    from bots.collections.cases import open_case, routing_rules

    reason = request.form.get("reason", "")
    text = request.form.get("note", "").strip()
    upload = request.files.get("attachment")
    body = upload.read() if upload and upload.filename else b""
    if reason not in DISPUTE_REASONS:
        flash("Choose the reason for the dispute.", "error")
        return redirect(url_for("portal.invoice", invoice=invoice))
    if len(body) > MAX_ATTACHMENT:
        flash("The attachment is larger than 2 MB.", "error")
        return redirect(url_for("portal.invoice", invoice=invoice))
    queue, user = _queue(), current_user()
    now = queue.clock.now()
    with queue.session() as session, session.begin():
        customer = _customer(session)
        _item(session, customer, invoice)
        case, opened = open_case(session, customer_id=customer, invoice=invoice, kind="dispute", reason=reason,
                                 source="customer-portal", by=f"portal:{user.name}", at=now, rules=routing_rules(None),
                                 source_ref=f"portal:{customer}:{invoice}:{reason}", note=text or None)
        if opened and body:
            session.flush()
            session.add(PortalAttachment(customer_id=customer, case_id=case.id, filename=Path(upload.filename).name,
                                         mime_type=upload.mimetype or "application/octet-stream", content=body,
                                         uploaded_at=now, uploaded_by=user.name))
    flash(f"Dispute on invoice {invoice} received: our {case.team} team answers by {case.due_date.isoformat()}."
          if opened else f"Invoice {invoice} is already disputed for this reason.", "success" if opened else "info")
    return redirect(url_for("portal.invoice", invoice=invoice))


@pages.post("/invoices/<invoice>/promise")
def promise(invoice):
    from bots.collections.promises import record_promise

    queue, user = _queue(), current_user()
    try:
        amount = Decimal(request.form.get("amount", "").strip().replace(",", ""))
        promised = date.fromisoformat(request.form.get("date", "").strip())
    except (InvalidOperation, ValueError):
        flash("Enter the amount and the date (YYYY-MM-DD) you will pay.", "error")
        return redirect(url_for("portal.invoice", invoice=invoice))
    with queue.session() as session, session.begin():
        customer = _customer(session)
        item = _item(session, customer, invoice)
        if amount <= 0 or amount > Decimal(item.open_amount) or promised < _today():
            flash(f"A promise is for up to {item.open_amount} {item.currency}, on a day from today on.", "error")
            return redirect(url_for("portal.invoice", invoice=invoice))
        record_promise(session, customer, [invoice], amount.quantize(Decimal("0.01")), promised,
                       by=f"portal:{user.name}", at=queue.clock.now())
    flash(f"Thank you: we noted your payment of {amount:.2f} {item.currency} by {promised.isoformat()}.", "success")
    return redirect(url_for("portal.invoice", invoice=invoice))


@pages.route("/remittance", methods=["GET", "POST"])
def remittance():
    from bots.customer_portal.remittances import queue_remittance, remittance_from_form, remittance_from_pdf

    queue, user = _queue(), current_user()
    with queue.session() as session:
        customer = _customer(session)
        items = _open_items(session, customer)
    if request.method == "GET":
        return render_template("portal/remittance.html", items=items)
    upload = request.files.get("advice")
    evidence = {}
    try:
        if upload and upload.filename:
            folder = _portal()["remittance_dir"]
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, suffix=".pdf", delete=False) as kept:
                kept.write(upload.read())
            record = remittance_from_pdf(Path(kept.name))
            evidence = {"remittance_pdf": kept.name}
        else:
            lines = [(invoice, request.form.get(f"paid_{invoice}", "")) for invoice in request.form.getlist("invoice")
                     if request.form.get(f"paid_{invoice}", "").strip()]
            currency = items[0].currency if items else "USD"
            record = remittance_from_form({"name": items[0].customer_name if items else customer},
                                          request.form.get("reference", ""), request.form.get("payment_date", ""),
                                          currency, lines)
    except (BusinessException, InputError) as error:
        flash(f"The remittance advice was not taken: {error.message}", "error")
        return render_template("portal/remittance.html", items=items), 422
    _, created = queue_remittance(queue, customer, record, by=user.name, evidence=evidence)
    flash(f"Remittance advice for payment {record['payment_reference']} received ({record['total']} "
          f"{record['currency']}, {len(record['lines'])} invoice(s))." if created else
          f"The remittance advice for payment {record['payment_reference']} was sent already.", "success")
    return redirect(url_for("portal.invoices"))


@pages.route("/pay", methods=["GET", "POST"])
def pay():
    from bots.customer_portal.payments import discount_terms, payable_line, plan_payment

    queue, user, provider = _queue(), current_user(), _portal()["provider"]
    with queue.session() as session:
        customer = _customer(session)
        items = [item for item in _open_items(session, customer) if Decimal(item.open_amount) > 0]
    terms = discount_terms(queue, customer)
    lines = {item.invoice: payable_line(item, terms, _today()) for item in items}
    if request.method == "GET" or provider is None:
        return render_template("portal/pay.html", items=items, lines=lines, online=provider is not None)
    chosen = [lines[invoice] for invoice in request.form.getlist("pay") if invoice in lines]
    try:
        payment = plan_payment(queue, customer, items[0].customer_name if items else customer, chosen, by=user.name)
    except BusinessException as error:
        flash(error.message[:1].upper() + error.message[1:] + ".", "error")
        return redirect(url_for("portal.pay"))
    return redirect(url_for("portal.checkout", reference=payment.payload["reference"]))


@pages.get("/pay/<reference>")
def checkout(reference):
    """The payment about to be made, with the signed link to the provider's hosted page.

    A link, not a redirect from the form: the portal's CSP allows forms to post to itself only."""
    from bots.customer_portal.payments import checkout_url

    queue, provider = _queue(), _portal()["provider"]
    with queue.session() as session:
        customer = _customer(session)
    item = queue.find(f"portal-payment:{reference}")
    if item is None or provider is None or item.payload.get("customer_id") != customer:
        abort(404)
    return render_template("portal/checkout.html", payment=item.payload,
                           link=checkout_url(provider, item.payload, url_for("portal.paid", _external=True)))


@pages.get("/pay/return")
def paid():
    from bots.customer_portal.payments import settle

    queue, provider = _queue(), _portal()["provider"]
    reference = request.args.get("reference", "")
    with queue.session() as session:
        customer = _customer(session)
    item = queue.find(f"portal-payment:{reference}")
    if item is None or provider is None or item.payload.get("customer_id") != customer:
        abort(404)  # not this customer's payment: the same answer as none
    try:
        outcome = settle(queue, provider, item)
    except (BusinessException, ApplicationException) as error:
        flash(f"We could not confirm the payment yet: {error.message}. Nothing was charged twice; "
              "please look again later.", "error")
        return redirect(url_for("portal.invoices"))
    payment = item.payload
    if outcome["status"] == "succeeded":
        flash(f"Thank you: your payment {payment['reference']} of {payment['total']} {payment['currency']} was "
              f"received and applied to {len(outcome['applied'])} invoice(s).", "success")
    elif outcome["status"] == "pending":
        flash(f"Your payment {payment['reference']} is pending with your bank; we apply it once it completes.", "info")
    else:
        flash(f"Your payment {payment['reference']} was not completed ({outcome['status']}); nothing was charged.",
              "error")
    return redirect(url_for("portal.invoices"))


def _invoice_pdf(customer: str, invoice: str) -> Path | None:
    """The PDF ``erp-invoicing`` downloaded for this customer's invoice, if it did."""
    for item in _queue().items(state="done", kind="billing", limit=None):
        facts = item.result or {}
        if facts.get("invoice") == invoice and facts.get("customer_id") == customer and facts.get("pdf"):
            path = Path(facts["pdf"])
            return path if path.is_file() else None
    return None
