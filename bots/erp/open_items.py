"""Download the customer open items from the ERP's FBL5N screen, as an AR clerk exports them.

The ERP has no API: the bot logs on in headless Chromium, opens transaction FBL5N from the
start screen and clicks "Export CSV". The file is contract 3's open-items CSV, which is what
``o2c match --open-items`` reads. Screens come from selectors/erp/ (login, start, open_items).
Used by the cash-application bot and the demo.
"""

from pathlib import Path

from bots.runtime.errors import ApplicationException


def download_open_items(erp_url: str, user: str, password: str, target: Path, *, browser=None,
                        timeout_seconds: float = 20) -> Path:
    """Log on to the ERP at ``erp_url``, export every open item to ``target`` and return it.

    :param browser: a Playwright Browser to use; default: start headless Chromium and close it after.
    :raises ApplicationException: the ERP refused the log-on or offered no download.
    """
    from bots.runtime.browser import open_browser

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if browser is None:
        with open_browser(headless=True) as started:
            return download_open_items(erp_url, user, password, target, browser=started,
                                       timeout_seconds=timeout_seconds)
    context = browser.new_context(accept_downloads=True)
    try:
        _export(context.new_page(), erp_url, user, password, target, timeout_seconds)
    finally:
        context.close()
    return target


def _export(page, erp_url: str, user: str, password: str, target: Path, timeout_seconds: float) -> None:
    from playwright.sync_api import Error as PlaywrightError

    from bots.runtime.screens import Screen

    try:
        page.set_default_timeout(timeout_seconds * 1000)
        page.goto(erp_url.rstrip("/") + "/login")
        login = Screen(page, "erp/login")
        login["user"].fill(user)
        login["password"].fill(password)
        with page.expect_navigation():
            login["log_on"].click()
        if login["log_on"].count() > 0:
            raise ApplicationException("erp_login", f"the ERP at {erp_url} refused the log-on as {user!r}")
        start = Screen(page, "erp/start")
        start["transaction_code"].fill("FBL5N")
        with page.expect_navigation():
            start["go"].click()
        open_items = Screen(page, "erp/open_items")
        open_items["items"].wait_for()
        with page.expect_download() as info:
            open_items["export_csv"].click()
        download = info.value
        if download.failure():
            raise ApplicationException("erp_download", f"the open-items export failed: {download.failure()}")
        download.save_as(target)
    except PlaywrightError as error:
        raise ApplicationException("erp_screen", f"the ERP's open-items screen did not work as expected: "
                                   f"{str(error).splitlines()[0]}") from error
