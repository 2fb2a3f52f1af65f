"""The order's header fields, read from labelled text: PO number, requested delivery date,
ship-to address, customer name, currency.

Works on text lines from any source (an email body, HTML turned into lines, the key/value
block of a spreadsheet, a PDF laid out as text). A line may hold several "label: value"
segments side by side (separated by tabs, `` | `` or two or more spaces), and a label
may stand in one segment with its value in the next.
"""

import re
from dataclasses import dataclass, field

from inbox_parsers.dates import find_dates, parse_date

_TOKEN = r"(?=[\w\-/.]*\d)[A-Za-z0-9][\w\-/.]*[A-Za-z0-9]|\d"
_NUMBER_WORD = r"(?i:number|num|no|nr|n°|nº|ref|reference|id)(?![a-z])\.?(?:\s+(?i:is|will\s+be)\b)?"
# What buyers call their order in German, French, Spanish, Dutch, Italian and Portuguese.
_ORDER_WORDS = (r"bestellung|bestell-?nr|bestellnummer|auftrag|auftrags-?nr|auftragsnummer|bon\s+de\s+commande|commande|"
                r"pedido\s+de\s+compra|orden\s+de\s+compra|pedido|inkoopordernummer|inkooporder|bestelling|bestelnummer|"
                r"bestelnr|ordernummer|ordine\s+d['’]acquisto|ordine|nota\s+de\s+encomenda|encomenda")
# Labels that name the buyer's purchase order, strongest first.
PO_PATTERNS = [
    re.compile(
        r"(?:(?i:purchase[\s-]*order)|\b(?:PO|P\.O\.|Po|P/O)(?!\.?\s*(?i:box)\b))(?=[\s#:.=]|\d)\.?\s*(?:" + _NUMBER_WORD + r")?\s*#?(?:\s+(?i:is|will\s+be)\b)?\s*[:\-–=]?\s*#?\s*(?P<v>" + _TOKEN + r")"
    ),
    re.compile(r"(?<!(?i:sales) )\b(?i:order|bestellung|bestell|commande|pedido)[\s-]*(?:" + _NUMBER_WORD + r"\s*#?|#)\s*[:\-–=]?\s*(?P<v>" + _TOKEN + r")"),
    re.compile(r"(?i:(?:num[ée]ro|n[°º]|no\.?|n[uú]mero)\s+de\s+(?:la\s+)?(?:commande|pedido|orden(?:\s+de\s+compra)?)|bon\s+de\s+commande(?:\s+n[°º]?(?![^\W\d_]))?|orden\s+de\s+compra(?:\s+n[°º]?(?![^\W\d_]))?)\s*[:#]?\s*(?P<v>" + _TOKEN + r")"),
    # The order's own name in the buyer's language, with or without a number word:
    # "Bestellung 2026-4471", "Auftrags-Nr. 4711", "N° commande", "Pedido n.º", "Bestelling",
    # "N. ordine", "Ordine d'acquisto", "Nº da encomenda" (the value must hold a digit).
    re.compile(r"(?<![\w-])(?i:(?:(?:n[°º]|n\.\s*[°º]|n\.|nr\.?|no\.|num[ée]ro|n[uú]mero)\s*(?:d[aeo]l?\s+|di\s+|du\s+)?(?:la\s+)?)?"
               r"(?:" + _ORDER_WORDS + r")(?![^\W\d_])\.?(?:\s*(?:nr|nummer|no|n[°º]|n\.\s*[°º]|n|num[ée]ro|n[uú]mero|#)(?![^\W\d_])\.?)?)"
               r"\s*[:#\-–=]?\s*(?P<v>" + _TOKEN + r")"),
    # A PO number that carries its own prefix ("PO-2026-0142") is written whole.
    re.compile(r"(?<![\w-])(?P<v>PO-(?=[\w-]*\d)[\w-]*[A-Za-z0-9])"),
    re.compile(r"(?:\b(?i:bestellnummer|bestellnr|auftragsnummer)|^\s*(?i:order)\s*:)\s*[:\-–]?\s*(?P<v>" + _TOKEN + r")"),
    # In a document the buyer wrote, "Our Ref" is the buyer's own order number.
    re.compile(r"(?:^|,\s|\t)\s*(?i:our\s+ref(?:erence)?)\.?\s*(?:" + _NUMBER_WORD + r")?\s*#?\s*[:\-–=]\s*(?P<v>" + _TOKEN + r")"),
]

# Requested delivery date labels: (pattern, rank) where a lower rank is preferred.
_REQUESTED = [
    (r"(?:requested|required|req|desired|wanted|expected|planned|latest)?\s*(?:delivery|deliver|arrival)\s*(?:date|by|on|before|no\s+later\s+than|not\s+later\s+than|until|requested|required|for)?", 0),
    (r"(?:required|needed|need|wanted|requested|due|must\s+arrive|arrive|in[\s-]*house)[\s-]*(?:by|on|date|for|before)(?:\s*date)?", 0),
    (r"date\s+(?:required|needed|requested|wanted|of\s+delivery)", 0),
    # In prose: "we need it by Dec 5", "we need them on 12/05/2026".
    (r"(?:need|needed|require|required|want|wanted|expect|expecting)\s+(?:it|them|this|these|everything|the\s+(?:goods|items|order|delivery))"
     r"\s+(?:delivered\s+|here\s+|on\s+site\s+)?(?:by|on|before|no\s+later\s+than)", 0),
    (r"(?:liefertermin|lieferdatum|wunschtermin|wunschliefertermin|date\s+de\s+livraison|fecha\s+de\s+entrega|"
     r"livraison\s+(?:souhait[ée]e|pr[ée]vue|demand[ée]e)(?:\s+(?:le|pour))?|lieferung\s+bis|liefern\s+bis|"
     r"entrega\s+(?:prevista|solicitada|deseada)|(?:gewenste\s+)?(?:lever|aflever)datum|leveren\s+(?:voor|op)|"
     r"data\s+(?:di\s+)?consegna|consegna\s+(?:richiesta|prevista|entro)|data\s+de\s+entrega|prazo\s+de\s+entrega)", 0),
    (r"(?:requested\s+|required\s+)?(?:ship|shipping|dispatch)\s*(?:date|by|on|before)", 1),
]
REQUESTED_PATTERNS = [(re.compile(r"(?i)\b(?:" + p + r")\b(?!\s*(?:to|address|location|point|terms|instructions|note)\b)[\s:.\-–=]*(?:\((?:on\s+or\s+before|latest)\)\s*)?(?:on\s+or\s+before\s+|latest\s+|by\s+|on\s+)?"), rank) for p, rank in _REQUESTED]
_NOT_REQUESTED = re.compile(r"(?i)\b(?:payment|invoice|order|po|issue|document)\s+(?:due\s+)?date\b|\b(?:payment|invoice)\s+due\b")

_SHIP_TO = re.compile(
    r"^(?i:(?:please\s+)?(?:ship[\s-]*to(?:\s+(?:address|location))?|deliver(?:y)?\s+(?:goods\s+)?to)|delivery\s+address|shipping\s+address|"
    r"delivery\s+(?:location|point)|destination|consignee|"
    r"lieferadresse|lieferanschrift|adresse\s+de\s+livraison|livrer\s+[àa]|direcci[oó]n\s+de\s+entrega|entregar\s+en|"
    r"afleveradres|leveradres|indirizzo\s+di\s+consegna|destinazione\s+merce|morada\s+de\s+entrega|local\s+de\s+entrega|"
    r"endere[cç]o\s+de\s+entrega)\s*[:\-–]?\s*(?P<v>.*)$"
)
_CUSTOMER = re.compile(
    r"^(?i:customer(?:\s+name)?|company(?:\s+name)?|sold[\s-]*to(?:\s+party)?|bill[\s-]*to|invoice[\s-]*to|purchaser|client|kunde|firma|buyer\s+company|from\s+company)\s*(?:[:\-–]\s*(?P<v>.*)|$)"
)
_ANY_LABEL = re.compile(r"^(?!(?i:attn|attention|c/o)\b)[A-Za-z][\w .#/()-]{0,30}:(?:\s|$)")
_CURRENCY = re.compile(r"\b(USD|EUR|GBP|CAD|CHF|AUD|NZD|SEK|NOK|DKK|PLN|CZK|MXN|JPY)\b|([$€£])")
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_SEGMENT = re.compile(r"[^\t|]+")


@dataclass
class Header:
    """What the labelled lines of one order say (raw text; dates still as printed)."""

    po_number: str | None = None
    requested_date: str | None = None
    ship_to: str | None = None
    customer: str | None = None
    customer_email: str | None = None
    title: str | None = None  # the document's first line, often the buyer's company name
    currency: str | None = None
    date_texts: list[str] = field(default_factory=list)


_WORDS = re.compile(r"\S+(?: \S+)*")
_CELL_WIDTH = 1000  # columns of tab- or pipe-separated cells count in cells, far apart


def is_delimited(line: str) -> bool:
    """True for a line of tab- or pipe-separated cells (from a grid or an HTML table)."""
    return "\t" in line or " | " in line or line.lstrip().startswith("|")


def segments(line: str) -> list[tuple[int, str]]:
    """Split a line into (column, text) segments at tabs, pipes and wide gaps. The column
    is the character offset in laid-out text, the cell index times 1000 in delimited rows."""
    if is_delimited(line):
        cells = line.split("\t") if "\t" in line else line.strip().strip("|").split("|")
        return [(i * _CELL_WIDTH, c.strip()) for i, c in enumerate(cells) if c.strip()]
    return [(m.start(), m.group(0)) for m in _WORDS.finditer(line)]


def flat(line: str) -> str:
    """A delimited row as "label: value" text, for the label searches."""
    if is_delimited(line):
        return ": ".join(text.rstrip(":").strip() for _, text in segments(line))
    return line


def _po_in_line(line: str) -> tuple[int, bool, str] | None:
    """(label strength, whether it is mentioned mid-sentence, PO number) of the first PO
    label in a line; strength 0 is a purchase-order label."""
    text = flat(line)
    best = None
    for rank, pattern in enumerate(PO_PATTERNS):
        m = pattern.search(text)
        if m and not _starts_a_date(text[m.start("v"):]) and (best is None or m.start() < best[0]):
            best = (m.start(), rank, m.group("v"))
    if best is None:
        return None
    # "PO Number: 4712" heads a line; "this replaces PO 4711" is a mention in passing.
    mid_sentence = bool(re.search(r"[A-Za-z]{2,}\s+(?:[A-Za-z]+\s+)?$", text[: best[0]]))
    return best[1], mid_sentence, best[2]


def _starts_a_date(text: str) -> bool:
    """True where a label's value is a date ("Fecha de pedido: 10 de noviembre de 2026",
    "Commande du 20/11/2026"): the order's date, not its number."""
    value = re.match(r"\S+", text)
    if value and parse_date(value.group(0)) is not None:
        return True
    dates = find_dates(text[:40])
    return bool(dates) and text.startswith(dates[0])


def po_occurrences(lines: list[str]) -> list[tuple[int, str]]:
    """Every (line index, PO number) a PO label gives, one per line."""
    found = []
    for index, line in enumerate(lines):
        hit = _po_in_line(line)
        if hit:
            found.append((index, hit[2]))
    return found


def find_po_number(lines: list[str]) -> str | None:
    """The PO number: the first one a purchase-order label heading a line gives, else one
    mentioned in a sentence, else an order-number label."""
    hits = [hit for hit in map(_po_in_line, lines) if hit]
    return min(hits, key=lambda hit: hit[:2])[2] if hits else None


def find_requested_date(lines: list[str]) -> str | None:
    """The requested delivery date as printed, or None; never the order date."""
    best = None
    lines = [flat(line) for line in lines]
    for index, line in enumerate(lines):
        for pattern, rank in REQUESTED_PATTERNS:
            for m in pattern.finditer(line):
                before = line[max(0, m.start() - 12): m.end()]
                if _NOT_REQUESTED.search(before):
                    continue
                rest = line[m.end():]
                dates = find_dates(rest) or [d for d in _yearless_dates(rest) if rest.lstrip().find(d) <= 8]
                if not dates and not rest.strip() and index + 1 < len(lines):
                    # The value may sit on the next line, under the label.
                    dates = find_dates(lines[index + 1])[:1]
                    rest = dates[0] if dates else ""
                if dates and rest.lstrip().find(dates[0]) <= 16:
                    if best is None or rank < best[0]:
                        best = (rank, dates[0])
                    break
    return best[1] if best else None


_YEARLESS = [
    re.compile(r"\b\d{1,2}[/.]\d{1,2}\b(?![/.]\d)"),
    re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\.?\s+(?P<month>[^\W\d_]{3,10})\.?(?![^\W\d_])(?!\s*,?\s*\d)"),
    re.compile(r"\b(?P<month>[^\W\d_]{3,10})\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)"),
]


def _yearless_dates(text: str) -> list[str]:
    """Dates printed without a year ("Friday 12/4", "Dec 4th", "4 December"), in order."""
    from inbox_parsers.dates import MONTHS

    found = []
    for pattern in _YEARLESS:
        for m in pattern.finditer(text):
            if "month" in pattern.groupindex and m.group("month").lower() not in MONTHS:
                continue
            found.append((m.start(), m.group(0)))
    return [text for _, text in sorted(found)]


def complete_year(text: str, day_first: bool | None, reference) -> str | None:
    """A year-less date ("12/4", "Dec 4th") as ISO: the first such day on or after ``reference``."""
    from datetime import date

    from inbox_parsers.dates import MONTHS

    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})", text.strip())
    if m:
        first, second = int(m[1]), int(m[2])
        if day_first is None:
            day_first = "." in text or first > 12
        day, month = (first, second) if day_first else (second, first)
    else:
        number = re.search(r"\d{1,2}", text)
        word = next((w for w in re.findall(r"[^\W\d_]{3,10}", text) if w.lower() in MONTHS), None)
        if not number or not word:
            return None
        day, month = int(number.group(0)), MONTHS[word.lower()]
    for year in (reference.year, reference.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= reference - __import__("datetime").timedelta(days=7):
            return candidate.isoformat()
    return None


def find_ship_to(lines: list[str]) -> str | None:
    """The ship-to address as one line ("Dock 4, 88 Harbor Rd, Savannah GA 31401")."""
    for index, line in enumerate(lines):
        cells = segments(line)
        for position, (column, text) in enumerate(cells):
            m = _SHIP_TO.match(text)
            if not m:
                continue
            value = m.group("v").strip()
            value_column = column + m.start("v")
            if not value and position + 1 < len(cells) and not is_label_line(cells[position + 1][1]):
                value_column, value = cells[position + 1]
            elif not value:
                value_column = column
            parts = [value] if value else []
            parts += _block_below(lines, index, value_column, column)
            address = ", ".join(p.strip(" ,") for p in parts if p.strip(" ,"))
            if address:
                return address
    return None


def find_customer(lines: list[str]) -> str | None:
    """A company name the document labels as the customer (customer, sold to, bill to)."""
    for index, line in enumerate(lines):
        cells = segments(line)
        for position, (column, text) in enumerate(cells):
            m = _CUSTOMER.match(text)
            if not m:
                continue
            value = (m.group("v") or "").strip()
            if not value and position + 1 < len(cells) and not is_label_line(cells[position + 1][1]):
                value = cells[position + 1][1]
            if not value:
                below = _block_below(lines, index, column, column)
                value = below[0] if below else ""
            value = value.split(",")[0].strip(" ,")  # "Acme Inc., PO Box 889, ..." names Acme Inc.
            if value and not re.search(r"\d{3}", value):
                return value
    return None


_CONTACT_LABEL = re.compile(r"(?i)^(?:buyer|contact|ordered\s+by|purchaser|requested\s+by|requisitioner|issued\s+by|buyer\s+contact|e-?mail)\b")
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def find_customer_email(lines: list[str]) -> str | None:
    """The buyer's email address where the document names its contact ("Buyer: Dana <dana@x.com>")."""
    for line in lines:
        cells = [text for _, text in segments(line)]
        for position, text in enumerate(cells):
            if _CONTACT_LABEL.match(text):
                m = _ADDRESS.search(" ".join(cells[position: position + 2]))
                if m:
                    return m.group(0).lower()
    return None


def find_title(lines: list[str]) -> str | None:
    """The document's title: its first line without digits (a printed page's date and
    time line comes before it), among the first three."""
    for line in [line for line in lines if line.strip()][:4]:
        if _DOCUMENT_TITLE.match(line):
            continue
        if not re.search(r"\d", line):
            return " ".join(text for _, text in segments(line))
        # An HTML letterhead cell comes as one line: "Acme Inc., 88 Harbor Rd, ... | PURCHASE ORDER, ..."
        first = segments(line)[0][1].split(", ")[0].strip()
        if first and not re.search(r"\d|:", first) and len(first) <= 60:
            return first
    return None


# A document's kind printed above the buyer's name ("PURCHASE ORDER", "Bestellung") is no name.
_DOCUMENT_TITLE = re.compile(r"(?i)^\s*(?:\*+\s*)?(?:standard\s+|blanket\s+)?(?:purchase\s+order|order|bestellung|commande|pedido|po)\s*(?:form)?\s*\**\s*$")


def find_currency(lines: list[str]) -> str | None:
    """The currency the document prints most often (ISO code), or None."""
    counts: dict[str, int] = {}
    for line in lines:
        for m in _CURRENCY.finditer(line):
            code = m.group(1) or _SYMBOLS[m.group(2)]
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=counts.get) if counts else None


_BARE_LABEL = re.compile(
    r"(?i)^(?:(?:purchase\s*order|p\.?\s?o\.?|order)(?:\s*(?:number|num|no\.?|nr\.?|n°|#|ref(?:erence)?|id))?|purchase\s+order"
    r"|(?:order|po|document|issue)?\s*date|ship\s*via|(?:payment\s+)?terms|incoterms?|currency|page|buyer|vendor(?:\s*(?:no|#|number))?|"
    r"supplier(?:\s*(?:no|#|number))?|contact|phone|fax|e-?mail|revision|rev|freight|fob|carrier|department|dept|account(?:\s*(?:no|#))?)\s*[:#]?$"
)


def _label_only(text: str) -> bool:
    """True for a cell that is just a field name ("PO Number", "Delivery Date", "Terms")."""
    if re.search(r"\d", text) or len(text) > 40:
        return False
    if _BARE_LABEL.match(text):
        return True
    bare = text.rstrip(" :#")
    return any(p.fullmatch(bare + " ") or p.fullmatch(bare) for p, _ in REQUESTED_PATTERNS)


def labels_above_values(lines: list[str]) -> list[str]:
    """Header boxes print labels in one row and values in the row under it
    ("PO Number   Order Date   Delivery Date" over "4500012345   11/20/2026   12/05/2026").
    Rewrite each such pair of rows as "label: value" lines for the label readers."""
    out = list(lines)
    for index in range(len(lines) - 1):
        labels = segments(lines[index])
        if len(labels) < 2 or not all(_label_only(text) for _, text in labels):
            continue
        values = segments(lines[index + 1])
        if not values or all(_label_only(text) for _, text in values):
            continue
        if is_delimited(lines[index]):
            by_label = {i: next((t for c, t in values if c == column), None) for i, (column, _) in enumerate(labels)}
        else:
            # Labels may be centred over left-aligned values: pair them left to right.
            from inbox_parsers.purchase_orders.tables import Cell, pair_in_order

            label_cells = [Cell(t, c, c + len(t)) for c, t in labels]
            value_cells = [Cell(t, c, c + len(t)) for c, t in values]
            by_label = {label: values[value][1] for value, label in pair_in_order(value_cells, label_cells)}
        pairs = [f"{label.rstrip(' :')}: {by_label[i]}" for i, (_, label) in enumerate(labels) if by_label.get(i)]
        if pairs:
            out[index] = "   ".join(pairs)
            out[index + 1] = ""
    return out


def read_header(lines: list[str]) -> Header:
    """All the header fields of one order from its labelled lines."""
    lines = labels_above_values(lines)
    return Header(
        po_number=find_po_number(lines),
        requested_date=find_requested_date(lines),
        ship_to=find_ship_to(lines),
        customer=find_customer(lines),
        customer_email=find_customer_email(lines),
        title=find_title(lines),
        currency=find_currency(lines),
        date_texts=[d for line in lines for d in find_dates(line)],
    )


def is_label_line(text: str) -> bool:
    """True when a segment starts with a field label ("Order date: ...", "PO ...")."""
    return bool(_ANY_LABEL.match(text) or _SHIP_TO.match(text) or _CUSTOMER.match(text)
                or any(p.match(text) for p in PO_PATTERNS)
                or any(p.match(text) for p, _ in REQUESTED_PATTERNS))


def _block_below(lines: list[str], index: int, value_column: int, label_column: int) -> list[str]:
    """The text under a label, in the same column, down to a blank line or the next label."""
    block = []
    for line in lines[index + 1: index + 7]:
        if not line.strip():
            break
        cells = segments(line)
        if is_delimited(line):
            # A grid row continues the block only when the cells left of the value are empty.
            cell = next((t for c, t in cells if c == value_column), None)
            if any(c < value_column for c, _ in cells) or len(cells) > 3:
                cell = None
        else:
            if len(cells) >= 3:
                break  # a table row, not an address line
            cell = next((t for c, t in cells if abs(c - value_column) <= 3 or abs(c - label_column) <= 3), None)
            if cell is None and all(c > value_column + 3 for c, _ in cells):
                continue  # a line of the block beside this one (a PDF lays both out line by line)
        if cell is None or is_label_line(cell):
            break
        block.append(cell)
    return block
