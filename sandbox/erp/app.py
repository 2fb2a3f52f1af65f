"""The legacy ERP's screens: ``create_app(options)`` builds the Flask app.

One view per transaction code, as old ERPs are organised (the codes are in ``TRANSACTIONS``
and on the start screen's menu). The screens only read forms and render pages; the rules
live in ``sandbox.erp.documents``. Login, CSRF, the busy fault, latency, maintenance and
the second theme come from ``sandbox.common``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, session, url_for

from inbox_parsers.amounts import money, parse_amount
from inbox_parsers.dates import parse_date

from sandbox.common import SandboxOptions, create_seeded_app, db, reset_database
from sandbox.erp import documents
from sandbox.erp.documents import DocumentError, DuplicatePO, OrderDraft, OrderLine, ReceiptLine
from sandbox.erp.schema import CURRENCIES, REASON_CODES, SCHEMA
from sandbox.erp.seed import USERS, seed_erp
from sandbox.erp.sessions import limit_sessions

TITLE = "Norwood ERP 4.6C"
PAGE_SIZE = 25

# Transaction code -> (endpoint, screen title, menu group)
TRANSACTIONS = {
    "VA01": ("sales_order", "Create sales order", "Sales"),
    "VA03": ("order_display", "Display sales order", "Sales"),
    "VA05": ("order_list", "List of sales orders", "Sales"),
    "VL02N": ("goods_issue", "Post goods issue", "Sales"),
    "VF04": ("billing_due", "Billing due list", "Billing"),
    "VF03": ("invoice_display", "Display invoice", "Billing"),
    "FD32": ("customer_credit", "Customer credit management", "Accounts receivable"),
    "FBL5N": ("open_items", "Customer open items", "Accounts receivable"),
    "F-28": ("cash_receipt", "Post incoming payment", "Accounts receivable"),
    "FB03": ("receipts", "Payment documents", "Accounts receivable"),
    "FB08": ("reverse_receipt", "Reverse document", "Accounts receivable"),
    "XD03": ("customers", "Customer master", "Master data"),
    "MM03": ("items", "Item master", "Master data"),
}
REVERSAL_REASONS = {"01": "Reversal in current period", "02": "Wrong customer", "03": "Wrong amount",
                    "04": "Payment returned by bank"}


def reset_erp(options: SandboxOptions) -> None:
    """Put the ERP database back to its initial state for the seed."""
    reset_database("erp", SCHEMA, seed_erp, options)


def create_app(options: SandboxOptions):
    """Build the ERP app, creating and seeding ``erp.sqlite`` first if needed (or on reset)."""
    app = create_seeded_app("erp", options, SCHEMA, seed_erp, import_name=__name__, title=TITLE, users=USERS,
                            home_endpoint="start", layout="layout.html",
                            reset_message="The ERP was reset to its initial state.")
    limit_sessions(app)  # at most ERP_SESSIONS_PER_USER open sessions per user
    app.jinja_env.globals.update(transactions=TRANSACTIONS, money=money)
    app.jinja_env.filters["todate"] = date.fromisoformat

    def today() -> date:
        return options.business_date()

    # -- start screen and transaction codes -------------------------------------------

    @app.route("/start")
    def start():
        groups: dict[str, list] = {}
        for code, (endpoint, title, group) in TRANSACTIONS.items():
            groups.setdefault(group, []).append((code, endpoint, title))
        return render_template("start.html", groups=groups)

    @app.route("/go")
    def go():
        code = request.args.get("tcode", "").strip().upper().removeprefix("/N").removeprefix("/O")
        if code in TRANSACTIONS:
            return redirect(url_for(TRANSACTIONS[code][0]))
        flash(f"Transaction {code or '(blank)'} does not exist.", "error")
        return redirect(request.referrer or url_for("start"))

    # -- sales orders ----------------------------------------------------------------

    @app.route("/va01", methods=["GET", "POST"])
    def sales_order():
        if request.method == "GET":
            form = {"order_date": today().isoformat()}
            return _order_form(form, [{}])
        form = request.form
        rows = _grid_rows(form)
        draft, errors = _read_order(form, rows, today())
        if errors:
            for error in errors:
                flash(error, "error")
            return _order_form(form, rows), 422
        try:
            order_no = documents.save_order(db(), draft, session["user"],
                                            confirm_duplicate=form.get("confirm_duplicate") == "1")
        except DuplicatePO as duplicate:
            flash(duplicate.message, "warning")
            return _order_form(form, rows, duplicate=duplicate), 409
        except DocumentError as error:
            flash(error.message, "error")
            return _order_form(form, rows), 422
        flash(f"Sales order {order_no} saved", "success")
        return redirect(url_for("sales_order"))

    def _order_form(form, rows, duplicate=None):
        conn = db()
        return render_template(
            "sales_order.html", form=form, rows=rows or [{}], duplicate=duplicate,
            customers=conn.execute("SELECT customer_id, name, currency, ship_to FROM customers ORDER BY customer_id").fetchall(),
            items=conn.execute("SELECT item_id, description, price FROM items ORDER BY item_id").fetchall(),
        )

    @app.route("/va05")
    def order_list():
        po = request.args.get("po", "").strip()
        customer = request.args.get("customer", "").strip()
        where, params = ["1 = 1"], []
        if po:
            where.append("upper(o.customer_po) LIKE upper(?)")
            params.append(f"%{po}%")
        if customer:
            where.append("(o.customer_id = upper(?) OR upper(c.name) LIKE upper(?))")
            params += [customer, f"%{customer}%"]
        sql = ("FROM sales_orders o JOIN customers c ON c.customer_id = o.customer_id WHERE " + " AND ".join(where))
        page = _page(db(), sql, params)
        rows = db().execute(
            "SELECT o.*, c.name, (SELECT invoice FROM invoices i WHERE i.order_no = o.order_no) AS invoice "
            + sql + " ORDER BY o.order_no DESC LIMIT ? OFFSET ?", params + [PAGE_SIZE, page.offset]).fetchall()
        if not rows and (po or customer):
            flash("No sales orders match the search.", "info")
        return render_template("order_list.html", rows=rows, page=page, po=po, customer=customer)

    @app.route("/va03")
    def order_display():
        number = request.args.get("order", "").strip()
        if number:
            if number.isdigit() and db().execute("SELECT 1 FROM sales_orders WHERE order_no = ?", (int(number),)).fetchone():
                return redirect(url_for("order", order_no=int(number)))
            flash(f"Sales order {number} does not exist.", "error")
        return render_template("order_lookup.html", number=number)

    @app.route("/orders/<int:order_no>")
    def order(order_no):
        conn = db()
        header = conn.execute(
            "SELECT o.*, c.name FROM sales_orders o JOIN customers c ON c.customer_id = o.customer_id"
            " WHERE o.order_no = ?", (order_no,)).fetchone()
        if header is None:
            abort(404)
        lines = conn.execute("SELECT * FROM order_lines WHERE order_no = ? ORDER BY line_no", (order_no,)).fetchall()
        invoice = conn.execute("SELECT * FROM invoices WHERE order_no = ?", (order_no,)).fetchone()
        return render_template("order.html", order=header, lines=lines, invoice=invoice)

    @app.route("/orders/<int:order_no>/invoice", methods=["POST"])
    def order_invoice(order_no):
        try:
            invoice = documents.ship_and_invoice(db(), order_no, today())
        except DocumentError as error:
            flash(error.message, "error")
        else:
            flash(f"Sales order {order_no} shipped, invoice {invoice} created", "success")
        return redirect(url_for("order", order_no=order_no))

    # -- billing ---------------------------------------------------------------------

    @app.route("/vf04", methods=["GET", "POST"])
    def billing_due():
        conn = db()
        if request.method == "POST":
            chosen = [int(n) for n in request.form.getlist("order") if n.isdigit()]
            if not chosen:
                flash("Select at least one sales order.", "error")
            else:
                try:
                    invoices = documents.invoice_due_orders(conn, today(), chosen)
                except DocumentError as error:
                    flash(error.message, "error")
                else:
                    flash(f"{len(invoices)} invoice(s) created: {', '.join(invoices)}", "success")
                return redirect(url_for("billing_due"))
        # Due for billing: shipped (goods issue posted) and not invoiced yet.
        rows = conn.execute(
            "SELECT o.*, c.name FROM sales_orders o JOIN customers c ON c.customer_id = o.customer_id"
            " WHERE o.status = 'open' AND o.shipped_on IS NOT NULL ORDER BY o.order_no").fetchall()
        return render_template("billing_due.html", rows=rows)

    @app.route("/vf03")
    def invoice_display():
        number = request.args.get("invoice", "").strip().upper()
        if number:
            if db().execute("SELECT 1 FROM invoices WHERE invoice = ?", (number,)).fetchone():
                return redirect(url_for("invoice", number=number))
            flash(f"Invoice {number} does not exist.", "error")
        return render_template("invoice_lookup.html", number=number)

    @app.route("/invoices/<number>")
    def invoice(number):
        head = db().execute(
            "SELECT i.*, c.name, c.email, o.customer_po FROM invoices i JOIN customers c ON c.customer_id = i.customer_id"
            " LEFT JOIN sales_orders o ON o.order_no = i.order_no WHERE i.invoice = ?", (number,)).fetchone()
        if head is None:
            abort(404)
        return render_template("invoice.html", invoice=head)

    @app.route("/invoices/<number>/invoice.pdf")
    def invoice_download(number):
        from sandbox.erp.invoice_pdf import invoice_pdf

        body = invoice_pdf(db(), number)
        if body is None:
            abort(404)
        return Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'})

    # -- shipping ----------------------------------------------------------------------

    @app.route("/vl02n", methods=["GET", "POST"])
    def goods_issue():
        number = request.values.get("order", "").strip()
        if request.method == "POST":
            try:
                if not number.isdigit():
                    raise DocumentError("Enter the sales order to ship.")
                delivery = documents.ship_order(db(), int(number), today())
            except DocumentError as error:
                flash(error.message, "error")
                return render_template("goods_issue.html", number=number), 422
            flash(f"Goods issue posted for sales order {number}: delivery {delivery}", "success")
            return redirect(url_for("goods_issue"))
        return render_template("goods_issue.html", number=number)

    # -- credit management -------------------------------------------------------------

    @app.route("/fd32", methods=["GET", "POST"])
    def customer_credit():
        conn = db()
        entered = request.values.get("customer", "").strip().upper()
        if request.method == "POST":
            if session.get("user") != "supervisor":
                flash("Only a credit supervisor may change a credit block.", "error")
            else:
                try:
                    documents.set_credit_block(conn, entered, request.form.get("action") == "block",
                                               request.form.get("reason", ""), session["user"], today())
                except DocumentError as error:
                    flash(error.message, "error")
                else:
                    flash(f"Credit block of customer {entered} {'set' if request.form.get('action') == 'block' else 'lifted'}",
                          "success")
            return redirect(url_for("customer_credit", customer=entered))
        standing = documents.credit_standing(conn, entered, today()) if entered else None
        if entered and standing is None:
            flash(f"Customer {entered} does not exist.", "error")
        return render_template("customer_credit.html", customer=entered, standing=standing)

    # -- master data -----------------------------------------------------------------

    @app.route("/xd03")
    def customers():
        term = request.args.get("q", "").strip()
        return render_template("customers.html", rows=_find_customers(term), q=term)

    @app.route("/customers/search")
    def customer_search():
        """The search-help pop-up: returns the chosen number to the field named ``field``."""
        term = request.args.get("q", "").strip()
        return render_template("customer_search.html", rows=_find_customers(term), q=term,
                               field=request.args.get("field", ""))

    def _find_customers(term):
        like = f"%{term}%"
        return db().execute(
            "SELECT * FROM customers WHERE customer_id = upper(?) OR upper(name) LIKE upper(?)"
            " OR upper(city) LIKE upper(?) OR ? = '' ORDER BY customer_id", (term, like, like, term)).fetchall()

    @app.route("/mm03")
    def items():
        term = request.args.get("q", "").strip()
        like = f"%{term}%"
        sql = "FROM items WHERE upper(item_id) LIKE upper(?) OR upper(description) LIKE upper(?)"
        page = _page(db(), sql, [like, like])
        rows = db().execute("SELECT * " + sql + " ORDER BY item_id LIMIT ? OFFSET ?",
                            [like, like, PAGE_SIZE, page.offset]).fetchall()
        return render_template("items.html", rows=rows, page=page, q=term)

    # -- accounts receivable ---------------------------------------------------------

    def _open_items_query(customer):
        sql = ("FROM invoices i JOIN customers c ON c.customer_id = i.customer_id WHERE i.status = 'open'")
        params = []
        if customer:
            sql += " AND (i.customer_id = upper(?) OR upper(c.name) LIKE upper(?))"
            params += [customer, f"%{customer}%"]
        return sql, params

    @app.route("/fbl5n")
    def open_items():
        customer = request.args.get("customer", "").strip()
        sql, params = _open_items_query(customer)
        conn = db()
        page = _page(conn, sql, params)
        rows = conn.execute("SELECT i.*, c.name " + sql + " ORDER BY i.customer_id, i.invoice_date, i.invoice"
                            " LIMIT ? OFFSET ?", params + [PAGE_SIZE, page.offset]).fetchall()
        totals: dict[str, Decimal] = {}
        for row in conn.execute("SELECT i.currency, i.open_amount " + sql, params):
            totals[row[0]] = totals.get(row[0], Decimal("0")) + Decimal(row[1])
        disputed = {row["invoice"]: documents.disputed_amount(conn, row["invoice"]) for row in rows}
        return render_template("open_items.html", rows=rows, page=page, customer=customer,
                               totals=sorted(totals.items()), disputed=disputed, today=today())

    @app.route("/fbl5n/export.csv")
    def open_items_csv():
        customer = request.args.get("customer", "").strip()
        sql, params = _open_items_query(customer)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["customer_id", "customer_name", "invoice", "invoice_date", "due_date",
                         "currency", "amount", "open_amount"])
        for row in db().execute("SELECT i.*, c.name " + sql + " ORDER BY i.customer_id, i.invoice_date, i.invoice", params):
            writer.writerow([row["customer_id"], row["name"], row["invoice"], row["invoice_date"], row["due_date"],
                             row["currency"], row["amount"], row["open_amount"]])
        name = f"open_items_{customer or 'all'}_{today().isoformat()}.csv".replace(" ", "_")
        return Response(out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.route("/f-28", methods=["GET", "POST"])
    def cash_receipt():
        conn = db()
        form = request.values
        entered = form.get("customer", "").strip()
        cust = documents.customer(conn, entered) if entered else None
        if request.method == "GET" and entered and cust is None:
            flash(f"Customer {entered} does not exist.", "error")
        invoices = []
        if cust is not None:
            invoices = conn.execute("SELECT * FROM invoices WHERE customer_id = ? AND status = 'open'"
                                    " ORDER BY invoice_date, invoice", (cust["customer_id"],)).fetchall()
        if request.method == "GET":
            defaults = {"payment_date": today().isoformat(), "currency": cust["currency"] if cust else "USD"}
            return render_template("cash_receipt.html", form={**defaults, **form.to_dict()}, cust=cust,
                                   invoices=invoices, reasons=REASON_CODES, currencies=CURRENCIES)
        header_errors, lines = _read_receipt(form, invoices)
        if not header_errors:
            try:
                doc_no = documents.post_receipt(
                    conn, form.get("customer", ""), form.get("reference", ""),
                    parse_date(form.get("payment_date", ""), day_first=False),
                    parse_amount(form.get("amount", ""), decimal_comma=False),
                    form.get("currency", ""), lines, session["user"])
            except DocumentError as error:
                header_errors = [error.message]
            else:
                flash(f"Payment document {doc_no} posted", "success")
                return redirect(url_for("receipt", doc_no=doc_no))
        for error in header_errors:
            flash(error, "error")
        return render_template("cash_receipt.html", form=form.to_dict(), cust=cust, invoices=invoices,
                               selected=set(form.getlist("select")), grid=form,
                               reasons=REASON_CODES, currencies=CURRENCIES), 422

    @app.route("/fb03")
    def receipts():
        reference = request.args.get("reference", "").strip()
        customer = request.args.get("customer", "").strip()
        sql, params = "FROM receipts r JOIN customers c ON c.customer_id = r.customer_id WHERE 1 = 1", []
        if reference:
            sql += " AND upper(r.reference) LIKE upper(?)"
            params.append(f"%{reference}%")
        if customer:
            sql += " AND (r.customer_id = upper(?) OR upper(c.name) LIKE upper(?))"
            params += [customer, f"%{customer}%"]
        page = _page(db(), sql, params)
        rows = db().execute("SELECT r.*, c.name " + sql + " ORDER BY r.doc_no DESC LIMIT ? OFFSET ?",
                            params + [PAGE_SIZE, page.offset]).fetchall()
        return render_template("receipts.html", rows=rows, page=page, reference=reference, customer=customer)

    @app.route("/receipts/<int:doc_no>")
    def receipt(doc_no):
        conn = db()
        header = conn.execute("SELECT r.*, c.name FROM receipts r JOIN customers c ON c.customer_id = r.customer_id"
                              " WHERE r.doc_no = ?", (doc_no,)).fetchone()
        if header is None:
            abort(404)
        lines = conn.execute("SELECT * FROM receipt_lines WHERE doc_no = ? ORDER BY invoice", (doc_no,)).fetchall()
        return render_template("receipt.html", receipt=header, lines=lines, reasons=REASON_CODES)

    @app.route("/fb08", methods=["GET", "POST"])
    def reverse_receipt():
        form = request.values
        if request.method == "POST":
            number = form.get("doc_no", "").strip()
            reason = form.get("reason", "")
            if not number.isdigit():
                flash("Enter the number of the document to reverse.", "error")
            elif reason not in REVERSAL_REASONS:
                flash("Choose a reversal reason.", "error")
            else:
                try:
                    reversal = documents.reverse_receipt(db(), int(number), REVERSAL_REASONS[reason], session["user"])
                except DocumentError as error:
                    flash(error.message, "error")
                else:
                    flash(f"Document {number} reversed with document {reversal}", "success")
                    return redirect(url_for("receipt", doc_no=int(number)))
            return render_template("reverse.html", form=form.to_dict(), reasons=REVERSAL_REASONS), 422
        return render_template("reverse.html", form={"doc_no": form.get("doc", "")}, reasons=REVERSAL_REASONS)

    return app


# ---------------------------------------------------------------------------
# Reading the forms
# ---------------------------------------------------------------------------

def _grid_rows(form) -> list[dict]:
    """The line grid as entered: one dict per row with any field filled."""
    rows = []
    for item, quantity, price in zip(form.getlist("item"), form.getlist("quantity"), form.getlist("price")):
        if item.strip() or quantity.strip() or price.strip():
            rows.append({"item": item.strip().upper(), "quantity": quantity.strip(), "price": price.strip()})
    return rows


def _read_order(form, rows, today: date) -> tuple[OrderDraft, list[str]]:
    """Turn the order form into a draft; problems reading it are returned as messages."""
    errors = []
    order_date = _date_field(form, "order_date", "Order date", errors) or today
    requested = _date_field(form, "requested_date", "Requested delivery date", errors)
    lines = []
    for number, row in enumerate(rows, start=1):
        quantity = parse_amount(row["quantity"], decimal_comma=False) if row["quantity"] else None
        if row["quantity"] and quantity is None:
            errors.append(f"Line {number}: quantity {row['quantity']} is not a number.")
        price = parse_amount(row["price"], decimal_comma=False) if row["price"] else None
        if row["price"] and price is None:
            errors.append(f"Line {number}: price {row['price']} is not an amount.")
        lines.append(OrderLine(row["item"], quantity if quantity is not None else Decimal("0"), price))
    draft = OrderDraft(form.get("customer", "").strip().upper(), form.get("customer_po", ""),
                       order_date, requested, form.get("ship_to", ""), lines)
    return draft, errors


def _read_receipt(form, invoices) -> tuple[list[str], list[ReceiptLine]]:
    """The header checks the form itself can make, and the grid's selected lines."""
    errors = []
    if parse_date(form.get("payment_date", ""), day_first=False) is None:
        errors.append("Enter the payment date as YYYY-MM-DD.")
    if parse_amount(form.get("amount", ""), decimal_comma=False) is None:
        errors.append("Enter the payment amount.")
    lines = []
    open_invoices = {row["invoice"] for row in invoices}
    for invoice in form.getlist("select"):
        if invoice not in open_invoices:
            errors.append(f"Invoice {invoice} is not open for this customer.")
            continue
        values = {}
        for field in ("amount", "discount", "deduction"):
            text = form.get(f"{field}_{invoice}", "").strip()
            values[field] = parse_amount(text, decimal_comma=False) if text else Decimal("0")
            if values[field] is None:
                errors.append(f"Invoice {invoice}: {field} {text} is not an amount.")
                values[field] = Decimal("0")
        lines.append(ReceiptLine(invoice, values["amount"], values["discount"], values["deduction"],
                                 form.get(f"reason_{invoice}") or None))
    return errors, lines


def _date_field(form, name, label, errors) -> date | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    value = parse_date(text, day_first=False)
    if value is None:
        errors.append(f"{label} {text} is not a date (use YYYY-MM-DD).")
    return value


@dataclass
class _Page:
    number: int
    count: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE


def _page(conn, sql_from: str, params) -> _Page:
    """Which page of ``PAGE_SIZE`` rows the request asks for, within the rows there are."""
    total = conn.execute("SELECT count(*) " + sql_from, params).fetchone()[0]
    count = max(1, math.ceil(total / PAGE_SIZE))
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        number = 1
    return _Page(min(max(number, 1), count), count, total)


__all__ = ["create_app", "reset_erp", "TRANSACTIONS", "TITLE", "USERS"]
