"""The customer portal in real headless Chromium, driven through selectors/portal/ as the bots drive it."""

import csv
import io
import sqlite3

import pdfplumber
import pytest
from playwright.sync_api import expect

from bots.runtime.screens import Screen
from sandbox.common import BUSY_MESSAGE

pytestmark = pytest.mark.browser


def log_in(page, url):
    page.goto(f"{url}/orders")
    login = Screen(page, "portal/login")
    login["user"].fill("supplier")
    login["password"].fill("supplier123")
    login["log_on"].click()
    expect(Screen(page, "portal/inbox")["heading"]).to_be_visible()


def state_of(server, po_number):
    with sqlite3.connect(server.app.config["SANDBOX_DB"]) as conn:
        return conn.execute("SELECT state FROM purchase_orders WHERE po_number = ?", (po_number,)).fetchone()[0]


def acknowledge_first_new_order(page, server, shot_prefix):
    inbox = Screen(page, "portal/inbox")
    inbox["state_filter"].select_option("new")
    inbox["filter"].click()
    po_number = inbox["order_rows"].nth(1).get_by_role("link").inner_text()
    inbox.get("order_link", po_number=po_number).click()
    order = Screen(page, "portal/order")
    expect(order["po_number"]).to_have_text(po_number)
    expect(order["state"]).to_have_text("New")
    page.screenshot(path=f"/tmp/{shot_prefix}-order.png", full_page=True)
    order["acknowledge"].click()
    expect(order["status"]).to_have_text(f"Purchase order {po_number} acknowledged.")
    expect(order["state"]).to_have_text("Acknowledged")
    expect(order["acknowledge"]).to_have_count(0)
    assert state_of(server, po_number) == "acknowledged"
    return po_number


def test_log_in_page_through_download_and_acknowledge(page, start_sandbox_app):
    server = start_sandbox_app("portal")
    page.goto(server.url)
    page.screenshot(path="/tmp/portal-login.png")
    log_in(page, server.url)
    inbox = Screen(page, "portal/inbox")
    page.screenshot(path="/tmp/portal-inbox.png", full_page=True)

    with sqlite3.connect(server.app.config["SANDBOX_DB"]) as conn:
        expected = [r[0] for r in conn.execute("SELECT po_number FROM purchase_orders ORDER BY position")]
    seen = []
    while True:
        links = inbox["order_rows"].get_by_role("link")
        seen += links.all_inner_texts()
        if inbox["next_page"].count() == 0:
            break
        inbox["next_page"].click()
    assert seen == expected and len(expected) > 40
    inbox.get("page_link", n=1).click()
    expect(inbox["summary"]).to_contain_text("page 1 of 3")

    inbox["state_filter"].select_option("new")
    inbox["filter"].click()
    po_number = inbox["order_rows"].nth(1).get_by_role("link").inner_text()
    inbox.get("order_link", po_number=po_number).click()
    order = Screen(page, "portal/order")
    expect(order["po_number"]).to_have_text(po_number)

    with page.expect_download() as csv_download:
        order["download_csv"].click()
    rows = list(csv.DictReader(io.StringIO(open(csv_download.value.path(), encoding="utf-8").read())))
    assert csv_download.value.suggested_filename == f"PO_{po_number}.csv"
    assert rows and all(row["po_number"] == po_number for row in rows)
    assert order["line_rows"].count() == len(rows) + 2          # header and total rows
    with page.expect_download() as pdf_download:
        order["download_pdf"].click()
    with pdfplumber.open(pdf_download.value.path()) as pdf:
        text = pdf.pages[0].extract_text()
    assert po_number in text and all(row["supplier_item"] in text for row in rows)

    order["back"].click()
    acknowledged = acknowledge_first_new_order(page, server, "portal")
    page.screenshot(path="/tmp/portal-acknowledged.png", full_page=True)
    assert acknowledged


def test_theme_two_supports_the_same_flow(page, start_sandbox_app):
    server = start_sandbox_app("portal", theme=2)
    log_in(page, server.url)
    assert page.locator("#state").count() == 0          # ids changed, labels did not
    page.screenshot(path="/tmp/portal-theme2-inbox.png", full_page=True)
    acknowledge_first_new_order(page, server, "portal-theme2")


def test_busy_dialog_leaves_the_order_new(page, start_sandbox_app):
    server = start_sandbox_app("portal", fault_rate=1.0)
    log_in(page, server.url)
    inbox = Screen(page, "portal/inbox")
    inbox["state_filter"].select_option("new")
    inbox["filter"].click()
    po_number = inbox["order_rows"].nth(1).get_by_role("link").inner_text()
    inbox.get("order_link", po_number=po_number).click()
    order = Screen(page, "portal/order")
    order["acknowledge"].click()
    expect(order["busy_dialog"]).to_contain_text(BUSY_MESSAGE)
    page.screenshot(path="/tmp/portal-busy.png")
    order["busy_ok"].click()
    expect(order["state"]).to_have_text("New")
    assert state_of(server, po_number) == "new"
