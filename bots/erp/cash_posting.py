"""The ERP cash-posting bot: applied payments posted in the legacy ERP's cash receipt screen, exactly once.

``o2c run erp-cash-posting [--once] [--limit N]``. For each work item of kind ``payment``
(claimed one at a time, with a lease, inside ``queue.processing``):

1. check before acting: search the payment documents (FB03) for the payment reference and
   customer. A posted document with the same applications is ours from a run that crashed
   after Post: complete the item with its number (audit action ``found_existing``), post
   nothing. One with other applications -> exception ``already_posted``;
2. key the receipt on F-28: header (customer, reference, date, amount, currency), "Show
   open items", then per applied invoice: select it, type amount, discount, deduction and
   the deduction's reason code; Post; read "Payment document N posted". What the lines do
   not use, the ERP puts on account. Redone whole while the ERP answers "System busy" or
   the session expired (the busy answer comes before the ERP posts anything);
3. read the document back (FB03) and compare the cleared invoices with what was meant;
4. complete the item with ``{"document_number": N, ...}`` and the audit entry
   ``post_cash_receipt`` (system ``erp``) in the same transaction (``work.audit``).

The payload (the demo's ``queue_payments`` writes it; anything else may too)::

    {"payment": {"payment_reference": "P0001", "payer": "...", "payment_date": "2026-11-10",
                 "currency": "USD", "total": "15952.85", "memo": "..."},
     "applications": [  # contract 3's applications of this payment
        {"payment_reference": "P0001", "customer_id": "C1001", "invoice": "INV-10102",
         "amount": "6073.26", "discount": "0.00", "deduction": "0.00",
         "open_amount": "6073.26",        # optional: the invoice's open amount the matcher saw
         "reason": "shortage"}],          # optional: the deduction's reason (code or words)
     "exception": null}

Failures: an applied invoice no longer open in the ERP (``invoice_not_open``), an open
amount other than the matcher saw (``open_amount_changed``), more applied than is open,
a rejected posting (the status bar's text) -> business exceptions with a screenshot as
evidence. Busy past ``busy_attempts``, a screen not as expected -> application exception
(the item comes back with backoff). Maintenance page, ERP unreachable, or
``stop_after_failures`` application failures in a row -> the run stops.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from bots.runtime.bot_settings import own_section
from bots.erp.runner import ERP_BOT_KEYS, ErpBot, ErpBotSettings, ErpItemHandler, erp_bot_settings, run_erp_bot
from bots.runtime.errors import ApplicationException, BusinessException
from bots.runtime.crash import crash_point

BOT_NAME = "erp-cash-posting"
ITEM_KIND = "payment"
CENT = Decimal("0.01")

# The ERP's deduction reason codes, and words in a deduction's reason that mean each.
DEFAULT_REASON_CODES = {
    "pricing": "PR", "price": "PR", "shortage": "SH", "short": "SH", "damage": "DM", "damaged": "DM",
    "promotion": "PM", "promo": "PM", "trade spend": "PM", "freight": "FR", "shipping": "FR", "tax": "TX",
}


# -- settings ------------------------------------------------------------------------


@dataclass
class CashPostingSettings(ErpBotSettings):
    """The bot's settings: the ``erp:`` section plus ``bots.erp-cash-posting``, checked on load.

    The shared ones (address, user, limit, busy retries...) are those of ``ErpBotSettings``.

    :param reason_codes: a deduction's reason (words or a code, lower case) -> ERP reason code.
    :param default_reason: the ERP reason code for a deduction whose reason is unknown.
    """

    bot_name: ClassVar[str] = BOT_NAME

    item_kind: str = ITEM_KIND
    reason_codes: dict = field(default_factory=lambda: dict(DEFAULT_REASON_CODES))
    default_reason: str = "OT"

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.reason_codes, dict):
            raise ValueError("erp-cash-posting reason_codes maps a deduction's reason to an ERP reason code, "
                             f"e.g. {{shortage: SH}}, not {self.reason_codes!r}")
        self.reason_codes = {str(k).strip().lower(): str(v).strip().upper() for k, v in self.reason_codes.items()}
        if not str(self.default_reason or "").strip():
            raise ValueError("erp-cash-posting default_reason must be an ERP reason code, e.g. OT")
        self.default_reason = str(self.default_reason).strip().upper()

    def reason_code(self, reason: str | None) -> str:
        """The ERP reason code for a deduction's ``reason``: a known code, a word of the map, else the default."""
        text = " ".join(str(reason or "").lower().split())
        if not text:
            return self.default_reason
        if text.upper() in self.reason_codes.values():
            return text.upper()
        if text in self.reason_codes:
            return self.reason_codes[text]
        # Longest words first, so "trade spend" wins over a shorter word inside the reason.
        for words in sorted(self.reason_codes, key=len, reverse=True):
            if f" {words} " in f" {text} ":
                return self.reason_codes[words]
        return self.default_reason


def load_cash_posting_settings(settings, *, need_password: bool = True) -> CashPostingSettings:
    """Build the bot's settings from ``load_settings()``; the password comes from ``secret("erp_password")``."""
    own = own_section(settings, BOT_NAME, _SETTING_KEYS)
    return CashPostingSettings(
        **erp_bot_settings(settings, own, ITEM_KIND, need_password=need_password),
        reason_codes={**DEFAULT_REASON_CODES, **(own.get("reason_codes") or {})},
        default_reason=str(own.get("default_reason", "OT")),
    )


_SETTING_KEYS = ERP_BOT_KEYS | {"reason_codes", "default_reason"}


# -- one payment -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedApplication:
    """One invoice line of the receipt as it will be keyed."""

    invoice: str
    amount: Decimal
    discount: Decimal
    deduction: Decimal
    reason_code: str | None           # only with a deduction
    expected_open: Decimal | None     # the open amount the matcher saw, when the payload says


@dataclass(frozen=True)
class PlannedReceipt:
    """The whole receipt: header and lines."""

    customer_id: str
    reference: str
    payment_date: str
    amount: Decimal
    currency: str
    lines: tuple[PlannedApplication, ...]

    @property
    def applied(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


class CashPosting(ErpItemHandler):
    """Posts one queued payment's applications in the ERP, exactly once."""

    def post(self, work) -> str:
        """Post the payment of ``work`` (a ``Work`` from ``queue.processing``); record the result and audit."""
        reference = str((work.payload.get("payment") or {}).get("payment_reference") or work.id)
        return self._with_evidence(lambda: self._post(work), f"erp-cash-{reference}", f"payment {reference}")

    def _post(self, work) -> str:
        receipt = plan_receipt(work.payload, self.settings)
        step = self._retrying

        existing = [hit for hit in step(lambda: self.erp.find_receipts(receipt.reference, receipt.customer_id))
                    if hit.status == "posted"]
        for hit in existing:
            cleared = step(lambda: self.erp.read_receipt(hit.doc_no, receipt.reference, receipt.customer_id))
            if not _differences(receipt, cleared):
                self._count("found_existing")
                work.audit("found_existing", "erp", "Payment document", document_number=hit.doc_no,
                           detail={"customer": receipt.customer_id, "payment_reference": receipt.reference})
                work.result = {"document_number": hit.doc_no, "customer_id": receipt.customer_id,
                               "found_existing": True}
                return hit.doc_no
        if existing:
            numbers = [hit.doc_no for hit in existing]
            raise BusinessException(
                "already_posted", f"payment {receipt.reference} of customer {receipt.customer_id} is already posted "
                f"as document {', '.join(numbers)} with other invoices: reverse it or dismiss this item",
                {"existing_documents": numbers, "customer_id": receipt.customer_id})

        doc_no = step(lambda: self._key_and_post(receipt))
        crash_point("after_post")
        cleared = step(lambda: self.erp.read_receipt(doc_no, receipt.reference, receipt.customer_id))
        differences = _differences(receipt, cleared)
        if differences:
            raise BusinessException("posted_differs", f"payment document {doc_no} ({receipt.reference}) was "
                                    f"posted with other amounts than keyed: {'; '.join(differences)}",
                                    {"document_number": doc_no, "differences": differences})
        self._count("receipts_posted")
        on_account = receipt.amount - receipt.applied
        work.audit("post_cash_receipt", "erp", "Payment document", document_number=doc_no,
                   detail={"customer": receipt.customer_id, "payment_reference": receipt.reference,
                           "amount": str(receipt.amount), "on_account": str(on_account),
                           "lines": [_line_json(line) for line in receipt.lines]})
        work.result = {"document_number": doc_no, "customer_id": receipt.customer_id,
                       "applied": str(receipt.applied), "on_account": str(on_account)}
        return doc_no

    def _key_and_post(self, receipt: PlannedReceipt) -> str:
        """One go at F-28: header, open items, lines, Post. Redone whole after a busy answer."""
        open_items = self.erp.enter_receipt_header(receipt.customer_id, receipt.reference, receipt.payment_date,
                                                   _typed(receipt.amount), receipt.currency)
        for line in receipt.lines:
            _check_open(receipt, line, open_items)
            self.erp.apply_to_invoice(line.invoice, _typed(line.amount), _typed(line.discount),
                                      _typed(line.deduction), line.reason_code)
        return self.erp.post_receipt()


def plan_receipt(payload: dict, settings: CashPostingSettings) -> PlannedReceipt:
    """The receipt to key from a payment item's payload; what cannot be posted is a BusinessException."""
    payment = payload.get("payment") or {}
    reference = str(payment.get("payment_reference") or "").strip()
    if not reference:
        raise BusinessException("missing_reference", "the payment has no payment reference")
    applications = payload.get("applications") or []
    if not applications:
        raise BusinessException("nothing_to_post", f"payment {reference} has no applications to post: "
                                "decide in the exception queue where it goes")
    customers = sorted({str(a.get("customer_id") or "").strip() for a in applications})
    if len(customers) != 1 or not customers[0]:
        raise BusinessException("several_customers", f"payment {reference} is applied to invoices of "
                                f"{', '.join(c or '(none)' for c in customers)}: one receipt is for one customer",
                                {"customers": customers})
    total = _amount(payment.get("total"), f"payment {reference}: total")
    currency = str(payment.get("currency") or "").strip().upper()
    if not currency:
        raise BusinessException("missing_currency", f"payment {reference} has no currency")
    payment_date = str(payment.get("payment_date") or "").strip()
    if not payment_date:
        raise BusinessException("missing_date", f"payment {reference} has no payment date")
    lines = []
    seen = set()
    for application in applications:
        invoice = str(application.get("invoice") or "").strip()
        if not invoice or invoice in seen:
            raise BusinessException("bad_application", f"payment {reference}: an application has "
                                    f"{'no invoice' if not invoice else f'invoice {invoice} twice'}")
        seen.add(invoice)
        where = f"payment {reference}, invoice {invoice}"
        deduction = _amount(application.get("deduction") or "0", f"{where}: deduction")
        lines.append(PlannedApplication(
            invoice=invoice, amount=_amount(application.get("amount"), f"{where}: amount"),
            discount=_amount(application.get("discount") or "0", f"{where}: discount"), deduction=deduction,
            reason_code=settings.reason_code(application.get("reason") or application.get("deduction_reason"))
            if deduction else None,
            expected_open=_amount(application["open_amount"], f"{where}: open amount")
            if application.get("open_amount") not in (None, "") else None))
    return PlannedReceipt(customers[0], reference, payment_date, total, currency, tuple(lines))


# -- the bot ---------------------------------------------------------------------------


def run_cash_posting(settings: CashPostingSettings, *, once: bool, limit: int | None = None, headless: bool = True,
                     queue=None, browser=None) -> dict:
    """Run the bot: post up to ``limit`` waiting payments once (``once``), or every ``poll_seconds``.

    Returns the counts of the runs; see ``run_erp_bot`` for the rest (an ERP that is down, ``browser``).
    """
    return run_erp_bot(CASH_POSTING_BOT, settings, once=once, limit=limit, headless=headless, queue=queue,
                       browser=browser)


CASH_POSTING_BOT = ErpBot(name=BOT_NAME, activity="cash posting", items="payments",
                          handler=lambda erp, settings, run: CashPosting(erp, settings, run).post)


# -- helpers ---------------------------------------------------------------------------


def _check_open(receipt: PlannedReceipt, line: PlannedApplication, open_items: dict) -> None:
    """Raise a BusinessException when the ERP's open item is not what the application was made for."""
    where = f"payment {receipt.reference}: invoice {line.invoice}"
    if line.invoice not in open_items:
        raise BusinessException("invoice_not_open", f"{where} is no longer open in the ERP for customer "
                                f"{receipt.customer_id} (paid or cleared since the match)",
                                {"invoice": line.invoice, "customer_id": receipt.customer_id,
                                 "erp_open_items": sorted(open_items)})
    erp_open = open_items[line.invoice]
    uses = line.amount + line.discount + line.deduction
    if line.expected_open is not None and erp_open != line.expected_open:
        raise BusinessException("open_amount_changed", f"{where} is open for {erp_open} in the ERP, "
                                f"not {line.expected_open} as when it was matched",
                                {"invoice": line.invoice, "erp_open_amount": str(erp_open),
                                 "matched_open_amount": str(line.expected_open)})
    if erp_open is None:
        raise ApplicationException("erp_screen", f"{where}: the ERP's open amount could not be read")
    # A credit memo is open for a negative amount and takes a negative one.
    too_much = uses > erp_open if erp_open >= 0 else uses < erp_open
    if too_much:
        raise BusinessException("open_amount_changed", f"{where} is open for {erp_open} in the ERP, less than "
                                f"the {uses} to apply", {"invoice": line.invoice, "erp_open_amount": str(erp_open),
                                                         "to_apply": str(uses)})


def _differences(receipt: PlannedReceipt, cleared: list) -> list[str]:
    """What a payment document clears differently from the planned receipt, in words (empty: the same)."""
    wanted = {line.invoice: (line.amount, line.discount, line.deduction) for line in receipt.lines}
    got = {line.invoice: (line.amount, line.discount, line.deduction) for line in cleared}
    differences = []
    for invoice in sorted(set(wanted) | set(got)):
        if invoice not in got:
            differences.append(f"{invoice} not cleared")
        elif invoice not in wanted:
            differences.append(f"{invoice} cleared but not applied")
        elif wanted[invoice] != got[invoice]:
            differences.append(f"{invoice} amount/discount/deduction {'/'.join(map(str, got[invoice]))}, "
                               f"meant {'/'.join(map(str, wanted[invoice]))}")
    return differences


def _line_json(line: PlannedApplication) -> dict:
    return {"invoice": line.invoice, "amount": str(line.amount), "discount": str(line.discount),
            "deduction": str(line.deduction), "reason_code": line.reason_code}


def _amount(value, what: str) -> Decimal:
    """A money value of the payload, to the cent; a BusinessException naming ``what`` when unreadable."""
    try:
        return Decimal(str(value).strip()).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise BusinessException("bad_amount", f"{what} {value!r} is not an amount") from None


def _typed(value: Decimal) -> str:
    """A Decimal as typed into an amount field: two places, no thousands separator."""
    return f"{value:.2f}"
