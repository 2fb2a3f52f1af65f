"""The invoice uploaded to the customer's supplier portal, exactly once, confirmation read back.

Check first: the portal's list of submitted invoices is searched for the invoice number (an
upload by a run that crashed is found there with its confirmation number). Otherwise the
Upload invoice page is filled (PO number, invoice number, amount, currency, the PDF) and the
confirmation number read from the answer. The portal's refusals (no PO number, a file over
its size limit, an invoice number taken) become ``portal_rejected`` with the portal's words.
"""

import re
from pathlib import Path
from urllib.parse import urljoin

from bots.runtime.errors import ApplicationException, BusinessException
from bots.runtime.crash import crash_point
from bots.intake.portal_intake import CustomerPortal, PortalBusy
from bots.runtime.screens import Screen, locate

CONFIRMED = re.compile(r"Invoice (\S+) received\. Confirmation number: (\S+)")


class InvoicePortal(CustomerPortal):
    """The supplier portal's invoice pages on a Playwright page (log-on as ``CustomerPortal``)."""

    def __init__(self, page, settings):
        super().__init__(page, settings)
        self.upload_screen = Screen(page, "portal/invoice_upload")
        self.submitted = Screen(page, "portal/submitted_invoices")

    def confirmation_of(self, invoice: str) -> str | None:
        """The confirmation number of ``invoice`` when the portal already has it, else None."""
        self._goto(urljoin(self.settings.url + "/", "invoices"))
        self.submitted["search_term"].fill(invoice)
        with self.page.expect_navigation():
            self.submitted["search"].click()
        self.submitted["invoices"].wait_for()
        cell = self.submitted.entry("cell")
        for row in self.submitted["invoice_rows"].all():
            cells = [" ".join(t.split()) for t in locate(row, cell).all_inner_texts()]
            if len(cells) >= 2 and cells[1].upper() == invoice.upper():
                return cells[0]
        return None

    def upload(self, facts: dict) -> str:
        """Upload the invoice of ``facts``; return the portal's confirmation number."""
        invoice = facts["invoice"]
        self._goto(urljoin(self.settings.url + "/", "invoices/upload"))
        screen = self.upload_screen
        screen["po_number"].fill(facts.get("customer_po") or "")
        screen["invoice"].fill(invoice)
        screen["amount"].fill(facts["amount"])
        screen["currency"].select_option(facts["currency"])
        screen["file"].set_input_files(str(Path(facts["pdf"])))
        with self.page.expect_navigation():
            screen["submit"].click()
        if screen["busy_dialog"].count() > 0:
            self.busy_answers += 1
            screen["busy_ok"].click()
            raise PortalBusy(f"upload invoice {invoice}")  # the portal did nothing: retried
        crash_point("after_upload")
        status = " ".join(screen["status"].inner_text().split()) if screen["status"].count() else ""
        confirmed = CONFIRMED.search(status)
        if confirmed and confirmed.group(1) == invoice:
            return confirmed.group(2)
        if self._on_login_page():
            raise ApplicationException("portal_session", f"the session ended while uploading invoice {invoice}")
        raise BusinessException("portal_rejected", f"the portal did not take invoice {invoice}: "
                                f"{status or 'no message'}", {"portal_message": status})
