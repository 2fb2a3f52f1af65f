"""The selector maps of selectors/tryton/ on Tryton's real web client, driven from Python.

One sale order keyed the way the robot task keys it, through bots/runtime/screens.py only: if an
upgrade of sao moves a field, this test names the element that broke.
"""

from decimal import Decimal

import pytest

from bots.runtime.screens import Screen
from tests.tryton_erp import ADMIN_LOGIN, ADMIN_PASSWORD

IDLE = "() => window.jQuery && jQuery.active === 0"


def settle(page) -> None:
    """Wait until sao has no request in flight, twice 300 ms apart (it chains its requests)."""
    for _ in range(2):
        page.wait_for_function(IDLE, polling=50)
        page.wait_for_timeout(300)
    page.wait_for_function(IDLE, polling=50)


def log_in(page, url: str) -> None:
    page.goto(url)
    login = Screen(page, "tryton/login")
    login["user_name"].fill(ADMIN_LOGIN)
    login["log_in"].click()
    login["password"].fill(ADMIN_PASSWORD)
    login["ok"].click()
    login["action_search"].wait_for()
    settle(page)


def open_sales(page) -> None:
    menu = Screen(page, "tryton/menu")
    menu["sales_folder"].click()
    settle(page)
    menu["sales_list"].click()
    settle(page)


def choose(screen: Screen, element: str, text: str, suggestion: str) -> None:
    """Type into a many2one field and pick the suggestion shown as ``suggestion``."""
    field = screen[element]
    field.click()
    field.press_sequentially(text, delay=20)
    screen.get(screen.entry(element)["completion"]).filter(has_text=suggestion).click()
    settle(screen.page if hasattr(screen.page, "wait_for_function") else screen.page.page)


def fill_number(line: Screen, element: str, value: str, page) -> None:
    line[f"{element}_shown"].click()
    line[element].fill(value)
    line[element].press("Tab")
    settle(page)


def key_sale(page, customer: str, reference: str, lines: list[tuple[str, str, str, str]]) -> None:
    """New sale: customer, reference, the lines (code, name, quantity, unit price), Save."""
    sales = Screen(page, "tryton/sale_list")
    sales["new_sale"].click()
    settle(page)
    sale = Screen(page, "tryton/sale")
    sale["party"].click()
    sale["party"].press_sequentially(customer, delay=20)
    sale["party_suggestions"].filter(has_text=customer).click()
    settle(page)
    sale["reference"].fill(reference)
    sale["reference"].press("Tab")
    settle(page)
    sale["other_info_page"].click()  # sao resets the invoice method if this page was never shown
    settle(page)
    sale["sale_page"].click()
    sale["new_line"].click()
    settle(page)
    line = Screen(page, "tryton/sale_line")
    for index, (code, name, quantity, price) in enumerate(lines):
        line["product"].click()
        line["product"].press_sequentially(code, delay=20)
        line["product_suggestions"].filter(has_text=f"[{code}] {name}").click()
        settle(page)
        fill_number(line, "quantity", quantity, page)
        fill_number(line, "unit_price", price, page)
        line["add_and_new" if index < len(lines) - 1 else "add"].click()
        settle(page)
    sale["save"].click()
    settle(page)
    sale["message"].filter(has_text="Record saved.").wait_for()


@pytest.fixture
def tryton_page(browser, tryton):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, tryton.url)
    yield page
    context.close()


def test_a_sale_keyed_through_the_selector_maps_is_saved_as_keyed(tryton, tryton_page):
    page = tryton_page
    open_sales(page)
    key_sale(page, "Pinecrest Grocers", "SCREENS-1",
             [("NW-4410", "Stainless Bolt M8", "24", "18.75"), ("NW-2210", "Copper Fitting 15mm", "1.5", "4.20")])

    sale, = tryton.sales("SCREENS-1")
    assert sale["customer"] == "Pinecrest Grocers" and sale["state"] == "draft"
    # The unit "Unit" rounds 1.5 to 2: what was saved is not what was typed.
    assert [(line["product"], Decimal(str(line["quantity"])), line["unit_price"]) for line in sale["lines"]] == [
        ("NW-4410", Decimal("24"), Decimal("18.75")), ("NW-2210", Decimal("2"), Decimal("4.20"))]
    invoice_method, = tryton.query("SELECT invoice_method FROM sale_sale WHERE id = ?", sale["id"])
    assert invoice_method["invoice_method"] == "order"

    # The saved lines as the screen shows them, and the list finds the order by its reference.
    rows = [" ".join(row.split()) for row in Screen(page, "tryton/sale")["lines_table"].locator("tbody tr").all_inner_texts()]
    assert any("[NW-2210] Copper Fitting 15mm 2 u $ 4.2000" in row for row in rows), rows
