"""The legacy ERP's screens as a clerk uses them, built from selectors/erp/*.yaml.

``ErpClient(page, url, user, password)`` wraps one Playwright page. Each public method is
one thing a clerk does (``log_in``, ``open_transaction``, ``search_customers``,
``find_orders_by_customer_po``, ``enter_header``, ``enter_line``, ``save_order``,
``read_order_lines``; for cash: ``find_receipts``, ``read_receipt``, ``enter_receipt_header``,
``apply_to_invoice``, ``post_receipt``). After every page the ERP sends, ``_check_page`` looks for what
old ERPs answer instead of the screen asked for, and raises:

- ``ErpBusy``: the "System busy, try again" dialog (the action was NOT done; OK is clicked);
- ``SessionExpired``: the log-on page came back (idle timeout); the client logs on again
  first, so the caller only has to redo its step;
- ``FormExpired``: the CSRF token was refused; redo the step;
- ``ErpDown``: the maintenance page, or the ERP cannot be reached.

The first three are ``RetryableScreenError`` (an ApplicationException): ``retrying`` runs a
step again with backoff. The screens are found by role, label and text only, so the ERP's
second theme (other ids and classes) changes nothing here.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bots.runtime.errors import ApplicationException, BusinessException
from bots.runtime.logs import get_logger
from bots.runtime.screens import Screen, locate

log = get_logger(__name__)

SAVED = re.compile(r"Sales order (\d+) saved")
POSTED = re.compile(r"Payment document (\d+) posted")


# -- what the ERP answers instead of the screen ----------------------------------------


class RetryableScreenError(ApplicationException):
    """The ERP did not carry out the step, and doing it again may work."""


class ErpBusy(RetryableScreenError):
    """The ERP answered "System busy, try again"; the action was not carried out."""

    def __init__(self, action: str):
        super().__init__("erp_busy", f"the ERP was busy and did not {action}")


class SessionExpired(RetryableScreenError):
    """The session ended (idle timeout); the client has logged on again, the step must be redone."""

    def __init__(self, action: str):
        super().__init__("erp_session_expired", f"the ERP session expired during: {action}")


class FormExpired(RetryableScreenError):
    """The ERP refused a form's security token; the step must be redone on a fresh screen."""

    def __init__(self, action: str):
        super().__init__("erp_form_expired", f"the ERP refused the form during: {action}")


class ErpDown(ApplicationException):
    """The ERP shows its maintenance page or cannot be reached: no item can be keyed now."""

    def __init__(self, message: str):
        super().__init__("erp_down", message)


# -- what the screens show -------------------------------------------------------------


@dataclass(frozen=True)
class CustomerHit:
    """One row of the customer search pop-up."""

    customer_id: str
    name: str
    city: str = ""
    country: str = ""
    currency: str = ""


@dataclass(frozen=True)
class OrderHit:
    """One row of the list of sales orders."""

    order_no: str
    customer_id: str
    customer_name: str
    customer_po: str
    net_value: str = ""


@dataclass(frozen=True)
class SavedLine:
    """One line of a sales order as the ERP's display shows it."""

    item: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class ReceiptHit:
    """One row of the list of payment documents (FB03)."""

    doc_no: str
    customer_id: str
    reference: str
    payment_date: str
    amount: Decimal | None
    currency: str
    on_account: Decimal | None
    status: str


@dataclass(frozen=True)
class ClearedLine:
    """One invoice cleared by a payment document, as its display shows it."""

    invoice: str
    amount: Decimal
    discount: Decimal
    deduction: Decimal
    reason_code: str = ""


@dataclass(frozen=True)
class SaveResult:
    """What the status bar said after Save: the order number, or the duplicate-PO dialog's numbers."""

    order_no: str | None = None
    duplicate_of: tuple[str, ...] = ()
    message: str = ""


# -- the client ------------------------------------------------------------------------


class ErpClient:
    """The ERP on one Playwright page; each method is one clerk action.

    :param url: the ERP's address (``erp.url``).
    :param timeout_seconds: the longest wait for one screen.
    """

    def __init__(self, page, url: str, user: str, password: str, *, timeout_seconds: float = 15.0):
        self.page = page
        self.url = url.rstrip("/")
        self.user = user
        self.password = password
        self.login_screen = Screen(page, "erp/login")
        self.start = Screen(page, "erp/start")
        self.dialogs = Screen(page, "erp/dialogs")
        self.order_form = Screen(page, "erp/sales_order")
        self.order_list = Screen(page, "erp/order_list")
        self.order_display = Screen(page, "erp/order_display")
        self.cash_receipt = Screen(page, "erp/cash_receipt")
        self.payment_documents = Screen(page, "erp/payment_documents")
        self.receipt_display = Screen(page, "erp/receipt")
        self.busy_answers = 0  # how often the ERP said "System busy", for the run's counts
        self.logins = 0
        page.set_default_timeout(timeout_seconds * 1000)

    # -- session ---

    def log_in(self) -> None:
        """Open the ERP and log on (nothing to do when the session is still open)."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.page.goto(self.url + "/start")
        except PlaywrightError as error:
            raise ErpDown(f"the ERP at {self.url} cannot be reached: {_first_line(error)}") from None
        self._check_maintenance()
        if self._on_login_page():
            self._submit_login()

    def log_off(self) -> None:
        """Log off, freeing one of the user's ERP sessions; an ERP already gone is no error."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            if not self.start.has("log_off") or self.start["log_off"].count() == 0:
                return
            with self.page.expect_navigation():
                self.start["log_off"].click()
        except PlaywrightError as error:
            log.warning("log-off failed", erp=self.url, error=_first_line(error))

    def open_transaction(self, code: str) -> None:
        """Type a transaction code (VA01, VA05...) in the command field and press Go."""
        if not self.start.has("transaction_code") or self.start["transaction_code"].count() == 0:
            self.log_in()
        self.start["transaction_code"].fill(code)
        with self.page.expect_navigation():
            self.start["go"].click()
        self._check_page(f"open transaction {code}")

    # -- customers ---

    def search_customers(self, term: str) -> list[CustomerHit]:
        """Search the customer master through the "Search customer" pop-up of the order screen."""
        from playwright.sync_api import Error as PlaywrightError

        self.open_transaction("VA01")
        with self.page.expect_popup() as opened:
            self.order_form["search_customer"].click()
        popup = opened.value
        try:
            popup.wait_for_load_state()
            search = Screen(popup, "erp/customer_search")
            search["search_term"].fill(term)
            with popup.expect_navigation():
                search["find"].click()
            search["results"].wait_for()
            hits = []
            for cells in _table_rows(search, "result_rows"):
                if len(cells) >= 5:
                    hits.append(CustomerHit(*cells[:5]))
            return hits
        finally:
            try:
                popup.close()
            except PlaywrightError:
                pass  # the pop-up may already be gone

    # -- sales orders ---

    def find_orders_by_customer_po(self, customer_po: str, customer_id: str | None = None) -> list[OrderHit]:
        """Search the list of sales orders (VA05) for ``customer_po``; only exact PO matches are returned.

        The ERP's search matches parts of a PO ("123" finds "4123"), so every page of
        hits is read and the PO compared whole (without case and spaces).
        """
        self.open_transaction("VA05")
        self.order_list["customer_po"].fill(customer_po)
        self.order_list["customer"].fill(customer_id or "")
        with self.page.expect_navigation():
            self.order_list["search"].click()
        self._check_page(f"search the orders for PO {customer_po}")
        wanted = _compact(customer_po)
        found = []
        for _ in range(200):  # a pager that never ends is a broken ERP, not a big one
            self.order_list["results"].wait_for()
            for cells in _table_rows(self.order_list, "result_rows"):
                if len(cells) < 7:
                    continue  # "No sales orders."
                hit = OrderHit(order_no=cells[0], customer_id=cells[1], customer_name=cells[2],
                               customer_po=cells[3], net_value=cells[6])
                if _compact(hit.customer_po) == wanted and (not customer_id or hit.customer_id == customer_id):
                    found.append(hit)
            next_page = self.order_list["next_page"]
            if next_page.count() == 0:
                return found
            with self.page.expect_navigation():
                next_page.click()
            self._check_page(f"page through the orders for PO {customer_po}")
        raise ApplicationException("erp_pager", "the list of sales orders ran past 200 pages")

    def read_order_lines(self, order_no: str, customer_po: str, customer_id: str) -> list[SavedLine]:
        """Open sales order ``order_no`` from the order list and read its lines."""
        self.find_orders_by_customer_po(customer_po, customer_id)
        link = self.order_list.get("order_link", order=str(order_no))
        if link.count() == 0:
            raise ApplicationException("erp_order_missing", f"sales order {order_no} is not in the list for PO {customer_po}")
        with self.page.expect_navigation():
            link.click()
        self._check_page(f"display sales order {order_no}")
        self.order_display["lines"].wait_for()
        lines = []
        for cells in _table_rows(self.order_display, "line_rows"):
            if len(cells) >= 5:
                lines.append(SavedLine(item=cells[1], quantity=_decimal(cells[3]), unit_price=_decimal(cells[4])))
        return lines

    def enter_header(self, customer_id: str, customer_po: str, requested_date: str | None = None,
                     ship_to: str | None = None) -> None:
        """Open a new sales order (VA01) and fill its header; the ship-to defaults from the customer."""
        self.open_transaction("VA01")
        _fill_checked(self.order_form["customer"], customer_id)
        _fill_checked(self.order_form["customer_po"], customer_po)
        if requested_date:
            _fill_checked(self.order_form["requested_date"], requested_date)
        if ship_to:
            _fill_checked(self.order_form["ship_to"], ship_to)
        if not self.order_form["ship_to"].input_value().strip():
            raise BusinessException("no_ship_to", f"customer {customer_id} has no default ship-to and the order gives none")

    def enter_line(self, n: int, item: str, quantity: str, price: str | None = None) -> Decimal | None:
        """Fill line ``n`` (adding it first when n > 1); return the ERP's default price (None: unknown item).

        With ``price`` None the ERP's default price stays.
        """
        if n > 1 and self.order_form.get("line_item", n=n).count() == 0:
            self.order_form["add_line"].click()
        _fill_checked(self.order_form.get("line_item", n=n), item)
        default = _decimal(self.order_form.get("line_price", n=n).input_value())
        _fill_checked(self.order_form.get("line_quantity", n=n), quantity)
        if price is not None:
            _fill_checked(self.order_form.get("line_price", n=n), price)
        return default

    def save_order(self) -> SaveResult:
        """Press Save; return the saved order's number, or the duplicate-PO dialog's order numbers.

        Never presses "Save anyway". A validation error in the status bar raises a
        BusinessException ("erp_rejected") with the status text.
        """
        with self.page.expect_navigation():
            self.order_form["save"].click()
        self._check_page("save the sales order")
        if self.dialogs["duplicate_po"].count() > 0:
            # The status bar holds the dialog's warning without its buttons' labels.
            message = self.status_text() or " ".join(self.dialogs["duplicate_po"].inner_text().split())
            numbers = tuple(re.findall(r"\d{5,}", message.split("(sales order", 1)[-1]))
            return SaveResult(duplicate_of=numbers, message=re.sub(r"\s*Save anyway\?\s*$", "", message))
        status = self.status_text()
        saved = SAVED.search(status)
        if saved:
            return SaveResult(order_no=saved.group(1), message=status)
        raise BusinessException("erp_rejected", f"the ERP did not save the sales order: {status or 'no message'}",
                                {"status_bar": status})

    def cancel_duplicate(self) -> None:
        """Close the duplicate customer PO dialog with Cancel (the order stays unsaved)."""
        if self.dialogs["cancel"].count() > 0:
            self.dialogs["cancel"].click()

    # -- cash receipts ---

    def find_receipts(self, reference: str, customer_id: str | None = None) -> list[ReceiptHit]:
        """Search the payment documents (FB03) for ``reference``; only exact reference matches are returned.

        The ERP's search matches parts of a reference, so every page is read and the
        reference compared whole (without case and spaces). Reversed documents are returned
        too; their ``status`` says so.
        """
        self.open_transaction("FB03")
        screen = self.payment_documents
        screen["reference"].fill(reference)
        screen["customer"].fill(customer_id or "")
        with self.page.expect_navigation():
            screen["search"].click()
        self._check_page(f"search the payment documents for {reference}")
        wanted = _compact(reference)
        found = []
        for _ in range(200):  # a pager that never ends is a broken ERP, not a big one
            screen["results"].wait_for()
            for cells in _table_rows(screen, "result_rows"):
                if len(cells) < 9:
                    continue  # "No payment documents."
                hit = ReceiptHit(doc_no=cells[0], customer_id=cells[1], reference=cells[3], payment_date=cells[4],
                                 amount=_decimal(cells[5]), currency=cells[6], on_account=_decimal(cells[7]),
                                 status=cells[8].lower())
                if _compact(hit.reference) == wanted and (not customer_id or hit.customer_id == customer_id):
                    found.append(hit)
            next_page = screen["next_page"]
            if next_page.count() == 0:
                return found
            with self.page.expect_navigation():
                next_page.click()
            self._check_page(f"page through the payment documents for {reference}")
        raise ApplicationException("erp_pager", "the list of payment documents ran past 200 pages")

    def read_receipt(self, doc_no: str, reference: str, customer_id: str) -> list[ClearedLine]:
        """Open payment document ``doc_no`` from the FB03 list and read the invoices it cleared."""
        self.find_receipts(reference, customer_id)
        link = self.payment_documents.get("document_link", doc=str(doc_no))
        if link.count() == 0:
            raise ApplicationException("erp_receipt_missing",
                                       f"payment document {doc_no} is not in the list for reference {reference}")
        with self.page.expect_navigation():
            link.click()
        self._check_page(f"display payment document {doc_no}")
        self.receipt_display["cleared"].wait_for()
        lines = []
        for cells in _table_rows(self.receipt_display, "cleared_rows"):
            if len(cells) >= 5:
                lines.append(ClearedLine(invoice=cells[0], amount=_decimal(cells[1]), discount=_decimal(cells[2]),
                                         deduction=_decimal(cells[3]), reason_code=cells[4].split(" ")[0]))
        return lines

    def enter_receipt_header(self, customer_id: str, reference: str, payment_date: str, amount: str,
                             currency: str) -> dict[str, Decimal]:
        """Open F-28, fill the payment header, press "Show open items"; return invoice -> open amount."""
        self.open_transaction("F-28")
        screen = self.cash_receipt
        _fill_checked(screen["customer"], customer_id)
        _fill_checked(screen["reference"], reference)
        _fill_checked(screen["payment_date"], payment_date)
        _fill_checked(screen["amount"], amount)
        if screen["currency"].input_value() != currency:
            try:
                screen["currency"].select_option(currency)
            except Exception:  # Playwright says "did not find some options": the ERP does not take it
                raise BusinessException("erp_currency", f"the ERP's cash receipt screen does not take {currency}",
                                        {"currency": currency}) from None
        with self.page.expect_navigation():
            screen["show_open_items"].click()
        self._check_page(f"show the open items of customer {customer_id}")
        if screen["open_items"].count() == 0:
            status = self.status_text()
            raise BusinessException("erp_rejected", f"the ERP showed no open items for customer {customer_id}: "
                                    f"{status or 'no message'}", {"status_bar": status})
        open_items = {}
        for cells in _table_rows(screen, "open_item_rows"):
            if len(cells) >= 7:
                open_items[cells[1]] = _decimal(cells[6])
        return open_items

    def apply_to_invoice(self, invoice: str, amount: str, discount: str, deduction: str,
                         reason_code: str | None) -> None:
        """Select ``invoice`` in the open items grid and type what the payment applies to it."""
        screen = self.cash_receipt
        screen.get("select_invoice", invoice=invoice).check()
        _fill_checked(screen.get("invoice_amount", invoice=invoice), amount)
        _fill_checked(screen.get("invoice_discount", invoice=invoice), discount)
        _fill_checked(screen.get("invoice_deduction", invoice=invoice), deduction)
        if reason_code:
            screen.get("invoice_reason", invoice=invoice).select_option(reason_code)

    def post_receipt(self) -> str:
        """Press Post; return the payment document number from the status bar.

        A rejection in the status bar raises a BusinessException ("erp_rejected") with its text.
        """
        with self.page.expect_navigation():
            self.cash_receipt["post"].click()
        self._check_page("post the incoming payment")
        status = self.status_text()
        posted = POSTED.search(status)
        if posted:
            return posted.group(1)
        raise BusinessException("erp_rejected", f"the ERP did not post the payment: {status or 'no message'}",
                                {"status_bar": status})

    def status_text(self) -> str:
        """What the status bar says now, on one line."""
        bar = self.dialogs["status_bar"]
        return " ".join(bar.inner_text().split()) if bar.count() else ""

    def screenshot(self, folder: Path, name: str) -> str | None:
        """Save what the screen shows now as evidence; None when even that fails."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}-{stamp}.png"
        try:
            self.page.screenshot(path=str(path), full_page=True)
        except Exception as error:  # the browser may be what broke; the failure is reported anyway
            log.warning("screenshot failed", error=str(error))
            return None
        return str(path.resolve())

    # -- private ---

    def _check_page(self, action: str) -> None:
        """Raise when the ERP answered ``action`` with something other than the screen."""
        self.page.wait_for_load_state()
        self._check_maintenance()
        if self.dialogs["busy"].count() > 0:
            self.busy_answers += 1
            with self.page.expect_navigation():
                self.dialogs["busy_ok"].click()
            raise ErpBusy(action)
        if self.dialogs["form_expired"].count() > 0:
            raise FormExpired(action)
        if self._on_login_page():
            self._submit_login()
            raise SessionExpired(action)

    def _check_maintenance(self) -> None:
        if self.dialogs["maintenance"].count() > 0:
            raise ErpDown(f"the ERP at {self.url} is down for maintenance")

    def _on_login_page(self) -> bool:
        return self.login_screen["log_on"].count() > 0 and self.login_screen["password"].count() > 0

    def _submit_login(self) -> None:
        self.login_screen["user"].fill(self.user)
        self.login_screen["password"].fill(self.password or "")
        with self.page.expect_navigation():
            self.login_screen["log_on"].click()
        self.page.wait_for_load_state()
        self._check_maintenance()
        if self._on_login_page():
            message = self.status_text()
            raise ErpDown(f"the ERP refused the log-on as {self.user!r}: {message or 'no reason given'}")
        self.logins += 1


def retrying(step, *, attempts: int, wait_seconds: float):
    """Run ``step()`` again with doubling waits while the ERP answers busy, expired or refused.

    After ``attempts`` tries the last error is raised (an ApplicationException: the item
    goes back to the queue with backoff).
    """
    from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

    for attempt in Retrying(retry=retry_if_exception_type(RetryableScreenError), stop=stop_after_attempt(attempts),
                            wait=wait_exponential(multiplier=wait_seconds, max=30), reraise=True):
        with attempt:
            return step()


# -- helpers ---------------------------------------------------------------------------


def _fill_checked(field, value: str) -> None:
    """Fill a field and read it back; a screen that redraws may wipe what was typed."""
    for _ in range(3):
        field.fill(value)
        if field.input_value().strip() == str(value).strip():
            return
    raise ApplicationException("erp_field", f"the ERP field kept {field.input_value()!r} instead of {value!r}")


def _table_rows(screen: Screen, rows_element: str) -> list[list[str]]:
    """The data rows of a table as lists of cell texts (header rows have no data cells)."""
    cell = screen.elements["cell"]
    rows = []
    for row in screen[rows_element].all():
        cells = [" ".join(text.split()) for text in locate(row, cell).all_inner_texts()]
        if cells:
            rows.append(cells)
    return rows


def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _compact(po: str) -> str:
    return re.sub(r"\s+", "", str(po or "")).upper()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
