"""The bank portal on a Playwright page: log on, one-time code, the day's statement and remittance advices.

Screens come from selectors/bank/. The portal answers some POSTs (log-on, code) with a
"System busy" dialog and does not carry them out; those steps are retried with backoff.
``otp: sandbox`` reads the code from the sandbox's /sandbox/otp page (sandbox only: a real
bank sends it to a device); ``otp: totp`` computes it from the TOTP secret.
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bots.runtime.errors import ApplicationException
from bots.runtime.logs import get_logger

log = get_logger(__name__)


class BankBusy(ApplicationException):
    """The portal answered "System busy"; the step was not carried out."""

    def __init__(self, step: str):
        super().__init__("bank_busy", f"the bank portal was busy and did not {step}")


@dataclass
class Download:
    """A file the portal handed out: its suggested name and bytes."""

    name: str
    data: bytes


class BankPortal:
    """The bank portal as a treasury clerk uses it; each method is one thing done there."""

    def __init__(self, page, settings):
        from bots.runtime.screens import Screen

        self.page = page
        self.settings = settings
        self.login = Screen(page, "bank/login")
        self.otp = Screen(page, "bank/otp")
        self.payments = Screen(page, "bank/payments")
        self.payment = Screen(page, "bank/payment")
        self.statements = Screen(page, "bank/statements")
        self.busy_answers = 0
        page.set_default_timeout(settings.timeout_seconds * 1000)

    def log_in(self) -> None:
        """Password, then the one-time code; each step retried while the portal is busy."""
        self._retrying(self._password_once)
        if self._on_code_page():
            self._retrying(self._code_once)

    def newest_statement_day(self) -> str:
        """The newest booking date the statements screen offers (YYYY-MM-DD)."""
        self.page.goto(self._url("/statements"))
        days = [text.strip() for text in self.statements["statement_date"].locator("option").all_inner_texts()]
        days = [day for day in days if day]
        if not days:
            raise ApplicationException("bank_statement", "the bank portal offers no statement to download")
        return max(days)

    def statement(self, day: str) -> Download:
        """The camt.053 statement of booking date ``day`` (YYYY-MM-DD)."""
        self.page.goto(self._url("/statements"))
        self.statements["statement_date"].select_option(day)
        with self.page.expect_download() as info:
            self.statements["download_camt053"].click()
        return _saved(info.value, f"camt053_{day}.xml")

    def payment_references(self, day: str) -> list[str]:
        """The bank references of the payments booked on ``day``, in booking order."""
        self.page.goto(self._url("/payments?" + urlencode({"date": day})))
        self.payments["payments_table"].wait_for()
        references = []
        for row in self.payments["payment_rows"].all()[1:]:
            links = row.get_by_role("link")
            if links.count():
                references.append(links.first.inner_text().strip())
        return references

    def remittance_advice(self, bank_reference: str) -> Download | None:
        """The remittance advice PDF attached to a payment, or None when the payer sent none."""
        self.page.goto(self._url(f"/payments/{bank_reference}"))
        shown = self.payment["bank_reference"].inner_text().strip()
        if shown != bank_reference:
            raise ApplicationException("bank_page", f"opened payment {bank_reference} but the page shows {shown!r}")
        if self.payment["open_remittance"].count() == 0:
            return None
        with self.page.expect_download() as info:
            self.payment["open_remittance"].click()
        return _saved(info.value, f"{bank_reference}.pdf")

    # -- private -----------------------------------------------------------------

    def _password_once(self) -> None:
        self.page.goto(self._url("/payments"))
        if self.login["password"].count() == 0:
            return  # already logged on
        self.login["user"].fill(self.settings.bank_user)
        self.login["password"].fill(self.settings.bank_password or "")
        with self.page.expect_navigation():
            self.login["log_on"].click()
        self._raise_if_busy("accept the password")
        if self.login["password"].count() > 0 and self.login["log_on"].count() > 0:
            message = self.login["status"].inner_text().strip() if self.login["status"].count() else ""
            raise ApplicationException("bank_login", f"the bank portal refused the log-on as "
                                       f"{self.settings.bank_user!r}: {message or 'no reason given'}")

    def _code_once(self) -> None:
        if not self._on_code_page():
            self.page.goto(self._url("/otp"))
            if not self._on_code_page():
                return
        self.otp["code"].fill(self._one_time_code())
        with self.page.expect_navigation():
            self.otp["verify"].click()
        self._raise_if_busy("accept the one-time code")
        if self._on_code_page():
            message = self.otp["status"].inner_text().strip() if self.otp["status"].count() else ""
            raise ApplicationException("bank_code", f"the bank portal refused the one-time code: "
                                       f"{message or 'no reason given'}")

    def _one_time_code(self) -> str:
        if self.settings.otp == "totp":
            from bots.bank.otp import totp_code

            return totp_code(self.settings.totp_secret or "")
        # Sandbox only: the code "sent to the device" is shown to the same session on a page of its own.
        from bots.runtime.screens import Screen

        device = self.page.context.new_page()
        try:
            device.goto(self._url("/sandbox/otp"))
            return Screen(device, "bank/sandbox_otp")["code"].inner_text().strip()
        finally:
            device.close()

    def _on_code_page(self) -> bool:
        return self.otp["code"].count() > 0 and self.otp["verify"].count() > 0

    def _raise_if_busy(self, step: str) -> None:
        if self.otp["busy_dialog"].count() > 0:
            self.busy_answers += 1
            self.otp["busy_ok"].click()
            self.page.wait_for_load_state()
            raise BankBusy(step)

    def _retrying(self, step) -> None:
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

        retrying = Retrying(retry=retry_if_exception_type(BankBusy), stop=stop_after_attempt(self.settings.busy_attempts),
                            wait=wait_exponential(multiplier=self.settings.busy_wait_seconds, max=30), reraise=True)
        for attempt in retrying:
            with attempt:
                step()

    def _url(self, path: str) -> str:
        return self.settings.bank_url.rstrip("/") + path


def _saved(download, fallback: str) -> Download:
    failure = download.failure()
    if failure:
        raise ApplicationException("bank_download", f"the bank portal's download failed: {failure}")
    return Download(download.suggested_filename or fallback, Path(download.path()).read_bytes())
