# Written by hand in the exact shape codegen writes (Playwright 1.65, Python target), for screens
# no one recorded: an iframe (content_frame and frame_locator), a checkbox per row, nth/first,
# a row filtered by text, a test id, an exact text, keyboard keys and codegen's assertions.
import re
from playwright.sync_api import Playwright, sync_playwright, expect


def run(playwright: Playwright) -> None:
    browser = playwright.chromium.launch(channel="chrome", headless=False)
    context = browser.new_context()
    page = context.new_page()
    page.goto("http://127.0.0.1:8700/f-28")
    page.get_by_role("textbox", name="Customer", exact=True).click()
    page.get_by_role("textbox", name="Customer", exact=True).fill("C1004")
    page.get_by_role("textbox", name="Payment reference").fill("ACH946420030")
    page.get_by_role("textbox", name="Payment reference").press("Tab")
    page.get_by_role("combobox", name="Currency").select_option("EUR")
    page.get_by_role("button", name="Show open items").click()
    page.get_by_role("row", name="INV-10102").get_by_role("checkbox").check()
    page.get_by_role("row", name="INV-10311").get_by_role("checkbox").check()
    page.get_by_role("row", name="INV-10311").get_by_role("checkbox").uncheck()
    page.locator("tr").filter(has_text="INV-10102").get_by_label("Discount").fill("12.50")
    page.get_by_test_id("reason-code").first.click()
    page.get_by_text("Short payment", exact=True).click()
    page.locator("#notes-frame").content_frame.get_by_role("textbox", name="Memo").fill("paid short  by 2 boxes")
    page.frame_locator("iframe[name=\"help\"]").get_by_role("link", name="Reason codes").click()
    page.locator("xpath=//table[@id='open-items']//tr").nth(2).click()
    page.keyboard.press("Control+S")
    page.get_by_role("button", name=re.compile("^Post$")).click()
    expect(page.get_by_role("status")).to_have_text("Payment document 50000012 posted")
    expect(page.get_by_label("Amount")).to_have_value("1,250.00")

    # ---------------------
    context.close()
    browser.close()


with sync_playwright() as playwright:
    run(playwright)
