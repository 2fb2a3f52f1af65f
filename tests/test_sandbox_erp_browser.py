"""The sandbox ERP in real headless Chromium, driven through selectors/erp/*.yaml as a bot would."""

import csv
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Error as PlaywrightError, expect

from bots.runtime.screens import Screen
from sandbox import masterdata
from sandbox.erp import documents
from sandbox.erp.documents import OrderDraft, OrderLine
from tests.fixtures.sandbox import SANDBOX_TODAY

pytestmark = pytest.mark.browser

SCREENSHOTS = "/tmp/o2c-sandbox-erp"
ITEMS = masterdata.items(42)


@pytest.fixture(autouse=True)
def patient_expect():
    """Wait longer than Playwright's 5 s for screens: CI shares two cores among many tests."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def log_in(page, url, user="clerk", password="clerk123"):
    """Log on, from the login page the ERP sent us to or from a fresh one."""
    if "/login" not in page.url:
        page.goto(url + "/login")
    login = Screen(page, "erp/login")
    login["user"].fill(user)
    login["password"].fill(password)
    login["log_on"].click()


def open_transaction(page, code):
    start = Screen(page, "erp/start")
    start["transaction_code"].fill(code)
    # The screen's buttons work once erp.js has run: wait for the new screen's load event, or a
    # click on a loaded machine may come first and open no customer search pop-up.
    with page.expect_navigation(wait_until="load"):
        start["go"].click()


def enter_order(page, customer_term, customer_id, po, lines, requested="2026-12-10"):
    """Key a sales order on VA01: customer via the search pop-up, lines added with the button."""
    order = Screen(page, "erp/sales_order")
    with page.expect_popup() as opened:
        order["search_customer"].click()
    popup = opened.value
    search = Screen(popup, "erp/customer_search")
    search["search_term"].fill(customer_term)
    search["find"].click()
    with popup.expect_event("close"):
        try:
            search.get("choose", customer=customer_id).click()
        except PlaywrightError as error:  # the pop-up may close before Playwright has finished the click
            if "closed" not in str(error):
                raise
    expect(order["customer"]).to_have_value(customer_id)
    expect(order["ship_to"]).not_to_have_value("")  # defaulted from the customer master
    order["customer_po"].fill(po)
    order["requested_date"].fill(requested)
    for n, (item, quantity, price) in enumerate(lines, start=1):
        if n > 1:
            order["add_line"].click()
        order.get("line_item", n=n).fill(item)
        order.get("line_quantity", n=n).fill(quantity)
        if price is not None:
            order.get("line_price", n=n).fill(price)
    return order


def saved_order_number(order) -> int:
    expect(order["status_bar"]).to_have_text(re.compile(r"Sales order \d{8} saved"))
    return int(re.search(r"\d{8}", order["status_bar"].inner_text()).group(0))


def count(sandbox, sql, params=()):
    conn = sandbox.db()
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def open_invoice_in_db(sandbox, customer, po, amount):
    """An open invoice made through the ERP's own rules (setup for the cash tests)."""
    conn = sandbox.db()
    try:
        draft = OrderDraft(customer, po, SANDBOX_TODAY, None, "Dock 1", [OrderLine(ITEMS[0].sku, Decimal("1"), Decimal(amount))])
        order_no = documents.save_order(conn, draft, "clerk")
        return documents.ship_and_invoice(conn, order_no, SANDBOX_TODAY - timedelta(days=5))
    finally:
        conn.close()


def test_log_in_and_open_a_screen_by_transaction_code(erp_sandbox, page):
    page.goto(erp_sandbox.erp_url + "/va05")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    log_in(page, erp_sandbox.erp_url)
    expect(page).to_have_url(re.compile(r"/va05$"))  # back where the clerk wanted to go
    page.goto(erp_sandbox.erp_url + "/start")
    start = Screen(page, "erp/start")
    expect(start.get("menu_entry", code="F-28")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}-start.png")
    open_transaction(page, "/nva01")
    expect(Screen(page, "erp/start")["title"]).to_have_text("Create sales order")
    open_transaction(page, "ZZ01")
    expect(start["status_bar"]).to_have_text("Transaction ZZ01 does not exist.")


def test_create_an_order_by_hand_and_find_it_in_the_list(erp_sandbox, page):
    log_in(page, erp_sandbox.erp_url)
    open_transaction(page, "VA01")
    order = enter_order(page, "Lakeshore", "C1003", "4500012345",
                        [(ITEMS[0].sku, "24", None), (ITEMS[1].sku, "2.5", "19.99"), (ITEMS[2].sku, "1", None)])
    # The price defaults from the item master and can be overridden.
    expect(order.get("line_price", n=1)).to_have_value(str(ITEMS[0].price))
    expect(order.get("line_price", n=2)).to_have_value("19.99")
    page.screenshot(path=f"{SCREENSHOTS}-sales-order.png")
    order["save"].click()
    number = saved_order_number(order)
    lines = erp_sandbox.db().execute("SELECT item_id, quantity, unit_price FROM order_lines WHERE order_no = ? ORDER BY line_no",
                                     (number,)).fetchall()
    assert [tuple(l) for l in lines] == [(ITEMS[0].sku, "24", str(ITEMS[0].price)), (ITEMS[1].sku, "2.5", "19.99"),
                                         (ITEMS[2].sku, "1", str(ITEMS[2].price))]

    open_transaction(page, "VA05")
    orders = Screen(page, "erp/order_list")
    orders["customer_po"].fill("4500012345")
    orders["customer"].fill("C1003")
    orders["search"].click()
    expect(orders["results"].get_by_role("row")).to_have_count(2)  # header and the one order
    page.screenshot(path=f"{SCREENSHOTS}-order-list.png")
    orders.get("order_link", order=str(number)).click()
    expect(page.get_by_role("heading", name=f"Sales order {number}")).to_be_visible()


def test_invoice_an_order_see_the_open_item_and_export_csv(erp_sandbox, page, tmp_path):
    log_in(page, erp_sandbox.erp_url)
    open_transaction(page, "VA01")
    order = enter_order(page, "Pinecrest", "C1001", "PO-INV-1", [(ITEMS[3].sku, "10", "12.50")])
    order["save"].click()
    number = saved_order_number(order)
    page.goto(f"{erp_sandbox.erp_url}/orders/{number}")
    display = Screen(page, "erp/order_display")
    display["ship_and_invoice"].click()
    expect(display["status_bar"]).to_have_text(re.compile(rf"Sales order {number} shipped, invoice INV-\d+ created"))
    invoice = re.search(r"INV-\d+", display["status_bar"].inner_text()).group(0)

    open_transaction(page, "FBL5N")
    items = Screen(page, "erp/open_items")
    items["customer"].fill("C1001")
    items["show"].click()
    # The unfiltered list may show the row too: wait for the filtered screen before exporting.
    expect(page).to_have_url(re.compile(r"customer=C1001"))
    expect(items.get("item_row", invoice=invoice)).to_contain_text("125.00")
    page.screenshot(path=f"{SCREENSHOTS}-open-items.png")
    with page.expect_download() as download:
        items["export_csv"].click()
    path = tmp_path / "open_items.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert list(rows[0]) == ["customer_id", "customer_name", "invoice", "invoice_date", "due_date",
                             "currency", "amount", "open_amount"]
    mine = [r for r in rows if r["invoice"] == invoice]
    assert mine and mine[0]["open_amount"] == "125.00" and {r["customer_id"] for r in rows} == {"C1001"}


@pytest.mark.parametrize("theme", [1, 2])
def test_post_a_cash_receipt_with_discount_and_deduction_then_reverse_it(start_sandbox, page, theme):
    erp_sandbox = start_sandbox(theme=theme)
    first = open_invoice_in_db(erp_sandbox, "C1001", "CASH-A", "1000.00")
    second = open_invoice_in_db(erp_sandbox, "C1001", "CASH-B", "500.00")
    log_in(page, erp_sandbox.erp_url)
    open_transaction(page, "F-28")
    cash = Screen(page, "erp/cash_receipt")
    cash["customer"].fill("C1001")
    cash["reference"].fill("ACH946420030")
    cash["payment_date"].fill("2026-11-24")
    cash["amount"].fill("1430.00")
    cash["currency"].select_option("USD")
    cash["show_open_items"].click()
    cash.get("select_invoice", invoice=first).check()
    expect(cash.get("invoice_amount", invoice=first)).to_have_value("1000.00")  # proposed open amount
    cash.get("invoice_amount", invoice=first).fill("980.00")
    cash.get("invoice_discount", invoice=first).fill("20.00")
    cash.get("select_invoice", invoice=second).check()
    cash.get("invoice_amount", invoice=second).fill("440.00")
    cash.get("invoice_deduction", invoice=second).fill("60.00")
    cash.get("invoice_reason", invoice=second).select_option("SH")
    page.screenshot(path=f"{SCREENSHOTS}-cash-receipt-theme{theme}.png")
    cash["post"].click()
    expect(cash["status_bar"]).to_have_text(re.compile(r"Payment document \d{10} posted"))
    doc_no = int(re.search(r"\d{10}", cash["status_bar"].inner_text()).group(0))
    conn = erp_sandbox.db()
    assert conn.execute("SELECT on_account FROM receipts WHERE doc_no = ?", (doc_no,)).fetchone()[0] == "10.00"
    assert dict(conn.execute("SELECT invoice, open_amount FROM invoices WHERE invoice IN (?, ?)", (first, second)).fetchall()) \
        == {first: "0.00", second: "60.00"}

    Screen(page, "erp/receipt")["reverse_link"].click()
    reverse = Screen(page, "erp/reverse")
    expect(reverse["document_number"]).to_have_value(str(doc_no))
    reverse["reason"].select_option(label="01 Reversal in current period")
    reverse["reverse"].click()
    expect(reverse["status_bar"]).to_have_text(re.compile(rf"Document {doc_no} reversed with document \d+"))
    assert dict(conn.execute("SELECT invoice, open_amount FROM invoices WHERE invoice IN (?, ?)", (first, second)).fetchall()) \
        == {first: "1000.00", second: "500.00"}
    conn.close()


def test_idle_timeout_returns_to_login_in_the_middle_of_a_flow(start_sandbox, page):
    sandbox = start_sandbox()  # the idle timeout of 10 minutes
    log_in(page, sandbox.erp_url)
    open_transaction(page, "VA01")
    order = enter_order(page, "Pinecrest", "C1001", "PO-IDLE", [(ITEMS[0].sku, "1", None)])
    sandbox.pass_time(601)  # the clerk answers the phone for ten minutes (the sandbox's clock, no sleep)
    order["save"].click()
    login = Screen(page, "erp/login")
    expect(login["status_bar"]).to_have_text("Your session has expired. Please log in again.")
    assert count(sandbox, "SELECT count(*) FROM sales_orders WHERE customer_po = 'PO-IDLE'") == 0
    log_in(page, sandbox.erp_url)
    expect(page).to_have_url(re.compile(r"/va01$"))


def test_duplicate_customer_po_asks_before_saving(erp_sandbox, page):
    open_invoice_in_db(erp_sandbox, "C1002", "PO-TWICE", "10.00")
    log_in(page, erp_sandbox.erp_url)
    open_transaction(page, "VA01")
    order = enter_order(page, "C1002", "C1002", "PO-TWICE", [(ITEMS[0].sku, "3", None)])
    order["save"].click()
    dialogs = Screen(page, "erp/dialogs")
    expect(dialogs["duplicate_po"]).to_contain_text("Customer PO PO-TWICE already exists for customer C1002")
    page.screenshot(path=f"{SCREENSHOTS}-duplicate-po.png")
    assert count(erp_sandbox, "SELECT count(*) FROM sales_orders WHERE customer_po = 'PO-TWICE'") == 1
    # The form kept what was typed; confirming saves it.
    expect(order.get("line_item", n=1)).to_have_value(ITEMS[0].sku)
    dialogs["save_anyway"].click()
    saved_order_number(order)
    assert count(erp_sandbox, "SELECT count(*) FROM sales_orders WHERE customer_po = 'PO-TWICE'") == 2


def test_validation_errors_appear_in_the_status_bar(erp_sandbox, page):
    log_in(page, erp_sandbox.erp_url)
    open_transaction(page, "VA01")
    before = count(erp_sandbox, "SELECT count(*) FROM sales_orders")
    order = enter_order(page, "Pinecrest", "C1001", "", [("ZZ-0001", "2", "1.00"), (ITEMS[0].sku, "0", None)])
    order["save"].click()
    status = order["status_bar"]
    expect(status).to_contain_text("Customer PO is missing.")
    expect(status).to_contain_text("Line 1: item ZZ-0001 does not exist.")
    expect(status).to_contain_text("Line 2: quantity must be greater than zero.")
    page.screenshot(path=f"{SCREENSHOTS}-validation.png")
    assert count(erp_sandbox, "SELECT count(*) FROM sales_orders") == before


def test_busy_dialog_at_about_the_fault_rate_and_nothing_happened(start_sandbox, page):
    sandbox = start_sandbox(fault_rate=0.3, seed=42)
    log_in(page, sandbox.erp_url)
    # A hundred saves posted through the browser's own session (cookie and token of the page).
    page.goto(sandbox.erp_url + "/va01")
    # The hidden token field has no label or role; read it as the browser would submit it.
    token = page.locator("input[name=csrf_token]").first.input_value()
    before = count(sandbox, "SELECT count(*) FROM sales_orders")
    busy = 0
    for n in range(100):
        response = page.request.post(sandbox.erp_url + "/va01", form={
            "csrf_token": token, "customer": "C1001", "customer_po": f"RATE-{n}", "order_date": "2026-11-25",
            "ship_to": "Dock 1", "item": ITEMS[0].sku, "quantity": "1", "price": ""}, max_redirects=0)
        if response.status == 503:
            assert "System busy, try again" in response.text()
            busy += 1
    assert 15 <= busy <= 45, busy
    assert count(sandbox, "SELECT count(*) FROM sales_orders") == before + 100 - busy

    # In the screens: the dialog has a role and a name, OK goes back, and a retry works.
    dialogs = Screen(page, "erp/dialogs")
    for attempt in range(30):
        order = enter_order(page, "Pinecrest", "C1001", f"UI-{attempt}", [(ITEMS[0].sku, "1", None)])
        order["save"].click()
        saved = order["status_bar"].filter(has_text=re.compile(r"Sales order \d{8} saved"))
        expect(dialogs["busy"].or_(saved)).to_be_visible()  # wait for the answer, whichever it is
        if dialogs["busy"].is_visible():
            break
    else:
        pytest.fail("no busy dialog in 30 saves at a fault rate of 0.3")
    expect(dialogs["busy"]).to_contain_text("System busy, try again")
    page.screenshot(path=f"{SCREENSHOTS}-busy.png")
    assert count(sandbox, "SELECT count(*) FROM sales_orders WHERE customer_po = ?", (f"UI-{attempt}",)) == 0
    dialogs["busy_ok"].click()
    expect(page).to_have_url(re.compile(r"/va01$"))


def test_theme_two_runs_the_same_order_flow_with_the_same_selectors(start_sandbox, page):
    sandbox = start_sandbox(theme=2)
    log_in(page, sandbox.erp_url)
    open_transaction(page, "VA01")
    assert page.locator("#customer").count() == 0  # ids differ in this theme
    order = enter_order(page, "Harbor", _customer_named(sandbox, "Harbor"), "PO-THEME2",
                        [(ITEMS[5].sku, "7", None), (ITEMS[6].sku, "1", "3.00")])
    expect(order.get("line_price", n=1)).to_have_value(str(ITEMS[5].price))
    page.screenshot(path=f"{SCREENSHOTS}-theme2-sales-order.png")
    order["save"].click()
    number = saved_order_number(order)
    open_transaction(page, "VA05")
    orders = Screen(page, "erp/order_list")
    orders["customer_po"].fill("PO-THEME2")
    orders["search"].click()
    expect(page).to_have_url(re.compile(r"po=PO-THEME2"))
    expect(orders["results"].get_by_role("row")).to_have_count(2)
    expect(orders.get("order_link", order=str(number))).to_be_visible()


def _customer_named(sandbox, word):
    conn = sandbox.db()
    try:
        return conn.execute("SELECT customer_id FROM customers WHERE name LIKE ? ORDER BY customer_id",
                            (f"%{word}%",)).fetchone()[0]
    finally:
        conn.close()
