# Written by hand in codegen's exact shape for an autocomplete screen with no ARIA roles
# (suggestions are plain <li>) and one with role=option suggestions, a second tab opened by
# "New window" and closed again, and two values typed into the same field.
import re
from playwright.sync_api import Playwright, sync_playwright, expect


def run(playwright: Playwright) -> None:
    browser = playwright.chromium.launch(channel="chrome", headless=False)
    context = browser.new_context()
    page = context.new_page()
    page.goto("http://127.0.0.1:8000/orders/new")
    page.get_by_placeholder("Customer name").click()
    page.get_by_placeholder("Customer name").fill("Pinec")
    page.locator("ul.suggestions li").filter(has_text="Pinecrest Grocers LLC").click()
    page.get_by_label("Product").click()
    page.get_by_label("Product").fill("NW-44")
    page.get_by_role("option", name="NW-4410 Northwind bolts").click()
    page.get_by_label("Quantity").fill("24")
    page.get_by_role("button", name="Add line").click()
    page.get_by_label("Product").fill("NW-17")
    page.get_by_role("option", name="NW-1722 Nitrile work gloves").click()
    page.get_by_label("Quantity").fill("24")
    with page.expect_popup() as page1_info:
        page.get_by_role("link", name="Price list").click()
    page1 = page1_info.value
    page1.get_by_role("heading", name="Price list").click()
    page1.close()
    page.get_by_role("button", name="Save").click()
    page.goto("http://127.0.0.1:8000/orders?state=draft")
    page.get_by_role("link", name="Back").click()

    # ---------------------
    context.close()
    browser.close()


with sync_playwright() as playwright:
    run(playwright)
