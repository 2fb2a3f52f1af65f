import re
from playwright.sync_api import Playwright, sync_playwright, expect


def run(playwright: Playwright) -> None:
    browser = playwright.chromium.launch(channel="chrome", headless=False)
    context = browser.new_context()
    page = context.new_page()
    page.goto("http://127.0.0.1:18701/login?next=/")
    page.get_by_role("textbox", name="User").click()
    page.get_by_role("textbox", name="User").fill("supplier")
    page.get_by_role("textbox", name="Password").click()
    page.get_by_role("textbox", name="Password").fill("supplier123")
    page.get_by_role("button", name="Log on").click()
    page.get_by_label("State").select_option("new")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="4500062619").click()

    # ---------------------
    context.close()
    browser.close()


with sync_playwright() as playwright:
    run(playwright)
