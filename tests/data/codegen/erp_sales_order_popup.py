import re
from playwright.sync_api import Playwright, sync_playwright, expect


def run(playwright: Playwright) -> None:
    browser = playwright.chromium.launch(channel="chrome", headless=False)
    context = browser.new_context()
    page = context.new_page()
    page.goto("http://127.0.0.1:18700/login?next=/start")
    page.get_by_role("textbox", name="User").click()
    page.get_by_role("textbox", name="User").fill("bot")
    page.get_by_role("textbox", name="Password").click()
    page.get_by_role("textbox", name="Password").fill("bot-pass-1")
    page.get_by_role("button", name="Log on").click()
    page.get_by_role("link", name="VA01 - Create sales order").click()
    with page.expect_popup() as page1_info:
        page.get_by_role("button", name="Search customer").click()
    page1 = page1_info.value
    page1.get_by_role("textbox", name="Search term").click()
    page1.get_by_role("textbox", name="Search term").fill("Magnolia")
    page1.get_by_role("button", name="Find").click()
    page1.get_by_role("button", name="Choose C1002 Magnolia").click()
    page1.close()
    page.get_by_role("textbox", name="Customer PO").click()
    page.get_by_role("textbox", name="Customer PO").fill("PO-REC-7781")
    page.get_by_role("combobox", name="Item, line").click()
    page.get_by_role("combobox", name="Item, line").fill("NW-1722")
    page.get_by_role("cell", name="Nitrile work gloves, box of").click()
    page.get_by_role("textbox", name="Quantity, line").click()
    page.get_by_role("textbox", name="Quantity, line").fill("12")
    page.get_by_role("button", name="Save").click()

    # ---------------------
    context.close()
    browser.close()


with sync_playwright() as playwright:
    run(playwright)
