"""What every keyword of the O2C library shares: the browser, the screen in use, messages, failure evidence.

``LibraryBase`` is the library class's parent. It collects the keywords of its topic
components (``BrowserKeywords``, ``FormKeywords``, ``WorkItemKeywords``...) through Robot
Framework's hybrid library API and wraps each one so that a failure takes one screenshot
and one HTML copy of the page, logs them, and reports the failure as a plain sentence (no
Python exception name). Components derive from ``LibraryComponent`` and reach the shared
state through ``self.ctx``.
"""

import functools
import inspect
import os
from datetime import datetime, timezone
from pathlib import Path

from bots.runtime.errors import O2CError


# How a page tells it has no request in flight (``ready: {requests: ...}`` in a selectors file).
IDLE = {
    "network": "!window.__o2c || window.__o2c.requests === 0",
    "jquery": "!window.jQuery || window.jQuery.active === 0",
}
# True once the signal has been idle for ``quiet`` ms without a break (clients that chain requests).
_IDLE_FOR = """quiet => {
  const now = performance.now();
  if (!(%s)) { window.__o2cIdleSince = null; return false; }
  if (window.__o2cIdleSince == null) window.__o2cIdleSince = now;
  return now - window.__o2cIdleSince >= quiet;
}"""


class KeywordFailure(AssertionError):
    """A keyword could not do its step; the message says why in plain words."""

    ROBOT_SUPPRESS_NAME = True
    business = False  # True: the data is wrong (the item goes to a person), not the system


class BusinessFailure(KeywordFailure):
    """The data cannot be keyed (an unknown product, no such customer): a person must decide."""

    business = True


class ElementNotFound(KeywordFailure):
    """An element of the screen is not there (or is there more than once)."""


class ScreenMismatch(KeywordFailure):
    """The browser does not show the screen the task expected."""


def keyword(name: str):
    """Give a keyword method its name in .robot files (when the automatic one would be wrong)."""

    def mark(method):
        method.robot_name = name
        return method

    return mark


class LibraryComponent:
    """One topic of keywords; ``ctx`` is the library that holds the shared state."""

    def __init__(self, ctx: "LibraryBase"):
        self.ctx = ctx

    def info(self, message: str) -> None:
        """Write ``message`` to the Robot log at INFO level."""
        from robot.api import logger

        logger.info(message)


class LibraryBase:
    """The hybrid-API plumbing: keyword names from the components, failure evidence in one place.

    Shared state the components use: ``page`` (the Playwright page of the current tab),
    ``scope`` (the page, a frame or a dialog the keywords search in), ``screen`` (the
    ``bots.runtime.screens.Screen`` in use), ``timeout`` (seconds), ``evidence_dir``.
    """

    def __init__(self, components: list[LibraryComponent], screenshot_dir: str | Path | None = None):
        self.screenshot_dir = Path(screenshot_dir) if screenshot_dir else None
        self.page = None  # the Playwright page of the current tab, once a browser is open
        self.scope = None  # where elements are looked for: the page, a frame or a dialog
        self.screen = None  # the bots.runtime.screens.Screen in use (Use Screen)
        self.base_url = ""
        self.timeout = 10.0
        self.selectors_dir = None  # None: the project's selectors/ folder
        self.last_screenshot: str | None = None
        self.last_failure: BaseException | None = None
        self.__dict__.setdefault("actions", None)  # set by the work-item keywords: where screen actions go
        self._keywords = {}
        for component in components:
            for _, method in inspect.getmembers(component, inspect.ismethod):
                if hasattr(method, "robot_name"):  # only what @keyword marks; helpers stay Python
                    self._keywords[method.robot_name] = method

    def get_keyword_names(self) -> list[str]:
        """The names Robot Framework offers as keywords."""
        return sorted(self._keywords)

    def call(self, keyword_name: str, *args, **kwargs):
        """Run a keyword from Python (``library.call("Open Browser To", url)``), failure evidence and all."""
        return getattr(self, keyword_name)(*args, **kwargs)

    def __getattr__(self, name: str):
        keywords = self.__dict__.get("_keywords") or {}
        if name not in keywords:
            raise AttributeError(name)
        return self._run_with_evidence(keywords[name])

    def _run_with_evidence(self, method):
        @functools.wraps(method)
        def run(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except Exception as error:
                self.last_failure = error
                if not getattr(error, "evidence_taken", False):
                    self.take_failure_screenshot(method.__name__)
                if isinstance(error, KeywordFailure):
                    raise
                if isinstance(error, O2CError):
                    raise KeywordFailure(getattr(error, "message", str(error))) from error
                if type(error).__module__.startswith("playwright"):
                    raise KeywordFailure(_playwright_message(error)) from error
                raise

        return run

    # -- finding elements ---

    def use(self, name: str):
        """Load the selectors file ``name`` as a Screen over the current scope."""
        from bots.runtime.screens import Screen

        return Screen(self.scope if self.scope is not None else self._need_page(), name, self.selectors_dir)

    def element(self, element: str, values: dict | None = None):
        """``(screen, name, locator)`` for ``element`` of the screen in use, or ``other/screen:element``."""
        if ":" in element:
            screen_name, element = element.rsplit(":", 1)
            screen = self.use(screen_name)
        else:
            if self.screen is None:
                raise KeywordFailure(f"No screen is in use: call Use Screen first (to find {element!r}).")
            screen = self.screen
            screen.page = self.scope if self.scope is not None else self._need_page()
        try:
            return screen, element, screen.get(element, **(values or {}))
        except ValueError as error:  # SelectorError: a name or a parameter is wrong
            raise KeywordFailure(str(error)) from None

    def find(self, element: str, values: dict | None = None, state: str = "visible", reading: bool = False):
        """The Locator of ``element`` once it is there (``state`` or the element's own ``wait``), exactly once.

        ``reading``: the caller only reads it, so an element's ``wait: enabled`` (meant for typing
        into it) counts as visible: a saved record's read-only fields can still be read.
        """
        from playwright.sync_api import Error as PlaywrightError

        screen, name, locator = self.element(element, values)
        reveal = screen.entry(name).get("reveal")
        if reveal and not (locator.count() and locator.first.is_visible()):
            self.find(reveal, values).click()  # e.g. a number field's display, swapped for the input on focus
        wait, timeout = screen.wait_of(name)
        timeout = timeout if timeout is not None else self.timeout
        wait = wait or state
        if reading and wait in ("enabled", "editable"):
            wait = "visible"
        try:
            if wait in ("enabled", "editable"):
                locator.first.wait_for(state="visible", timeout=timeout * 1000)
                self._need_page().wait_for_function(
                    "e => !e.disabled && !e.readOnly", arg=locator.first.element_handle(), timeout=timeout * 1000)
            else:
                locator.first.wait_for(state=wait, timeout=timeout * 1000)
        except PlaywrightError:
            raise ElementNotFound(f"{screen.name}.{name} ({screen.describe(name)}) is not {wait} on the screen "
                                  f"after {timeout:g} seconds; check selectors/{screen.name}.yaml "
                                  f"(`o2c selectors check` shows what the page has)") from None
        count = locator.count()
        if count > 1 and wait != "hidden":
            raise ElementNotFound(f"{screen.name}.{name} ({screen.describe(name)}) is on the screen {count} times; "
                                  f"narrow it in selectors/{screen.name}.yaml with exact, within or nth")
        return locator

    def wait_for_requests(self, signal: str, limit: float | None = None, quiet: float = 0.0) -> None:
        """Wait until no request is in flight by ``signal`` (network, jquery; none waits for nothing),
        and none has started for ``quiet`` seconds."""
        if signal in IDLE:
            limit = self.timeout if limit is None else limit
            page = self._need_page()
            try:
                page.evaluate("() => { window.__o2cIdleSince = null; }")
                page.wait_for_function(_IDLE_FOR % IDLE[signal], arg=quiet * 1000, timeout=limit * 1000, polling=50)
            except Exception:
                raise KeywordFailure(f"The screen still had a request in flight after {limit:g} seconds.") from None

    def settle(self) -> None:
        """After an action: wait for the requests it started, when the screen's file asks for it."""
        if self.screen is not None and self.page is not None and not self.page.is_closed():
            ready = self.screen.file.ready
            self.wait_for_requests(ready.requests, quiet=ready.quiet)

    def back_to_first_tab(self) -> None:
        """Close every tab but the first and search the whole first page again (after a failed item)."""
        if self.page is None:
            return
        pages = [p for p in self.page.context.pages if not p.is_closed()]
        for extra in pages[1:]:
            extra.close()
        self.page = self.scope = pages[0] if pages else None

    def _need_page(self):
        if self.page is None:
            raise KeywordFailure("No browser is open: use Open Browser To first.")
        return self.page

    def record_action(self, action: str, element: str, value=None) -> None:
        """Note a screen action (fill, click...) for the audit log of the work item in hand."""
        if self.actions is not None:
            screen = self.screen.name if self.screen is not None else "page"
            self.actions(action, f"{screen}.{element}", value)

    def take_failure_screenshot(self, name: str) -> dict:
        """Save and log what the page shows now (PNG and HTML); {} when no page is open or the browser is gone."""
        return self.save_evidence(f"failure-{name}")

    def save_evidence(self, stem: str) -> dict:
        """Save a screenshot and the page's HTML as ``<stem>-<time>.png/.html``; return their paths."""
        from robot.api import logger

        if self.page is None:
            return {}
        folder = self.evidence_folder()
        folder.mkdir(parents=True, exist_ok=True)
        base = folder / f"{stem}-{datetime.now(timezone.utc).strftime('%H%M%S%f')}"
        try:
            self.page.screenshot(path=str(base.with_suffix(".png")), full_page=True)
            base.with_suffix(".html").write_text(self.page.content(), encoding="utf-8")
        except Exception as error:  # the browser may be what failed; the keyword's error still counts
            logger.warn(f"No screenshot: {_playwright_message(error)}")
            return {}
        self.last_screenshot = str(base.with_suffix(".png").resolve())
        logger.info(f'<img src="{base.with_suffix(".png").name}" width="800">', html=True)
        return {"screenshot": self.last_screenshot, "html": str(base.with_suffix(".html").resolve())}

    def evidence_folder(self) -> Path:
        """Where screenshots go: the import's screenshot_dir, else Robot's output folder, else here."""
        if self.screenshot_dir:
            return self.screenshot_dir
        try:
            from robot.libraries.BuiltIn import BuiltIn

            return Path(BuiltIn().get_variable_value("${OUTPUT DIR}") or os.getcwd())
        except Exception:  # not inside a Robot run (unit use)
            return Path.cwd()


def _playwright_message(error: BaseException) -> str:
    """Playwright's first line, without its call log: what a business user can act on."""
    text = str(getattr(error, "message", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def flag(value) -> bool:
    """Robot passes True/False or texts such as 'no', 'false', 'off'."""
    return value if isinstance(value, bool) else str(value).strip().lower() not in ("false", "no", "0", "off", "", "none")
