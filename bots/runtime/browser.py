"""Starting Chromium for the bots and the tests.

Playwright's own Chromium build when it is installed; otherwise the system's
Chromium (Debian's ``chromium`` package), for machines that cannot download
Playwright's browser builds. Set ``O2C_CHROMIUM`` to force a particular binary.
"""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

SYSTEM_CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

# Without these, Chromium as root refuses to start (sandbox) and, on a closed network,
# keeps trying to reach Google's update and sync services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable(playwright) -> str | None:
    """Return the Chromium binary to launch, or None to let Playwright use its own build."""
    forced = os.environ.get("O2C_CHROMIUM")
    if forced:
        return forced
    own = Path(playwright.chromium.executable_path)
    if own.exists():
        return None
    for candidate in SYSTEM_CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    raise RuntimeError(
        "No Chromium found: run `playwright install chromium` or `apt-get install chromium`, "
        "or set O2C_CHROMIUM to a Chromium binary."
    )


def launch_chromium(playwright, headless: bool = True):
    """Launch Chromium with ``playwright`` (a started sync Playwright) and return the Browser."""
    return playwright.chromium.launch(
        executable_path=chromium_executable(playwright),
        headless=headless,
        args=CHROMIUM_ARGS,
    )


@contextmanager
def open_browser(headless: bool = True):
    """Start Playwright and Chromium; yield the Browser and close both on exit.

    >>> with open_browser() as browser:
    ...     page = browser.new_page()
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, headless=headless)
        try:
            yield browser
        finally:
            browser.close()
