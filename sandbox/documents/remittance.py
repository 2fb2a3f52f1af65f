"""Remittance advice PDFs as payers send them, in three layouts.

- ``ruled``: a payment advice with a ruled (gridded) table, discount and deduction columns.
- ``aligned``: a text-aligned table with no rules, "Cash Disc" and "Adjustment" columns
  printed negative, and a reason code column.
- ``stub``: a cheque with its detachable stub below the perforation.

Every layout carries payer, payment reference, date, method, currency, total and the lines
(invoice, invoice date, gross, discount, deduction, paid). US payers print ``1,234.56`` and
month-first dates, European payers ``1.234,56`` and day-first dates.
"""

import io
from decimal import Decimal

from sandbox.masterdata import Customer
from sandbox.world import Payment

PAYEE = "Northwind Supply Co."
LAYOUTS = ("ruled", "aligned", "stub")
_METHOD_NAMES = {"ACH": "ACH CCD+", "WIRE": "Wire transfer", "SEPA": "SEPA credit transfer", "CHECK": "Check"}
_REFERENCE_LABELS = {"ACH": "Trace No.", "WIRE": "Wire Ref:", "SEPA": "Payment ref. / Zahlungsreferenz:",
                     "CHECK": "Check No."}


def remittance_pdf(payment: Payment, customer: Customer | None) -> bytes:
    """Render ``payment``'s remittance advice in its layout (``payment.remittance_layout``)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    layout = payment.remittance_layout
    if layout not in LAYOUTS:
        raise ValueError(f"unknown remittance layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, pageCompression=0, invariant=1)
    canvas.setTitle(f"Remittance advice {payment.payment_reference}")
    fmt = _Format(payment.currency)
    {"ruled": _ruled, "aligned": _aligned, "stub": _stub}[layout](canvas, payment, customer, fmt)
    canvas.save()
    return buffer.getvalue()


class _Format:
    """Amounts and dates the way a payer in this currency prints them."""

    def __init__(self, currency: str):
        self.european = currency != "USD"

    def amount(self, value: Decimal, negative_style: str = "-") -> str:
        text = f"{abs(value):,.2f}"
        if self.european:
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        if value < 0:
            return f"({text})" if negative_style == "()" else f"-{text}"
        return text

    def date(self, day) -> str:
        return day.strftime("%d.%m.%Y") if self.european else day.strftime("%m/%d/%Y")


def _ruled(canvas, payment: Payment, customer, fmt: _Format) -> None:
    width, height = canvas._pagesize
    top = height - 60
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(50, top, payment.payer)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(50, top - 16, customer.bill_to if customer else "")
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawRightString(width - 50, top, "REMITTANCE ADVICE")
    fields = [("Payment Reference:", payment.payment_reference), ("Payment Date:", fmt.date(payment.payment_date)),
              ("Payment Method:", _METHOD_NAMES.get(payment.method, payment.method)),
              ("Currency:", payment.currency), ("Payment Amount:", fmt.amount(payment.total)),
              ("Paid To:", PAYEE)]
    y = top - 50
    for label, value in fields:
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(50, y, label)
        canvas.setFont("Helvetica", 10)
        canvas.drawString(170, y, value)
        y -= 15
    columns = [("Invoice Number", 50, "left"), ("Invoice Date", 170, "left"), ("Gross Amount", 330, "right"),
               ("Discount", 400, "right"), ("Deduction", 470, "right"), ("Amount Paid", 560, "right")]
    rows = [[line.invoice, fmt.date(line.invoice_date), fmt.amount(line.gross), fmt.amount(line.discount),
             fmt.amount(line.deduction), fmt.amount(line.paid)] for line in payment.lines]
    y -= 20
    row_height = 18
    for number, page_rows in enumerate(_pages(rows, 30)):
        if number:
            canvas.showPage()
            y = height - 60
        _ruled_table(canvas, columns, page_rows, y, row_height)
        y -= row_height * (len(page_rows) + 1)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(330 - 120, y - 14, "Total")
    canvas.drawRightString(560 - 4, y - 14, fmt.amount(payment.total))
    canvas.setFont("Helvetica", 8)
    canvas.drawString(50, 50, "Questions about this payment? Contact accounts payable and quote the payment reference.")


def _ruled_table(canvas, columns, rows, y, row_height) -> None:
    left, right = 46, 562
    canvas.setLineWidth(0.5)
    for index, row in enumerate([[name for name, _, _ in columns]] + rows):
        top = y - index * row_height
        canvas.setFont("Helvetica-Bold" if index == 0 else "Helvetica", 9)
        for (name, x, align), value in zip(columns, row):
            if align == "right":
                canvas.drawRightString(x - 4, top - 12, value)
            else:
                canvas.drawString(x, top - 12, value)
        canvas.line(left, top, right, top)
    bottom = y - (len(rows) + 1) * row_height
    canvas.line(left, bottom, right, bottom)
    for x in [left, 160, 258, 334, 404, 474, right]:
        canvas.line(x, y, x, bottom)


def _aligned(canvas, payment: Payment, customer, fmt: _Format) -> None:
    width, height = canvas._pagesize
    y = height - 56
    canvas.setFont("Courier-Bold", 12)
    canvas.drawString(40, y, "PAYMENT NOTIFICATION")
    canvas.setFont("Courier", 9)
    header = [f"From:      {payment.payer}",
              f"To:        {PAYEE}",
              f"Date:      {fmt.date(payment.payment_date)}",
              f"Method:    {payment.method}",
              f"{_REFERENCE_LABELS.get(payment.method, 'Reference:'):<10} {payment.payment_reference}",
              f"Amount:    {payment.currency} {fmt.amount(payment.total)}"]
    for text in header:
        y -= 13
        canvas.drawString(40, y, text)
    y -= 28
    columns = [("Document", 40, "left"), ("Doc Date", 130, "left"), ("Amount", 290, "right"),
               ("Cash Disc", 365, "right"), ("Adjustment", 445, "right"), ("Rsn", 455, "left"),
               ("Net Paid", 570, "right")]
    y = _aligned_header(canvas, columns, y)
    for line in payment.lines:
        if y < 80:
            canvas.showPage()
            canvas.setFont("Courier", 9)
            y = _aligned_header(canvas, columns, height - 60)
        values = [line.invoice, fmt.date(line.invoice_date), fmt.amount(line.gross), fmt.amount(-line.discount),
                  fmt.amount(-line.deduction), line.reason[:4], fmt.amount(line.paid)]
        canvas.setFont("Courier", 9)
        for (name, x, align), value in zip(columns, values):
            (canvas.drawRightString if align == "right" else canvas.drawString)(x, y, value)
        y -= 13
    y -= 8
    canvas.setFont("Courier-Bold", 9)
    canvas.drawString(40, y, "TOTAL PAYMENT")
    canvas.drawRightString(570, y, fmt.amount(payment.total))


def _aligned_header(canvas, columns, y) -> float:
    canvas.setFont("Courier-Bold", 9)
    for name, x, align in columns:
        (canvas.drawRightString if align == "right" else canvas.drawString)(x, y, name)
    return y - 16


def _stub(canvas, payment: Payment, customer, fmt: _Format) -> None:
    width, height = canvas._pagesize
    top = height - 50
    canvas.setLineWidth(1)
    canvas.rect(36, top - 190, width - 72, 190)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(50, top - 22, payment.payer)
    canvas.setFont("Helvetica", 10)
    canvas.drawRightString(width - 50, top - 22, f"CHECK NO. {payment.payment_reference}")
    canvas.drawRightString(width - 50, top - 40, f"DATE {fmt.date(payment.payment_date)}")
    canvas.drawString(50, top - 80, f"PAY TO THE ORDER OF  {PAYEE}")
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawRightString(width - 50, top - 80, f"{payment.currency} **{fmt.amount(payment.total)}**")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(50, top - 110, _amount_words(payment.total, payment.currency))
    # The MICR line, in letters: the sandbox has no MICR font.
    canvas.drawString(50, top - 170, f"C{payment.payment_reference}C  A091000019A  4410098765C")
    canvas.setDash(4, 3)
    canvas.line(20, top - 215, width - 20, top - 215)
    canvas.setDash()
    canvas.setFont("Helvetica", 7)
    canvas.drawCentredString(width / 2, top - 226, "DETACH AND RETAIN THIS STATEMENT")
    y = top - 250
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(40, y, f"{payment.payer}    Check {payment.payment_reference}    {fmt.date(payment.payment_date)}")
    y -= 22
    columns = [("Invoice #", 40, "left"), ("Date", 130, "left"), ("Invoice Amt", 300, "right"),
               ("Discount", 380, "right"), ("Deductions", 460, "right"), ("Net Amount", 560, "right")]
    for name, x, align in columns:
        (canvas.drawRightString if align == "right" else canvas.drawString)(x, y, name)
    canvas.line(40, y - 4, 560, y - 4)
    canvas.setFont("Helvetica", 9)
    for line in payment.lines:
        y -= 14
        if y < 70:
            canvas.showPage()
            canvas.setFont("Helvetica", 9)
            y = height - 60
        values = [line.invoice, fmt.date(line.invoice_date), fmt.amount(line.gross, "()"),
                  fmt.amount(-line.discount, "()"), fmt.amount(-line.deduction, "()"), fmt.amount(line.paid, "()")]
        for (name, x, align), value in zip(columns, values):
            (canvas.drawRightString if align == "right" else canvas.drawString)(x, y, value)
    y -= 8
    canvas.line(380, y, 560, y)
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(300, y - 14, "Check Total")
    canvas.drawRightString(560, y - 14, fmt.amount(payment.total))


def _pages(rows: list, size: int) -> list[list]:
    return [rows[start:start + size] for start in range(0, len(rows), size)] or [[]]


_ONES = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _amount_words(amount: Decimal, currency: str) -> str:
    """The amount in words, as printed on a cheque ("Twelve thousand ... and 45/100")."""
    whole = int(amount)
    cents = int((amount - whole) * 100)
    unit = "DOLLARS" if currency == "USD" else currency
    return f"{_words(whole).capitalize() or 'Zero'} and {cents:02d}/100 {unit}"


def _words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return (_TENS[n // 10] + ("-" + _ONES[n % 10] if n % 10 else ""))
    if n < 1000:
        return _ONES[n // 100] + " hundred" + (" " + _words(n % 100) if n % 100 else "")
    for size, name in ((1_000_000, "million"), (1000, "thousand")):
        if n >= size:
            return _words(n // size) + f" {name}" + (" " + _words(n % size) if n % size else "")
    return ""
