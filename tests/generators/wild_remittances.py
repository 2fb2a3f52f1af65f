"""Remittance advices in layouts the parser's author never drew, with their exact contract-1 truth.

Written from how payers' accounts-payable systems and banks print advices, not from the
parser: each layout below imitates one family of real documents.

- ``sap_advice``: SAP "Payment Advice Note": letterhead payer, Your reference / Our reference /
  Document date / Gross / Cash discount / Net, negatives as ``123.45-``
- ``oracle_advice``: Oracle "Remittance Advice": "From:", Invoice Num / Invoice Date /
  Description / Invoice Amount / Discount Taken / Amount Paid, "Payment Total"
- ``quickbooks_stub``: a bill-payment cheque stub with the cheque printed below it
- ``ach_ctx``: a bank's printout of ACH CTX addenda in Courier capitals, 2-digit years
- ``sepa_avis``: EU "Zahlungsavis" in English, 1.234,56 and DD.MM.YYYY, EUR
- ``bacs_uk``: UK BACS remittance, £ amounts, DD/MM/YYYY, deduction with a reason column
- ``multipage_forward``: many lines, repeated headers, page subtotals, carried/brought forward
- ``portal_notice``: supplier-network notification (Coupa/Tungsten style), payer in a sentence
- ``cheque_below``: a stub table above a perforation and the cheque below, "Cheque No"
- ``html_coupa``: HTML printed by Chromium, PO column, adjustment + reason code + reason text
- ``html_wire``: HTML printed by Chromium, wire advice with a plain Amount/Paid table

``write_wild(path, seed, layout)`` writes one PDF and returns its truth.
"""

import html
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

CENT = Decimal("0.01")

REPORTLAB_LAYOUTS = ["sap_advice", "oracle_advice", "quickbooks_stub", "ach_ctx", "sepa_avis", "bacs_uk",
                     "multipage_forward", "portal_notice", "cheque_below"]
HTML_LAYOUTS = ["html_coupa", "html_wire"]
WILD_LAYOUTS = REPORTLAB_LAYOUTS + HTML_LAYOUTS

PAYERS = ["Harbor Freight Outfitters Inc.", "Alder & Finch Logistics Ltd", "Kessler Maschinenbau GmbH",
          "Blue Ridge Grocers, LLC", "Société Générale de Pièces SA", "Pinecrest Hardware Co.",
          "O'Malley Foods Corporation", "Van der Berg Retail B.V.", "Sunbelt Medical Supply",
          "Great Lakes Paper Company", "Tri-County Building Materials", "Meridian Outdoor Group plc"]
REASONS = [("01", "Pricing"), ("02", "Shortage"), ("03", "Damaged goods"), ("07", "Freight"),
           ("11", "Promotion"), ("14", "Tax difference")]


# ----------------------------------------------------------------------------- content

def _money(rng, low=40, high=25000) -> Decimal:
    return (Decimal(rng.randrange(low * 100, high * 100)) / 100).quantize(CENT)


def _invoice_number(rng, style: str, credit: bool) -> str:
    n = rng.randrange(10000, 999999)
    if credit:
        return rng.choice([f"CM-{n}", f"CR{n}", f"{n}C"]) if style != "digits" else f"9{n}"
    return {"prefixed": f"INV-{n}", "digits": f"{rng.randrange(90000000, 99999999)}",
            "padded": f"INV{n:08d}", "slashed": f"SI/{n}/26", "letters": f"AB{n}"}[style]


def make_payment(rng: random.Random, layout: str) -> dict:
    """The truth of one payment: header fields and lines (Decimals), plus printing choices."""
    currency = {"sepa_avis": "EUR", "bacs_uk": "GBP"}.get(layout) or rng.choice(["USD"] * 4 + ["CAD", "EUR"])
    if layout in ("ach_ctx", "quickbooks_stub"):
        currency = "USD"
    pay_date = date(2026, 11, 1) + timedelta(days=rng.randrange(0, 24))
    many = layout == "multipage_forward" or (layout in ("oracle_advice", "html_coupa") and rng.random() < 0.2)
    count = rng.randrange(30, 121) if many else rng.choice([1, 1, 2, 3, 4, 5, 6, 8, 10, 14, 20])
    style = rng.choice(["prefixed", "digits", "padded", "slashed", "letters"])
    lines = []
    for _ in range(count):
        credit = rng.random() < 0.08
        gross = _money(rng)
        discount = deduction = Decimal("0.00")
        if credit:
            gross = -_money(rng, 20, 3000)
        else:
            if rng.random() < 0.3:
                discount = (gross * Decimal(rng.choice(["0.01", "0.02", "0.025"]))).quantize(CENT)
            if rng.random() < 0.2:
                deduction = _money(rng, 5, int(gross) // 4 + 6)
                deduction = min(deduction, gross - discount - Decimal("1.00"))
        lines.append({"invoice": _invoice_number(rng, style, credit),
                      "invoice_date": (pay_date - timedelta(days=rng.randrange(5, 90))).isoformat(),
                      "gross": gross, "discount": discount, "deduction": deduction,
                      "paid": gross - discount - deduction,
                      "reason": rng.choice(REASONS) if deduction else None,
                      "po": f"PO{rng.randrange(4500000000, 4599999999)}"})
    total = sum((line["paid"] for line in lines), Decimal("0.00"))
    if total <= 0:  # a payment is never negative: add an invoice large enough to pay the credits
        gross = -total + _money(rng, 100, 5000)
        lines.append({"invoice": _invoice_number(rng, style, False),
                      "invoice_date": (pay_date - timedelta(days=20)).isoformat(), "gross": gross,
                      "discount": Decimal("0.00"), "deduction": Decimal("0.00"), "paid": gross,
                      "reason": None, "po": f"PO{rng.randrange(4500000000, 4599999999)}"})
        total += gross
    return {"payer": rng.choice(PAYERS), "currency": currency, "payment_date": pay_date.isoformat(),
            "total": total, "lines": lines, "reference": _reference(rng, layout), "method": None}


def _reference(rng, layout) -> str:
    if layout in ("quickbooks_stub", "cheque_below"):
        return f"{rng.randrange(1000, 99999):06d}" if rng.random() < 0.5 else str(rng.randrange(1000, 99999))
    if layout == "ach_ctx":
        return str(rng.randrange(10**14, 10**15))
    return rng.choice([f"PMT{rng.randrange(100000, 999999)}", f"{rng.randrange(2000000000, 2999999999)}",
                       f"PMT {rng.randrange(2024, 2027)} {rng.randrange(1, 9999):04d}",
                       f"EFT-{rng.randrange(10000, 99999)}-{rng.randrange(10, 99)}",
                       f"RA{rng.randrange(100000, 999999)}"])


def _str(value: Decimal) -> str:
    return str(value.quantize(CENT))


def truth_json(payment: dict, has_invoice_date: bool = True) -> dict:
    """Contract 1's JSON for ``payment``."""
    return {
        "payer": payment["payer"], "payment_reference": payment["reference"],
        "payment_date": payment["payment_date"], "payment_method": payment["method"],
        "currency": payment["currency"], "total": _str(payment["total"]),
        "lines": [{"invoice": line["invoice"], "invoice_date": line["invoice_date"] if has_invoice_date else None,
                   "gross": _str(line["gross"]), "discount": _str(line["discount"]),
                   "deduction": _str(line["deduction"]), "paid": _str(line["paid"])} for line in payment["lines"]],
    }


# ----------------------------------------------------------------------------- printing values

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]


def fmt_date(iso: str, style: str) -> str:
    d = date.fromisoformat(iso)
    return {"us": f"{d.month:02d}/{d.day:02d}/{d.year}", "us2": f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}",
            "eu": f"{d.day:02d}.{d.month:02d}.{d.year}", "uk": f"{d.day:02d}/{d.month:02d}/{d.year}",
            "dmy": f"{d.day:02d}-{MONTHS[d.month - 1]}-{d.year}", "iso": iso,
            "long": f"{LONG_MONTHS[d.month - 1]} {d.day}, {d.year}", "mdy": f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
            "ukl": f"{d.day} {LONG_MONTHS[d.month - 1]} {d.year}"}[style]


def fmt_money(value: Decimal, comma: bool = False, negative: str = "-", symbol: str = "") -> str:
    """Print ``value`` with thousands separators; negatives as '-', '()', 'trail' or 'CR'."""
    text = f"{abs(value):,.2f}"
    if comma:
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    text = symbol + text
    if value >= 0:
        return text
    return {"-": "-" + text, "()": f"({text})", "trail": text + "-", "CR": text + " CR"}[negative]


def _neg(value: Decimal) -> Decimal:
    """A discount or deduction as documents often print it: negative."""
    return -value if value else value


# ----------------------------------------------------------------------------- reportlab table drawing

class Sheet:
    """A reportlab canvas with a cursor, a font and simple left/right aligned text."""

    def __init__(self, path, rng, font="Helvetica", size=9):
        from reportlab.lib.pagesizes import A4, letter
        from reportlab.pdfgen.canvas import Canvas

        self.size_page = rng.choice([A4, letter])
        self.canvas = Canvas(str(path), pagesize=self.size_page)
        self.width, self.height = self.size_page
        self.font, self.size = font, size
        self.y = self.height - rng.randrange(40, 70)
        self.page = 1

    def text(self, x, text, size=None, font=None, align="left", y=None):
        self.canvas.setFont(font or self.font, size or self.size)
        y = self.y if y is None else y
        if align == "right":
            self.canvas.drawRightString(x, y, text)
        elif align == "center":
            self.canvas.drawCentredString(x, y, text)
        else:
            self.canvas.drawString(x, y, text)

    def down(self, points):
        self.y -= points

    def rule(self, x0=40, x1=None, dash=False):
        if dash:
            self.canvas.setDash(3, 3)
        self.canvas.line(x0, self.y, x1 or self.width - 40, self.y)
        self.canvas.setDash()

    def new_page(self):
        self.canvas.showPage()
        self.page += 1
        self.y = self.height - 50

    def save(self):
        self.canvas.save()


def draw_table(sheet: Sheet, columns: list, rows: list, *, bottom=80, row_height=None, ruled=False,
               subtotal=None, forward=None, on_new_page=None, bold_header=True, repeat_header=True):
    """Draw ``rows`` under ``columns`` [(title, x, align)], paginating with a repeated header.

    ``subtotal(rows_on_page)`` / ``forward(running)`` return the label cells of a page subtotal
    and of the carried/brought forward rows (None: not printed).
    """
    row_height = row_height or sheet.size + 4
    header_font = sheet.font + "-Bold" if bold_header and sheet.font in ("Helvetica", "Times") else sheet.font
    if sheet.font == "Times-Roman" and bold_header:
        header_font = "Times-Bold"
    if sheet.font == "Courier" and bold_header:
        header_font = "Courier-Bold"

    def header():
        titles = [c[0] if isinstance(c[0], list) else [c[0]] for c in columns]
        depth = max(len(t) for t in titles)
        for level in range(depth):
            for (title, x, align), parts in zip(columns, titles):
                offset = depth - len(parts)
                if level >= offset:
                    sheet.text(x, parts[level - offset], font=header_font, align=align)
            sheet.down(row_height)
        if ruled:
            sheet.y += row_height - 3
            sheet.rule()
            sheet.down(row_height - 3)

    header()
    running = Decimal("0.00")
    on_page = []
    for i, (cells, paid) in enumerate(rows):
        if sheet.y < bottom:
            if subtotal:
                sheet.down(2)
                for text, x, align in subtotal(on_page):
                    sheet.text(x, text, align=align)
                sheet.down(row_height)
            if forward:
                for text, x, align in forward(running, "carried"):
                    sheet.text(x, text, align=align)
            sheet.new_page()
            if on_new_page:
                on_new_page()
            if repeat_header:
                header()
            if forward:
                for text, x, align in forward(running, "brought"):
                    sheet.text(x, text, align=align)
                sheet.down(row_height)
            on_page = []
        for text, (_, x, align) in zip(cells, columns):
            if text:
                sheet.text(x, text, align=align)
        sheet.down(row_height)
        running += paid
        on_page.append(paid)
    if ruled:
        sheet.y += row_height - 3
        sheet.rule()
        sheet.down(row_height - 3)


# ----------------------------------------------------------------------------- reportlab layouts

def _sap(path, rng, p):
    p["method"] = rng.choice(["SEPA", "WIRE"]) if p["currency"] == "EUR" else rng.choice(["ACH", "WIRE"])
    comma = p["currency"] == "EUR"
    ds = "eu" if comma else "us"
    s = Sheet(path, rng, rng.choice(["Helvetica", "Times-Roman"]), rng.choice([8, 9]))
    s.text(40, p["payer"], size=14, font="Helvetica-Bold")
    s.down(13)
    s.text(40, f"{rng.randrange(1, 300)} Industriestrasse / Harbour Road, Building {rng.randrange(1, 9)}", size=8)
    s.down(28)
    s.text(40, "Northwind Supply Co.", size=9)
    s.down(11)
    s.text(40, "Accounts Receivable, 88 Harbor Rd", size=9)
    s.down(26)
    s.text(40, "Payment Advice Note", size=13, font="Helvetica-Bold")
    s.down(20)
    words = {"SEPA": "SEPA credit transfer", "WIRE": "Bank transfer" if p["currency"] != "EUR" else "Wire transfer",
             "ACH": "ACH credit"}
    if p["method"] == "WIRE" and p["currency"] != "EUR":
        words["WIRE"] = "Wire transfer"
    fields = [("Payment document", p["reference"]), ("Payment date", fmt_date(p["payment_date"], ds)),
              ("Payment method", words[p["method"]]), ("Currency", p["currency"])]
    for label, value in fields:
        s.text(330, label)
        s.text(440, value)
        s.down(s.size + 3)
    s.down(14)
    neg = rng.choice(["trail", "-"])
    cols = [("Your reference", 40, "left"), ("Our reference", 130, "left"), ("Document date", 220, "left"),
            ("Gross", 390, "right"), ("Cash discount", 465, "right"), ("Net", 545, "right")]
    rows = []
    for line in p["lines"]:
        rows.append(([line["invoice"], str(rng.randrange(5100000000, 5199999999)),
                      fmt_date(line["invoice_date"], ds), fmt_money(line["gross"], comma, neg),
                      fmt_money(_neg(line["discount"] + line["deduction"]), comma, neg),
                      fmt_money(line["paid"], comma, neg)], line["paid"]))
    # one column holds discount and deduction: contract says it is all discount
    for line in p["lines"]:
        line["discount"], line["deduction"] = line["discount"] + line["deduction"], Decimal("0.00")
    draw_table(s, cols, rows, ruled=True)
    s.down(6)
    s.text(390, "Total", font="Helvetica-Bold")
    s.text(545, f"{fmt_money(p['total'], comma, neg)} {p['currency']}", align="right", font="Helvetica-Bold")
    s.save()
    return truth_json(p)


def _oracle(path, rng, p):
    p["method"] = rng.choice(["ACH", "WIRE", "CHECK"]) if p["currency"] != "EUR" else "SEPA"
    words = {"ACH": rng.choice(["EFT", "Electronic (ACH)"]), "WIRE": "Wire", "CHECK": "Check", "SEPA": "SEPA"}
    ds = rng.choice(["dmy", "us"]) if p["currency"] != "EUR" else "dmy"
    s = Sheet(path, rng, "Helvetica", rng.choice([8, 9, 10]))
    s.text(s.width / 2, "Remittance Advice", size=14, align="center", font="Helvetica-Bold")
    s.down(30)
    left = [("From:", p["payer"]), ("To:", "Northwind Supply Co."), ("Supplier Site:", "MAIN-AR")]
    right = [("Payment Number:", p["reference"]), ("Payment Date:", fmt_date(p["payment_date"], ds)),
             ("Payment Method:", words[p["method"]]), ("Payment Currency:", p["currency"])]
    y0 = s.y
    for label, value in left:
        s.text(40, label, font="Helvetica-Bold")
        s.text(110, value)
        s.down(s.size + 4)
    s.y = y0
    for label, value in right:
        s.text(330, label, font="Helvetica-Bold")
        s.text(430, value)
        s.down(s.size + 4)
    s.down(18)
    neg = rng.choice(["-", "()"])
    with_desc = rng.random() < 0.6
    cols = [("Invoice Num", 40, "left"), ("Invoice Date", 120, "left")]
    if with_desc:
        cols.append(("Invoice Description", 190, "left"))
    cols += [("Invoice Amount", 395, "right"), ("Discount Taken", 478, "right"), ("Amount Paid", 555, "right")]
    rows = []
    for line in p["lines"]:
        line["discount"] += line["deduction"]
        line["deduction"] = Decimal("0.00")
        cells = [line["invoice"], fmt_date(line["invoice_date"], ds)]
        if with_desc:
            cells.append(rng.choice(["Goods", "Freight and handling", "Services Oct 2026", "Order 4410 - 12 items",
                                     "Credit for returned goods" if line["gross"] < 0 else "Supplies"]))
        cells += [fmt_money(line["gross"], False, neg), fmt_money(line["discount"], False, neg),
                  fmt_money(line["paid"], False, neg)]
        rows.append((cells, line["paid"]))
    draw_table(s, cols, rows, ruled=rng.random() < 0.5)
    s.down(8)
    s.text(410, "Payment Total:", font="Helvetica-Bold", align="right")
    s.text(555, fmt_money(p["total"]), align="right", font="Helvetica-Bold")
    s.save()
    return truth_json(p)


def _quickbooks(path, rng, p):
    p["method"] = "CHECK"
    s = Sheet(path, rng, "Helvetica", 9)
    s.text(40, p["payer"], size=11, font="Helvetica-Bold")
    s.down(12)
    s.text(40, f"{rng.randrange(100, 9999)} Main Street", size=8)
    s.down(10)
    s.text(40, "Anytown, OH 44101", size=8)
    s.down(24)
    s.text(40, "Northwind Supply Co.")
    s.text(450, fmt_date(p["payment_date"], "us"))
    s.down(20)
    cols = [("Date", 40, "left"), ("Type", 105, "left"), ("Reference", 150, "left"), ("Original Amt.", 330, "right"),
            ("Balance Due", 400, "right"), ("Discount", 465, "right"), ("Payment", 545, "right")]
    rows = []
    for line in p["lines"]:
        line["discount"] += line["deduction"]
        line["deduction"] = Decimal("0.00")
        kind = "Credit" if line["gross"] < 0 else "Bill"
        rows.append(([fmt_date(line["invoice_date"], "us"), kind, line["invoice"], fmt_money(line["gross"]),
                      fmt_money(line["gross"]), fmt_money(line["discount"]) if line["discount"] else "",
                      fmt_money(line["paid"])], line["paid"]))
    draw_table(s, cols, rows, bottom=330)
    s.down(4)
    s.text(400, "Check Amount", font="Helvetica-Bold")
    s.text(545, fmt_money(p["total"]), align="right")
    # the cheque itself, below a perforation
    s.y = 250
    s.rule(20, s.width - 20, dash=True)
    s.down(30)
    s.text(40, p["payer"], font="Helvetica-Bold")
    s.text(450, p["reference"], size=11, font="Helvetica-Bold")
    s.down(28)
    s.text(420, "DATE", size=7)
    s.text(450, fmt_date(p["payment_date"], "us"))
    s.down(24)
    s.text(40, "PAY TO THE ORDER OF", size=7)
    s.text(130, "Northwind Supply Co.")
    s.text(545, f"$**{fmt_money(p['total'])}", align="right")
    s.down(20)
    s.text(40, f"{_amount_words(p['total'])}*****************************************", size=8)
    s.down(30)
    s.text(40, "MEMO", size=7)
    s.text(70, "Invoices per stub")
    s.save()
    return truth_json(p)


_ONES = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
         "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"]
_TENS = ["", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]


def _words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("-" + _ONES[n % 10] if n % 10 else "")
    if n < 1000:
        return _ONES[n // 100] + " Hundred" + (" " + _words(n % 100) if n % 100 else "")
    if n < 1000000:
        return _words(n // 1000) + " Thousand" + (" " + _words(n % 1000) if n % 1000 else "")
    return _words(n // 1000000) + " Million" + (" " + _words(n % 1000000) if n % 1000000 else "")


def _amount_words(amount: Decimal) -> str:
    return f"{_words(int(amount))} and {int(amount * 100) % 100:02d}/100"


def _ach_ctx(path, rng, p):
    p["method"] = "ACH"
    s = Sheet(path, rng, "Courier", rng.choice([8, 9]))
    bank = rng.choice(["FIRST NATIONAL BANK", "COMMERCE TRUST BANK N.A.", "PACIFIC WESTERN BANK"])
    s.text(40, bank)
    s.text(s.width - 40, "PAGE 1", align="right")
    s.down(12)
    s.text(40, "ACH CTX REMITTANCE DETAIL REPORT")
    s.down(24)
    fields = [("ORIGINATOR NAME", p["payer"].upper()), ("COMPANY ID", f"1{rng.randrange(100000000, 999999999)}"),
              ("RECEIVER", "NORTHWIND SUPPLY CO"), ("TRACE NUMBER", p["reference"]),
              ("EFFECTIVE DATE", fmt_date(p["payment_date"], rng.choice(["us2", "us"]))),
              ("SEC CODE", "CTX"), ("AMOUNT", fmt_money(p["total"], symbol="$"))]
    p["payer"] = p["payer"].upper()
    for label, value in fields:
        s.text(40, f"{label:<16}: {value}")
        s.down(s.size + 3)
    s.down(14)
    cols = [("INVOICE NO", 40, "left"), ("INV DATE", 150, "left"), ("GROSS AMT", 300, "right"),
            ("DISCOUNT", 370, "right"), ("ADJ AMT", 440, "right"), ("ADJ", 455, "left"), ("NET PAID", 560, "right")]
    rows = []
    for line in p["lines"]:
        rows.append(([line["invoice"], fmt_date(line["invoice_date"], "us2"),
                      fmt_money(line["gross"], negative="trail"),
                      fmt_money(line["discount"]), fmt_money(line["deduction"]),
                      line["reason"][0] if line["reason"] else "", fmt_money(line["paid"], negative="trail")],
                     line["paid"]))
    draw_table(s, cols, rows, bold_header=False, on_new_page=lambda: (s.text(40, bank), s.text(
        s.width - 40, f"PAGE {s.page}", align="right"), s.down(24)))
    s.down(6)
    s.text(40, f"TOTAL NET PAID{'':>10}{len(p['lines'])} ITEMS")
    s.text(560, fmt_money(p["total"]), align="right")
    s.save()
    return truth_json(p)


def _sepa(path, rng, p):
    p["method"] = "SEPA"
    s = Sheet(path, rng, rng.choice(["Helvetica", "Times-Roman"]), 9)
    s.text(40, p["payer"], size=12, font="Helvetica-Bold")
    s.text(s.width - 40, "Zahlungsavis / Payment Advice", size=12, align="right", font="Helvetica-Bold")
    s.down(12)
    s.text(40, f"Hauptstrasse {rng.randrange(1, 200)}, {rng.randrange(10000, 99999)} Stuttgart", size=8)
    s.down(34)
    method_word = rng.choice(["Bank transfer", "SEPA credit transfer", "SEPA-Überweisung", "Transfer (SEPA)"])
    fields = [("Payment reference:", p["reference"]), ("Value date:", fmt_date(p["payment_date"], "eu")),
              ("Payment method:", method_word), ("Currency:", "EUR"),
              ("Our customer number with you:", str(rng.randrange(10000, 99999)))]
    for label, value in fields:
        s.text(40, label)
        s.text(200, value)
        s.down(12)
    s.down(14)
    neg = rng.choice(["trail", "-"])
    cols = [("Document no.", 40, "left"), ("Document date", 130, "left"), ("Invoice amount", 300, "right"),
            ("Discount", 370, "right"), ("Deduction", 440, "right"), ("Payment amount", 545, "right")]
    rows = []
    for line in p["lines"]:
        rows.append(([line["invoice"], fmt_date(line["invoice_date"], "eu"), fmt_money(line["gross"], True, neg),
                      fmt_money(_neg(line["discount"]), True, neg), fmt_money(_neg(line["deduction"]), True, neg),
                      fmt_money(line["paid"], True, neg)], line["paid"]))
    draw_table(s, cols, rows, ruled=True)
    s.down(6)
    s.text(300, rng.choice(["Total remitted", "Payment total", "Total amount"]), font="Helvetica-Bold")
    s.text(545, "EUR " + fmt_money(p["total"], True), align="right", font="Helvetica-Bold")
    s.save()
    return truth_json(p)


def _bacs(path, rng, p):
    p["method"] = "ACH"  # BACS is the UK's automated clearing house
    s = Sheet(path, rng, "Helvetica", rng.choice([8, 9]))
    s.text(40, "BACS Remittance Advice", size=15, font="Helvetica-Bold")
    s.down(30)
    payer_label = rng.choice(["Paid by:", "Remitter:", "Customer name:"])
    fields = [(payer_label, p["payer"]), (rng.choice(["Payment Number:", "Payment No.", "EFT Trace:"]), p["reference"]),
              ("Payment date:", fmt_date(p["payment_date"], rng.choice(["uk", "ukl"]))),
              ("Sort code:", f"{rng.randrange(10, 99)}-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}")]
    for label, value in fields:
        s.text(40, label, font="Helvetica-Bold")
        s.text(140, value)
        s.down(s.size + 4)
    s.down(16)
    cols = [("Invoice No", 40, "left"), ("Date", 120, "left"), ("Description", 180, "left"),
            ("Amount", 360, "right"), ("Deduction", 420, "right"), ("Reason", 430, "left"), ("Paid", 555, "right")]
    rows = []
    for line in p["lines"]:
        line["deduction"] += line["discount"]
        line["discount"] = Decimal("0.00")
        rows.append(([line["invoice"], fmt_date(line["invoice_date"], "uk"),
                      "Credit note" if line["gross"] < 0 else rng.choice(["Goods", "Stationery", "Freight"]),
                      fmt_money(line["gross"], symbol="£", negative="()"),
                      fmt_money(line["deduction"], symbol="£") if line["deduction"] else "",
                      line["reason"][1] if line["reason"] and line["deduction"] else "",
                      fmt_money(line["paid"], symbol="£", negative="()")], line["paid"]))
    draw_table(s, cols, rows, ruled=True)
    s.down(6)
    s.text(420, "Total Payment", font="Helvetica-Bold", align="right")
    s.text(555, fmt_money(p["total"], symbol="£"), align="right", font="Helvetica-Bold")
    s.save()
    return truth_json(p)


def _multipage(path, rng, p):
    p["method"] = rng.choice(["ACH", "WIRE"])
    comma = p["currency"] == "EUR"
    ds = "eu" if comma else rng.choice(["us", "mdy"])
    s = Sheet(path, rng, rng.choice(["Helvetica", "Times-Roman"]), rng.choice([8, 9]))
    label = rng.choice(["Trace Number:", "EFT Trace:", "Remittance ID:"])

    def page_header():
        s.text(40, p["payer"], size=11, font="Helvetica-Bold")
        s.text(s.width - 40, f"Remittance Advice - Page {s.page}", align="right")
        s.down(14)
        s.text(40, f"{label} {p['reference']}")
        s.down(22)

    page_header()
    s.text(40, "Remitter:")
    s.text(100, p["payer"])
    s.down(12)
    s.text(40, "Payment date:")
    s.text(120, fmt_date(p["payment_date"], ds))
    s.down(12)
    s.text(40, "Payment type:")
    s.text(120, {"ACH": "ACH CCD+", "WIRE": "Wire transfer"}[p["method"]])
    s.down(12)
    s.text(40, "Amount of this payment:")
    s.text(200, f"{p['currency']} {fmt_money(p['total'], comma)}")
    s.down(22)
    cols = [("Inv Date", 40, "left"), ("Invoice", 110, "left"), ("PO Number", 220, "left"), ("Amount", 380, "right"),
            ("Disc", 450, "right"), ("Net", 545, "right")]
    rows = []
    for line in p["lines"]:
        line["discount"] += line["deduction"]
        line["deduction"] = Decimal("0.00")
        rows.append(([fmt_date(line["invoice_date"], ds), line["invoice"], line["po"], fmt_money(line["gross"], comma),
                      fmt_money(line["discount"], comma), fmt_money(line["paid"], comma)], line["paid"]))

    def subtotal(paid):
        return [("Page subtotal", 220, "left"), (fmt_money(sum(paid, Decimal("0.00")), comma), 545, "right")]

    def forward(running, which):
        word = "Carried forward" if which == "carried" else "Brought forward"
        return [(word, 220, "left"), (fmt_money(running, comma), 545, "right")]

    repeat = rng.random() < 0.7
    draw_table(s, cols, rows, subtotal=subtotal if rng.random() < 0.7 else None,
               forward=forward if not repeat or rng.random() < 0.7 else None,
               on_new_page=page_header, bottom=70, repeat_header=repeat)
    s.down(6)
    s.text(220, rng.choice(["Total Payment", "Payment total", "Net Amount"]), font="Helvetica-Bold")
    s.text(545, fmt_money(p["total"], comma), align="right", font="Helvetica-Bold")
    s.save()
    return truth_json(p)


def _portal(path, rng, p):
    p["method"] = rng.choice(["ACH", "CARD", "WIRE"]) if p["currency"] != "EUR" else "SEPA"
    words = {"ACH": "ACH", "CARD": "Virtual card", "WIRE": "Wire", "SEPA": "SEPA"}
    network = rng.choice(["Coupa Supplier Portal", "Tungsten Network", "Bottomline Paymode"])
    ds = rng.choice(["long", "iso", "dmy"])
    s = Sheet(path, rng, "Helvetica", rng.choice([9, 10]))
    s.text(40, network, size=9, font="Helvetica-Oblique")
    s.down(24)
    s.text(40, "Payment Notification", size=16, font="Helvetica-Bold")
    s.down(22)
    sentence = rng.choice([f"{p['payer']} has sent you a payment.",
                           f"You have received a payment from {p['payer']}."])
    s.text(40, sentence)
    s.down(22)
    fields = [(rng.choice(["Transaction ID", "Remittance ID", "Payment Number", "Payment No.", "Document no.",
                           "EFT Trace"]), p["reference"]),
              ("Payment date", fmt_date(p["payment_date"], ds)), ("Payment method", words[p["method"]]),
              ("Amount", f"{fmt_money(p['total'])} {p['currency']}")]
    for label, value in fields:
        s.text(40, label)
        s.text(160, value)
        s.down(s.size + 5)
    s.down(16)
    cols = [("Invoice Number", 40, "left"), ("Invoice Date", 150, "left"), ("Gross Amount", 330, "right"),
            ("Discount", 400, "right"), ("Adjustment", 470, "right"), ("Net Amount", 550, "right")]
    rows = []
    for line in p["lines"]:
        rows.append(([line["invoice"], fmt_date(line["invoice_date"], ds), fmt_money(line["gross"]),
                      fmt_money(line["discount"]), fmt_money(_neg(line["deduction"])), fmt_money(line["paid"])],
                     line["paid"]))
    draw_table(s, cols, rows, ruled=True)
    s.down(6)
    s.text(330, rng.choice(["Payment total", "Total remitted"]), font="Helvetica-Bold")
    s.text(550, fmt_money(p["total"]), align="right", font="Helvetica-Bold")
    s.save()
    return truth_json(p)


def _cheque_below(path, rng, p):
    p["method"] = "CHECK"
    s = Sheet(path, rng, rng.choice(["Helvetica", "Times-Roman"]), 9)
    s.text(40, p["payer"], size=12, font="Helvetica-Bold")
    s.down(12)
    s.text(40, "Accounts Payable Department", size=8)
    s.down(26)
    s.text(40, f"{rng.choice(['Cheque No', 'Check Number', 'Cheque No.'])} {p['reference']}")
    s.text(300, f"Date {fmt_date(p['payment_date'], 'mdy')}")
    s.down(22)
    cols = [("Invoice", 40, "left"), ("Date", 150, "left"), ("Amount", 330, "right"), ("Discount", 420, "right"),
            ("Net", 520, "right")]
    rows = []
    for line in p["lines"]:
        line["discount"] += line["deduction"]
        line["deduction"] = Decimal("0.00")
        rows.append(([line["invoice"], fmt_date(line["invoice_date"], "mdy"), fmt_money(line["gross"], negative="CR"),
                      fmt_money(line["discount"]), fmt_money(line["paid"], negative="CR")], line["paid"]))
    draw_table(s, cols, rows, bottom=320)
    s.down(4)
    s.text(330, "Total", font="Helvetica-Bold", align="right")
    s.text(520, fmt_money(p["total"]), align="right", font="Helvetica-Bold")
    s.y = 270
    s.rule(20, s.width - 20, dash=True)
    s.down(12)
    s.text(s.width / 2, "DETACH BEFORE DEPOSITING", size=6, align="center")
    s.down(24)
    s.text(40, p["payer"], font="Helvetica-Bold")
    s.text(460, f"No. {p['reference']}")
    s.down(22)
    s.text(400, fmt_date(p["payment_date"], "us"))
    s.down(22)
    s.text(40, "Pay to the order of Northwind Supply Co.")
    s.text(545, f"{p['currency']} ***{fmt_money(p['total'])}", align="right")
    s.down(18)
    s.text(40, f"{_amount_words(p['total'])} {p['currency']}", size=8)
    s.save()
    return truth_json(p)


# ----------------------------------------------------------------------------- HTML layouts (Chromium)

def _html_coupa(rng, p) -> tuple[str, dict]:
    p["method"] = rng.choice(["ACH", "WIRE"]) if p["currency"] != "EUR" else "SEPA"
    e = html.escape
    ds = "us" if p["currency"] == "USD" else "dmy"
    comma = p["currency"] == "EUR"
    rows = []
    for line in p["lines"]:
        reason = line["reason"] if line["deduction"] else ("", "")
        rows.append(f"<tr><td>{e(line['invoice'])}</td><td>{line['po']}</td>"
                    f"<td>{fmt_date(line['invoice_date'], ds)}</td>"
                    f"<td class=m>{fmt_money(line['gross'], comma)}</td>"
                    f"<td class=m>{fmt_money(line['discount'], comma) if line['discount'] else ''}</td>"
                    f"<td class=m>{fmt_money(_neg(line['deduction']), comma, '()') if line['deduction'] else ''}</td>"
                    f"<td>{reason[0]}</td><td>{e(reason[1])}</td>"
                    f"<td class=m>{fmt_money(line['paid'], comma)}</td></tr>")
    payer_html = rng.choice([f"<p>Customer name: <b>{e(p['payer'])}</b></p>",
                             f"<p><b>Paid by</b> {e(p['payer'])}</p>"])
    method = {"ACH": "ACH", "WIRE": "Wire transfer", "SEPA": "Bank transfer"}[p["method"]]
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font-family: {rng.choice(['Arial', 'DejaVu Serif', 'Liberation Sans'])}; font-size: {rng.choice([8, 9])}pt; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ padding: 2pt 7pt; border-bottom: 1px solid #ccc; }}
th {{ text-align: left; background: #f0f0f0; }} .m {{ text-align: right; }}
</style></head><body>
<h2>Payment Remittance</h2>{payer_html}
<table style="width:auto"><tr><td>Remittance ID</td><td>{e(p['reference'])}</td></tr>
<tr><td>Payment Date</td><td>{fmt_date(p['payment_date'], ds)}</td></tr>
<tr><td>Payment Method</td><td>{method}</td></tr><tr><td>Currency</td><td>{p['currency']}</td></tr></table>
<br><table><thead><tr><th>Invoice #</th><th>PO Number</th><th>Invoice Date</th><th class=m>Invoice Amount</th>
<th class=m>Discount</th><th class=m>Adjustment</th><th>Reason Code</th><th>Reason</th><th class=m>Amount Paid</th>
</tr></thead><tbody>{''.join(rows)}</tbody></table>
<p style="text-align:right"><b>Total remitted: {fmt_money(p['total'], comma)} {p['currency']}</b></p>
</body></html>"""
    return doc, truth_json(p)


def _html_wire(rng, p) -> tuple[str, dict]:
    p["method"] = "WIRE" if p["currency"] != "EUR" else "SEPA"
    e = html.escape
    ds = rng.choice(["dmy", "iso"])
    rows = []
    for line in p["lines"]:
        line["discount"] += line["deduction"]
        line["deduction"] = Decimal("0.00")
        disc = f"<td class=m>{fmt_money(line['discount'])}</td>"
        rows.append(f"<tr><td>{e(line['invoice'])}</td><td>{fmt_date(line['invoice_date'], ds)}</td>"
                    f"<td class=m>{fmt_money(line['gross'])}</td>{disc}<td class=m>{fmt_money(line['paid'])}</td></tr>")
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font-family: 'Times New Roman', serif; font-size: 10pt; }} .m {{ text-align: right; }}
td, th {{ padding: 1pt 8pt; }} table.l {{ width: 90%; }}
</style></head><body>
<div style="font-size:16pt; font-weight:bold">{e(p['payer'])}</div><div>{rng.randrange(1, 99)} Canal Street</div>
<h3>{'Wire Transfer Advice' if p['method'] == 'WIRE' else 'SEPA Transfer Advice'}</h3>
<p>From: {e(p['payer'])}<br>Transaction ID: {e(p['reference'])}<br>
Value Date: {fmt_date(p['payment_date'], ds)}<br>Currency: {p['currency']}</p>
<table class=l><thead><tr><th align=left>Invoice</th><th align=left>Date</th><th class=m>Amount</th>
<th class=m>Cash discount</th><th class=m>Paid</th></tr></thead><tbody>{''.join(rows)}</tbody></table>
<p>Payment total: {p['currency']} {fmt_money(p['total'])}</p></body></html>"""
    return doc, truth_json(p)


# ----------------------------------------------------------------------------- entry points

_REPORTLAB = {"sap_advice": _sap, "oracle_advice": _oracle, "quickbooks_stub": _quickbooks, "ach_ctx": _ach_ctx,
              "sepa_avis": _sepa, "bacs_uk": _bacs, "multipage_forward": _multipage, "portal_notice": _portal,
              "cheque_below": _cheque_below}
_HTML = {"html_coupa": _html_coupa, "html_wire": _html_wire}


def write_wild(path, seed: int, layout: str, page=None) -> dict:
    """Write one advice of ``layout`` to ``path``; return its contract-1 truth.

    HTML layouts need ``page`` (a Playwright page) to print with Chromium.
    """
    rng = random.Random(f"{layout}-{seed}")
    payment = make_payment(rng, layout)
    if layout in _REPORTLAB:
        return _REPORTLAB[layout](path, rng, payment)
    doc, truth = _HTML[layout](rng, payment)
    page.set_content(doc)
    page.pdf(path=str(path), format=rng.choice(["A4", "Letter"]),
             margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
    return truth


def write_wild_corpus(folder, per_layout: int, seed: int = 0, layouts=None, browser=None) -> list:
    """[(path, truth, layout)]: ``per_layout`` documents of every layout (HTML ones via Chromium).

    :param browser: a running Playwright Browser to print with (the tests' session browser:
        one process may run only one sync Playwright at a time); None starts one.
    """
    from contextlib import nullcontext

    from bots.runtime.browser import open_browser

    folder = Path(folder)
    layouts = layouts or WILD_LAYOUTS
    corpus = []
    for layout in [name for name in layouts if name in _REPORTLAB]:
        for i in range(per_layout):
            path = folder / f"{layout}_{seed + i}.pdf"
            corpus.append((path, write_wild(path, seed + i, layout), layout))
    html_layouts = [name for name in layouts if name in _HTML]
    if html_layouts:
        with (nullcontext(browser) if browser else open_browser()) as printer:
            page = printer.new_page()
            for layout in html_layouts:
                for i in range(per_layout):
                    path = folder / f"{layout}_{seed + i}.pdf"
                    corpus.append((path, write_wild(path, seed + i, layout, page), layout))
            page.close()
    return corpus
