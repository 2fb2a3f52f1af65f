import re
from playwright.sync_api import Playwright, sync_playwright, expect


def run(playwright: Playwright) -> None:
    browser = playwright.chromium.launch(channel="chrome-beta", headless=False)
    context = browser.new_context(viewport={"width":1280,"height":860})
    page = context.new_page()
    page.goto("http://127.0.0.1:35919/")
    page.get_by_role("textbox", name="User name").click()
    page.get_by_role("textbox", name="User name").fill("admin")
    page.get_by_role("button", name="Login").click()
    page.get_by_role("textbox", name="Password for admin").click()
    page.get_by_role("textbox", name="Password for admin").fill("tryton-admin-8")
    page.get_by_role("button", name="OK").click()
    page.close()

    # ---------------------
    context.close()
    browser.close()


with sync_playwright() as playwright:
    run(playwright)
