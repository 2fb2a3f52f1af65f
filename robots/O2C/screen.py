"""Keywords for screens: use a selectors file, check it is the screen shown, wait until it is ready, log in."""

import re
import time

from robots.O2C.base import KeywordFailure, LibraryComponent, ScreenMismatch, keyword

class ScreenKeywords(LibraryComponent):
    """The screen in use: its selectors file, its check, its readiness, and the log-in recipe."""

    @keyword("Use Screen")
    def use_screen(self, name: str, check: bool = True, timeout: str = "") -> None:
        """Uses ``selectors/NAME.yaml`` for the keywords that follow, after checking the browser shows it.

        The check is the file's ``screen:`` section: the address must match its ``url``
        pattern and its ``heading`` must be visible (waiting up to ``timeout``, default the
        library's, so a page still loading is fine). ``check=False`` skips it.

        | Use Screen | erp/sales_order |
        | Use Screen | tryton/sale | check=False |
        | Use Screen | erp/dialogs | timeout=2 seconds |
        """
        from bots.runtime.screens import seconds

        screen = self.ctx.use(name)
        self.ctx.screen = screen
        if check and check not in ("False", "false", "no"):
            self._check(screen, seconds(timeout) if timeout else self.ctx.timeout)
        self.info(f"Using the screen {screen.title!r} (selectors/{name}.yaml)")

    @keyword("Open Screen")
    def open_screen(self, name: str, **values) -> None:
        """Goes to the address in the file's ``screen: open:`` (parameters filled from ``values``), then `Use Screen`.

        | Open Screen | erp/order_list |
        """
        screen = self.ctx.use(name)
        path = screen.file.check.open
        if not path:
            raise KeywordFailure(f"selectors/{name}.yaml has no 'open:' address under 'screen:'; "
                                 f"add one (e.g. open: /va05) or use Go To first.")
        page = self.ctx._need_page()
        target = path.format(**values)
        page.goto(self.ctx.base_url + target if target.startswith("/") else target)
        self.ctx.scope = page
        self.use_screen(name)

    @keyword("Wait Until Screen Is Ready")
    def wait_until_screen_is_ready(self, timeout: str = "") -> None:
        """Waits until the screen in use is ready, as its file's ``ready:`` section says.

        ``requests: network`` waits until no fetch/XHR request is in flight; ``requests:
        jquery`` until ``jQuery.active`` is 0 (jQuery clients such as Tryton's); ``quiet: 300 ms``
        until that has held for 300 ms without a break (clients that chain requests); ``spinner``
        until that element is hidden; ``enabled`` and ``visible`` until those elements are.

        | Click | save |
        | Wait Until Screen Is Ready |
        """
        from bots.runtime.screens import seconds

        screen = self._screen()
        ready = screen.file.ready
        limit = seconds(timeout) if timeout else (ready.timeout or self.ctx.timeout)
        self.ctx.wait_for_requests(ready.requests, limit, ready.quiet)
        for element in ready.spinner:
            self.ctx.find(element, state="hidden")
        for element in ready.visible:
            self.ctx.find(element)
        for element in ready.enabled:
            self.ctx.find(element, state="enabled")

    @keyword("Log In")
    def log_in(self, recipe: str, **fields) -> None:
        """Logs in with the ``login:`` recipe of ``selectors/RECIPE.yaml``, giving it ``fields``.

        The recipe names the fields (user, password, database...), the steps (fill, click,
        press, choose, wait) and what the screen shows once logged in (a URL pattern, an
        element or a heading). When success does not show, the recipe's ``failure``
        element's text is the error. Nothing is logged in when the success is already
        showing (a session still open).

        | Log In | erp/login | user=${ERP_USER} | password=${ERP_PASSWORD} |
        """
        from bots.runtime.screens import seconds

        screen = self.ctx.use(recipe)
        recipe_data = screen.file.login
        if not recipe_data:
            raise KeywordFailure(f"selectors/{recipe}.yaml has no 'login:' recipe.")
        missing = [name for name in recipe_data["fields"] if name not in fields]
        if missing:
            raise KeywordFailure(f"Log In {recipe} needs {', '.join(missing)} (e.g. {missing[0]}=${{...}}).")
        self.ctx.screen = screen
        limit = seconds(recipe_data.get("timeout", self.ctx.timeout))
        if self._logged_in(screen, recipe_data["success"], wait=0):
            self.info("Already logged in")
            return
        for step in recipe_data["steps"]:
            (kind, target), = step.items()
            if kind == "fill":
                self.ctx.find(recipe_data["fields"][target]).fill(str(fields[target]))
            elif kind == "choose":
                self.ctx.find(target).select_option(label=str(fields.get(target, "")))
            elif kind == "click":
                self.ctx.find(target).click()
            elif kind == "press":
                self.ctx._need_page().keyboard.press(str(target))
            elif kind == "wait":
                self.ctx.find(target)
        if not self._logged_in(screen, recipe_data["success"], wait=limit):
            why = ""
            if recipe_data.get("failure") and screen[recipe_data["failure"]].count():
                why = ": " + " ".join(screen[recipe_data["failure"]].first.inner_text().split())
            raise KeywordFailure(f"Log in with selectors/{recipe}.yaml did not succeed{why or ' (the success it describes did not show)'}.")
        self.ctx.record_action("log_in", "login", {k: v for k, v in fields.items() if "password" not in k})
        self.info(f"Logged in with {recipe}")

    # -- private ---

    def _screen(self):
        if self.ctx.screen is None:
            raise KeywordFailure("No screen is in use: call Use Screen first.")
        return self.ctx.screen

    def _check(self, screen, limit: float) -> None:
        check = screen.file.check
        page = self.ctx._need_page()
        deadline = time.monotonic() + limit
        while True:
            problem = self._mismatch(screen, page)
            if problem is None:
                return
            if time.monotonic() > deadline:
                raise ScreenMismatch(f"The browser does not show the screen {check.title!r} "
                                     f"(selectors/{screen.name}.yaml): {problem}.")
            page.wait_for_timeout(100)

    @staticmethod
    def _mismatch(screen, page) -> str | None:
        check = screen.file.check
        if check.url and not re.search(check.url, page.url):
            return f"the address {page.url} does not match {check.url!r}"
        if check.heading:
            heading = screen.page.get_by_role("heading", name=check.heading)
            if not heading.count() or not heading.first.is_visible():
                return f"no heading {check.heading!r}"
        return None

    def _logged_in(self, screen, success: dict, wait: float) -> bool:
        page = self.ctx._need_page()
        deadline = time.monotonic() + wait
        while True:
            shown = True
            if success.get("url") and not re.search(success["url"], page.url):
                shown = False
            if shown and success.get("element"):
                found = screen[success["element"]]
                shown = bool(found.count()) and found.first.is_visible()
            if shown and success.get("heading"):
                found = page.get_by_role("heading", name=success["heading"])
                shown = bool(found.count()) and found.first.is_visible()
            if shown or time.monotonic() > deadline:
                return shown
            page.wait_for_timeout(100)
