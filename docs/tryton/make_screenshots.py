"""Take the screenshots of the README's Tryton walkthrough (docs/tryton/*.png) again.

    .venv/bin/python docs/tryton/make_screenshots.py

Starts the test Tryton (tests/tryton_erp.py) and clicks through the sale order screen with
the selector maps of selectors/tryton/, photographing each step a user meets when adding
the screen: the login, the sales list and its search, the customer's completion list, the
line editor, the saved sale, and what the exception queue gets for an unknown product.
"""

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from bots.runtime.browser import launch_chromium  # noqa: E402
from bots.runtime.screens import Screen  # noqa: E402
from tests.test_tryton_screens import fill_number, log_in, open_sales, settle  # noqa: E402
from tests.tryton_erp import TrytonServer, install  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        server = TrytonServer(install(), Path(folder)).start()
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(20_000)
            page.goto(server.url)
            Screen(page, "tryton/login")["user_name"].wait_for()
            settle(page)
            shot(page, "1-login")
            log_in(page, server.url)
            open_sales(page)
            shot(page, "2-sales-list")

            Screen(page, "tryton/sale_list")["new_sale"].click()
            settle(page)
            sale = Screen(page, "tryton/sale")
            sale["party"].click()
            sale["party"].press_sequentially("Pine", delay=30)
            sale["party_suggestions"].first.wait_for()
            settle(page)
            shot(page, "3-customer-completion")
            sale["party_suggestions"].filter(has_text="Pinecrest Grocers").click()
            settle(page)
            sale["reference"].fill("4500012345")
            sale["reference"].press("Tab")
            settle(page)
            sale["other_info_page"].click()
            settle(page)
            sale["sale_page"].click()
            sale["new_line"].click()
            settle(page)
            line = Screen(page, "tryton/sale_line")
            line["product"].click()
            line["product"].press_sequentially("NW-44", delay=30)
            line["product_suggestions"].first.wait_for()
            settle(page)
            shot(page, "4-line-editor-product")
            line["product_suggestions"].filter(has_text="[NW-4410]").click()
            settle(page)
            fill_number(line, "quantity", "24", page)
            fill_number(line, "unit_price", "18.75", page)
            line["add_and_new"].click()
            settle(page)
            line["product"].click()
            line["product"].press_sequentially("ZZ-0000", delay=30)
            settle(page)
            page.wait_for_timeout(800)
            shot(page, "6-unknown-product")
            line["delete"].click()
            settle(page)
            sale["save"].click()
            settle(page)
            sale["saved_message"].wait_for()
            shot(page, "5-sale-saved")
        finally:
            browser.close()
            server.stop()


def shot(page, name: str) -> None:
    page.screenshot(path=str(HERE / f"{name}.png"))
    print(f"docs/tryton/{name}.png")


if __name__ == "__main__":
    main()
