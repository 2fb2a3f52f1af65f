"""The sandbox ERP's data rules and quirks, through Flask's test client (no browser)."""

import csv
import io
import re
import shutil
import time
from datetime import date
from decimal import Decimal

import pytest

from inbox_parsers.amounts import money
from sandbox import masterdata
from sandbox.common import SandboxOptions, open_db, prepare_database, set_maintenance
from sandbox.erp.app import create_app
from sandbox.erp.schema import SCHEMA
from sandbox.erp.seed import seed_erp

TODAY = date(2026, 11, 25)
ITEM = masterdata.items(42)[0].sku  # an item of seed 42's master
OPEN_ITEMS_HEADER = ["customer_id", "customer_name", "invoice", "invoice_date", "due_date",
                     "currency", "amount", "open_amount"]


class Clerk:
    """A logged-in user of the ERP through the test client, posting forms with their token."""

    def __init__(self, app, user="clerk", password="clerk123"):
        self.app = app
        self.client = app.test_client()
        page = self.client.get("/login")
        response = self.client.post("/login", data={"user": user, "password": password, "csrf_token": _token(page.text)})
        assert response.status_code == 302, "login failed"

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data, token=True):
        """POST a form the way the browser does: fetch the screen, then send its token back."""
        form = dict(data)
        if token:
            form["csrf_token"] = _token(self.client.get("/start").text)
        return self.client.post(url, data=form)

    def status(self, response) -> str:
        """The status bar's text of a rendered page (after following a redirect if needed)."""
        if response.status_code == 302:
            response = self.client.get(response.location)
        match = re.search(r'role="status"[^>]*>(.*?)</footer>', response.text, re.S)
        return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _options(tmp_path, **changes):
    return SandboxOptions(data_dir=tmp_path, today=TODAY, **changes)


@pytest.fixture
def erp(tmp_path, seeded_erp_db):
    """The ERP app on a fresh copy of seed 42's database, and a logged-in clerk."""
    shutil.copyfile(seeded_erp_db(42, TODAY), tmp_path / "erp.sqlite")
    app = create_app(_options(tmp_path))
    return app, Clerk(app)


def _count(app, table, where="1 = 1", params=()):
    conn = open_db(app.config["SANDBOX_DB"])
    try:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
    finally:
        conn.close()


def _query(app, sql, params=()):
    conn = open_db(app.config["SANDBOX_DB"])
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _order_form(customer="C1001", po="PO-TEST-1", lines=((ITEM, "5", ""),), **extra):
    cust_items = {"customer": customer, "customer_po": po, "order_date": "2026-11-25",
                  "requested_date": "2026-12-05", "ship_to": "Dock 4, 88 Harbor Rd, Savannah GA 31401"}
    cust_items.update(extra)
    data = list(cust_items.items())
    for item, quantity, price in lines:
        data += [("item", item), ("quantity", quantity), ("price", price)]
    return _MultiForm(data)


class _MultiForm(list):
    """Form data with repeated keys (the line grid), as the test client accepts it."""

    def items(self):
        return iter(self)


def _post_multi(clerk, url, form):
    from werkzeug.datastructures import MultiDict

    data = MultiDict(list(form))
    data["csrf_token"] = _token(clerk.get("/start").text)
    return clerk.client.post(url, data=data)


def _item(seed=42, index=0) -> masterdata.Item:
    return masterdata.items(seed)[index]


# ---------------------------------------------------------------------------
# Seeding and reset
# ---------------------------------------------------------------------------

def _dump(path) -> list[str]:
    conn = open_db(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_seeding_is_deterministic_per_seed(tmp_path):
    paths = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        options = SandboxOptions(data_dir=tmp_path / name, seed=seed, today=TODAY)
        prepare_database(options.db_path("erp"), SCHEMA, seed_erp, options)
        paths.append(options.db_path("erp"))
    assert _dump(paths[0]) == _dump(paths[1])
    assert _dump(paths[0]) != _dump(paths[2])


def test_seed_has_realistic_masters_shared_with_the_other_systems(erp):
    app, _ = erp
    customers = _query(app, "SELECT * FROM customers")
    items = _query(app, "SELECT * FROM items")
    assert len(customers) >= 50 and len(items) >= 200
    assert all(Decimal(c["credit_limit"]) > 0 and c["payment_terms"] for c in customers)
    assert any(c["payment_terms"] == "2/10 net 30" for c in customers)
    legal_forms = ("Inc.", "LLC", "Corp.", "Co.", "GmbH", "B.V.", "Ltd", "Ltd.", "PLC", "SARL", "SAS", "AG", "KG")
    assert all(c["name"].endswith(legal_forms) for c in customers)
    assert {c["currency"] for c in customers} >= {"USD", "EUR"}
    assert all(re.fullmatch(r"[A-Z]{2}-\d{4}", i["item_id"]) and Decimal(i["price"]) > 0 for i in items)
    # The customers and items the portal, bank and scenario generator use are the ERP's, same numbers.
    by_id = {c["customer_id"]: c for c in customers}
    for shared in masterdata.customers(42):
        assert by_id[shared.customer_id]["name"] == shared.legal_name
    prices = {i["item_id"]: i["price"] for i in items}
    assert all(prices[i.sku] == str(i.price) for i in masterdata.items(42))
    # History: open items to collect, paid ones, and orders waiting for the billing run.
    assert _count(app, "invoices", "status = 'open'") > 25
    assert _count(app, "invoices", "status = 'paid'") > 10
    assert _count(app, "sales_orders", "status = 'open'") >= 1


def test_open_items_are_the_scenario_worlds_so_the_bank_pays_real_invoices(erp):
    from sandbox.scenario import generate_world

    app, clerk = erp
    world = generate_world(42, as_of=TODAY)
    exported = list(csv.DictReader(io.StringIO(clerk.get("/fbl5n/export.csv").text)))
    expected = {(i.customer_id, i.invoice, i.invoice_date.isoformat(), i.due_date.isoformat(), i.currency,
                 str(i.amount), str(i.open_amount)) for i in world.open_items}
    assert {(r["customer_id"], r["invoice"], r["invoice_date"], r["due_date"], r["currency"], r["amount"],
             r["open_amount"]) for r in exported} == expected
    # New invoices continue the number range after the world's.
    last = max(int(i.invoice.split("-")[1]) for i in world.open_items if i.invoice.startswith("INV-"))
    due = _query(app, "SELECT order_no FROM sales_orders WHERE status = 'open' ORDER BY order_no LIMIT 1")[0][0]
    assert clerk.status(clerk.post(f"/orders/{due}/invoice", {})).endswith(f"invoice INV-{last + 1} created")
    # None of the world's customer POs is on file yet: the order bots must not meet false duplicates.
    pos = {o.po_number for o in world.orders}
    assert not {r[0] for r in _query(app, "SELECT customer_po FROM sales_orders")} & pos


def test_reset_restores_the_initial_state(tmp_path, erp):
    app, clerk = erp
    fresh = _dump(app.config["SANDBOX_DB"])
    response = _post_multi(clerk, "/va01", _order_form(po="RESET-ME"))
    assert response.status_code == 302
    assert _dump(app.config["SANDBOX_DB"]) != fresh
    create_app(_options(tmp_path))  # a restart without reset keeps what was done
    assert _count(app, "sales_orders", "customer_po = 'RESET-ME'") == 1
    create_app(_options(tmp_path, reset=True))
    assert _dump(app.config["SANDBOX_DB"]) == fresh
    # The start screen's reset does the same while the ERP runs.
    assert _post_multi(clerk, "/va01", _order_form(po="RESET-ME-TOO")).status_code == 302
    response = clerk.post("/sandbox/reset", {})
    assert "The ERP was reset to its initial state." in clerk.status(response)
    assert _dump(app.config["SANDBOX_DB"]) == fresh


# ---------------------------------------------------------------------------
# Login, session and CSRF
# ---------------------------------------------------------------------------

def test_screens_need_a_login_and_a_wrong_password_is_refused(erp):
    app, _ = erp
    client = app.test_client()
    response = client.get("/va01")
    assert response.status_code == 302 and "/login?next=/va01" in response.location
    page = client.get("/login")
    response = client.post("/login", data={"user": "clerk", "password": "nope", "csrf_token": _token(page.text)})
    assert response.status_code == 401 and "Wrong user or password." in response.text


def test_a_form_without_its_token_is_rejected_and_nothing_happens(erp):
    app, clerk = erp
    before = _count(app, "sales_orders")
    from werkzeug.datastructures import MultiDict

    response = clerk.client.post("/va01", data=MultiDict(list(_order_form(po="NO-TOKEN"))))
    assert response.status_code == 400 and "Form expired" in response.text
    response = clerk.client.post("/va01", data=MultiDict(list(_order_form(po="BAD-TOKEN")) + [("csrf_token", "forged")]))
    assert response.status_code == 400
    assert _count(app, "sales_orders") == before


def test_idle_timeout_sends_the_user_to_login_in_the_middle_of_a_flow(tmp_path):
    app = create_app(_options(tmp_path, idle_timeout_seconds=600))
    now = [1_000_000.0]
    app.config["SANDBOX_CLOCK"] = lambda: now[0]
    clerk = Clerk(app)
    form_page = clerk.get("/va01")
    assert form_page.status_code == 200
    now[0] += 601  # the clerk went for lunch with the form open
    from werkzeug.datastructures import MultiDict

    data = MultiDict(list(_order_form(po="AFTER-LUNCH")) + [("csrf_token", _token(form_page.text))])
    response = clerk.client.post("/va01", data=data, headers={"Referer": "http://localhost/va01"})
    assert response.status_code == 302 and "/login?next=/va01" in response.location
    assert "Your session has expired" in clerk.client.get(response.location).text
    assert _count(app, "sales_orders", "customer_po = 'AFTER-LUNCH'") == 0
    assert clerk.get("/va05").status_code == 302  # logged out for good


# ---------------------------------------------------------------------------
# Sales orders
# ---------------------------------------------------------------------------

def test_saving_an_order_defaults_prices_and_reports_the_number(erp):
    app, clerk = erp
    first, second = _item(index=0), _item(index=1)
    response = _post_multi(clerk, "/va01", _order_form(lines=((first.sku, "5", ""), (second.sku.lower(), "2.5", "1,000.10"))))
    assert response.status_code == 302
    message = clerk.status(response)
    number = int(re.fullmatch(r"Sales order (\d{8}) saved", message).group(1))
    order = _query(app, "SELECT * FROM sales_orders WHERE order_no = ?", (number,))[0]
    lines = _query(app, "SELECT * FROM order_lines WHERE order_no = ? ORDER BY line_no", (number,))
    assert (order["customer_id"], order["customer_po"], order["requested_date"]) == ("C1001", "PO-TEST-1", "2026-12-05")
    assert [(l["item_id"], l["quantity"], l["unit_price"]) for l in lines] == [
        (first.sku, "5", str(first.price)), (second.sku, "2.5", "1000.10")]
    assert Decimal(order["net_value"]) == (first.price * 5 + Decimal("2500.25")).quantize(Decimal("0.01"))


@pytest.mark.parametrize("form, message", [
    (_order_form(lines=(("ZZ-0000", "1", ""),)), "Line 1: item ZZ-0000 does not exist."),
    (_order_form(lines=((ITEM, "0", ""),)), "Line 1: quantity must be greater than zero."),
    (_order_form(lines=((ITEM, "-3", ""),)), "Line 1: quantity must be greater than zero."),
    (_order_form(po=""), "Customer PO is missing."),
    (_order_form(customer="C9999"), "Customer C9999 does not exist."),
    (_order_form(lines=()), "Enter at least one line."),
    (_order_form(requested_date="31/31/2026"), "Requested delivery date 31/31/2026 is not a date"),
])
def test_validation_errors_show_in_the_status_bar_and_nothing_is_saved(erp, form, message):
    app, clerk = erp
    before = _count(app, "sales_orders")
    response = _post_multi(clerk, "/va01", form)
    assert response.status_code == 422
    assert message in clerk.status(response)
    assert _count(app, "sales_orders") == before


def test_a_customer_po_already_on_file_asks_for_confirmation(erp):
    app, clerk = erp
    item = _item().sku
    assert _post_multi(clerk, "/va01", _order_form(po="DUP-77", lines=((item, "1", ""),))).status_code == 302
    response = _post_multi(clerk, "/va01", _order_form(po="dup-77", lines=((item, "2", ""),)))
    assert response.status_code == 409
    assert 'role="dialog"' in response.text and "Duplicate customer PO" in response.text
    assert "Customer PO dup-77 already exists for customer C1001" in clerk.status(response)
    assert _count(app, "sales_orders", "upper(customer_po) = 'DUP-77'") == 1
    confirmed = _order_form(po="dup-77", lines=((item, "2", ""),), confirm_duplicate="1")
    assert _post_multi(clerk, "/va01", confirmed).status_code == 302
    assert _count(app, "sales_orders", "upper(customer_po) = 'DUP-77'") == 2
    # The same PO of another customer is no duplicate.
    assert _post_multi(clerk, "/va01", _order_form(customer="C1002", po="DUP-77", lines=((item, "1", ""),))).status_code == 302


def test_order_list_searches_by_po_and_customer_25_rows_a_page(erp):
    app, clerk = erp
    total = _count(app, "sales_orders")
    page1 = clerk.get("/va05").text
    assert page1.count("<tr><td><a href=\"/orders/") == 25
    assert f"Page 1 of {-(-total // 25)} ({total} entries)" in page1
    pages = -(-total // 25)
    last = clerk.get(f"/va05?page={pages}").text
    assert last.count("<tr><td><a href=\"/orders/") == total - 25 * (pages - 1)
    po, customer = _query(app, "SELECT customer_po, customer_id FROM sales_orders ORDER BY order_no LIMIT 1")[0]
    found = clerk.get(f"/va05?po={po}").text
    assert po in found and found.count("<tr><td><a href=\"/orders/") == _count(app, "sales_orders", "customer_po LIKE ?", (f"%{po}%",))
    by_customer = clerk.get(f"/va05?customer={customer}").text
    assert by_customer.count("<tr><td><a href=\"/orders/") == min(25, _count(app, "sales_orders", "customer_id = ?", (customer,)))


# ---------------------------------------------------------------------------
# Billing, open items, cash
# ---------------------------------------------------------------------------

def _new_invoice(app, clerk, po, customer="C1001", quantity="10"):
    response = _post_multi(clerk, "/va01", _order_form(customer=customer, po=po, lines=((_item().sku, quantity, "100.00"),)))
    order_no = int(re.search(r"Sales order (\d+) saved", clerk.status(response)).group(1))
    response = clerk.post(f"/orders/{order_no}/invoice", {})
    invoice = re.search(r"invoice (INV-\d+) created", clerk.status(response)).group(1)
    return order_no, invoice


def test_ship_and_invoice_creates_an_open_item_due_by_the_terms(erp):
    app, clerk = erp
    order_no, invoice = _new_invoice(app, clerk, "BILL-1", customer="C1002")
    row = _query(app, "SELECT * FROM invoices WHERE invoice = ?", (invoice,))[0]
    terms = _query(app, "SELECT net_days, discount_days FROM customers WHERE customer_id = 'C1002'")[0]
    assert row["invoice_date"] == TODAY.isoformat() and row["amount"] == row["open_amount"] == "1000.00"
    assert (date.fromisoformat(row["due_date"]) - TODAY).days == terms["net_days"]
    assert _query(app, "SELECT status FROM sales_orders WHERE order_no = ?", (order_no,))[0][0] == "invoiced"
    again = clerk.post(f"/orders/{order_no}/invoice", {})
    assert "already invoiced" in clerk.status(again)


def test_billing_run_invoices_the_selected_open_orders(erp):
    app, clerk = erp
    due = [r[0] for r in _query(app, "SELECT order_no FROM sales_orders WHERE status = 'open'")]
    from werkzeug.datastructures import MultiDict

    data = MultiDict([("order", str(n)) for n in due] + [("csrf_token", _token(clerk.get("/vf04").text))])
    response = clerk.client.post("/vf04", data=data)
    assert f"{len(due)} invoice(s) created" in clerk.status(response)
    assert _count(app, "sales_orders", "status = 'open'") == 0


def test_open_items_csv_has_the_matching_contract_columns(erp):
    app, clerk = erp
    _, invoice = _new_invoice(app, clerk, "CSV-1")
    response = clerk.get("/fbl5n/export.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == OPEN_ITEMS_HEADER
    assert len(rows) - 1 == _count(app, "invoices", "status = 'open'")
    mine = next(r for r in rows if r[2] == invoice)
    assert mine[0] == "C1001" and mine[1] == "Pinecrest Grocers LLC" and mine[6:] == ["1000.00", "1000.00"]
    one = list(csv.reader(io.StringIO(clerk.get("/fbl5n/export.csv?customer=C1001").text)))
    assert {r[0] for r in one[1:]} == {"C1001"}
    screen = clerk.get("/fbl5n?customer=C1001").text
    assert invoice in screen and "Export CSV" in screen


def _receipt_form(customer, reference, amount, lines, currency="USD"):
    data = {"customer": customer, "reference": reference, "payment_date": "2026-11-25", "amount": amount,
            "currency": currency}
    selected = []
    for invoice, paid, discount, deduction, reason in lines:
        selected.append(("select", invoice))
        data.update({f"amount_{invoice}": paid, f"discount_{invoice}": discount,
                     f"deduction_{invoice}": deduction, f"reason_{invoice}": reason})
    return _MultiForm(list(data.items()) + selected)


def test_cash_receipt_with_discount_deduction_and_on_account_then_reversal(erp):
    app, clerk = erp
    _, first = _new_invoice(app, clerk, "CASH-1")
    _, second = _new_invoice(app, clerk, "CASH-2")
    form = _receipt_form("C1001", "ACH0001234", "1,950.00",
                         [(first, "980.00", "20.00", "0", ""), (second, "900.00", "", "100.00", "DM")])
    response = _post_multi(clerk, "/f-28", form)
    assert response.status_code == 302
    doc_no = int(re.fullmatch(r"Payment document (\d{10}) posted", clerk.status(response)).group(1))
    receipt = _query(app, "SELECT * FROM receipts WHERE doc_no = ?", (doc_no,))[0]
    assert (receipt["amount"], receipt["applied"], receipt["on_account"]) == ("1950.00", "1880.00", "70.00")
    open_amounts = dict(_query(app, "SELECT invoice, open_amount FROM invoices WHERE invoice IN (?, ?)", (first, second)))
    assert open_amounts == {first: "0.00", second: "100.00"}  # the deduction stays open, in dispute
    assert _query(app, "SELECT reason_code FROM receipt_lines WHERE invoice = ?", (second,))[0][0] == "DM"

    response = clerk.post("/fb08", {"doc_no": str(doc_no), "reason": "01"})
    reversal = int(re.fullmatch(rf"Document {doc_no} reversed with document (\d+)", clerk.status(response)).group(1))
    assert reversal > doc_no
    open_amounts = dict(_query(app, "SELECT invoice, open_amount FROM invoices WHERE invoice IN (?, ?)", (first, second)))
    assert open_amounts == {first: "1000.00", second: "1000.00"}
    assert _query(app, "SELECT status FROM receipts WHERE doc_no = ?", (doc_no,))[0][0] == "reversed"
    assert "already reversed" in clerk.status(clerk.post("/fb08", {"doc_no": str(doc_no), "reason": "01"}))


@pytest.mark.parametrize("line, amount, message", [
    (("{inv}", "900.00", "", "100.00", ""), "900.00", "a deduction needs a reason code"),
    (("{inv}", "1200.00", "", "", ""), "1200.00", "exceed the open amount 1000.00"),
    (("{inv}", "500.00", "", "", ""), "400.00", "Amounts applied (500.00) exceed the payment (400.00)."),
    (("{inv}", "500.00", "", "", ""), "0", "Payment amount must be greater than zero."),
])
def test_cash_receipt_rules(erp, line, amount, message):
    app, clerk = erp
    _, invoice = _new_invoice(app, clerk, "RULES")
    line = tuple(value.format(inv=invoice) for value in line)
    response = _post_multi(clerk, "/f-28", _receipt_form("C1001", "REF-9", amount, [line]))
    assert response.status_code == 422 and message in clerk.status(response)
    assert _count(app, "receipts", "reference = 'REF-9'") == 0


def test_a_payment_in_another_currency_than_the_invoice_is_refused(erp):
    app, clerk = erp
    _, invoice = _new_invoice(app, clerk, "CUR-1")
    response = _post_multi(clerk, "/f-28", _receipt_form("C1001", "REF-EUR", "100.00",
                                                          [(invoice, "100.00", "", "", "")], currency="EUR"))
    assert "is in USD, the payment in EUR" in clerk.status(response)


# ---------------------------------------------------------------------------
# Quirks
# ---------------------------------------------------------------------------

def test_busy_fault_at_about_the_rate_and_the_action_did_not_happen(tmp_path):
    app = create_app(_options(tmp_path, fault_rate=0.3, seed=5))
    clerk = Clerk(app)
    before = _count(app, "sales_orders")
    busy = saved = 0
    for n in range(100):
        response = _post_multi(clerk, "/va01", _order_form(po=f"FAULT-{n}", lines=((_item(seed=5).sku, "1", ""),)))
        if response.status_code == 503:
            assert "System busy, try again" in response.text and 'role="dialog"' in response.text
            assert _count(app, "sales_orders", "customer_po = ?", (f"FAULT-{n}",)) == 0
            busy += 1
        else:
            assert response.status_code == 302
            saved += 1
    assert 15 <= busy <= 45
    assert _count(app, "sales_orders") == before + saved
    # Repeatable: the same seed gives the same sequence of busy answers.
    again = create_app(_options(tmp_path / "again", fault_rate=0.3, seed=5))
    assert app.extensions["sandbox_faults"].faults == busy
    clerk2 = Clerk(again)
    busy2 = sum(_post_multi(clerk2, "/va01", _order_form(po=f"FAULT-{n}", lines=((_item(seed=5).sku, "1", ""),))).status_code == 503
                for n in range(100))
    assert busy2 == busy


def test_searches_and_screens_never_get_the_busy_fault(tmp_path):
    app = create_app(_options(tmp_path, fault_rate=1.0))
    clerk = Clerk(app)  # login is exempt
    for url in ("/start", "/va01", "/va05?po=x", "/fbl5n", "/f-28?customer=C1001", "/customers/search"):
        assert clerk.get(url).status_code == 200
    assert clerk.post("/fb08", {"doc_no": "1400000001", "reason": "01"}).status_code == 503


def test_maintenance_window_replaces_every_screen(tmp_path):
    app = create_app(_options(tmp_path))
    clerk = Clerk(app)
    set_maintenance(app, True)
    for url in ("/start", "/va01", "/login"):
        response = clerk.get(url)
        assert response.status_code == 503 and "Scheduled maintenance" in response.text
    set_maintenance(app, False)
    assert clerk.get("/start").status_code == 200
    started_in_maintenance = create_app(_options(tmp_path / "m", maintenance=True))
    assert started_in_maintenance.test_client().get("/login").status_code == 503


def test_latency_slows_every_screen(tmp_path):
    app = create_app(_options(tmp_path, latency_ms=150))
    clerk = Clerk(app)
    began = time.perf_counter()
    clerk.get("/start")
    assert time.perf_counter() - began >= 0.15


def test_theme_two_renames_ids_and_classes_but_keeps_labels(tmp_path):
    plain = Clerk(create_app(_options(tmp_path / "one"))).get("/va01").text
    renamed = Clerk(create_app(_options(tmp_path / "two", theme=2))).get("/va01").text
    assert 'id="customer"' in plain and 'id="customer"' not in renamed
    assert 'class="statusbar"' in plain and 'class="statusbar"' not in renamed
    assert re.search(r'<label for="f_[0-9a-f]{4}">Customer</label>', renamed)
    for text in ('aria-label="Item, line 1"', ">Add line</button>", ">Save</button>", 'role="status"',
                 ">Customer PO</label>", ">Search customer</button>"):
        assert text in plain and text in renamed


def test_transaction_codes_open_their_screens(erp):
    _, clerk = erp
    assert clerk.get("/go?tcode=va01").location.endswith("/va01")
    assert clerk.get("/go?tcode=/nFBL5N").location.endswith("/fbl5n")
    response = clerk.get("/go?tcode=ZZ99", headers={"Referer": "http://localhost/start"})
    assert "Transaction ZZ99 does not exist." in clerk.status(response)


def test_o2c_sandbox_refuses_bad_options():
    from typer.testing import CliRunner

    from bots.cli.main import app

    import bots.cli.sandbox  # noqa: F401  registers the command

    result = CliRunner().invoke(app, ["sandbox", "--theme", "3"])
    assert result.exit_code == 2 and "theme must be 1 or 2" in result.output


def test_o2c_sandbox_serves_the_three_systems_until_interrupted(tmp_path):
    import signal
    import subprocess
    import sys
    import urllib.request

    from sandbox.common import free_port_run

    port = free_port_run(3)
    process = subprocess.Popen(
        [sys.executable, "-c", "from bots.cli.main import main; main()", "sandbox", "--port-base", str(port),
         "--data-dir", str(tmp_path), "--seed", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)   # an error shows in the banner
    try:
        lines = []
        while len(lines) < 20:
            line = process.stdout.readline()
            if not line or line.startswith("Press Ctrl-C"):
                break
            lines.append(line)
        banner = "".join(lines)
        for offset, title in enumerate(["Legacy ERP", "Customer order portal", "Bank portal"]):
            url = f"http://127.0.0.1:{port + offset}/"
            assert f"{title}" in banner and url in banner, banner
            with urllib.request.urlopen(url + "login", timeout=10) as response:
                assert response.status == 200
        assert "clerk / clerk123" in banner
        assert (tmp_path / "erp.sqlite").exists()
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 0 and "Sandbox stopped." in out


def test_a_credit_memo_reduces_the_payment_it_is_applied_with(erp):
    app, clerk = erp
    memo = _query(app, "SELECT * FROM invoices WHERE kind = 'credit_memo' AND status = 'open'")[0]
    _, invoice = _new_invoice(app, clerk, "CM-USE", customer=memo["customer_id"], quantity="20")  # 2000.00
    currency = _query(app, "SELECT currency FROM customers WHERE customer_id = ?", (memo["customer_id"],))[0][0]
    credit = Decimal(memo["open_amount"])
    assert credit < 0
    too_much = _receipt_form(memo["customer_id"], "REF-CM", "2000.00",
                             [(invoice, "2000.00", "", "", ""), (memo["invoice"], money(credit - 1), "", "", "")], currency)
    assert "for the credit memo" in clerk.status(_post_multi(clerk, "/f-28", too_much))
    net = Decimal("2000.00") + credit
    form = _receipt_form(memo["customer_id"], "REF-CM", money(net),
                         [(invoice, "2000.00", "", "", ""), (memo["invoice"], money(credit), "", "", "")], currency)
    response = _post_multi(clerk, "/f-28", form)
    assert response.status_code == 302, clerk.status(response)
    statuses = dict(_query(app, "SELECT invoice, status FROM invoices WHERE invoice IN (?, ?)", (invoice, memo["invoice"])))
    assert statuses == {invoice: "paid", memo["invoice"]: "paid"}
