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
    page.get_by_text("Sales").click()
    page.get_by_text("Sales").nth(1).click()
    page.get_by_role("button", name="New").click()
    page.get_by_role("textbox", name="Party:", exact=True).click()
    page.get_by_role("textbox", name="Party:", exact=True).fill("Pinecrest Grocers")
    page.get_by_role("link", name="Pinecrest Grocers").click()
    page.get_by_role("textbox", name="Reference:").click()
    page.get_by_role("textbox", name="Reference:").fill("4500099999")
    page.get_by_role("textbox", name="Reference:").press("Tab")
    page.get_by_role("tab", name="Other Info").click()
    page.get_by_role("tab", name="Sale", exact=True).click()
    page.get_by_label("New").click()
    page.get_by_role("textbox", name="Product:").click()
    page.get_by_role("textbox", name="Product:").fill("ZZ-0000")
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    page.close()

    # ---------------------
    context.close()
    browser.close()


with sync_playwright() as playwright:
    run(playwright)
