"""The ERP invoicing bot: shipped orders billed through the ERP's billing due list, exactly once.

``o2c run erp-invoicing [--once] [--limit N]``. Each round:

1. reads the billing due list (VF04: orders shipped, not invoiced) and queues one work item
   of kind ``billing`` per order (key ``billing:<order number>``, so a second look queues
   nothing twice);
2. for each item (claimed with a lease, inside ``queue.processing``): checks first by order
   number on the order display (VA03): an order that already shows its invoice was billed by
   a run that crashed after billing, and is not billed again (audit ``found_existing``);
   otherwise ticks that one order on VF04, presses "Ship and invoice selected" and reads the
   invoice number from the status bar ("1 invoice(s) created: INV-10234");
3. opens the invoice (VF03), reads its header (customer, PO, bill-to email, amounts, dates)
   and downloads its PDF into ``invoice_dir``;
4. completes the item with the invoice's facts and the PDF's path, and the audit entry
   ``create_invoice`` in the same transaction. ``invoice-delivery`` takes it from there.

Busy answers and an expired session are retried (the ERP did nothing); an order no longer
due (not shipped, or gone) goes to the exception queue with a screenshot.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from bots.runtime.bot_settings import own_section
from bots.erp.runner import ERP_BOT_KEYS, ErpBot, ErpBotSettings, ErpItemHandler, erp_bot_settings, run_erp_bot
from bots.runtime.errors import ApplicationException, BusinessException
from bots.runtime.crash import crash_point
from bots.runtime.screens import Screen, locate

BOT_NAME = "erp-invoicing"
ITEM_KIND = "billing"
CREATED = re.compile(r"(\d+) invoice\(s\) created: ([A-Z]+-\d+)")
_FACTS = ("invoice_number", "sales_order", "customer_id", "customer_name", "customer_po", "email", "invoice_date", "due_date",
          "discount_date", "discount_pct", "amount", "currency")


@dataclass
class InvoicingSettings(ErpBotSettings):
    """The bot's settings: the ``erp:`` section plus ``bots.erp-invoicing``.

    :param invoice_dir: where the invoice PDFs are kept (default ``<home>/invoices``).
    """

    bot_name: ClassVar[str] = BOT_NAME

    item_kind: str = ITEM_KIND
    invoice_dir: Path = Path(".o2c/invoices")


def load_invoicing_settings(settings, *, need_password: bool = True) -> InvoicingSettings:
    """Build the bot's settings from ``load_settings()``; the password comes from ``secret("erp_password")``."""
    own = own_section(settings, BOT_NAME, ERP_BOT_KEYS | {"invoice_dir"})
    return InvoicingSettings(**erp_bot_settings(settings, own, ITEM_KIND, need_password=need_password),
                             invoice_dir=Path(own.get("invoice_dir") or settings.home / "invoices"))


def billing_key(order_no: str) -> str:
    """The work item key of billing one sales order."""
    return f"billing:{order_no}"


class Invoicing(ErpItemHandler):
    """Bills one shipped order in the ERP, exactly once, and fetches its invoice PDF."""

    def bill(self, work) -> str:
        order_no = str(work.payload.get("order_no") or "").strip()
        return self._with_evidence(lambda: self._bill(work, order_no), f"billing-{order_no or work.id}",
                                   f"sales order {order_no}")

    def _bill(self, work, order_no: str) -> str:
        if not order_no.isdigit():
            raise BusinessException("bad_order_number", f"the billing item names no sales order ({order_no!r})")
        step = self._retrying
        invoice = step(lambda: self._invoice_of(order_no))
        found = invoice is not None
        if not found:
            tries = []

            def bill() -> str:
                # A busy ERP did nothing, but a timeout may hide a billing that went through: look again first.
                tries.append(1)
                return (len(tries) > 1 and self._invoice_of(order_no)) or self._bill_on_vf04(order_no)

            invoice = step(bill)
            crash_point("after_billing")
        facts = step(lambda: self._read_invoice(invoice))
        if facts["sales_order"] != order_no:
            raise ApplicationException("erp_screen", f"invoice {invoice} is of sales order {facts['sales_order']}, "
                                       f"not {order_no}")
        pdf = step(lambda: self._download_pdf(invoice))
        digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
        self._count("found_existing" if found else "invoices_created")
        work.audit("found_existing" if found else "create_invoice", "erp", "Billing document",
                   document_number=invoice, detail={"sales_order": order_no, "pdf_sha256": digest})
        work.result = {**facts, "invoice": invoice, "pdf": str(pdf), "pdf_sha256": digest, "found_existing": found}
        return invoice

    # -- screens ---

    def _invoice_of(self, order_no: str) -> str | None:
        """Check first: the invoice the order display (VA03) shows for the order, or None."""
        erp = self.erp
        erp.open_transaction("VA03")
        screen = Screen(erp.page, "erp/order_lookup")
        screen["order"].fill(order_no)
        with erp.page.expect_navigation():
            screen["display"].click()
        erp._check_page(f"display sales order {order_no}")
        if screen["lines"].count() == 0:
            status = erp.status_text()
            raise BusinessException("unknown_order", f"the ERP has no sales order {order_no}: {status or 'no message'}",
                                    {"status_bar": status})
        link = screen["invoice_link"]
        return " ".join(link.inner_text().split()) if link.count() else None

    def _bill_on_vf04(self, order_no: str) -> str:
        """Tick the one order on the billing due list, bill it, return the invoice number."""
        erp = self.erp
        erp.open_transaction("VF04")
        screen = Screen(erp.page, "erp/billing_due")
        screen["orders"].wait_for()
        box = screen.get("select_order", order=order_no)
        if box.count() == 0:
            raise BusinessException("not_due", f"sales order {order_no} is not on the billing due list "
                                    "(not shipped yet, or billed by someone else)")
        box.check()
        with erp.page.expect_navigation():
            screen["ship_and_invoice_selected"].click()
        erp._check_page(f"bill sales order {order_no}")
        status = erp.status_text()
        created = CREATED.search(status)
        if not created or created.group(1) != "1":
            raise BusinessException("erp_rejected", f"the ERP did not bill sales order {order_no}: "
                                    f"{status or 'no message'}", {"status_bar": status})
        return created.group(2)

    def _read_invoice(self, invoice: str) -> dict:
        """The invoice's header facts from VF03."""
        erp = self.erp
        erp.open_transaction("VF03")
        screen = Screen(erp.page, "erp/invoice_display")
        screen["invoice"].fill(invoice)
        with erp.page.expect_navigation():
            screen["display"].click()
        erp._check_page(f"display invoice {invoice}")
        if screen["header"].count() == 0:
            raise ApplicationException("erp_invoice_missing", f"the ERP does not show invoice {invoice}: "
                                       f"{erp.status_text() or 'no message'}")
        value = screen.entry("value")
        facts = {name: " ".join(locate(screen[name], value).inner_text().split()) for name in _FACTS}
        if facts.pop("invoice_number") != invoice:
            raise ApplicationException("erp_screen", f"VF03 shows another invoice than {invoice}")
        return facts

    def _download_pdf(self, invoice: str) -> Path:
        """Download the displayed invoice's PDF into ``invoice_dir`` (after ``_read_invoice``)."""
        folder = Path(self.settings.invoice_dir)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', invoice)}.pdf"
        screen = Screen(self.erp.page, "erp/invoice_display")
        with self.erp.page.expect_download() as info:
            screen["download_pdf"].click()
        download = info.value
        if download.failure():
            raise ApplicationException("erp_download", f"the PDF of invoice {invoice} did not download: "
                                       f"{download.failure()}")
        partial = target.with_suffix(".part")
        download.save_as(partial)
        if not partial.read_bytes().startswith(b"%PDF"):
            raise ApplicationException("erp_download", f"the ERP sent no PDF for invoice {invoice}")
        partial.replace(target)  # a reader never sees half a file
        return target


def queue_due_orders(queue, erp) -> int:
    """Read the billing due list (VF04) and queue one billing item per order; return how many are new."""
    erp.open_transaction("VF04")
    screen = Screen(erp.page, "erp/billing_due")
    screen["orders"].wait_for()
    cell = screen.entry("cell")
    entries = []
    for row in screen["order_rows"].all():
        cells = [" ".join(text.split()) for text in locate(row, cell).all_inner_texts()]
        if len(cells) >= 8 and cells[1].isdigit():
            entries.append({"kind": ITEM_KIND, "key": billing_key(cells[1]), "source_ref": f"sales order {cells[1]}",
                            "payload": {"order_no": cells[1], "customer_id": cells[2], "customer_name": cells[3],
                                        "customer_po": cells[4], "net_value": cells[6], "currency": cells[7]}})
    return sum(created for _, created in queue.add_many(entries)) if entries else 0


def run_invoicing(settings: InvoicingSettings, *, once: bool, limit: int | None = None, headless: bool = True,
                  queue=None, browser=None) -> dict:
    """Queue the orders due for billing, then bill up to ``limit`` of them (see ``run_erp_bot``)."""
    from bots.runtime.workqueue import WorkQueue

    queue = queue or WorkQueue.open()
    queued = _queue_due(settings, queue, headless, browser)
    counts = run_erp_bot(INVOICING_BOT, settings, once=once, limit=limit, headless=headless, queue=queue,
                         browser=browser)
    return {"orders_queued": queued, **counts}


def _queue_due(settings: InvoicingSettings, queue, headless: bool, browser) -> int:
    from bots.runtime.browser import open_browser
    from bots.erp.screens import ErpClient

    if browser is None:
        with open_browser(headless=headless) as started:
            return _queue_due(settings, queue, headless, started)
    context = browser.new_context()
    try:
        erp = ErpClient(context.new_page(), settings.url, settings.user, settings.password,
                        timeout_seconds=settings.timeout_seconds)
        erp.log_in()
        queued = queue_due_orders(queue, erp)
        erp.log_off()  # the ERP counts open sessions per user: give this one back
        return queued
    finally:
        context.close()


INVOICING_BOT = ErpBot(name=BOT_NAME, activity="invoicing", items="orders to bill",
                       handler=lambda erp, settings, run: Invoicing(erp, settings, run).bill)
