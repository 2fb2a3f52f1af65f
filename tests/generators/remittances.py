"""Remittance advice PDFs with known truth (contract 1's JSON), drawn with reportlab.

``write_remittance(path, seed, layout)`` draws one advice and returns its truth;
``generate_corpus(folder, count, seed)`` writes many. Every document varies what real
payers vary: fonts (Courier too) and sizes, column order and which optional columns exist,
header and label wording, where the header fields stand (letterhead and blocks, a
key/value grid, boxes with the label above the value, a sentence), number formats
(1,234.56 and 1.234,56), date formats, negative styles, credit memos, reason columns,
currency by code or symbol, 1 to 120 lines with page breaks, carried/brought-forward rows
and page totals. The layouts differ in structure, not only in wording:

- ``ruled_grid``: a table with a full grid of lines, fields in a right-hand block
- ``aligned_text``: no lines at all, numbers right-aligned, fields in a left block
- ``cheque_stub``: monospace stub drawn as whole lines of text, the cheque below a perforation
- ``multipage_forward``: long advices, carried/brought-forward rows and page totals
- ``sentence``: header fields told in a sentence ("Payment of EUR 1.234,56 was sent on ...")
- ``boxed_fields``: fields in ruled boxes, each label above its value, zebra-striped table
- ``stacked_header``: two-line column headers and a document-type column (credit memos as "CM")
- ``spaced_text``: text drawn with character spacing and per-word placement, two-column field grid
- ``summary_box``: fields as labels over values without boxes, a "Type" column with words
  ("Invoice", "Credit Memo") beside positive amounts, no total row but a summary box
  (total invoices, less discounts, less deductions, net payment) under the table
"""

import random
from datetime import date, timedelta
from decimal import Decimal, ROUND_HALF_UP
from pathlib import Path

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

LAYOUTS = ["ruled_grid", "aligned_text", "cheque_stub", "multipage_forward", "sentence", "boxed_fields",
           "stacked_header", "spaced_text", "summary_box"]

CENT = Decimal("0.01")

PAYER_WORDS_A = ["Harbor", "Pinecrest", "Northwind", "Bluewater", "Granite", "Silver Creek", "Cascade", "Redwood",
                 "Lakeshore", "Summit", "Oakridge", "Meridian", "Prairie", "Atlas", "Evergreen", "Coastal",
                 "Brightline", "Ironwood", "Maple Leaf", "Sunrise", "Hanseatic", "Alpen", "Rhein", "Nordic"]
PAYER_WORDS_B = ["Freight Outfitters", "Grocers", "Hardware", "Medical Supply", "Food Distributors", "Building Products",
                 "Retail Group", "Logistics", "Home Centers", "Pharmacy", "Auto Parts", "Office Solutions",
                 "Handelsgesellschaft", "Industrial Components", "Wholesale Markets", "Marine Services"]
PAYER_SUFFIX = ["Inc.", "LLC", "Ltd", "Corp.", "Co.", "GmbH", "S.A.", "B.V.", "Holdings Inc.", "plc", "Company"]
OUR_NAMES = ["Acme Industrial Supply Inc.", "Keystone Manufacturing LLC", "Westbrook Components Ltd"]

COLUMN_WORDING = {
    "invoice": ["Invoice Number", "Invoice No.", "Invoice #", "Your Document", "Your Invoice", "Doc. No.",
                "Document No", "Inv No", "Reference", "Your Reference", "Invoice"],
    "invoice_date": ["Invoice Date", "Date", "Doc Date", "Inv. Date", "Document Date"],
    "gross": ["Gross Amount", "Invoice Amount", "Gross", "Original Amount", "Amount Due", "Inv Amount"],
    "discount": ["Discount", "Discount Taken", "Disc.", "Cash Discount", "Disc Taken"],
    "deduction": ["Deduction", "Adjustment", "Adj", "Short Pay", "Deductions", "Adjustments"],
    "reason": ["Reason", "Reason Code", "Remarks", "Comment", "Memo"],
    "paid": ["Amount Paid", "Paid", "Net Paid", "Net Amount", "Payment Amount", "Net", "Paid Amount"],
    "po": ["PO Number", "Purchase Order", "Your PO", "Order No"],
    "doc_type": ["Type", "Doc Type"],
}
STACKED_WORDING = {
    "invoice": [("Invoice", "Number"), ("Your", "Document"), ("Invoice", "No.")],
    "invoice_date": [("Invoice", "Date"), ("Doc", "Date")],
    "gross": [("Gross", "Amount"), ("Invoice", "Amount"), ("Original", "Amount")],
    "discount": [("Discount", "Taken"), ("Cash", "Discount")],
    "deduction": [("Short", "Pay"), ("Other", "Deductions")],
    "reason": [("Reason", "Code")],
    "paid": [("Amount", "Paid"), ("Net", "Paid"), ("Net", "Amount")],
    "po": [("Purchase", "Order")],
    "doc_type": [("Doc", "Type")],
}
LABELS = {
    "payment_reference": ["Payment Reference", "Trace / Reference No", "Our payment number", "EFT Number",
                          "Payment No.", "Remittance Number", "Trace Number", "Payment reference", "Payment ID"],
    "check_reference": ["CHECK NO.", "Check Number", "Cheque No.", "Check #"],
    "payment_date": ["Payment Date", "Date Paid", "Value Date", "Payment date", "Settlement Date", "Date"],
    "check_date": ["CHECK DATE", "Date", "Cheque Date"],
    "payment_method": ["Payment Method", "Payment Type", "Method"],
    "currency": ["Currency", "Payment Currency"],
    "total": ["Payment Amount", "Amount Paid", "Total Payment", "Payment Total", "Total Amount Paid"],
    "payer": ["Payer", "Paid by", "From", "Remitter", "Ordering Party"],
    "payee": ["Vendor", "Payee", "Supplier", "Beneficiary", "To"],
}
METHOD_WORDS = {
    "ACH": ["ACH", "ACH CCD+", "EFT", "ACH CTX", "Electronic Funds Transfer (EFT)"],
    "WIRE": ["Wire Transfer", "SWIFT Wire", "Fedwire"],
    "SEPA": ["SEPA Credit Transfer", "SEPA"],
    "CARD": ["Credit Card", "Card Payment"],
}
TOTAL_ROW_WORDS = ["Total", "Total Paid", "Grand Total", "Payment Total", "Total Payment"]
REASONS = ["Pricing", "Shortage", "Damaged", "Promo", "Freight", "Tax diff", "Returned goods", "R12 Price diff",
           "Short shipped", "Co-op adv"]
FONTS = [("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold"), ("Courier", "Courier-Bold")]


# ---------------------------------------------------------------- truth

def make_truth(rng: random.Random, layout: str) -> tuple[dict, dict]:
    """Random remittance content (the contract's JSON) and the style it will be printed in."""
    style = _style(rng, layout)
    lines_count = _line_count(rng, layout)
    pay_date = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 360))
    lines = []
    for _ in range(lines_count):
        inv_date = pay_date - timedelta(days=rng.randrange(5, 90))
        gross = Decimal(rng.randrange(2000, 5_000_000 if rng.random() < 0.3 else 300_000)) / 100
        discount = deduction = Decimal("0.00")
        if rng.random() < 0.08 and style["credit_memos"]:
            gross = -gross / 10
            gross = gross.quantize(CENT)
        else:
            if style["columns_have"]["discount"] and rng.random() < 0.4:
                discount = (gross * Decimal("0.02")).quantize(CENT, ROUND_HALF_UP)
            if style["columns_have"]["deduction"] and rng.random() < 0.25:
                deduction = (gross * Decimal(rng.randrange(1, 15)) / 100).quantize(CENT, ROUND_HALF_UP)
        paid = gross - discount - deduction
        line = {"invoice": _invoice_number(rng, style), "invoice_date": inv_date.isoformat(),
                "gross": gross, "discount": discount, "deduction": deduction, "paid": paid}
        if deduction and style["columns_have"]["reason"]:
            line["reason"] = rng.choice(REASONS)
        lines.append(line)
    total = sum((l["paid"] for l in lines), Decimal("0.00"))
    if total <= 0:  # a payment is never negative: drop the credit memos
        for l in lines:
            if l["gross"] < 0:
                l["gross"] = l["paid"] = -l["gross"]
        total = sum((l["paid"] for l in lines), Decimal("0.00"))
    truth = {
        "payer": style["payer"],
        "payment_reference": _payment_reference(rng, style["method"]),
        "payment_date": pay_date.isoformat(),
        "payment_method": style["method"],
        "currency": style["currency"],
        "total": total,
        "lines": lines,
        "warnings": [],
    }
    if not style["columns_have"]["invoice_date"]:
        for l in lines:
            l["invoice_date"] = None
    return truth, style


def _line_count(rng, layout):
    if layout == "multipage_forward":
        return rng.randint(35, 120)
    if layout == "cheque_stub":
        return rng.randint(1, 12)
    return rng.choice([1, 2, 3, rng.randint(1, 15), rng.randint(1, 30), rng.randint(1, 60), rng.randint(1, 120)])


def _style(rng: random.Random, layout: str) -> dict:
    region = rng.choice(["US", "US", "EU", "UK"])
    if layout == "sentence":
        region = rng.choice(["EU", "EU", "US", "UK"])
    currency = {"US": rng.choice(["USD", "USD", "CAD"]), "EU": rng.choice(["EUR", "EUR", "EUR", "SEK", "DKK"]),
                "UK": "GBP"}[region]
    if layout == "cheque_stub":
        method = "CHECK"
    elif region == "EU":
        method = rng.choice(["SEPA", "SEPA", "WIRE"])
    else:
        method = rng.choice(["ACH", "ACH", "WIRE", "CARD", "ACH"])
    have = {
        "invoice_date": rng.random() < 0.75,
        "gross": rng.random() < 0.8,
        "discount": rng.random() < 0.5,
        "deduction": rng.random() < 0.45,
        "po": rng.random() < 0.2,
        "doc_type": layout in ("stacked_header", "summary_box"),
    }
    have["reason"] = have["deduction"] and rng.random() < 0.6
    if not have["gross"]:  # without a gross column, paid is all there is
        have["discount"] = have["deduction"] = have["reason"] = False
    fonts = FONTS if layout != "cheque_stub" else [FONTS[2]]
    if layout == "spaced_text":
        fonts = FONTS[:2]
    regular, bold = rng.choice(fonts)
    payer = f"{rng.choice(PAYER_WORDS_A)} {rng.choice(PAYER_WORDS_B)} {rng.choice(PAYER_SUFFIX)}"
    if rng.random() < 0.15:
        payer = f"{rng.choice(PAYER_WORDS_A)} {rng.choice(PAYER_WORDS_A)} {rng.choice(PAYER_WORDS_B)} of North America {rng.choice(PAYER_SUFFIX)}"
    date_formats = {
        "US": ["%m/%d/%Y", "%m/%d/%Y", "%m/%d/%y", "%d-%b-%Y", "%B {d}, %Y", "%b {d}, %Y", "%Y-%m-%d"],
        "EU": ["%d.%m.%Y", "%d.%m.%Y", "%d/%m/%Y", "%d-%b-%Y", "{d} %B %Y", "%Y-%m-%d"],
        "UK": ["%d/%m/%Y", "%d/%m/%Y", "{d} %b %Y", "%d-%b-%Y"],
    }[region]
    return {
        "layout": layout,
        "region": region,
        "decimal_comma": region == "EU",
        "thousands": rng.random() < 0.85,
        "space_thousands": region == "EU" and rng.random() < 0.3,
        "currency": currency,
        "currency_shown": rng.choice(["label", "code_in_total", "symbol", "column_code"])
        if currency in ("USD", "EUR", "GBP") else rng.choice(["label", "code_in_total", "column_code"]),
        "method": method,
        "date_format": rng.choice(date_formats),
        "table_date_format": rng.choice(date_formats),
        "negative": rng.choice(["minus", "parens", "trailing", "cr"]),
        "deduction_sign": rng.choice(["plain", "negative"]),
        "credit_memos": rng.random() < 0.5,
        "columns_have": have,
        "font": regular,
        "bold": bold,
        "size": rng.choice([7.5, 8, 8.5, 9, 9.5, 10]),
        "payer": payer,
        "our_name": rng.choice(OUR_NAMES),
        "page": rng.choice([LETTER, A4]),
        "invoice_style": rng.randrange(6),
        "payer_place": rng.choice(["letterhead", "letterhead", "label"]),
        "wording": {role: rng.choice(words) for role, words in COLUMN_WORDING.items()},
        "stacked": {role: rng.choice(words) for role, words in STACKED_WORDING.items()},
        "labels": {name: rng.choice(words) for name, words in LABELS.items()},
        "method_word": rng.choice(METHOD_WORDS.get(method, ["Check"])),
        "total_row": rng.choice(TOTAL_ROW_WORDS),
        "order": _column_order(rng, have),
        "header_align": rng.choice(["match", "left", "center"]),
        "forward_style": rng.choice(["forward", "page_total", "both"]),
        "repeat_header": rng.random() < 0.8,
    }


def _column_order(rng, have):
    money_cols = [c for c in ("gross", "discount", "deduction") if have[c]]
    middle = []
    if have["invoice_date"]:
        middle.append("invoice_date")
    if have["po"]:
        middle.insert(rng.randrange(len(middle) + 1), "po")
    order = ["invoice"] + middle
    if have["doc_type"]:
        order.insert(rng.choice([0, 1]), "doc_type")
    if "invoice_date" in order and rng.random() < 0.25:
        order.remove("invoice_date")
        order.insert(0, "invoice_date")
    order += money_cols
    if have["reason"]:
        position = order.index("deduction") + 1 if rng.random() < 0.6 else len(order) + 1
        order.insert(min(position, len(order)), "reason")
        if order[-1] == "reason" and rng.random() < 0.5:
            order.insert(len(order) - 1, "paid")
        else:
            order.append("paid")
    else:
        order.append("paid")
    return order


def _invoice_number(rng, style):
    n = rng.randrange(10000, 99999)
    return [f"INV-{n}", f"{rng.randrange(90000000, 99999999)}", f"{n}", f"A{n}-{rng.randrange(1, 9)}",
            f"2026/{n % 10000:04d}", f"INV{n:08d}"][style["invoice_style"]]


def _payment_reference(rng, method):
    n = rng.randrange(10_000_000, 999_999_999)
    if method == "CHECK":
        return f"{rng.randrange(1000, 999999):06d}"
    return rng.choice([f"ACH{n}", f"{n}", f"EFT-{n % 1000000:06d}", f"PMT{n % 100000:05d}", f"TRN{n}",
                       f"{rng.randrange(100, 999)}-{n % 100000:05d}"])


# ---------------------------------------------------------------- formatting

def fmt_money(value: Decimal, style: dict, negative_style: str | None = None) -> str:
    """An amount printed the way this document prints amounts."""
    negative = value < 0
    text = f"{abs(value):,.2f}" if style["thousands"] else f"{abs(value):.2f}"
    if style["decimal_comma"]:
        thousands = " " if style.get("space_thousands") else "."
        text = text.replace(",", "_").replace(".", ",").replace("_", thousands)
    if negative:
        how = negative_style or style["negative"]
        text = {"minus": f"-{text}", "parens": f"({text})", "trailing": f"{text}-", "cr": f"{text} CR"}[how]
    return text


def fmt_date(iso_text: str | None, pattern: str) -> str:
    if not iso_text:
        return ""
    d = date.fromisoformat(iso_text)
    return d.strftime(pattern.replace("{d}", str(d.day)))


def _symbol(currency):
    return {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, "")


def _fmt_total(truth, style):
    amount = fmt_money(truth["total"], style)
    shown = style["currency_shown"]
    if shown == "symbol":
        return f"{_symbol(truth['currency'])}{amount}"
    if shown in ("code_in_total", "column_code"):
        return f"{truth['currency']} {amount}"
    return amount


# ---------------------------------------------------------------- drawing

class Pen:
    """A reportlab canvas with a cursor and the document's fonts; breaks pages on request."""

    def __init__(self, path, style):
        self.style = style
        self.width, self.height = style["page"]
        self.canvas = Canvas(str(path), pagesize=style["page"])
        self.canvas.setTitle("Remittance advice")
        self.margin = 40
        self.y = self.height - self.margin
        self.size = style["size"]
        self.spaced = style["layout"] == "spaced_text"

    def text(self, x, s, size=None, bold=False, align="left", y=None):
        font = self.style["bold"] if bold else self.style["font"]
        size = size or self.size
        y = self.y if y is None else y
        width = stringWidth(s, font, size)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        if self.spaced and s:
            self._spaced(x, y, s, font, size)
        else:
            self.canvas.setFont(font, size)
            self.canvas.drawString(x, y, s)
        return width

    def _spaced(self, x, y, s, font, size):
        """Draw word by word with a little character spacing, as many PDF producers do."""
        spacing = 0.3
        for word in s.split(" "):
            t = self.canvas.beginText(x, y)
            t.setFont(font, size)
            t.setCharSpace(spacing)
            t.textOut(word)
            self.canvas.drawText(t)
            x += stringWidth(word, font, size) + spacing * len(word) + stringWidth(" ", font, size) * 1.2

    def width_of(self, s, bold=False, size=None):
        extra = 0.3 * len(s) if self.spaced else 0
        return stringWidth(s, self.style["bold"] if bold else self.style["font"], size or self.size) + extra

    def down(self, lines=1.0):
        self.y -= self.size * 1.45 * lines

    def line(self, x0, y0, x1, y1, width=0.5):
        self.canvas.setLineWidth(width)
        self.canvas.line(x0, y0, x1, y1)

    def new_page(self):
        self.canvas.showPage()
        self.y = self.height - self.margin

    def save(self):
        self.canvas.save()


def write_remittance(path, seed: int, layout: str | None = None) -> dict:
    """Draw one remittance advice at ``path``; return its truth (contract 1's JSON, money as strings)."""
    rng = random.Random(seed)
    layout = layout or LAYOUTS[seed % len(LAYOUTS)]
    truth, style = make_truth(rng, layout)
    pen = Pen(path, style)
    if layout == "cheque_stub":
        _cheque_stub(pen, truth, style, rng)
    else:
        _advice(pen, truth, style, rng)
    pen.save()
    return contract_json(truth)


def contract_json(truth: dict) -> dict:
    out = dict(truth)
    out["total"] = f"{truth['total']:.2f}"
    out["lines"] = [{k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in line.items() if k != "reason"}
                    for line in truth["lines"]]
    return out


def generate_corpus(folder, count: int, seed: int = 0, layouts=None) -> list[tuple[Path, dict, str]]:
    """Write ``count`` advices into ``folder``; return (path, truth, layout) for each."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    layouts = layouts or LAYOUTS
    corpus = []
    for i in range(count):
        layout = layouts[i % len(layouts)]
        path = folder / f"remittance_{layout}_{seed + i:05d}.pdf"
        truth = write_remittance(path, seed + i, layout)
        corpus.append((path, truth, layout))
    return corpus


# ---- header fields

def _field_values(truth, style):
    values = {
        "payment_reference": truth["payment_reference"],
        "payment_date": fmt_date(truth["payment_date"], style["date_format"]),
        "payment_method": style["method_word"],
        "total": _fmt_total(truth, style),
    }
    if style["currency_shown"] == "label":
        values["currency"] = truth["currency"]
    return values


def _letterhead(pen, truth, style, rng):
    pen.y = pen.height - pen.margin
    if style["payer_place"] == "letterhead":
        pen.text(pen.margin, truth["payer"], size=pen.size + rng.choice([3, 5, 7]), bold=True)
        pen.down(1.6)
        pen.text(pen.margin, f"{rng.randrange(10, 9999)} {rng.choice(['Harbor Rd', 'Main Street', 'Industriestr. 4'])}")
        pen.down()
        pen.text(pen.margin, rng.choice(["Savannah GA 31401", "Hamburg 20095", "Leeds LS1 4AP", "Toronto ON M5V 2T6"]))
        pen.down(1.5)
    title = rng.choice(["REMITTANCE ADVICE", "Payment Advice", "Payment Notification", "Remittance Advice"])
    title_y = pen.height - pen.margin
    if pen.width_of(truth["payer"], bold=True, size=pen.size + 7) + pen.width_of(title, bold=True, size=pen.size + 4) \
            > pen.width - 2 * pen.margin - 30:
        title_y = pen.y  # no room beside a long payer name: the title goes on a line of its own
        pen.down(1.8)
    pen.text(pen.width - pen.margin, title, size=pen.size + 4, bold=True, align="right", y=title_y)


def _payee_block(pen, style):
    label = style["labels"]["payee"]
    pen.text(pen.margin, f"{label}:")
    pen.text(pen.margin + pen.width_of(f"{label}:  ") + 20, style["our_name"])
    pen.down()


def _field_block(pen, truth, style, rng, x, align_values=False):
    values = _field_values(truth, style)
    if style["payer_place"] == "label":
        values = {"payer": truth["payer"], **values}
    items = list(values.items())
    rng.shuffle(items)
    label_width = max(pen.width_of(style["labels"][k] + ":") for k, _ in items) + 12
    for key, value in items:
        label = style["labels"][key]
        pen.text(x, f"{label}:")
        pen.text(x + label_width, value)
        pen.down()


def _field_grid(pen, truth, style, rng):
    """Two key/value pairs per row."""
    values = _field_values(truth, style)
    if style["payer_place"] == "label":
        values = {"payer": truth["payer"], **values}
    items = list(values.items())
    rng.shuffle(items)
    half = (pen.width - 2 * pen.margin) / 2
    rows, pending = [], []
    for item in items:  # a long value (a long payer name) takes a row of its own
        if len(item[1]) > 30:
            rows.append([item])
        else:
            pending.append(item)
            if len(pending) == 2:
                rows.append(pending)
                pending = []
    if pending:
        rows.append(pending)
    for row in rows:
        for j, (key, value) in enumerate(row):
            x = pen.margin + j * half
            label = style["labels"][key]
            pen.text(x, label, bold=True)
            pen.text(x + pen.width_of(label, bold=True) + 18, value)
        pen.down(1.2)


def _field_boxes(pen, truth, style, rng):
    """Ruled boxes with the label small on top and the value beneath."""
    values = _field_values(truth, style)
    items = list(values.items())
    rng.shuffle(items)
    needs = [max(pen.width_of(v), pen.width_of(style["labels"][k], size=pen.size - 1.5)) + 12 for k, v in items]
    spare = max(0.0, (pen.width - 2 * pen.margin - sum(needs)) / len(items))
    top = pen.y + pen.size
    height = pen.size * 3.2
    x = pen.margin
    for (key, value), need in zip(items, needs):
        box_w = need + spare
        pen.canvas.setLineWidth(0.6)
        pen.canvas.rect(x, top - height, box_w, height)
        pen.text(x + 4, style["labels"][key], size=pen.size - 1.5, y=top - pen.size)
        pen.text(x + 4, value, y=top - pen.size * 2.5)
        x += box_w
    pen.y = top - height - pen.size * 1.8


def _sentence(pen, truth, style, rng):
    amount = _fmt_total(truth, style)
    if style["currency_shown"] == "label" or style["currency_shown"] == "symbol" and not _symbol(truth["currency"]):
        amount = f"{truth['currency']} {fmt_money(truth['total'], style)}"
    when = fmt_date(truth["payment_date"], style["date_format"])
    ref = truth["payment_reference"]
    method = style["method_word"]
    opener = rng.choice([
        f"Payment of {amount} was sent on {when} by {method}, reference {ref}.",
        f"We have paid the amount of {amount} on {when} via {method}, reference {ref}.",
        f"{truth['payer']} has sent you a payment of {amount} on {when} by {method}.",
    ])
    lines = [opener]
    if "has sent" in opener:
        lines.append(f"Payment reference: {ref}")
    elif style["payer_place"] != "letterhead":
        lines.insert(0, f"From: {truth['payer']}")
    lines.append("Please find below the invoices settled with this payment.")
    for text in lines:
        pen.text(pen.margin, text)
        pen.down(1.3)


def _field_columns(pen, truth, style, rng):
    """Labels on one line, each value under its label, no rulings (as many ERP print-outs do)."""
    values = _field_values(truth, style)
    values.pop("total", None)
    if style["payer_place"] == "label":
        values["payer"] = truth["payer"]
    items = list(values.items())
    rng.shuffle(items)
    x = pen.margin
    for key, value in items:
        label = style["labels"][key].upper()
        if x + max(pen.width_of(label, bold=True), pen.width_of(value)) > pen.width - pen.margin:
            x = pen.margin
            pen.down(2.6)
        pen.text(x, label, bold=True)
        pen.text(x, value, y=pen.y - pen.size * 1.4)
        x += max(pen.width_of(label, bold=True), pen.width_of(value)) + 24
    pen.down(2.4)


def _summary_box(pen, truth, style, rng):
    """Under the table: totals of each column, then the net payment."""
    lines = truth["lines"]
    gross = sum((l["gross"] for l in lines), Decimal("0.00"))
    discount = sum((l["discount"] for l in lines), Decimal("0.00"))
    deduction = sum((l["deduction"] for l in lines), Decimal("0.00"))
    rows = [(rng.choice(["Total invoices", "Total gross"]), gross)]
    if discount:
        rows.append(("Less discounts", discount))
    if deduction:
        rows.append(("Less deductions", deduction))
    rows.append((rng.choice(["Net payment", "Amount Paid", "Payment Amount", "Check Amount"]), truth["total"]))
    x_label, x_value = pen.width / 2, pen.width - pen.margin
    for label, value in rows:
        if pen.y < pen.margin + 2 * pen.size:
            pen.new_page()
        text = fmt_money(value, style)
        if label == rows[-1][0]:
            text = _fmt_total(truth, style)
        pen.text(x_label, label, bold=label == rows[-1][0])
        pen.text(x_value, text, align="right", bold=label == rows[-1][0])
        pen.down(1.2)


# ---- table

def _cell_texts(line, style):
    texts = {}
    dec_neg = None if style["deduction_sign"] == "plain" else style["negative"]
    for role in style["order"]:
        if role == "invoice":
            texts[role] = line["invoice"]
        elif role == "invoice_date":
            texts[role] = fmt_date(line["invoice_date"], style["table_date_format"])
        elif role in ("gross", "paid"):
            texts[role] = fmt_money(line[role], style)
        elif role in ("discount", "deduction"):
            value = line[role]
            texts[role] = fmt_money(-value if dec_neg and value else value, style, dec_neg)
        elif role == "reason":
            texts[role] = line.get("reason", "")
        elif role == "po":
            texts[role] = "PO" + "".join(ch for ch in line["invoice"] if ch.isdigit())[::-1][:7]
        elif role == "doc_type":
            texts[role] = ("CM" if line["gross"] < 0 else "INV") if style["layout"] != "summary_box" else (
                "Credit Memo" if line["gross"] < 0 else "Invoice")
    if style["columns_have"]["doc_type"] and line["gross"] < 0:
        # Credit memos printed positive beside their type, as many ERPs do.
        for role in ("gross", "paid"):
            if role in texts:
                texts[role] = fmt_money(abs(line[role]), style)
    return texts


def _columns(pen, truth, style):
    """x positions: (role, x_left, x_right) fitted to the content."""
    heads = _head_texts(style)
    widths = []
    for role in style["order"]:
        sample = [_cell_texts(l, style)[role] for l in truth["lines"][:60]]
        if role in MONEY:  # the totals row prints the biggest figures, perhaps with a currency
            column_total = sum((abs(l[role]) for l in truth["lines"]), Decimal("0.00"))
            sample.append(f"{truth['currency']} -{fmt_money(column_total, style)}")
        head = max((pen.width_of(h, bold=True) for h in heads[role]), default=0)
        widths.append(max([head] + [pen.width_of(s) for s in sample]) + 14)
    available = pen.width - 2 * pen.margin
    scale = available / sum(widths) if sum(widths) > available else 1.0
    spare = 0 if scale < 1 else min((available - sum(widths)) / len(widths), 40)
    x = pen.margin
    cols = []
    for role, w in zip(style["order"], widths):
        w = w * scale + spare
        cols.append((role, x, x + w))
        x += w
    if scale < 1:
        pen.size = pen.size * scale
    return cols


def _head_texts(style):
    heads = {}
    for role in style["order"]:
        if style["layout"] == "stacked_header":
            heads[role] = list(style["stacked"][role])
        else:
            heads[role] = [style["wording"][role]]
    return heads


MONEY = {"gross", "discount", "deduction", "paid"}


def _draw_header(pen, cols, style, ruled):
    heads = _head_texts(style)
    rows = max(len(h) for h in heads.values())
    top = pen.y + pen.size * 1.1
    for k in range(rows):
        for role, x0, x1 in cols:
            texts = heads[role]
            if k >= len(texts):
                continue
            how = style["header_align"]
            if role in MONEY and (how == "match" or (not ruled and how != "left")):
                pen.text(x1 - 5, texts[k], bold=True, align="right")
            elif how == "center" and ruled:
                pen.text((x0 + x1) / 2, texts[k], bold=True, align="center")
            else:
                pen.text(x0 + 5, texts[k], bold=True)
        if k < rows - 1:
            pen.down(0.85)
    pen.down(0.4)
    bottom = pen.y + pen.size * 0.35
    if ruled:
        pen.line(cols[0][1], top, cols[-1][2], top)
    pen.line(cols[0][1], bottom, cols[-1][2], bottom)
    pen.down(1.0)
    return top


def _draw_row(pen, cols, texts, bold=False):
    for role, x0, x1 in cols:
        s = texts.get(role, "")
        if not s:
            continue
        if role in MONEY:
            pen.text(x1 - 5, s, align="right", bold=bold)
        else:
            pen.text(x0 + 5, s, bold=bold)


def _grid(pen, cols, top, bottom):
    for _, x0, _ in cols:
        pen.line(x0, top, x0, bottom)
    pen.line(cols[-1][2], top, cols[-1][2], bottom)
    pen.line(cols[0][1], bottom, cols[-1][2], bottom)


def _summary_cells(cols, label, lines, style):
    cells = {}
    first = cols[0][0]
    cells[first] = label
    for role in ("gross", "discount", "deduction", "paid"):
        if any(r == role for r, *_ in cols) and role != first:
            total = sum((l[role] for l in lines), Decimal("0.00"))
            if role in ("discount", "deduction") and style["deduction_sign"] == "negative" and total:
                cells[role] = fmt_money(-total, style)
            else:
                cells[role] = fmt_money(total, style)
    return cells


def _table(pen, truth, style, rng, ruled, zebra=False):
    cols = _columns(pen, truth, style)
    head_top = _draw_header(pen, cols, style, ruled)
    printed = []
    page_lines = []
    bottom_limit = pen.margin + pen.size * 6
    multipage = style["layout"] == "multipage_forward"
    for line in truth["lines"]:
        if pen.y < bottom_limit:
            pen.down(0.2)
            if ruled:
                _grid(pen, cols, head_top, pen.y + pen.size * 1.1)
            if multipage and style["forward_style"] in ("page_total", "both"):
                _draw_row(pen, cols, _summary_cells(cols, "Page total", page_lines, style), bold=True)
                pen.down()
            if multipage and style["forward_style"] in ("forward", "both"):
                _draw_row(pen, cols, _summary_cells(cols, "Carried forward", printed, style), bold=True)
            pen.new_page()
            if rng.random() < 0.5:
                pen.text(pen.margin, f"{truth['payer']} - remittance {truth['payment_reference']} (continued)")
                pen.down(2)
            if not multipage or style["repeat_header"] or style["forward_style"] == "page_total":
                head_top = _draw_header(pen, cols, style, ruled)
            else:
                head_top = pen.y + pen.size * 1.1
            if multipage and style["forward_style"] in ("forward", "both"):
                _draw_row(pen, cols, _summary_cells(cols, "Brought forward", printed, style), bold=True)
                pen.down()
            page_lines = []
        if zebra and len(printed) % 2 == 0:
            pen.canvas.setFillGray(0.92)
            pen.canvas.rect(cols[0][1], pen.y - pen.size * 0.35, cols[-1][2] - cols[0][1], pen.size * 1.45,
                            stroke=0, fill=1)
            pen.canvas.setFillGray(0)
        _draw_row(pen, cols, _cell_texts(line, style))
        printed.append(line)
        page_lines.append(line)
        pen.down()
    if ruled:
        _grid(pen, cols, head_top, pen.y + pen.size * 1.1)
    pen.down(0.3)
    total_cells = _summary_cells(cols, style["total_row"], printed, style)
    if style["currency_shown"] == "symbol" and _symbol(truth["currency"]):
        total_cells["paid"] = _symbol(truth["currency"]) + total_cells["paid"]
    elif style["currency_shown"] == "column_code":
        total_cells["paid"] = f"{truth['currency']} {total_cells['paid']}"
    if style["layout"] != "summary_box":
        _draw_row(pen, cols, total_cells, bold=True)
    pen.down(2)


def _advice(pen, truth, style, rng):
    layout = style["layout"]
    _letterhead(pen, truth, style, rng)
    pen.down(0.5)
    if layout == "sentence":
        _payee_block(pen, style)
        pen.down()
        _sentence(pen, truth, style, rng)
    elif layout == "ruled_grid" or layout == "multipage_forward":
        top = pen.y
        pen.y = top
        _payee_block(pen, style)
        pen.y = top
        _field_block(pen, truth, style, rng, x=pen.width / 2 + 20)
    elif layout == "boxed_fields":
        _payee_block(pen, style)
        pen.down(1.5)
        _field_boxes(pen, truth, style, rng)
    elif layout == "spaced_text":
        _payee_block(pen, style)
        pen.down()
        _field_grid(pen, truth, style, rng)
    elif layout == "summary_box":
        _payee_block(pen, style)
        pen.down(1.5)
        _field_columns(pen, truth, style, rng)
    else:
        _field_block(pen, truth, style, rng, x=pen.margin)
        pen.down()
        _payee_block(pen, style)
    if style["payer_place"] == "label" and layout in ("boxed_fields",):
        pen.text(pen.margin, f"{style['labels']['payer']}: {truth['payer']}")
        pen.down()
    pen.down(1.5)
    ruled = layout in ("ruled_grid", "boxed_fields") or (layout == "multipage_forward" and rng.random() < 0.4)
    _table(pen, truth, style, rng, ruled=ruled and layout != "boxed_fields", zebra=layout == "boxed_fields")
    if layout == "summary_box":
        _summary_box(pen, truth, style, rng)
    if rng.random() < 0.5:
        pen.text(pen.margin, "Questions about this payment? Contact accounts payable.")


# ---- cheque stub (monospace, whole lines)

def _cheque_stub(pen, truth, style, rng):
    size = pen.size
    lines = truth["lines"]
    roles = [r for r in style["order"] if r not in ("po", "reason", "doc_type")]
    heads = {"invoice": rng.choice(["INVOICE NO", "YOUR INVOICE", "DOC. NO.", "INVOICE #"]),
             "invoice_date": rng.choice(["INV DATE", "DATE"]),
             "gross": rng.choice(["GROSS", "INV AMOUNT", "AMOUNT"]), "discount": rng.choice(["DISCOUNT", "DISC"]),
             "deduction": rng.choice(["ADJ", "DEDUCTION"]), "paid": rng.choice(["NET PAID", "NET", "PAID"])}
    rows = [[_cell_texts(l, style)[r] if r in _cell_texts(l, style) else "" for r in roles] for l in lines]
    widths = [max([len(heads[r])] + [len(row[k]) for row in rows]) + 3 for k, r in enumerate(roles)]
    while sum(widths) * 0.6 * size > pen.width - 2 * pen.margin and size > 6:
        size -= 0.5
    pen.size = size

    def fixed(cells):
        out = ""
        for k, r in enumerate(roles):
            if r in MONEY:
                out += cells[k].rjust(widths[k])
            else:
                out += cells[k].ljust(widths[k])
        return out

    when = fmt_date(truth["payment_date"], style["date_format"])
    pen.text(pen.margin, truth["payer"], bold=True)
    pen.down()
    pen.text(pen.margin, f"{style['labels']['check_reference']} {truth['payment_reference']}   "
                         f"{style['labels']['check_date']} {when}")
    pen.down(1.8)
    pen.text(pen.margin, fixed([heads[r] for r in roles]))
    pen.down()
    pen.text(pen.margin, "-" * len(fixed([heads[r] for r in roles])))
    pen.down()
    for row in rows:
        if pen.y < pen.height * 0.45:
            pen.new_page()
        pen.text(pen.margin, fixed(row))
        pen.down()
    pen.down(0.5)
    total_word = rng.choice(["TOTAL", "CHECK TOTAL", "TOTAL PAID"])
    total_cells = [""] * len(roles)
    total_cells[0] = total_word
    total_cells[-1] = fmt_money(truth["total"], style)
    pen.text(pen.margin, fixed(total_cells))
    pen.down(2)
    pen.text(pen.margin, "- " * 45 + "  DETACH HERE")
    pen.down(2.5)
    pen.text(pen.margin, truth["payer"], bold=True)
    pen.text(pen.width - pen.margin, truth["payment_reference"], align="right")
    pen.down(2)
    symbol = _symbol(truth["currency"]) or truth["currency"] + " "
    pen.text(pen.width - pen.margin - 200, f"DATE {when}")
    pen.down(1.5)
    pen.text(pen.width - pen.margin, f"AMOUNT {symbol}****{fmt_money(truth['total'], style)}", align="right")
    pen.down(2)
    pen.text(pen.margin, f"PAY TO THE ORDER OF   {pen.style['our_name']}")
    pen.down(3)
    pen.text(pen.width - pen.margin, "AUTHORIZED SIGNATURE", align="right")
