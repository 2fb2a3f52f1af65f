"""The statement of account: a customer's open items on a date, with their aging, as a PDF.

::

    from bots.collections.statement import Seller, statement_pdf
    pdf_bytes = statement_pdf(ledger.for_customer("C1001"), date(2026, 12, 3),
                              Seller("Northwind Supply Co.", ["1 Harbor Way", "Savannah GA 31401"]), language="de")

One page or more of A4 (reportlab, built-in Helvetica): the seller's letterhead, the customer
and the date, one row per open invoice or credit memo (invoice date, due date, days past due,
amount, open), the total open, and the aging buckets. Every figure comes from
``bots.receivables.metrics`` (the same code as ``o2c ar-metrics``), so the statement agrees
with the console and the reports. Dunning attaches it to every reminder; the customer portal
offers it for download. ``letter_pdf`` prints a dunning letter (its text above the same item
table) for customers who are written to on paper. The files are byte-identical for the same
input (reportlab's invariant mode), so they can be kept as evidence and compared.

Both are written in the customer's language (``language``: en, de, fr, es, nl, it, pt; a
regional form such as ``de-CH`` takes its language, any other English): the labels from
``LABELS``, dates and amounts as that language writes them (``bots.collections.language``,
the same code as the dunning letters). Helvetica has no narrow no-break space, so French
thousands print with a no-break space.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO

from bots.collections.language import amount_in, base_language, date_in
from bots.receivables.ledger import Ledger
from bots.receivables.metrics import AGING_BUCKETS, aging, days_past_due, open_amount

# The statement's words in each language collections writes (bots.collections.language.LANGUAGES).
LABELS = {
    "en": {"title": "Statement of account", "customer": "Customer", "date": "Date", "currency": "Currency",
           "invoice": "Invoice", "invoice_date": "Invoice date", "due_date": "Due date",
           "days_past_due": "Days past due", "amount": "Amount", "open": "Open", "total": "Total open",
           "aging": "Aging (days past due)", "current": "current"},
    "de": {"title": "Kontoauszug", "customer": "Kunde", "date": "Datum", "currency": "Währung",
           "invoice": "Rechnung", "invoice_date": "Rechnungsdatum", "due_date": "Fällig am",
           "days_past_due": "Tage überfällig", "amount": "Betrag", "open": "Offen", "total": "Summe offen",
           "aging": "Fälligkeitsstruktur (Tage überfällig)", "current": "nicht fällig"},
    "fr": {"title": "Relevé de compte", "customer": "Client", "date": "Date", "currency": "Devise",
           "invoice": "Facture", "invoice_date": "Date de facture", "due_date": "Échéance",
           "days_past_due": "Jours de retard", "amount": "Montant", "open": "Restant dû",
           "total": "Total restant dû", "aging": "Ancienneté (jours de retard)", "current": "non échu"},
    "es": {"title": "Estado de cuenta", "customer": "Cliente", "date": "Fecha", "currency": "Moneda",
           "invoice": "Factura", "invoice_date": "Fecha de factura", "due_date": "Vencimiento",
           "days_past_due": "Días de atraso", "amount": "Importe", "open": "Pendiente",
           "total": "Total pendiente", "aging": "Antigüedad (días de atraso)", "current": "no vencido"},
    "nl": {"title": "Rekeningoverzicht", "customer": "Klant", "date": "Datum", "currency": "Valuta",
           "invoice": "Factuur", "invoice_date": "Factuurdatum", "due_date": "Vervaldatum",
           "days_past_due": "Dagen te laat", "amount": "Bedrag", "open": "Openstaand",
           "total": "Totaal openstaand", "aging": "Ouderdom (dagen te laat)", "current": "niet vervallen"},
    "it": {"title": "Estratto conto", "customer": "Cliente", "date": "Data", "currency": "Valuta",
           "invoice": "Fattura", "invoice_date": "Data fattura", "due_date": "Scadenza",
           "days_past_due": "Giorni di ritardo", "amount": "Importo", "open": "Residuo",
           "total": "Totale residuo", "aging": "Anzianità (giorni di ritardo)", "current": "non scaduto"},
    "pt": {"title": "Extrato de conta", "customer": "Cliente", "date": "Data", "currency": "Moeda",
           "invoice": "Fatura", "invoice_date": "Data da fatura", "due_date": "Vencimento",
           "days_past_due": "Dias de atraso", "amount": "Valor", "open": "Em aberto",
           "total": "Total em aberto", "aging": "Antiguidade (dias de atraso)", "current": "não vencido"},
}


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


def statement_pdf(ledger: Ledger, on: date, seller: Seller, *, title: str | None = None,
                  language: str | None = None) -> bytes:
    """The statement of ``ledger`` (one customer's) on ``on`` as PDF bytes, in ``language`` (default English)."""
    words = LABELS[base_language(language)]
    return _document(ledger, on, seller, title or words["title"], paragraphs=[], language=language)


def letter_pdf(ledger: Ledger, on: date, seller: Seller, *, subject: str, text: str,
               language: str | None = None) -> bytes:
    """A print-ready dunning letter: ``subject``, ``text`` (paragraphs split on blank lines), the open items."""
    return _document(ledger, on, seller, subject, paragraphs=[p for p in text.split("\n\n") if p.strip()],
                     language=language)


def _document(ledger: Ledger, on: date, seller: Seller, title: str, paragraphs: list[str],
              language: str | None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    styles = getSampleStyleSheet()
    words = LABELS[base_language(language)]

    def amount(value: Decimal) -> str:
        return _printable(amount_in(value, language))

    def day(value: date) -> str:
        return date_in(value, language)

    # Column headings wrap: some languages' words are longer than their column.
    heading = ParagraphStyle("heading", parent=styles["Normal"], fontName="Helvetica-Bold", fontSize=9, leading=11)
    heading_right = ParagraphStyle("heading_right", parent=heading, alignment=TA_RIGHT)

    def headings(texts: list[str], right_from: int) -> list:
        return [Paragraph(escape(text), heading_right if column >= right_from else heading)
                for column, text in enumerate(texts)]

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
    title, paragraphs = _printable(title), [_printable(text) for text in paragraphs]
    story += [Spacer(1, 8 * mm), Paragraph(escape(title), styles["Heading2"]),
              Paragraph(escape(f"{words['customer']}: {customer_name} ({customer_id})"), styles["Normal"]),
              Paragraph(escape(f"{words['date']}: {day(on)}    {words['currency']}: {currency}"), styles["Normal"]),
              Spacer(1, 5 * mm)]
    for text in paragraphs:
        story += [Paragraph(escape(text.strip()).replace("\n", "<br/>"), styles["Normal"]), Spacer(1, 3 * mm)]
    rows = [headings([words[key] for key in ("invoice", "invoice_date", "due_date", "days_past_due", "amount",
                                             "open")], right_from=3)]
    rows += [[line.invoice, day(line.invoice_date), day(line.due_date),
              str(max(line.days_past_due, 0)), amount(line.amount), amount(line.open)] for line in lines]
    total = sum((line.open for line in lines), Decimal(0))
    rows.append([words["total"], "", "", "", "", amount(total)])
    # Wide enough for the longest heading word of every language ("Rechnungsdatum").
    items = Table(rows, colWidths=[30 * mm, 32 * mm, 26 * mm, 24 * mm, 29 * mm, 29 * mm], repeatRows=1)
    items.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black), ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
        ("ALIGN", (3, 0), (-1, -1), "RIGHT"), ("FONTSIZE", (0, 0), (-1, -1), 9), ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("SPAN", (0, -1), (4, -1)), ("ALIGN", (0, -1), (0, -1), "LEFT"),
    ]))
    buckets = aging(ledger, on)
    summary = Table([headings([words["aging"], *[words["current"] if b == "current" else b for b in AGING_BUCKETS]],
                              right_from=1),
                     [words["open"], *[amount(buckets[b]) for b in AGING_BUCKETS]]],
                    colWidths=[40 * mm] + [26 * mm] * len(AGING_BUCKETS))
    summary.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9), ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                                 ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                                 ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black)]))
    story += [items, Spacer(1, 6 * mm), summary]
    document.build(story)
    return buffer.getvalue()


def _printable(text: str) -> str:
    """``text`` in characters Helvetica has: the narrow no-break space of French thousands
    ("12\u202f345,50") would print as a black box, the no-break space prints as a space."""
    return text.replace("\u202f", "\u00a0")
