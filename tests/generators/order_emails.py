"""Order emails with known truth, for tests and the benchmark.

``make_case(seed, fmt)`` writes one email (bytes) of a given format and returns it with
the orders a careful clerk would read from it. ``corpus(count)`` cycles through all
formats with varied customers (US, UK, German, French), SKUs, quantities, prices, label
wordings, date formats, charsets (UTF-8, Latin-1, Windows-1252) and transfer encodings
(7bit, quoted-printable, base64).

Order formats (``ORDER_FORMATS``, 20): plain-text aligned table, key/value lines, "50 x SKU
@ price" lines, pipe table, loosely typed lines (sentences, no prices, several fields on one
line), a table typed with single spaces, HTML-only table, Outlook-style HTML (labels above
values, no prices), multipart/alternative, a PDF with a boxed header and wrapped
descriptions, forwarded inline, forwarded as attachment (message/rfc822), CSV attachment
(any delimiter, charset, decimal comma, header wording), XLSX attachment (key/value block,
Excel dates), PDF attachment (buyer's and our item numbers side by side), PDF with narrow
header cells (PO number and dates wrapped at a hyphen, slash or space), two attachments,
two POs in the body, reply chain (an older order in the quote), inline image and signature.
Not-orders (``NOT_ORDER_FORMATS``): out-of-office, invoice question that quotes a PO number,
bounce (multipart/report), newsletter.

Truth per order: po_number, requested_date (ISO or None), customer name and email,
ship_to (one line or None), source, and lines (sku, description, quantity, unit_price).

Run as a script to write a corpus folder: ``python -m tests.generators.order_emails OUT 200``.
"""

import csv
import io
import random
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from email import charset as email_charset
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from pathlib import Path

TODAY = date(2026, 11, 25)
_TZ = timezone(timedelta(hours=-5))
SELLER = ("Northwind Supply Co.", "northwind-supply.com")

ORDER_FORMATS = [
    "text_table", "text_key_value", "text_at_lines", "text_pipe_table", "text_loose", "text_single_space",
    "html_table", "html_outlook", "alternative", "pdf_boxed",
    "forwarded_inline", "forwarded_attached", "csv_attachment", "xlsx_attachment", "pdf_attachment", "pdf_narrow",
    "two_attachments", "two_orders_body", "reply_chain", "signature_image",
]
NOT_ORDER_FORMATS = ["out_of_office", "invoice_question", "bounce", "newsletter"]
FORMATS = ORDER_FORMATS + NOT_ORDER_FORMATS

_FIRST = ["Pinecrest", "Harbor", "Bluewater", "Summit", "Oakridge", "Riverside", "Northgate", "Silverline", "Maple",
          "Cedar", "Granite", "Lakeside", "Sunrise", "Evergreen", "Redwood", "Ironbridge", "Westfield", "Brightwater",
          "Stonebridge", "Golden", "Highland", "Meadow", "Copper", "Falcon"]
_SECOND = ["Grocers", "Foods", "Supply", "Hardware", "Markets", "Outfitters", "Distribution", "Trading", "Wholesale",
           "Provisions", "Builders", "Kitchens"]
_PEOPLE_FIRST = ["Jane", "Marco", "Aisha", "Tom", "Priya", "Lukas", "Emma", "Noah", "Chloé", "Jürgen", "Sofia", "Liam", "Grace", "Hannah"]
_PEOPLE_LAST = ["Doe", "Rossi", "Khan", "Baker", "Patel", "Müller", "Martin", "Nguyen", "Dubois", "Schmidt", "Garcia", "O'Brien", "Fischer", "Smith"]
_NOUNS = ["Widget", "Olive oil 5L", "Steel bolt M8x40", "Paper towels 12pk", "Copper pipe 15mm", "Hand soap 500ml",
          "Cable ties 200mm", "Coffee beans 1kg", "LED panel 60W", "Safety gloves L", "Pallet wrap 23mic",
          "Bin liners 80L", "Wood screw 4x50", "Tomato passata 700g", "Dish brush", "Sealant, clear 310ml",
          "Masking tape 48mm", "Oat flakes 25kg", "Ball valve 1/2\"", "Crème fraîche 1L", "Mehl Type 405", "Café crème pods"]
_COLOURS = ["blue", "red", "black", "white", "green", "grey", "natural", "stainless"]


@dataclass
class Customer:
    company: str
    domain: str
    person: str
    country: str  # US, UK, DE, FR
    currency: str
    display: str  # how the From header names the sender
    address: str  # email address

    @property
    def day_first(self) -> bool:
        return self.country != "US"

    @property
    def decimal_comma(self) -> bool:
        return self.country in ("DE", "FR")


@dataclass
class Line:
    sku: str
    buyer_sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal | None


@dataclass
class Order:
    po_number: str
    order_date: date
    requested_date: date | None
    ship_to: list[str] | None
    lines: list[Line]
    source: str = "body"


@dataclass
class Case:
    """One generated email and what it carries."""

    name: str
    format: str
    raw: bytes
    status: str
    orders: list[dict] = field(default_factory=list)


# --- random pieces ------------------------------------------------------------------

def _customer(rng: random.Random) -> Customer:
    country = rng.choice(["US", "US", "US", "UK", "DE", "FR"])
    first, second = rng.choice(_FIRST), rng.choice(_SECOND)
    suffix = {"US": ["", " Inc.", " LLC", " Co."], "UK": ["", " Ltd"], "DE": [" GmbH", " AG", ""], "FR": [" SAS", " SARL", ""]}[country]
    company = f"{first} {second}{rng.choice(suffix)}"
    tld = {"US": "com", "UK": "co.uk", "DE": "de", "FR": "fr"}[country]
    domain = rng.choice([f"{first}{second}", f"{first}-{second}", f"{first}"]).lower() + "." + tld
    person = f"{rng.choice(_PEOPLE_FIRST)} {rng.choice(_PEOPLE_LAST)}"
    local = rng.choice(["purchasing", "orders", "buyer", person.split()[0].lower().replace("é", "e").replace("ü", "u") + "." + person.split()[1].lower().replace("'", "").replace("ü", "ue")])
    currency = {"US": "USD", "UK": "GBP", "DE": "EUR", "FR": "EUR"}[country]
    display = rng.choice([company, person, person, f"{person} | {company}"])
    return Customer(company, domain, person, country, currency, display, f"{local}@{domain}")


def _sku(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTWXZ") for _ in range(2))
    shape = rng.randrange(5)
    if shape == 0:
        return f"{letters}-{rng.randint(100, 9999)}"
    if shape == 1:
        return f"{letters}{rng.randint(10000, 99999)}"
    if shape == 2:
        return f"{rng.randint(1000, 9999)}-{rng.choice(['BLU', 'RED', 'XL', 'S', 'M', 'BLK'])}"
    if shape == 3:
        return f"{letters}-{rng.randint(10, 999)}-{rng.choice(['A', 'B', 'C', '01', '12'])}"
    return f"{rng.randint(100000, 999999)}"


def _buyer_sku(rng: random.Random) -> str:
    return rng.choice([f"C{rng.randint(100000, 999999)}", f"{rng.randint(10000000, 99999999)}", f"MAT-{rng.randint(1000, 9999)}"])


def _line(rng: random.Random, skus: set[str]) -> Line:
    sku = _sku(rng)
    while sku in skus:
        sku = _sku(rng)
    skus.add(sku)
    noun = rng.choice(_NOUNS)
    description = noun if rng.random() < 0.5 else f"{noun}, {rng.choice(_COLOURS)}" if "," not in noun else noun
    if rng.random() < 0.1:
        quantity = Decimal(rng.choice(["2.5", "12.5", "0.5", "7.25", "1.5"]))
    else:
        quantity = Decimal(rng.choice([rng.randint(1, 60), rng.randint(1, 60), rng.randint(1, 20) * 10, rng.randint(1, 40) * 50, rng.randint(1000, 5000)]))
    price = (Decimal(rng.randint(20, 250000)) / 100) if rng.random() < 0.9 else Decimal(rng.randint(1000, 900000)) / 100
    return Line(sku, _buyer_sku(rng), description, quantity, price.quantize(Decimal("0.01")))


def _po_number(rng: random.Random) -> str:
    return rng.choice([f"45{rng.randint(10000000, 99999999)}", f"{rng.randint(10000, 99999)}", f"PO-{rng.randint(2025, 2026)}-{rng.randint(100, 9999):04d}",
                       f"{rng.choice('ABKM')}-{rng.randint(1000, 99999)}", f"{rng.randint(100000, 999999)}"])


_STREETS = {"US": ["88 Harbor Rd", "1200 Industrial Pkwy", "45 Elm St", "7 Commerce Dr"],
            "UK": ["Unit 7, Riverside Park", "14 Mill Lane", "2 Station Road"],
            "DE": ["Hafenstraße 12", "Industriestr. 5", "Am Markt 3"],
            "FR": ["12 rue de la Gare", "ZI Les Portes, 5 allée Verte"]}
_CITIES = {"US": ["Savannah GA 31401", "Columbus OH 43215", "Reno NV 89502", "Tulsa OK 74103"],
           "UK": ["Leeds LS1 4AB", "Bristol BS1 6QH", "Derby DE1 2GH"],
           "DE": ["20457 Hamburg", "50667 Köln", "80331 München"],
           "FR": ["69007 Lyon", "33000 Bordeaux", "44000 Nantes"]}


def _ship_to(rng: random.Random, customer: Customer) -> list[str] | None:
    if rng.random() < 0.15:
        return None
    first = rng.choice([f"Dock {rng.randint(1, 12)}", "Receiving", f"{customer.company} DC", f"Warehouse {rng.choice('ABC')}", None])
    parts = [first] if first else []
    return parts + [rng.choice(_STREETS[customer.country]), rng.choice(_CITIES[customer.country])]


def _order(rng: random.Random, customer: Customer, count: int | None = None) -> Order:
    skus: set[str] = set()
    ordered = TODAY - timedelta(days=rng.randint(0, 5))
    requested = ordered + timedelta(days=rng.randint(3, 60)) if rng.random() < 0.88 else None
    lines = [_line(rng, skus) for _ in range(count or rng.choice([1, 1, 2, 3, 3, 4, 5, 7]))]
    return Order(_po_number(rng), ordered, requested, _ship_to(rng, customer), lines)


# --- printing numbers and dates the customer's way ----------------------------------

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def _date(rng: random.Random, d: date, customer: Customer, style: str | None = None) -> str:
    """A date as this customer prints it; ``style`` fixes the style for the whole email."""
    style = style or _date_style(rng, customer)
    month = _MONTHS[d.month - 1]
    return {
        "us": f"{d.month:02d}/{d.day:02d}/{d.year}", "us_short": f"{d.month}/{d.day}/{d.year % 100:02d}",
        "us_long": f"{month} {d.day}, {d.year}", "us_abbr": f"{month[:3]} {d.day}, {d.year}",
        "iso": d.isoformat(), "uk": f"{d.day:02d}/{d.month:02d}/{d.year}", "uk_long": f"{d.day} {month} {d.year}",
        "uk_abbr": f"{d.day:02d}-{month[:3]}-{d.year}", "dotted": f"{d.day:02d}.{d.month:02d}.{d.year}",
        "dotted_short": f"{d.day}.{d.month}.{d.year}",
    }[style]


def _date_style(rng: random.Random, customer: Customer) -> str:
    return rng.choice({"US": ["us", "us", "us_short", "us_long", "us_abbr", "iso"], "UK": ["uk", "uk", "uk_long", "uk_abbr", "iso"],
                       "DE": ["dotted", "dotted", "dotted_short", "iso"], "FR": ["uk", "dotted", "uk_long", "iso"]}[customer.country])


def _money(value: Decimal, customer: Customer, symbol: bool = False) -> str:
    text = f"{value:,.2f}" if value >= 1000 and customer.country in ("US", "UK") else f"{value:.2f}"
    if customer.decimal_comma:
        whole, cents = f"{value:.2f}".split(".")
        whole = f"{int(whole):,}".replace(",", ".")
        text = f"{whole},{cents}"
    if symbol:
        return {"USD": f"${text}", "GBP": f"£{text}", "EUR": f"{text} €"}[customer.currency]
    return text


def _qty(value: Decimal, customer: Customer) -> str:
    text = format(value.normalize(), "f")
    if value >= 1000 and value == value.to_integral() and customer.country in ("US", "UK"):
        text = f"{int(value):,}"
    if customer.decimal_comma:
        text = text.replace(".", ",")
    return text


def _qty_str(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- text blocks --------------------------------------------------------------------

_PO_LABELS = ["PO Number: {}", "PO#: {}", "PO # {}", "Purchase Order: {}", "Purchase order no. {}", "Our PO: {}", "Order No.: {}",
              "P.O. {}", "Customer PO: {}", "Order number: {}", "PO No: {}", "Purchase Order Number: {}"]
_REQUESTED_LABELS = ["Delivery date: {}", "Deliver by: {}", "Required date: {}", "Needed by: {}", "Requested delivery date: {}",
                     "Please deliver by {}.", "Required by: {}", "Date required: {}", "Need by: {}", "Requested delivery: {}"]
_ORDER_DATE_LABELS = ["Order date: {}", "Date: {}", "PO date: {}", "Date of order: {}"]
_GREETINGS = ["Hi,", "Hello,", "Good morning,", "Dear Sales Team,", "Hi team,", "Dear Sir or Madam,"]
_INTROS = ["Please find our order below.", "Please supply the following:", "We would like to order the following items:",
           "Please process the order below.", "Kindly ship the following:", "Please book this order:"]
_CLOSINGS = ["Best regards,", "Kind regards,", "Thanks,", "Regards,", "Many thanks,", "Sincerely,"]


def _header_lines(rng: random.Random, order: Order, customer: Customer, style: str, with_customer: bool = False) -> list[str]:
    lines = [rng.choice(_PO_LABELS).format(order.po_number)]
    if rng.random() < 0.8:
        lines.append(rng.choice(_ORDER_DATE_LABELS).format(_date(rng, order.order_date, customer, style)))
    if order.requested_date:
        lines.append(rng.choice(_REQUESTED_LABELS).format(_date(rng, order.requested_date, customer, style)))
    if with_customer:
        lines.append(f"Customer: {customer.company}")
    if order.ship_to:
        label = rng.choice(["Ship to", "Deliver to", "Delivery address", "Ship-to address"])
        if rng.random() < 0.5:
            lines.append(f"{label}: {', '.join(order.ship_to)}")
        else:
            lines += [f"{label}:"] + order.ship_to
    return lines


_COLUMN_WORDS = {
    "sku": ["Item", "SKU", "Item #", "Part No.", "Item code", "Product code", "Your item", "Supplier part", "Article no.", "Part Number", "Vendor SKU"],
    "description": ["Description", "Item description", "Product", "Desc.", "Description of goods"],
    "quantity": ["Qty", "Quantity", "Order qty", "Qty ordered", "Units"],
    "unit_price": ["Unit price", "Price", "Unit cost", "Price each", "Net price", "Price/unit"],
    "amount": ["Amount", "Total", "Line total", "Ext. price", "Extended"],
    "uom": ["UOM", "Unit"],
}


def _columns(rng: random.Random) -> list[str]:
    columns = ["sku", "description", "quantity", "unit_price"]
    if rng.random() < 0.5:
        columns.append("amount")
    if rng.random() < 0.3:
        columns.insert(3, "uom")
    if rng.random() < 0.3:
        columns[0], columns[1] = columns[1], columns[0]
    if rng.random() < 0.3:
        columns.insert(0, "line")
    return columns


def _cells(line: Line, columns: list[str], customer: Customer, number: int, symbol: bool) -> list[str]:
    values = {"line": str(number), "sku": line.sku, "description": line.description, "quantity": _qty(line.quantity, customer),
              "unit_price": _money(line.unit_price, customer, symbol), "amount": _money(line.quantity * line.unit_price, customer, symbol),
              "uom": "EA", "buyer_sku": line.buyer_sku}
    return [values[c] for c in columns]


def _titles(rng: random.Random, columns: list[str]) -> list[str]:
    words = dict(_COLUMN_WORDS, line=["Line", "#", "Pos."])
    return [rng.choice(words[c]) if c in words else c for c in columns]


def _aligned_table(rng: random.Random, order: Order, customer: Customer) -> list[str]:
    columns = _columns(rng)
    titles = _titles(rng, columns)
    symbol = rng.random() < 0.4
    rows = [titles] + [_cells(line, columns, customer, i + 1, symbol) for i, line in enumerate(order.lines)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(columns))]
    numeric = {"quantity", "unit_price", "amount", "line"}
    out = []
    for r_index, row in enumerate(rows):
        cells = [(cell.rjust(widths[i]) if columns[i] in numeric and r_index else cell.ljust(widths[i])) for i, cell in enumerate(row)]
        out.append("  ".join(cells).rstrip())
        if r_index == 0 and rng.random() < 0.5:
            out.append("-" * len(out[0]))
    if "amount" in columns and rng.random() < 0.6:
        total = sum((l.quantity * l.unit_price for l in order.lines), Decimal(0))
        out.append(f"{'Total':<{sum(widths) - 10}}  {_money(total, customer, symbol):>12}")
    return out


def _at_lines(rng: random.Random, order: Order, customer: Customer) -> list[str]:
    out = []
    bullet = rng.choice(["", "- ", "* ", "{n}) ", "{n}. "])
    symbol = rng.random() < 0.5
    for n, line in enumerate(order.lines, start=1):
        qty, price = _qty(line.quantity, customer), _money(line.unit_price, customer, symbol)
        unit = rng.choice(["x ", "x ", "pcs ", "units of ", "ea ", "cases of "])
        shape = rng.randrange(4)
        if shape == 0:
            text = f"{qty} {unit}{line.sku} {line.description} @ {price}"
        elif shape == 1:
            text = f"{qty} {unit}{line.sku} ({line.description}) @ {price} each"
        elif shape == 2:
            text = f"{qty} {unit}{line.sku} - {line.description} at {price} per unit"
        else:
            text = f"{line.sku} {line.description}, qty {qty} @ {price}"
        out.append(bullet.format(n=n) + text)
    return out


def _key_value_lines(rng: random.Random, order: Order, customer: Customer) -> list[str]:
    out = []
    item, desc, qty, price = rng.choice([("Item", "Description", "Qty", "Price"), ("SKU", "Description", "Quantity", "Unit price"),
                                         ("Part number", "Desc", "Qty", "Unit cost"), ("Item code", "Product", "Quantity", "Price each")])
    numbered = rng.random() < 0.4
    for n, line in enumerate(order.lines, start=1):
        out += [f"{item}{' ' + str(n) if numbered else ''}: {line.sku}", f"{desc}: {line.description}",
                f"{qty}: {_qty(line.quantity, customer)}", f"{price}: {_money(line.unit_price, customer, rng.random() < 0.5)}", ""]
    return out


def _pipe_table(rng: random.Random, order: Order, customer: Customer) -> list[str]:
    columns = _columns(rng)
    titles = _titles(rng, columns)
    out = ["| " + " | ".join(titles) + " |", "|" + "|".join("---" for _ in titles) + "|"]
    for i, line in enumerate(order.lines):
        out.append("| " + " | ".join(_cells(line, columns, customer, i + 1, False)) + " |")
    return out


def _signature(rng: random.Random, customer: Customer) -> list[str]:
    lines = [rng.choice(_CLOSINGS), customer.person]
    if rng.random() < 0.5:
        lines.append(rng.choice(["Purchasing Manager", "Buyer", "Procurement", "Category Buyer"]))
    lines.append(customer.company)
    lines.append(rng.choice([f"Tel: +1 (555) 010-{rng.randint(1000, 9999)}", f"Phone +44 113 496 {rng.randint(1000, 9999)}", f"Tel. +49 40 {rng.randint(100000, 999999)}"]))
    if rng.random() < 0.5:
        lines.append(f"www.{customer.domain}")
    return lines


def _truth(order: Order, customer: Customer, source: str = "body", email_address: str | None = None) -> dict:
    return {
        "po_number": order.po_number,
        "requested_date": order.requested_date.isoformat() if order.requested_date else None,
        "customer": {"name": customer.company, "email": email_address or customer.address},
        "ship_to": ", ".join(order.ship_to) if order.ship_to else None,
        "source": source,
        "lines": [{"sku": l.sku, "description": l.description, "quantity": _qty_str(l.quantity), "unit_price": f"{l.unit_price:.2f}" if l.unit_price is not None else None}
                  for l in order.lines],
    }


# --- MIME ---------------------------------------------------------------------------

def _text_part(rng: random.Random, text: str, subtype: str = "plain", charset: str | None = None) -> MIMEText:
    charset = charset or rng.choice(["utf-8", "utf-8", "iso-8859-1", "windows-1252"])
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"
    cs = email_charset.Charset(charset)
    cs.body_encoding = rng.choice([email_charset.QP, email_charset.BASE64, email_charset.QP])
    cs.header_encoding = email_charset.QP
    return MIMEText(text, subtype, cs)


def _headers(msg, rng: random.Random, sender: tuple[str, str], subject: str, when: datetime) -> None:
    name, address = sender
    msg["From"] = formataddr((str(Header(name, "utf-8")) if not name.isascii() else name, address)) if name else address
    msg["To"] = formataddr(("Northwind Orders", f"orders@{SELLER[1]}"))
    msg["Subject"] = Header(subject, "utf-8") if not subject.isascii() else subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{rng.getrandbits(64):016x}@{address.split('@')[1]}>"
    msg["MIME-Version"] = "1.0"


def _wrap(rng: random.Random, body, sender, subject, attachments=()) -> bytes:
    if attachments:
        msg = MIMEMultipart("mixed")
        msg.attach(body)
        for part in attachments:
            msg.attach(part)
    else:
        msg = body
    _headers(msg, rng, sender, subject, datetime(2026, 11, 25, rng.randint(6, 18), rng.randint(0, 59)).replace(tzinfo=_TZ))
    return msg.as_bytes()


def _subject(rng: random.Random, order: Order, customer: Customer) -> str:
    return rng.choice([f"PO {order.po_number}", f"Purchase Order {order.po_number}", f"New order {order.po_number} from {customer.company}",
                       f"Order {order.po_number}", "New order", f"PO# {order.po_number} - {customer.company}", "Order for next week"])


def _sender(customer: Customer) -> tuple[str, str]:
    return customer.display, customer.address


def _body_text(rng, customer, content: list[str], header: list[str]) -> str:
    parts = [rng.choice(_GREETINGS), "", rng.choice(_INTROS), ""]
    if rng.random() < 0.5:
        parts += header + [""] + content + [""]
    else:
        parts += content + [""] + header + [""]
    parts += _signature(rng, customer)
    return "\n".join(parts) + "\n"


# --- formats ------------------------------------------------------------------------

def _fmt_text_table(rng, customer, style):
    order = _order(rng, customer)
    text = _body_text(rng, customer, _aligned_table(rng, order, customer), _header_lines(rng, order, customer, style))
    return _wrap(rng, _text_part(rng, text), _sender(customer), _subject(rng, order, customer)), [_truth(order, customer)]


def _fmt_text_key_value(rng, customer, style):
    order = _order(rng, customer)
    text = "\n".join([rng.choice(_GREETINGS), "", rng.choice(_INTROS), ""] + _header_lines(rng, order, customer, style) + [""]
                     + _key_value_lines(rng, order, customer) + _signature(rng, customer)) + "\n"
    return _wrap(rng, _text_part(rng, text), _sender(customer), _subject(rng, order, customer)), [_truth(order, customer)]


def _fmt_text_at_lines(rng, customer, style):
    order = _order(rng, customer)
    text = _body_text(rng, customer, _at_lines(rng, order, customer), _header_lines(rng, order, customer, style))
    return _wrap(rng, _text_part(rng, text), _sender(customer), _subject(rng, order, customer)), [_truth(order, customer)]


def _fmt_text_pipe_table(rng, customer, style):
    order = _order(rng, customer)
    text = _body_text(rng, customer, _pipe_table(rng, order, customer), _header_lines(rng, order, customer, style))
    return _wrap(rng, _text_part(rng, text), _sender(customer), _subject(rng, order, customer)), [_truth(order, customer)]


def _html(rng, customer, order, style, with_logo=False) -> str:
    from html import escape

    header = _header_lines(rng, order, customer, style)
    columns = _columns(rng)
    titles = _titles(rng, columns)
    symbol = rng.random() < 0.5
    rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(l, columns, customer, i + 1, symbol)) + "</tr>\n"
                   for i, l in enumerate(order.lines))
    if rng.random() < 0.5:
        head = "".join(f"<p>{escape(h)}</p>\n" for h in header)
    else:
        head = "<table>" + "".join(
            "<tr><td><b>{}</b></td><td>{}</td></tr>\n".format(*(escape(x) for x in (h.split(":", 1) if ":" in h and h.split(":", 1)[1].strip() else (h, ""))))
            for h in header) + "</table>\n"
        head = head.replace("<td></td>", "<td></td>")
    sig = "<br>\n".join(escape(s) for s in _signature(rng, customer))
    logo = '<img src="cid:logo001" alt="logo">' if with_logo else ""
    table = (f"<table border=\"1\" cellpadding=\"4\" style=\"border-collapse:collapse\">\n<thead><tr>"
             + "".join(f"<th>{escape(t)}</th>" for t in titles) + f"</tr></thead>\n<tbody>\n{rows}</tbody></table>\n")
    return (f"<html><head><style>td {{font-family: Arial}}</style></head><body>\n<p>{escape(rng.choice(_GREETINGS))}</p>\n"
            f"<p>{escape(rng.choice(_INTROS))}</p>\n{head}{table}<p>{sig}</p>{logo}\n</body></html>\n")


def _fmt_html_table(rng, customer, style):
    order = _order(rng, customer)
    html = _html(rng, customer, order, style)
    return _wrap(rng, _text_part(rng, html, "html"), _sender(customer), _subject(rng, order, customer)), [_truth(order, customer)]


def _fmt_alternative(rng, customer, style):
    order = _order(rng, customer)
    alt = MIMEMultipart("alternative")
    text = _body_text(rng, customer, _aligned_table(rng, order, customer), _header_lines(rng, order, customer, style))
    alt.attach(_text_part(rng, text))
    alt.attach(_text_part(rng, _html(rng, customer, order, style), "html"))
    return _wrap(rng, alt, _sender(customer), _subject(rng, order, customer)), [_truth(order, customer)]


def _rep() -> tuple[str, str]:
    return ("Fred Sales", f"fred.sales@{SELLER[1]}")


def _rep_signature() -> list[str]:
    return ["Thanks,", "Fred Sales", "Account Manager", SELLER[0], "Tel: +1 (555) 010-0001"]


def _fmt_forwarded_inline(rng, customer, style):
    order = _order(rng, customer)
    inner = _body_text(rng, customer, rng.choice([_aligned_table, _at_lines, _pipe_table])(rng, order, customer),
                       _header_lines(rng, order, customer, style))
    subject = _subject(rng, order, customer)
    when = "Tue, Nov 24, 2026 at 4:12 PM" if customer.country == "US" else "Tue, 24 Nov 2026 at 16:12"
    sender = f"{customer.display} <{customer.address}>"
    block = rng.choice([
        ["---------- Forwarded message ---------", f"From: {sender}", f"Date: {when}", f"Subject: {subject}", f"To: {SELLER[0]} <orders@{SELLER[1]}>"],
        ["-----Original Message-----", f"From: {sender}", f"Sent: {when}", f"To: Fred Sales", f"Subject: {subject}"],
        ["Begin forwarded message:", "", f"From: {sender}", f"Subject: {subject}", f"Date: {when}"],
    ])
    text = "\n".join(["Please enter this order from " + customer.company.split()[0] + ".", ""] + _rep_signature() + ["", ""] + block + [""] + inner.splitlines()) + "\n"
    return (_wrap(rng, _text_part(rng, text), _rep(), "Fwd: " + subject), [_truth(order, customer)])


def _fmt_forwarded_attached(rng, customer, style):
    order = _order(rng, customer)
    inner_text = _body_text(rng, customer, _aligned_table(rng, order, customer), _header_lines(rng, order, customer, style))
    subject = _subject(rng, order, customer)
    inner = _text_part(rng, inner_text)
    _headers(inner, rng, _sender(customer), subject, datetime(2026, 11, 24, 16, 12).replace(tzinfo=_TZ))
    outer = MIMEMultipart("mixed")
    outer.attach(_text_part(rng, "\n".join(["See the attached order, please key it today.", ""] + _rep_signature()) + "\n"))
    outer.attach(MIMEMessage(inner))
    _headers(outer, rng, _rep(), "Fwd: " + subject, datetime(2026, 11, 25, 9, 0).replace(tzinfo=_TZ))
    return outer.as_bytes(), [_truth(order, customer)]


def _csv_bytes(rng, order: Order, customer: Customer, style, layout: str | None = None) -> tuple[bytes, str]:
    delimiter = rng.choice([",", ";", "\t", "|"])
    decimal_comma = customer.decimal_comma or (delimiter == ";" and rng.random() < 0.5)
    as_customer = Customer(**{**customer.__dict__, "country": "DE" if decimal_comma else "US"}) if decimal_comma != customer.decimal_comma else customer
    columns = ["sku", "description", "quantity", "unit_price"] + (["amount"] if rng.random() < 0.4 else [])
    if rng.random() < 0.3:
        columns.insert(0, "buyer_sku")
    layout = layout or rng.choice(["plain", "po_column", "header_block"])
    words = dict(_COLUMN_WORDS, buyer_sku=["Our item", "Customer SKU", "Buyer part"], po=["PO Number", "PO", "Customer PO"],
                 date=["Delivery date", "Need by", "Required date"])
    if "buyer_sku" in columns:
        words["sku"] = ["Your item", "Supplier item", "Vendor part", "Mfr part"]
    titles = [rng.choice(words[c]) for c in columns]
    rows = []
    if layout == "header_block":
        rows += [["PO Number", order.po_number], ["Order date", _date(rng, order.order_date, customer, style)]]
        if order.requested_date:
            rows.append([rng.choice(["Delivery date", "Required by", "Need by"]), _date(rng, order.requested_date, customer, style)])
        if order.ship_to:
            rows.append(["Ship to", ", ".join(order.ship_to)])
        rows.append([])
    if layout == "po_column":
        titles = [rng.choice(words["po"])] + titles + ([rng.choice(words["date"])] if order.requested_date else [])
    rows.append(titles)
    for i, line in enumerate(order.lines):
        values = {"sku": line.sku, "buyer_sku": line.buyer_sku, "description": line.description,
                  "quantity": _qty(line.quantity, as_customer).replace(",", "") if not decimal_comma else format(line.quantity.normalize(), "f").replace(".", ","),
                  "unit_price": f"{line.unit_price:.2f}".replace(".", "," if decimal_comma else "."),
                  "amount": f"{line.quantity * line.unit_price:.2f}".replace(".", "," if decimal_comma else ".")}
        row = [values[c] for c in columns]
        if layout == "po_column":
            row = [order.po_number] + row + ([_date(rng, order.requested_date, customer, style)] if order.requested_date else [])
        rows.append(row)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    charset = rng.choice(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
    text = buffer.getvalue()
    try:
        data = text.encode(charset)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    return data, layout


def _broken(rng, label: str, value: str) -> list[str]:
    """"Label: value" as a narrow cell prints it: cut after a hyphen or a slash (kept at the
    line end) or at a space (dropped), the rest on the next line; unbroken without one."""
    cuts = [i + 1 for i, ch in enumerate(value[:-1]) if ch in "-/"] + [i for i, ch in enumerate(value) if ch == " "]
    if not cuts:
        return [f"{label}: {value}"]
    cut = rng.choice(cuts)
    return [f"{label}: {value[:cut]}".rstrip(), value[cut:].lstrip()]


def _pdf_bytes(rng, order: Order, customer: Customer, style, narrow: bool = False) -> bytes:
    """A one-page PDF purchase order; ``narrow`` prints the header fields in a narrow box
    whose PO number and dates wrap onto a second line, left, right or centre aligned."""
    from reportlab.lib.pagesizes import A4, letter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    size = letter if customer.country == "US" else A4
    c = canvas.Canvas(buffer, pagesize=size)
    width, height = size
    y = height - 50
    c.setFont("Helvetica-Bold", 16)
    c.drawString(40, y, customer.company)
    c.drawRightString(width - 40, y, "PURCHASE ORDER")
    c.setFont("Helvetica", 9)
    y -= 30
    right = [f"PO Number: {order.po_number}", f"Order date: {_date(rng, order.order_date, customer, style)}"]
    if order.requested_date:
        right.append(f"{rng.choice(['Delivery date', 'Required by', 'Need by date', 'Requested delivery'])}: {_date(rng, order.requested_date, customer, style)}")
    right.append(f"Currency: {customer.currency}")
    if narrow:
        right = [part for field in right for part in _broken(rng, *field.split(": ", 1))]
    draw_right = {"left": lambda y, text: c.drawString(430, y, text),
                  "right": lambda y, text: c.drawRightString(width - 40, y, text),
                  "centre": lambda y, text: c.drawCentredString((430 + width - 40) / 2, y, text),
                  "wide": lambda y, text: c.drawString(330, y, text)}[rng.choice(["left", "right", "centre"]) if narrow else "wide"]
    left = ([rng.choice(["Ship to:", "Deliver to:"])] + order.ship_to) if order.ship_to else []
    for i in range(max(len(left), len(right))):
        if i < len(left):
            c.drawString(40, y, left[i])
        if i < len(right):
            draw_right(y, right[i])
        y -= 13
    y -= 20
    ours, theirs = rng.choice([("Your Item", "Our Item"), ("Supplier Part", "Buyer Part"), ("Vendor Part #", "Customer SKU"),
                               ("Mfr Part", "Item Code"), ("Supplier Item No.", "Our Ref")])
    ours_first = rng.random() < 0.5
    columns = [("Line", 40, "l"), (ours if ours_first else theirs, 70, "l"), (theirs if ours_first else ours, 150, "l"),
               ("Description", 230, "l"), ("Qty", 400, "r"), ("UOM", 410, "l"), ("Unit Price", 490, "r"), ("Amount", 555, "r")]
    c.setFont("Helvetica-Bold", 9)
    centres = [55, 110, 190, 295, 380, 430, 470, 527]
    centred = rng.random() < 0.4  # titles centred over their columns, values aligned left or right
    for (title, x, align), centre in zip(columns, centres):
        if centred:
            c.drawCentredString(centre, y, title)
        else:
            (c.drawRightString if align == "r" else c.drawString)(x, y, title)
    c.line(40, y - 4, 555, y - 4)
    c.setFont("Helvetica", 9)
    y -= 16
    for n, line in enumerate(order.lines, start=1):
        values = [str(n), line.sku if ours_first else line.buyer_sku, line.buyer_sku if ours_first else line.sku,
                  line.description, _qty(line.quantity, customer), "EA", _money(line.unit_price, customer),
                  _money(line.quantity * line.unit_price, customer)]
        for (title, x, align), value in zip(columns, values):
            (c.drawRightString if align == "r" else c.drawString)(x, y, value)
        y -= 14
    total = sum((l.quantity * l.unit_price for l in order.lines), Decimal(0))
    y -= 6
    c.drawString(400, y, "Total")
    c.drawRightString(555, y, _money(total, customer))
    y -= 30
    c.drawString(40, y, "Terms: Net 30. Please confirm this order by return email.")
    c.showPage()
    c.save()
    return buffer.getvalue()


def _xlsx_bytes(rng, order: Order, customer: Customer) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "PO"
    ws.append(["Purchase Order"])
    ws.append([])
    colon = ":" if rng.random() < 0.5 else ""
    ws.append([f"PO Number{colon}", order.po_number if rng.random() < 0.7 or not order.po_number.isdigit() else int(order.po_number)])
    ws.append([f"Order Date{colon}", datetime.combine(order.order_date, datetime.min.time())])
    ws.cell(ws.max_row, 2).number_format = "DD/MM/YYYY" if customer.day_first else "MM/DD/YYYY"
    if order.requested_date:
        ws.append([f"{rng.choice(['Delivery Date', 'Required Date', 'Need By', 'Requested Delivery'])}{colon}", datetime.combine(order.requested_date, datetime.min.time())])
        ws.cell(ws.max_row, 2).number_format = rng.choice(["DD/MM/YYYY", "MM/DD/YYYY", "d-mmm-yy", "yyyy-mm-dd"])
    ws.append([f"Customer{colon}", customer.company])
    if order.ship_to:
        if rng.random() < 0.5:
            ws.append([f"Ship To{colon}", ", ".join(order.ship_to)])
        else:
            ws.append([f"Ship To{colon}", order.ship_to[0]])
            for part in order.ship_to[1:]:
                ws.append([None, part])
    ws.append([])
    with_buyer = rng.random() < 0.5
    header = ["Line", "Our Item" if with_buyer else None, rng.choice(["Your Item", "Supplier Part"]) if with_buyer else rng.choice(["Item", "SKU", "Item No."]),
              "Description", "Qty", "Unit Price", "Amount"]
    keep = [i for i, h in enumerate(header) if h]
    ws.append([header[i] for i in keep])
    for n, line in enumerate(order.lines, start=1):
        qty = int(line.quantity) if line.quantity == line.quantity.to_integral() else float(line.quantity)
        row = [n, line.buyer_sku, line.sku, line.description, qty, float(line.unit_price), float(line.quantity * line.unit_price)]
        ws.append([row[i] for i in keep])
        ws.cell(ws.max_row, len(keep) - 1).number_format = "#,##0.00"
    ws.append([None] * (len(keep) - 2) + ["Total", float(sum((l.quantity * l.unit_price for l in order.lines), Decimal(0)))])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _attachment(kind: str, name: str, data: bytes) -> MIMEBase:
    subtype = {"csv": "csv", "pdf": "pdf", "xlsx": "vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[kind]
    part = MIMEApplication(data, subtype) if kind != "csv" else MIMEBase("text", "csv")
    if kind == "csv":
        part.set_payload(data)
        from email import encoders
        encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


def _attachment_body(rng, customer, order: Order | None, style, with_header: bool) -> MIMEText:
    lines = [rng.choice(_GREETINGS), "", rng.choice(["Please find attached our purchase order.", "Attached is our new order.",
                                                      "Please see the attached PO and confirm.", "Our order is attached."]), ""]
    if with_header and order is not None:
        lines += _header_lines(rng, order, customer, style) + [""]
    return _text_part(rng, "\n".join(lines + _signature(rng, customer)) + "\n")


def _file_order(rng, customer, style, kind: str, csv_layout: str | None = None,
                narrow: bool = False) -> tuple[Order, MIMEBase, bool]:
    """One order as an attachment; says whether the body must carry the header fields."""
    order = _order(rng, customer)
    if narrow:  # numbers with a hyphen or a slash to wrap at
        order.po_number = rng.choice([f"PO/{order.order_date.year}/{rng.randint(100, 999)}", f"PO-{rng.randint(2025, 2026)}-{rng.randint(100, 9999):04d}",
                                      f"BE-{rng.randint(20, 29)}-{rng.randint(1, 99999):05d}", f"{order.order_date.year}-{rng.randint(1000, 9999)}"])
        order.requested_date = order.requested_date or order.order_date + timedelta(days=rng.randint(3, 60))
    name = rng.choice([f"PO{order.po_number}", f"PO_{order.po_number}", f"order-{order.po_number}", "purchase_order"])
    body_carries = False
    if kind == "csv":
        data, layout = _csv_bytes(rng, order, customer, style, csv_layout)
        body_carries = layout != "header_block"
        if layout == "plain" and not name.startswith("PO"):
            name = f"PO{order.po_number}"
    elif kind == "xlsx":
        data = _xlsx_bytes(rng, order, customer)
    else:
        data = _pdf_bytes(rng, order, customer, style, narrow)
    filename = f"{name}.{kind}".replace("/", "-")
    order.source = f"attachment {filename}"
    return order, _attachment(kind, filename, data), body_carries


def _fmt_file(kind, narrow: bool = False):
    def make(rng, customer, style):
        order, part, body_carries = _file_order(rng, customer, style, kind, narrow=narrow)
        body = _attachment_body(rng, customer, order, style, body_carries)
        return (_wrap(rng, body, _sender(customer), _subject(rng, order, customer), [part]),
                [_truth(order, customer, order.source)])
    return make


def _fmt_two_attachments(rng, customer, style):
    kinds = rng.choice([("csv", "csv"), ("xlsx", "xlsx"), ("pdf", "pdf"), ("csv", "pdf"), ("xlsx", "pdf")])
    first, part1, _ = _file_order(rng, customer, style, kinds[0], "header_block")
    second, part2, _ = _file_order(rng, customer, style, kinds[1], "header_block")
    while part2.get_filename() == part1.get_filename() or second.po_number == first.po_number:
        second, part2, _ = _file_order(rng, customer, style, kinds[1], "header_block")
    body = _text_part(rng, "\n".join([rng.choice(_GREETINGS), "", "Please find attached two purchase orders.", ""] + _signature(rng, customer)) + "\n")
    subject = rng.choice(["Two new orders", f"POs {first.po_number} and {second.po_number}", "Purchase orders"])
    return (_wrap(rng, body, _sender(customer), subject, [part1, part2]),
            [_truth(first, customer, first.source), _truth(second, customer, second.source)])


def _fmt_two_orders_body(rng, customer, style):
    orders = [_order(rng, customer), _order(rng, customer)]
    while orders[1].po_number == orders[0].po_number:
        orders[1] = _order(rng, customer)
    text = [rng.choice(_GREETINGS), "", "Please process the following two orders.", ""]
    header_last = rng.random() < 0.3  # each order's lines first, its PO block after them
    for n, order in enumerate(orders, start=1):
        header = _header_lines(rng, order, customer, style) + [""]
        content = rng.choice([_aligned_table, _at_lines, _pipe_table])(rng, order, customer) + ["", ""]
        heading = [rng.choice([f"Order {n}", f"=== Order {n} ===", f"Order {n}:"])]
        text += heading + (content + header if header_last else header + content)
    text += _signature(rng, customer)
    subject = f"Orders {orders[0].po_number} and {orders[1].po_number}"
    return (_wrap(rng, _text_part(rng, "\n".join(text) + "\n"), _sender(customer), subject),
            [_truth(o, customer) for o in orders])


def _fmt_reply_chain(rng, customer, style):
    new, old = _order(rng, customer), _order(rng, customer)
    while old.po_number == new.po_number:
        old = _order(rng, customer)
    top = _body_text(rng, customer, _aligned_table(rng, new, customer), _header_lines(rng, new, customer, style)).splitlines()
    quoted_rep = ["Hi " + customer.person.split()[0] + ",", "", "thanks for your order " + old.po_number + ", it ships Friday.",
                  "Anything else this week?", ""] + _rep_signature()
    old_text = _body_text(rng, customer, _at_lines(rng, old, customer), _header_lines(rng, old, customer, style)).splitlines()
    when = "Mon, Nov 23, 2026 at 9:14 AM" if customer.country == "US" else "Mon, 23 Nov 2026 at 09:14"
    chain = top + ["", f"On {when} Fred Sales <fred.sales@{SELLER[1]}> wrote:"] + ["> " + l if l else ">" for l in quoted_rep]
    chain += [">", f"> On Fri, 20 Nov 2026, {customer.display} <{customer.address}> wrote:"] + ["> > " + l for l in old_text]
    return (_wrap(rng, _text_part(rng, "\n".join(chain) + "\n"), _sender(customer), "Re: " + _subject(rng, old, customer)),
            [_truth(new, customer)])


_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def _fmt_signature_image(rng, customer, style):
    order = _order(rng, customer)
    related = MIMEMultipart("related")
    alt = MIMEMultipart("alternative")
    text = _body_text(rng, customer, _aligned_table(rng, order, customer), _header_lines(rng, order, customer, style))
    alt.attach(_text_part(rng, text + "\n-- \n" + "\n".join(_signature(rng, customer)[1:]) + "\n"))
    alt.attach(_text_part(rng, _html(rng, customer, order, style, with_logo=True), "html"))
    related.attach(alt)
    image = MIMEImage(_PNG, "png")
    image.add_header("Content-ID", "<logo001>")
    image.add_header("Content-Disposition", "inline", filename="logo.png")
    related.attach(image)
    return _wrap(rng, related, _sender(customer), _subject(rng, order, customer)), [_truth(order, customer)]


def _fmt_out_of_office(rng, customer, style):
    back = TODAY + timedelta(days=rng.randint(2, 14))
    text = "\n".join([f"Thank you for your email. I am out of the office until {_date(rng, back, customer, style)} with limited access to email.",
                      f"For urgent orders (PO {_po_number(rng)}) please contact purchasing@{customer.domain}.", "", customer.person, customer.company]) + "\n"
    msg = _text_part(rng, text)
    with_header = rng.random() < 0.7
    subject = rng.choice(["Automatic reply: PO " + _po_number(rng), "Out of Office: Re: your order confirmation", "Autoreply: Order"]) if with_header or rng.random() < 0.5 else "Re: PO " + _po_number(rng)
    raw = _wrap(rng, msg, _sender(customer), subject)
    if with_header:
        raw = b"Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n" + raw
    return raw, []


def _fmt_invoice_question(rng, customer, style):
    order = _order(rng, customer, count=1)
    invoice = f"INV-{rng.randint(10000, 99999)}"
    line = order.lines[0]
    text = "\n".join([rng.choice(_GREETINGS), "",
                      f"We received your invoice {invoice} for our PO {order.po_number} dated {_date(rng, order.order_date, customer, style)}.",
                      rng.choice([f"The price for {line.sku} is {_money(line.unit_price + 1, customer)} but we agreed {_money(line.unit_price, customer)}. Could you send a credit note?",
                                  "Could you please send us a copy with the correct VAT number?",
                                  f"We were billed for {_qty(line.quantity, customer)} x {line.sku} but only received part of it. Please clarify."]),
                      ""] + _signature(rng, customer)) + "\n"
    subject = rng.choice([f"Question about invoice {invoice}", f"Re: PO {order.po_number}", f"Invoice {invoice} / PO {order.po_number}",
                          f"Invoice discrepancy PO {order.po_number}"])
    return _wrap(rng, _text_part(rng, text), _sender(customer), subject), []


def _fmt_bounce(rng, customer, style):
    order_raw, _ = _fmt_text_table(rng, customer, style)
    from email import message_from_bytes

    report = MIMEMultipart("report", report_type="delivery-status")
    report.attach(_text_part(rng, f"Delivery to the following recipient failed permanently:\n\n    {customer.address}\n\nThe recipient's mailbox is full.\n", charset="utf-8"))
    status = MIMEBase("message", "delivery-status")
    from email.message import Message

    per_message, per_recipient = Message(), Message()
    per_message["Reporting-MTA"] = f"dns; mx.{SELLER[1]}"
    per_recipient["Final-Recipient"] = f"rfc822; {customer.address}"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = "5.2.2"
    status.set_payload([per_message, per_recipient])
    report.attach(status)
    report.attach(MIMEMessage(message_from_bytes(order_raw)))
    _headers(report, rng, ("Mail Delivery Subsystem", f"mailer-daemon@{SELLER[1]}"),
             rng.choice(["Undeliverable: PO confirmation", "Delivery Status Notification (Failure)", "Mail delivery failed: returning message to sender"]),
             datetime(2026, 11, 25, 10, 0).replace(tzinfo=_TZ))
    return report.as_bytes(), []


def _fmt_newsletter(rng, customer, style):
    order = _order(rng, customer)
    text = "\n".join(["This week's specials!", ""] + _aligned_table(rng, order, customer)
                     + ["", "Order now at www." + customer.domain, "Unsubscribe: https://" + customer.domain + "/unsub"]) + "\n"
    msg = _text_part(rng, text)
    msg["List-Unsubscribe"] = f"<https://{customer.domain}/unsubscribe?id={rng.randint(1000, 9999)}>"
    if rng.random() < 0.5:
        msg["Precedence"] = "bulk"
    return _wrap(rng, msg, (customer.company + " News", f"news@{customer.domain}"), rng.choice(["November deals", "New products in stock", "Your weekly offers"])), []


def _fmt_text_loose(rng, customer, style):
    """What people type: sentences, several fields on a line, often no prices."""
    order = _order(rng, customer)
    priced = rng.random() < 0.5
    if not priced:
        for line in order.lines:
            line.unit_price = None
    out = []
    for line in order.lines:
        qty = _qty(line.quantity, customer)
        price = _money(line.unit_price, customer, True) if priced else None
        shape = rng.randrange(4)
        if shape == 0:
            text = f"Please send {qty} pcs {line.sku} {line.description}" + (f" @ {price}" if priced else "")
        elif shape == 1:
            text = f"SKU: {line.sku}, Description: {line.description}, Qty: {qty}" + (f", Price: {price}" if priced else "")
        elif shape == 2:
            text = f"{line.sku} - {line.description} - {qty} {rng.choice(['pcs', 'units', 'cases'])}" + (f" - {price}" if priced else "")
        else:
            text = f"{qty} x {line.sku} {line.description}" + (f" at {price} each" if priced else "")
        out.append(text)
    text = _body_text(rng, customer, out, _header_lines(rng, order, customer, style))
    return _wrap(rng, _text_part(rng, text), _sender(customer), _subject(rng, order, customer)), [_truth(order, customer)]


def _fmt_text_single_space(rng, customer, style):
    """A table typed with single spaces between the columns."""
    order = _order(rng, customer)
    titles = [rng.choice(["Item", "SKU", "Part No."]), rng.choice(["Description", "Product name"]), rng.choice(["Qty", "Quantity"]),
              rng.choice(["Price", "Unit price"])]
    rows = [" ".join(titles)] + [f"{l.sku} {l.description} {_qty(l.quantity, customer).replace(' ', '')} {_money(l.unit_price, customer)}"
                                 for l in order.lines]
    text = _body_text(rng, customer, rows, _header_lines(rng, order, customer, style))
    return _wrap(rng, _text_part(rng, text), _sender(customer), _subject(rng, order, customer)), [_truth(order, customer)]


def _fmt_html_outlook(rng, customer, style):
    """Outlook HTML: MsoNormal paragraphs, a header box with labels above values, no prices."""
    from html import escape

    order = _order(rng, customer)
    for line in order.lines:
        line.unit_price = None
    p = lambda text: f'<p class="MsoNormal"><span style="font-size:11.0pt">{escape(text)}</span></p>'  # noqa: E731
    labels = ["PO Number", "Order Date"] + ([rng.choice(["Delivery Date", "Required Date", "Need By"])] if order.requested_date else [])
    values = [order.po_number, _date(rng, order.order_date, customer, style)] + ([_date(rng, order.requested_date, customer, style)] if order.requested_date else [])
    box = ("<table class=MsoNormalTable border=1><tr>" + "".join(f"<td>{p(l)}</td>" for l in labels) + "</tr><tr>"
           + "".join(f"<td>{p(v)}</td>" for v in values) + "</tr></table>")
    ship = ""
    if order.ship_to:
        ship = p(rng.choice(["Ship to:", "Deliver to:"])) + "".join(p(part) for part in order.ship_to)
    columns = [rng.choice(["Item No.", "Item", "Part #"]), "Description", rng.choice(["Qty", "Quantity"]), "UoM"]
    rows = "".join("<tr>" + "".join(f"<td>{p(c)}</td>" for c in (l.sku, l.description, _qty(l.quantity, customer), "EA")) + "</tr>"
                   for l in order.lines)
    table = "<table class=MsoNormalTable border=1><tr>" + "".join(f"<td><b>{p(c)}</b></td>" for c in columns) + f"</tr>{rows}</table>"
    sig = "".join(p(s) for s in _signature(rng, customer))
    html = (f"<html><head><meta charset='utf-8'></head><body lang=EN-US><div class=WordSection1>{p(rng.choice(_GREETINGS))}"
            f"{p('&nbsp;')}{p(rng.choice(_INTROS))}{box}{p('')}{ship}{p('')}{table}{p('')}{sig}</div></body></html>")
    return _wrap(rng, _text_part(rng, html, "html"), _sender(customer), _subject(rng, order, customer)), [_truth(order, customer)]


def _fmt_pdf_boxed(rng, customer, style):
    """A PDF whose header box prints labels above values, Bill To beside Ship To, and long
    descriptions wrapped onto a second line."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    order = _order(rng, customer)
    for line in order.lines:
        if rng.random() < 0.4:
            line.description = f"{line.description} {rng.choice(['premium grade', 'bulk pack of twelve', 'food safe certified'])}"
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=letter)
    width, height = letter
    y = height - 50
    c.setFont("Helvetica-Bold", 14)
    c.drawString(40, y, "Purchase Order")
    c.setFont("Helvetica", 9)
    y -= 30
    labels = [("PO Number", order.po_number), ("Order Date", _date(rng, order.order_date, customer, style))]
    if order.requested_date:
        labels.append((rng.choice(["Delivery Date", "Required Date", "Need By"]), _date(rng, order.requested_date, customer, style)))
    labels.append(("Terms", "Net 30"))
    for i, (label, value) in enumerate(labels):
        c.setFont("Helvetica-Bold", 9)
        c.drawString(40 + i * 120, y, label)
        c.setFont("Helvetica", 9)
        c.drawString(40 + i * 120, y - 13, value)
    y -= 45
    bill = ["Bill To:", customer.company, rng.choice(_STREETS[customer.country]), rng.choice(_CITIES[customer.country])]
    ship = ([rng.choice(["Ship To:", "Deliver To:"])] + order.ship_to) if order.ship_to else []
    for i in range(max(len(bill), len(ship))):
        if i < len(bill):
            c.drawString(40, y, bill[i])
        if i < len(ship):
            c.drawString(300, y, ship[i])
        y -= 12
    y -= 20
    columns = [("Item", 40, "l"), ("Description", 130, "l"), ("Qty", 360, "r"), ("Unit Price", 450, "r"), ("Ext. Price", 540, "r")]
    c.setFont("Helvetica-Bold", 9)
    for title, x, align in columns:
        (c.drawRightString if align == "r" else c.drawString)(x, y, title)
    c.setFont("Helvetica", 9)
    y -= 15
    for line in order.lines:
        words = line.description.split()
        first, rest = (line.description, "") if len(line.description) <= 24 else (" ".join(words[:3]), " ".join(words[3:]))
        values = [line.sku, first, _qty(line.quantity, customer), _money(line.unit_price, customer), _money(line.quantity * line.unit_price, customer)]
        for (title, x, align), value in zip(columns, values):
            (c.drawRightString if align == "r" else c.drawString)(x, y, value)
        y -= 12
        if rest:
            c.drawString(130, y, rest)
            y -= 12
        y -= 2
    c.drawString(400, y - 6, "Total")
    c.drawRightString(540, y - 6, _money(sum((l.quantity * l.unit_price for l in order.lines), Decimal(0)), customer))
    c.showPage()
    c.save()
    filename = f"PO{order.po_number}.pdf"
    order.source = f"attachment {filename}"
    body = _attachment_body(rng, customer, order, style, False)
    return (_wrap(rng, body, _sender(customer), _subject(rng, order, customer), [_attachment("pdf", filename, buffer.getvalue())]),
            [_truth(order, customer, order.source)])


_MAKERS = {
    "text_table": _fmt_text_table, "text_key_value": _fmt_text_key_value, "text_at_lines": _fmt_text_at_lines,
    "text_pipe_table": _fmt_text_pipe_table, "text_loose": _fmt_text_loose, "text_single_space": _fmt_text_single_space,
    "html_outlook": _fmt_html_outlook, "pdf_boxed": _fmt_pdf_boxed, "html_table": _fmt_html_table, "alternative": _fmt_alternative,
    "forwarded_inline": _fmt_forwarded_inline, "forwarded_attached": _fmt_forwarded_attached,
    "csv_attachment": _fmt_file("csv"), "xlsx_attachment": _fmt_file("xlsx"), "pdf_attachment": _fmt_file("pdf"),
    "pdf_narrow": _fmt_file("pdf", narrow=True),
    "two_attachments": _fmt_two_attachments, "two_orders_body": _fmt_two_orders_body, "reply_chain": _fmt_reply_chain,
    "signature_image": _fmt_signature_image, "out_of_office": _fmt_out_of_office, "invoice_question": _fmt_invoice_question,
    "bounce": _fmt_bounce, "newsletter": _fmt_newsletter,
}


def make_case(seed: int, fmt: str) -> Case:
    """One email of format ``fmt``, the same for the same seed."""
    rng = random.Random(f"{fmt}-{seed}")
    customer = _customer(rng)
    style = _date_style(rng, customer)
    raw, orders = _MAKERS[fmt](rng, customer, style)
    return Case(f"{fmt}-{seed}", fmt, raw, "order" if orders else "not_order", orders)


def corpus(count: int, start: int = 0) -> list[Case]:
    """``count`` emails cycling through every format."""
    return [make_case(start + i // len(FORMATS), FORMATS[i % len(FORMATS)]) for i in range(count)]


_ORDER_KEYS = ("po_number", "requested_date", "customer", "ship_to", "source")
_LINE_KEYS = ("sku", "description", "quantity", "unit_price")


def contract_view(result: dict) -> list[dict]:
    """The orders of a parse result reduced to the fields the truth holds."""
    return [{**{k: order[k] for k in _ORDER_KEYS}, "lines": [{k: line[k] for k in _LINE_KEYS} for line in order["lines"]]}
            for order in result["orders"]]


def mismatch(case: Case, result: dict) -> str | None:
    """None when ``result`` (from ``parse_email``) is exactly the case's truth, else what differs."""
    if result["status"] != case.status:
        return f"status {result['status']} (reason {result.get('reason')}), expected {case.status}"
    got = contract_view(result)
    if got == case.orders:
        return None
    if len(got) != len(case.orders):
        return f"{len(got)} orders, expected {len(case.orders)}"
    for index, (mine, truth) in enumerate(zip(got, case.orders)):
        for key in _ORDER_KEYS:
            if mine[key] != truth[key]:
                return f"order {index + 1} {key}: {mine[key]!r}, expected {truth[key]!r}"
        if mine["lines"] != truth["lines"]:
            return f"order {index + 1} lines: {mine['lines']!r}, expected {truth['lines']!r}"
    return "orders differ"


if __name__ == "__main__":
    import json

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "order_emails")
    out.mkdir(parents=True, exist_ok=True)
    for case in corpus(int(sys.argv[2]) if len(sys.argv) > 2 else 190):
        (out / f"{case.name}.eml").write_bytes(case.raw)
        (out / f"{case.name}.json").write_text(json.dumps({"status": case.status, "orders": case.orders}, indent=2, ensure_ascii=False))
    print(f"wrote {out}")
