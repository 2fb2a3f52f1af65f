"""Keywords for the browser: open it, go to a page, switch tabs, frames and dialogs, take screenshots."""

import re
import time

from robots.O2C.base import KeywordFailure, LibraryComponent, flag, keyword

# Counts the page's fetch and XMLHttpRequest calls in flight, so "Wait Until Screen Is Ready"
# knows when the screen has its answer (``ready: {requests: network}`` in a selectors file).
REQUEST_COUNTER = """
(() => {
  if (window.__o2c) return;
  window.__o2c = {requests: 0, started: 0};  // in flight now; ever started (to tell a new answer came)
  const done = () => { window.__o2c.requests = Math.max(0, window.__o2c.requests - 1); };
  if (window.fetch) {
    const fetch = window.fetch;
    window.fetch = function () {
      window.__o2c.requests++; window.__o2c.started++; return fetch.apply(this, arguments).finally(done);
    };
  }
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function () {
    window.__o2c.requests++; window.__o2c.started++;
    this.addEventListener("loadend", done, {once: true});
    return send.apply(this, arguments);
  };
})();
"""


class BrowserKeywords(LibraryComponent):
    """Start Chromium, move between pages, tabs, frames and dialogs, keep screenshots."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self._playwright = None
        self._browser = None
        self._context = None

    @keyword("Open Browser To")
    def open_browser_to(self, url: str, headless: bool = True, width: int = 1280, height: int = 900) -> None:
        """Starts Chromium and opens ``url``; later relative addresses (``/start``) are taken from it.

        Opening again while a browser is open only goes to ``url`` (one browser per run:
        log in once, key many items).

        | Open Browser To | http://127.0.0.1:8700/start |
        | Open Browser To | ${ERP_URL} | headless=False |
        """
        from playwright.sync_api import sync_playwright

        from bots.runtime.browser import launch_chromium

        if self._browser is None:
            self._playwright = sync_playwright().start()
            self._browser = launch_chromium(self._playwright, headless=flag(headless))
            self._context = self._browser.new_context(viewport={"width": int(width), "height": int(height)},
                                                      accept_downloads=True)
            self._context.add_init_script(REQUEST_COUNTER)
            self._context.set_default_timeout(self.ctx.timeout * 1000)
            self._set_page(self._context.new_page())
        match = re.match(r"[a-z]+://[^/]+", url)
        self.ctx.base_url = match.group(0) if match else self.ctx.base_url
        self.go_to(url)

    @keyword("Close Browser")
    def close_browser(self) -> None:
        """Closes the browser the library opened (nothing to do when none is open).

        | Suite Teardown | Close Browser |
        """
        if self._browser is not None:
            try:
                self._browser.close()
            finally:
                self._playwright.stop()
        self._browser = self._playwright = self._context = None
        self.ctx.page = self.ctx.scope = self.ctx.screen = None

    @keyword("Go To")
    def go_to(self, url: str) -> None:
        """Opens ``url`` in the current tab; an address starting with ``/`` is on the site opened first.

        | Go To | /va05 |
        """
        page = self.ctx._need_page()
        target = self.ctx.base_url + url if url.startswith("/") else url
        page.goto(target)
        self.ctx.scope = page
        self.info(f"Opened {target}")

    @keyword("Take Screenshot")
    def take_screenshot(self, name: str = "screenshot") -> str:
        """Saves a screenshot (and the page's HTML beside it), shows it in the log and returns its path.

        | ${png}= | Take Screenshot | order-saved |
        """
        saved = self.ctx.save_evidence(name)
        if not saved:
            raise KeywordFailure("No screenshot: no browser is open.")
        return saved["screenshot"]

    @keyword("Switch To Tab")
    def switch_to_tab(self, which: str = "last", timeout: str = "") -> None:
        """Makes another tab (or pop-up window) the current one.

        ``which`` is ``last`` (the newest other than the current one; waits for it to open), ``first``, a number from 0,
        or a text the tab's title or address contains.

        | Click | search_customer |
        | Switch To Tab | last |
        | Switch To Tab | Customer search |
        | Switch To Tab | first |
        """
        from bots.runtime.screens import seconds

        page = self.ctx._need_page()
        context = page.context
        deadline = time.monotonic() + (seconds(timeout) if timeout else self.ctx.timeout)
        while True:
            pages = context.pages
            found = self._pick(pages, str(which))
            if found is not None and (str(which) not in ("last", "new") or found is not page):
                break
            if time.monotonic() > deadline:
                titles = ", ".join(repr(p.title()) for p in pages)
                raise KeywordFailure(f"No tab {which!r} opened (the tabs: {titles}).")
            page.wait_for_timeout(100)
        found.wait_for_load_state()
        found.bring_to_front()
        self._set_page(found)
        self.info(f"Switched to the tab {found.title()!r}")

    @keyword("Close Tab")
    def close_tab(self) -> None:
        """Closes the current tab (a pop-up that did not close itself) and goes back to the first one.

        | Close Tab |
        """
        page = self.ctx._need_page()
        pages = page.context.pages
        if len(pages) > 1 and not page.is_closed():
            page.close()
        remaining = [p for p in page.context.pages if not p.is_closed()]
        self._set_page(remaining[0] if remaining else None)

    @keyword("Switch To Frame")
    def switch_to_frame(self, element: str, **values) -> None:
        """Looks for elements inside the iframe ``element`` from now on (until `Switch Back To Page`).

        | Switch To Frame | editor |
        """
        frame = self.ctx.find(element, values)
        self.ctx.scope = frame.content_frame
        self.info(f"Inside the frame {element}")

    @keyword("Switch To Dialog")
    def switch_to_dialog(self, element: str = "") -> None:
        """Looks for elements inside a dialog from now on: ``element``, or the last open ``role=dialog``.

        Use it for modal editors (a line editor that opens over the form); `Switch Back To Page`
        after it closes.

        | Switch To Dialog |
        | Switch To Dialog | line_editor |
        """
        page = self.ctx._need_page()
        if element:
            dialog = self.ctx.find(element)
        else:
            dialog = page.get_by_role("dialog").filter(visible=True).last
            try:
                dialog.wait_for(state="visible", timeout=self.ctx.timeout * 1000)
            except Exception:
                raise KeywordFailure(f"No dialog opened within {self.ctx.timeout:g} seconds.") from None
        self.ctx.scope = dialog
        self.info("Inside the dialog")

    @keyword("Switch Back To Page")
    def switch_back_to_page(self) -> None:
        """Looks for elements in the whole page of the current tab again (after a frame or a dialog).

        | Switch Back To Page |
        """
        self.ctx.scope = self.ctx._need_page()

    # -- private ---

    def _set_page(self, page) -> None:
        self.ctx.page = page
        self.ctx.scope = page

    @staticmethod
    def _pick(pages, which: str):
        if not pages:
            return None
        if which in ("last", "new"):
            return pages[-1]
        if which == "first":
            return pages[0]
        if which.isdigit():
            return pages[int(which)] if int(which) < len(pages) else None
        for page in pages:
            if which.lower() in page.title().lower() or which in page.url:
                return page
        return None
