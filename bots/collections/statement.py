"""The statement of account: a customer's open items on a date, with their aging, as a PDF.

::

    from bots.collections.statement import Seller, statement_pdf
    pdf_bytes = statement_pdf(ledger.for_customer("C1001"), date(2026, 12, 3),
                              Seller("Northwind Supply Co.", ["1 Harbor Way", "Savannah GA 31401"]))

One page or more of A4 (reportlab, built-in Helvetica): the seller's letterhead, the customer
and the date, one row per open invoice or credit memo (invoice date, due date, days past due,
amount, open), the total open, and the aging buckets. Every figure comes from
``bots.receivables.metrics`` (the same code as ``o2c ar-metrics``), so the statement agrees
with the console and the reports. Dunning attaches it to every reminder; the customer portal
offers it for download. ``letter_pdf`` prints a dunning letter (its text above the same item
table) for customers who are written to on paper. The files are byte-identical for the same
input (reportlab's invariant mode), so they can be kept as evidence and compared.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO

from bots.receivables.ledger import Ledger
from bots.receivables.metrics import AGING_BUCKETS, aging, days_past_due, open_amount, two_places


@dataclass(frozen=True)
class Seller:
    name: str
    address: list[str] = field(default_factory=list)
    contact: str = ""          # e.g. "ar@northwind.example, +1 912 555 0100"


@dataclass(frozen=True)
class OpenLine:
    invoice: str
    invoice_date: date
    due_date: date
    days_past_due: int
    amount: Decimal
    open: Decimal


def open_lines(ledger: Ledger, on: date) -> list[OpenLine]:
    """The invoices and credit memos open on ``on``, oldest due first."""
    paid = ledger.receipts_of()
    lines = []
    for invoice in ledger.invoices:
        if invoice.invoice_date > on:
            continue
        still_open = open_amount(invoice, paid.get(ledger.key(invoice), []), on)
        if still_open != 0:
            lines.append(OpenLine(invoice.invoice, invoice.invoice_date, invoice.due_date,
                                  days_past_due(invoice.due_date, on), invoice.amount, still_open))
    return sorted(lines, key=lambda line: (line.due_date, line.invoice))


def statement_pdf(ledger: Ledger, on: date, seller: Seller, *, title: str = "Statement of account") -> bytes:
    """The statement of ``ledger`` (one customer's) on ``on`` as PDF bytes."""
    return _document(ledger, on, seller, title, paragraphs=[])


def letter_pdf(ledger: Ledger, on: date, seller: Seller, *, subject: str, text: str) -> bytes:
    """A print-ready dunning letter: ``subject``, ``text`` (paragraphs split on blank lines), the open items."""
    return _document(ledger, on, seller, subject, paragraphs=[p for p in text.split("\n\n") if p.strip()])


def _document(ledger: Ledger, on: date, seller: Seller, title: str, paragraphs: list[str]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    styles = getSampleStyleSheet()
    customer_id = ledger.invoices[0].customer_id if ledger.invoices else ""
    customer_name = next((i.customer_name for i in ledger.invoices if i.customer_name), customer_id)
    currency = ledger.invoices[0].currency if ledger.invoices else ""
    lines = open_lines(ledger, on)
    buffer = BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, invariant=1, title=f"{title} {customer_id} {on.isoformat()}",
                                 author=seller.name, leftMargin=20 * mm, rightMargin=20 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm)
    story = [Paragraph(escape(seller.name), styles["Title"])]
    for line in [*seller.address, seller.contact]:
        if line:
            story.append(Paragraph(escape(line), styles["Normal"]))
    story += [Spacer(1, 8 * mm), Paragraph(escape(title), styles["Heading2"]),
              Paragraph(escape(f"Customer: {customer_name} ({customer_id})"), styles["Normal"]),
              Paragraph(escape(f"Date: {on.isoformat()}    Currency: {currency}"), styles["Normal"]),
              Spacer(1, 5 * mm)]
    for text in paragraphs:
        story += [Paragraph(escape(text.strip()).replace("\n", "<br/>"), styles["Normal"]), Spacer(1, 3 * mm)]
    rows = [["Invoice", "Invoice date", "Due date", "Days past due", "Amount", "Open"]]
    rows += [[line.invoice, line.invoice_date.isoformat(), line.due_date.isoformat(),
              str(max(line.days_past_due, 0)), two_places(line.amount), two_places(line.open)] for line in lines]
    total = sum((line.open for line in lines), Decimal(0))
    rows.append(["Total open", "", "", "", "", two_places(total)])
    items = Table(rows, colWidths=[32 * mm, 26 * mm, 26 * mm, 26 * mm, 30 * mm, 30 * mm], repeatRows=1)
    items.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black), ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
        ("ALIGN", (3, 0), (-1, -1), "RIGHT"), ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]))
    buckets = aging(ledger, on)
    summary = Table([["Aging (days past due)", *AGING_BUCKETS], ["Open", *[two_places(buckets[b]) for b in AGING_BUCKETS]]],
                    colWidths=[40 * mm] + [26 * mm] * len(AGING_BUCKETS))
    summary.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 9),
                                 ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                                 ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black)]))
    story += [items, Spacer(1, 6 * mm), summary]
    document.build(story)
    return buffer.getvalue()
