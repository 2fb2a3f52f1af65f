"""The customer order portal: a large retailer's supplier portal, served by ``o2c sandbox``.

The supplier logs in, pages through an inbox of purchase orders (new, acknowledged),
opens one, downloads it as PDF or CSV and acknowledges it. Seeded from the scenario
world of the seed (``sandbox.scenario``), so the portal's POs are the ``portal`` orders
of ``truth.json``. Tests read the database (``options.db_path("portal")``) to see what
the bots did: table ``purchase_orders`` (state, acknowledged_at, acknowledged_by).

    app = create_app(SandboxOptions(seed=7, data_dir=tmp))
"""

import sqlite3
from datetime import date, datetime, timezone
from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, session, url_for

from sandbox.common import SandboxOptions, create_seeded_app, db, reset_database
from sandbox.documents.purchase_order import po_csv, po_pdf
from sandbox.world import Order, OrderLine

SYSTEM = "portal"
TITLE = "RetailLink Supplier Portal"
USERS = {"supplier": "supplier123", "bot": "bot-pass-2"}
PAGE_SIZE = 20
STATES = ("new", "acknowledged")

SCHEMA = """
CREATE TABLE purchase_orders (
    po_number TEXT PRIMARY KEY,
    position INTEGER NOT NULL,            -- inbox order: newest first
    customer_id TEXT NOT NULL,
    buyer_name TEXT NOT NULL,
    buyer_email TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    order_date TEXT NOT NULL,
    requested_date TEXT,
    ship_to TEXT NOT NULL,
    currency TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('new', 'acknowledged')),
    acknowledged_at TEXT,
    acknowledged_by TEXT
);
CREATE TABLE po_lines (
    po_number TEXT NOT NULL REFERENCES purchase_orders(po_number),
    line_no INTEGER NOT NULL,
    buyer_item TEXT NOT NULL,
    supplier_item TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    uom TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    PRIMARY KEY (po_number, line_no)
);
-- Invoices suppliers uploaded (Invoices > Upload invoice), each with the confirmation number shown.
CREATE TABLE invoice_uploads (
    confirmation TEXT PRIMARY KEY,       -- "RL-000001"
    invoice TEXT NOT NULL UNIQUE,
    po_number TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    pdf BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL
);
"""
# The largest invoice file the portal takes (as real portals: a few megabytes); change it
# at run time through app.config["PORTAL_UPLOAD_LIMIT"].
UPLOAD_LIMIT = 2 * 1024 * 1024


def seed_portal(conn: sqlite3.Connection, options: SandboxOptions) -> None:
    """Fill a fresh portal database with the portal orders of the seed's world."""
    from sandbox.scenario import generate_world

    world = generate_world(options.seed, as_of=options.business_date())
    for position, order in enumerate(world.portal_orders()):
        conn.execute(
            "INSERT INTO purchase_orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (order.po_number, position, order.customer_id, order.buyer_name, order.buyer_email,
             order.customer_name, order.order_date.isoformat(),
             order.requested_date.isoformat() if order.requested_date else None, order.ship_to,
             order.currency, order.portal_state,
             # Orders acknowledged before the sandbox started were acknowledged by a person.
             f"{order.order_date.isoformat()}T16:00:00Z" if order.portal_state == "acknowledged" else None,
             "jdoe" if order.portal_state == "acknowledged" else None))
        for number, line in enumerate(order.lines, start=1):
            conn.execute("INSERT INTO po_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (order.po_number, number, line.buyer_sku, line.sku, line.description,
                          str(line.quantity), line.uom, f"{line.unit_price:.2f}"))


def reset_portal(options: SandboxOptions) -> None:
    """Re-create the portal database from the seed, dropping what was done since."""
    reset_database(SYSTEM, SCHEMA, seed_portal, options)


def create_app(options: SandboxOptions):
    """Build the portal's Flask app (creating and seeding its database when needed)."""
    app = create_seeded_app(SYSTEM, options, SCHEMA, seed_portal, import_name=__name__, title=TITLE, users=USERS,
                            home_endpoint="inbox", layout="portal/layout.html",
                            reset_message="The portal was reset to its initial state.")

    @app.route("/orders")
    def inbox():
        state = request.args.get("state", "all")
        if state not in STATES + ("all",):
            state = "all"
        page = _page_number(request.args.get("page"))
        where, params = ("WHERE state = ?", [state]) if state != "all" else ("", [])
        total = db().execute(f"SELECT COUNT(*) FROM purchase_orders {where}", params).fetchone()[0]
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page, pages)
        rows = db().execute(f"SELECT * FROM purchase_orders {where} ORDER BY position LIMIT ? OFFSET ?",
                            params + [PAGE_SIZE, (page - 1) * PAGE_SIZE]).fetchall()
        orders = [dict(row, total=_order_total(row["po_number"])) for row in rows]
        counts = {s: db().execute("SELECT COUNT(*) FROM purchase_orders WHERE state = ?", (s,)).fetchone()[0]
                  for s in STATES}
        return render_template("portal/inbox.html", orders=orders, state=state, page=page, pages=pages,
                               total=total, counts=counts, page_size=PAGE_SIZE)

    @app.route("/orders/<po_number>")
    def order_detail(po_number):
        header, lines = _load(po_number)
        total = sum((Decimal(line["quantity"]) * Decimal(line["unit_price"]) for line in lines), Decimal("0"))
        return render_template("portal/order.html", po=header, lines=lines, total=total)

    @app.route("/orders/<po_number>/download.pdf")
    def download_pdf(po_number):
        order = _order(po_number)
        return Response(po_pdf(order), mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="PO_{po_number}.pdf"'})

    @app.route("/orders/<po_number>/download.csv")
    def download_csv(po_number):
        order = _order(po_number)
        return Response(po_csv(order), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="PO_{po_number}.csv"'})

    @app.route("/orders/<po_number>/acknowledge", methods=["POST"])
    def acknowledge(po_number):
        header, _ = _load(po_number)
        if header["state"] == "acknowledged":
            flash(f"Purchase order {po_number} was already acknowledged.", "info")
        else:
            stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            db().execute("UPDATE purchase_orders SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? "
                         "WHERE po_number = ? AND state = 'new'", (stamp, session.get("user"), po_number))
            db().commit()
            flash(f"Purchase order {po_number} acknowledged.", "info")
        return redirect(url_for("order_detail", po_number=po_number))

    _invoice_pages(app)
    return app


def _invoice_pages(app) -> None:
    """Invoices > Upload invoice, and the list of submitted invoices (searchable by number).

    The quirks of real supplier portals: a PO number is required, the file must be a PDF no
    larger than the limit, an invoice number is taken once; each upload gets a confirmation
    number the supplier must keep.
    """
    app.config.setdefault("PORTAL_UPLOAD_LIMIT", UPLOAD_LIMIT)

    @app.route("/invoices")
    def invoices():
        term = request.args.get("q", "").strip()
        rows = db().execute("SELECT confirmation, invoice, po_number, amount, currency, uploaded_at FROM invoice_uploads"
                            " WHERE ? = '' OR upper(invoice) LIKE upper(?) ORDER BY uploaded_at DESC, confirmation DESC",
                            (term, f"%{term}%")).fetchall()
        return render_template("portal/invoices.html", rows=rows, q=term)

    @app.route("/invoices/upload", methods=["GET", "POST"])
    def upload_invoice():
        if request.method == "GET":
            return render_template("portal/upload.html", form={}, limit=app.config["PORTAL_UPLOAD_LIMIT"])
        form = request.form
        file = request.files.get("file")
        body = file.read() if file else b""
        errors = _upload_errors(form, file, body, app.config["PORTAL_UPLOAD_LIMIT"])
        if errors:
            for error in errors:
                flash(error, "error")
            return render_template("portal/upload.html", form=form, limit=app.config["PORTAL_UPLOAD_LIMIT"]), 422
        conn = db()
        number = conn.execute("SELECT count(*) FROM invoice_uploads").fetchone()[0] + 1
        confirmation = f"RL-{number:06d}"
        conn.execute("INSERT INTO invoice_uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (confirmation, form["invoice"].strip(), form["po_number"].strip(), form["amount"].strip(),
                      form.get("currency", "USD"), file.filename, len(body), body,
                      datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), session.get("user")))
        conn.commit()
        flash(f"Invoice {form['invoice'].strip()} received. Confirmation number: {confirmation}", "info")
        return redirect(url_for("invoices", q=form["invoice"].strip()))


def _upload_errors(form, file, body: bytes, limit: int) -> list[str]:
    errors = []
    invoice = form.get("invoice", "").strip()
    if not invoice:
        errors.append("Enter the invoice number.")
    if not form.get("po_number", "").strip():
        errors.append("A PO number is required: invoices without a purchase order are not accepted.")
    try:
        if Decimal(form.get("amount", "").strip().replace(",", "")) <= 0:
            raise ValueError
    except (ArithmeticError, ValueError):
        errors.append("Enter the invoice amount.")
    if file is None or not file.filename:
        errors.append("Attach the invoice as a PDF file.")
    elif not body.startswith(b"%PDF"):
        errors.append(f"{file.filename} is not a PDF file.")
    elif len(body) > limit:
        errors.append(f"The file is too large ({len(body):,} bytes); the limit is {limit:,} bytes.")
    if invoice:
        taken = db().execute("SELECT confirmation FROM invoice_uploads WHERE upper(invoice) = upper(?)",
                             (invoice,)).fetchone()
        if taken:
            errors.append(f"Invoice {invoice} was already submitted (confirmation number {taken[0]}).")
    return errors


def _page_number(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def _load(po_number: str):
    header = db().execute("SELECT * FROM purchase_orders WHERE po_number = ?", (po_number,)).fetchone()
    if header is None:
        abort(404)
    lines = db().execute("SELECT * FROM po_lines WHERE po_number = ? ORDER BY line_no", (po_number,)).fetchall()
    return header, lines


def _order_total(po_number: str) -> Decimal:
    lines = db().execute("SELECT quantity, unit_price FROM po_lines WHERE po_number = ?", (po_number,)).fetchall()
    return sum((Decimal(q) * Decimal(p) for q, p in lines), Decimal("0")).quantize(Decimal("0.01"))


def _order(po_number: str) -> Order:
    """The stored purchase order as a ``world.Order``, for the document writers."""
    header, lines = _load(po_number)
    return Order(
        po_number=header["po_number"], customer_id=header["customer_id"], customer_name=header["customer_name"],
        buyer_name=header["buyer_name"], buyer_email=header["buyer_email"],
        order_date=date.fromisoformat(header["order_date"]),
        requested_date=date.fromisoformat(header["requested_date"]) if header["requested_date"] else None,
        ship_to=header["ship_to"], currency=header["currency"], channel="portal", portal_state=header["state"],
        lines=[OrderLine(line["supplier_item"], line["buyer_item"], line["description"], Decimal(line["quantity"]),
                         line["uom"], Decimal(line["unit_price"])) for line in lines])
