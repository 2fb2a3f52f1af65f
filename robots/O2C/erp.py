"""Keywords for the ERP's screens: the same clerk actions the order-entry bot uses (``bots.erp``)."""

from bots.erp.customers import resolve_customer
from bots.erp.screens import ErpClient, retrying

from robots.O2C.base import KeywordFailure, LibraryComponent, keyword


class ErpKeywords(LibraryComponent):
    """Log on, open transactions, key and save sales orders, check what the status bar says."""

    def __init__(self, ctx, busy_attempts: int = 5, busy_wait_seconds: float = 0.5, timeout_seconds: float = 15):
        super().__init__(ctx)
        self.busy_attempts = busy_attempts
        self.busy_wait_seconds = busy_wait_seconds
        self.timeout_seconds = timeout_seconds
        self.erp: ErpClient | None = None
        self._playwright = None
        self._browser = None
        self._header: tuple | None = None
        self._lines: list[tuple] = []
        self._saved: str | None = None

    @keyword("Open ERP Browser")
    def open_erp_browser(self, url: str, headless: bool = True) -> None:
        """Starts Chromium and opens the ERP at ``url`` (not yet logged on).

        | Open ERP Browser | http://127.0.0.1:8700 |
        | Open ERP Browser | ${ERP_URL} | headless=False |
        """
        from playwright.sync_api import sync_playwright

        from bots.browser import launch_chromium

        self._playwright = sync_playwright().start()
        self._browser = launch_chromium(self._playwright, headless=_flag(headless))
        self.ctx.page = self._browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        self.erp = ErpClient(self.ctx.page, url, "", "", timeout_seconds=self.timeout_seconds)
        self.info(f"Opened the ERP at {url}")

    @keyword("Close ERP Browser")
    def close_erp_browser(self) -> None:
        """Closes the browser the library opened (nothing to do when none is open).

        | [Teardown] | Close ERP Browser |
        """
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()
        self._browser = self._playwright = self.erp = self.ctx.page = None

    @keyword("Log In To ERP")
    def log_in_to_erp(self, user: str, password: str) -> None:
        """Logs on to the ERP as ``user``; logs on again by itself when the session expires later.

        | Log In To ERP | rpa-bot | %{O2C_ERP_PASSWORD} |
        """
        erp = self._erp()
        erp.user, erp.password = user, password
        erp.log_in()
        self.info(f"Logged on as {user}")

    @keyword("Open Transaction")
    def open_transaction(self, code: str) -> None:
        """Opens the screen of transaction ``code`` through the command field (VA01 creates a sales order).

        | Open Transaction | VA01 |
        """
        self._step(lambda: self._erp().open_transaction(code))

    @keyword("Find Customer Number")
    def find_customer_number(self, name: str, email: str | None = None) -> str:
        """Returns the ERP's number of the customer called ``name``, found through the customer search pop-up.

        Fails when the ERP has no single sure match, listing the candidates.

        | ${customer}= | Find Customer Number | Pinecrest Grocers | ahmed@pinecrest-corp.com |
        """
        search = lambda term: self._step(lambda: self._erp().search_customers(term))
        number = resolve_customer({"name": name, "email": email}, search)
        self.info(f"{name} is customer {number}")
        return number

    @keyword("Find Sales Order By Customer PO")
    def find_sales_order_by_customer_po(self, customer_po: str, customer: str = "") -> str | None:
        """Returns the number of the sales order that carries ``customer_po`` (of ``customer``), or None.

        Check with it before keying, so an order saved once is never keyed twice.

        | ${existing}= | Find Sales Order By Customer PO | 4500012345 | C1001 |
        """
        hits = self._step(lambda: self._erp().find_orders_by_customer_po(customer_po, customer or None))
        return hits[0].order_no if hits else None

    @keyword("Enter Sales Order Header")
    def enter_sales_order_header(self, customer: str, customer_po: str, requested_date: str | None = None,
                                 ship_to: str | None = None) -> None:
        """Opens a new sales order (VA01) and fills ``customer``, ``customer_po`` and, if given, the dates and ship-to.

        Left empty, the ship-to comes from the customer master.

        | Enter Sales Order Header | C1001 | 4500012345 | 2026-12-10 |
        """
        self._header = (customer, customer_po, _text(requested_date), _text(ship_to))
        self._lines = []
        self._saved = None
        self._step(lambda: self._erp().enter_header(*self._header))

    @keyword("Add Order Line")
    def add_order_line(self, item: str, quantity: str, price: str | None = None) -> None:
        """Adds a line with ``item`` and ``quantity`` to the sales order; ``price`` overrides the ERP's price.

        | Add Order Line | NW-4410 | 24 |
        | Add Order Line | NW-4410 | 24 | 18.75 |
        """
        if self._header is None:
            raise KeywordFailure("Enter Sales Order Header first: there is no sales order to add a line to.")
        self._lines.append((str(item), str(quantity), _text(price)))
        n = len(self._lines)
        self._step(lambda: self._erp().enter_line(n, *self._lines[-1]))

    @keyword("Save Sales Order")
    def save_sales_order(self) -> str:
        """Presses Save and returns the new sales order's number.

        When the ERP answers "System busy" the entry is lost: the header and lines are
        keyed again and saved again, with waits in between. Fails on the duplicate
        customer PO dialog (without pressing "Save anyway") and on any error in the status bar.

        | ${number}= | Save Sales Order |
        """
        if self._header is None:
            raise KeywordFailure("Enter Sales Order Header first: there is no sales order to save.")
        first = [True]

        def save():
            if not first[0]:
                self._rekey()
            first[0] = False
            return self._erp().save_order()

        result = retrying(save, attempts=self.busy_attempts, wait_seconds=self.busy_wait_seconds)
        if result.duplicate_of:
            self._erp().cancel_duplicate()
            raise KeywordFailure(f"Duplicate customer PO: {result.message}")
        self._saved = result.order_no
        self.info(f"Sales order {result.order_no} saved")
        return result.order_no

    @keyword("Sales Order Should Be Saved")
    def sales_order_should_be_saved(self, number: str = "") -> None:
        """Verifies that the status bar says "Sales order ``number`` saved" (any number when not given).

        | Sales Order Should Be Saved | ${number} |
        """
        status = self._erp().status_text()
        expected = f"Sales order {number} saved" if number else "Sales order"
        if expected not in status or "saved" not in status:
            raise AssertionError(f"The status bar should say '{expected}' but says '{status}'.")

    @keyword("Status Bar Should Say")
    def status_bar_should_say(self, text: str) -> None:
        """Verifies that the status bar contains ``text``.

        | Status Bar Should Say | does not exist |
        """
        status = self._erp().status_text()
        if text not in status:
            raise AssertionError(f"The status bar should say '{text}' but says '{status}'.")

    # -- private ---

    def _erp(self) -> ErpClient:
        if self.erp is None:
            raise KeywordFailure("No ERP is open: use Open ERP Browser first.")
        return self.erp

    def _step(self, step):
        """Run a step again while the ERP is busy or the session expired (it logs on again by itself)."""
        return retrying(step, attempts=self.busy_attempts, wait_seconds=self.busy_wait_seconds)

    def _rekey(self) -> None:
        """Key the header and lines again after the ERP lost them (busy answer, expired session)."""
        self._erp().enter_header(*self._header)
        for n, line in enumerate(self._lines, start=1):
            self._erp().enter_line(n, *line)


def _text(value) -> str | None:
    """Robot passes None, ${EMPTY} or text; an empty value means "not given"."""
    text = "" if value is None else str(value).strip()
    return text or None


def _flag(value) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() not in ("false", "no", "0", "off", "")

