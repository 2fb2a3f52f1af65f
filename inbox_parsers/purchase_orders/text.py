"""Order lines from text: the one reader every source ends in.

An email body, an HTML table, a CSV or XLSX sheet and a PDF laid out as text all become
a list of text lines here. Three shapes of order line are recognised:

- tables: a header row ("Item  Description  Qty  Price") and rows under it, with cells
  separated by tabs, pipes, or aligned with spaces (then cells go to the header cell
  they sit under);
- "50 x NW-4410 Widget @ 18.75" lines (and "NW-4410 ... qty 50 @ 18.75");
- "key: value" blocks, one field a line ("Item: NW-4410", "Qty: 24", "Price: 18.75").

Each recognised line is a ``RawLine``: the text of each field as printed, still to be
read as numbers by ``build``.
"""

import re
from dataclasses import dataclass, field

from inbox_parsers.purchase_orders.columns import column_role, is_header_row, pick_sku_column


@dataclass
class Cell:
    text: str
    start: int
    end: int


@dataclass
class RawLine:
    """One order line as printed: field name -> text."""

    fields: dict[str, str]
    line_index: int = 0


@dataclass
class Table:
    """An order-lines table found in text: its header line, where it ends, its rows."""

    header_index: int
    end_index: int
    roles: list[str | None]
    rows: list[RawLine] = field(default_factory=list)


_TOTAL_ROW = re.compile(r"(?i)^\s*(?:sub[\s-]?total|grand\s+total|order\s+total|total|summe|gesamt|montant\s+total|total\s+amount|net\s+total|tax|vat|freight|shipping)\b")
_RULE_LINE = re.compile(r"^[\s|+:=\-_*~.]*$")
_LINE_ITEM_ROLES = {"sku", "item", "buyer_sku", "description", "quantity", "unit_price", "uom", "amount", "line_date"}


def split_cells(line: str) -> tuple[list[Cell], bool]:
    """Cells of one line, and whether they are placed by column position (space-aligned)
    rather than by their index (tab- or pipe-separated)."""
    if "\t" in line:
        return [Cell(part.strip(), i, i + 1) for i, part in enumerate(line.split("\t"))], False
    stripped = line.strip()
    if stripped.count("|") >= 1 and (" | " in stripped or stripped.startswith("|")):
        if stripped.startswith("|"):
            stripped = stripped[1:]
        if stripped.endswith("|"):
            stripped = stripped[:-1]
        return [Cell(part.strip(), i, i + 1) for i, part in enumerate(stripped.split("|"))], False
    return [Cell(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+(?: \S+)*", line)], True


def find_tables(lines: list[str]) -> list[Table]:
    """Every order-lines table in ``lines``, in order."""
    tables = []
    index = 0
    while index < len(lines):
        cells, positional = split_cells(lines[index])
        if positional:
            cells = split_header_cells(cells)
        texts = [c.text for c in cells]
        if len([t for t in texts if t]) >= 2 and is_header_row(texts):
            table = _read_table(lines, index, cells, positional)
            if table.rows:
                tables.append(table)
                index = table.end_index
                continue
        index += 1
    return tables


def split_header_cells(cells: list[Cell]) -> list[Cell]:
    """Split header cells that touch on the page ("Supplier Item No. Our Ref") into the
    known column names they are made of."""
    out = []
    for cell in cells:
        if column_role(cell.text) is None:
            for m in re.finditer(r" ", cell.text):
                left, right = cell.text[: m.start()], cell.text[m.end():]
                if column_role(left) and column_role(right):
                    out += [Cell(left, cell.start, cell.start + m.start()), Cell(right, cell.start + m.end(), cell.end)]
                    break
            else:
                out.append(cell)
        else:
            out.append(cell)
    return out


def _read_table(lines: list[str], header_index: int, header: list[Cell], positional: bool) -> Table:
    roles = [column_role(c.text) for c in header]
    quantity_column = roles.index("quantity")
    table = Table(header_index, header_index + 1, roles)
    rows: list[tuple[int, dict[int, str]]] = []
    misses = 0
    index = header_index + 1
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            if rows:
                break
            index += 1
            continue
        if _RULE_LINE.match(line):
            index += 1
            continue
        cells, row_positional = split_cells(line)
        first = next((c.text for c in cells if c.text), "")
        if _TOTAL_ROW.match(first):
            break
        by_column = _by_column(cells, header, positional and row_positional)
        quantity = by_column.get(quantity_column, "")
        if re.search(r"\d", quantity) and _NUMBER.match(quantity) and len(by_column) >= 2:
            rows.append((index, by_column))
            misses = 0
        else:
            misses += 1
            if misses > 2:
                break
        index += 1
    table.end_index = index
    table.roles = roles = _roles_by_content(roles, [r for _, r in rows])
    for line_index, by_column in rows:
        values = _fields(by_column, roles)
        if values.get("sku") or values.get("description"):
            table.rows.append(RawLine(values, line_index))
    return table


def _by_column(cells: list[Cell], header: list[Cell], positional: bool) -> dict[int, str]:
    """Put each cell of a row under its header: by index, or by overlap with the header cell."""
    by_column: dict[int, list[str]] = {}
    for position, cell in enumerate(cells):
        if not cell.text:
            continue
        column = _nearest_column(cell, header) if positional else (position if position < len(header) else None)
        if column is not None:
            by_column.setdefault(column, []).append(cell.text)
    return {column: " ".join(texts) for column, texts in by_column.items()}


def _fields(by_column: dict[int, str], roles: list[str | None]) -> dict[str, str]:
    values: dict[str, str] = {}
    sku_column = pick_sku_column(roles)
    for column, text in sorted(by_column.items()):
        role = roles[column]
        if column == sku_column:
            role = "sku"
        elif role in ("sku", "item", "buyer_sku"):
            role = "other_item"
        if role and role not in values:
            values[role] = text
        elif role == "description":
            values[role] += " " + text
    return values


def _nearest_column(cell: Cell, header: list[Cell]) -> int | None:
    best, best_score = None, None
    for column, head in enumerate(header):
        overlap = min(cell.end, head.end) - max(cell.start, head.start)
        score = overlap if overlap > 0 else -min(abs(cell.start - head.end), abs(head.start - cell.end))
        if best_score is None or score > best_score:
            best, best_score = column, score
    return best


_NUMBER = re.compile(r"^[^\d]{0,4}\d[\d.,' ]*(?:\s*[A-Za-z]{0,6}\.?)?$")


def _roles_by_content(roles: list[str | None], rows: list[dict[int, str]]) -> list[str | None]:
    """A column headed "Item", "Product" or "Article" may hold names or codes: its content decides."""
    roles = list(roles)

    def code_share(column):
        values = [r[column] for r in rows if r.get(column)]
        return sum(looks_like_code(v) for v in values) / len(values) if values else 0.0

    for column, role in enumerate(roles):
        if role == "description" and code_share(column) == 1.0 and (
                roles.count("description") > 1 or pick_sku_column(roles) is None):
            roles[column] = "item"
    for column, role in enumerate(roles):
        if role == "item" and rows and code_share(column) == 0.0 and "description" not in roles:
            roles[column] = "description"
    return roles


def looks_like_code(text: str) -> bool:
    """True for an item-number-shaped text ("NW-4410", "100234", "AB12/7"): one token with a digit."""
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-./_#]*", text or "") and re.search(r"\d", text))


# "50 x NW-4410 Widget blue @ 18.75 each", "- 12 cases of AB-100 (Olive oil) at $4.50/case"
_QTY = r"(?P<qty>\d[\d,]*(?:\.\d+)?)(?=\s|[x×X*](?:\s|$))"
_UNITS = r"(?:\s*(?:x|×|\*|pcs?|pieces?|units?|ea|each|cases?|cs|ctns?|cartons?|boxes|box|bx|packs?|pks?|rolls?|bags?|sets?|pairs?|kg|lbs?|dozen|doz)\b\.?)*"
_SKU = r"(?P<sku>(?=[A-Za-z0-9\-./]*\d)[A-Za-z0-9][A-Za-z0-9\-./]*[A-Za-z0-9])"
_PRICE = r"(?:@|\bat\b|\bfor\b|à)\s*(?P<price>(?:[A-Z]{3}\s?|[$€£]\s?)?\d[\d.,']*(?:\s?(?:[A-Z]{3}\b|[$€£]))?)"
_BULLET = r"^\s*(?:[-*•·>]\s*|\(?\d{1,2}[.)]\s+|(?:line|item|pos)\s*\d{1,3}\s*[:.)-]\s*)?"
QTY_FIRST = re.compile(
    _BULLET + _QTY + _UNITS + r"\s*(?:of\s+)?(?:(?:item|sku|part|art|article|product)\.?\s*(?:no\.?|#)?\s*:?\s*)?" + _SKU
    + r"(?P<desc>(?:\s+.*?)?)\s*(?:,\s*|\s+-\s+)?" + _PRICE + r"(?P<tail>.*)$",
    re.IGNORECASE,
)
SKU_FIRST = re.compile(
    _BULLET + r"(?:(?:item|sku|part|article)\.?\s*(?:no\.?|#)?\s*:?\s*)?" + _SKU
    + r"(?P<desc>(?:\s+.*?)?)[\s,;:-]*(?:qty\.?|quantity|x|×)\s*:?\s*" + _QTY + _UNITS + r"\s*(?:,\s*)?(?:(?:unit\s+)?price\s*:?\s*)?" + _PRICE + r"(?P<tail>.*)$",
    re.IGNORECASE,
)


def inline_lines(lines: list[str], skip: set[int]) -> list[RawLine]:
    """Order lines written as sentences: "50 x SKU description @ price"."""
    found = []
    for index, line in enumerate(lines):
        if index in skip or ("@" not in line and not re.search(r"(?i)\b(?:at|for|à)\b", line)):
            continue
        m = QTY_FIRST.match(line) or SKU_FIRST.match(line)
        if not m or "@" in m.group("sku"):
            continue
        if not re.search(r"[A-Za-z]", m.group("sku")) and not re.search(r"[-./]", m.group("sku")) and len(m.group("sku")) < 4:
            continue
        description = _unwrap(m.group("desc").strip(" -–,:;"))
        found.append(RawLine({"sku": m.group("sku"), "description": description, "quantity": m.group("qty"),
                              "unit_price": m.group("price").strip()}, index))
    return found


def _unwrap(text: str) -> str:
    """"(Olive oil)" -> "Olive oil"; a lone quote mark (inches: 1/2") stays."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return text.strip()


_KEY_VALUE = re.compile(r"^\s*(?:[-*•]\s*)?(?P<k>[A-Za-z][\w .#/()-]{0,30}?)\s*(?:\d{1,3})?\s*(?::|\t|\s\|\s|\s=\s)\s*(?P<v>.+?)\s*$")


def key_value_lines(lines: list[str], skip: set[int]) -> list[RawLine]:
    """Order lines written as one "key: value" field a line, a blank or a new item
    number starting the next line."""
    found: list[RawLine] = []
    current: dict[str, str] = {}
    start = 0

    def flush():
        sku = current.get("sku") or current.get("item") or current.get("buyer_sku")
        if current.get("quantity") and (sku or current.get("description")):
            fields = {k: v for k, v in current.items() if k not in ("item", "buyer_sku")}
            fields["sku"] = sku or ""
            found.append(RawLine(fields, start))
        current.clear()

    for index, line in enumerate(lines):
        if index in skip:
            continue
        m = _KEY_VALUE.match(line)
        role = column_role(re.sub(r"\s*\d+$", "", m.group("k"))) if m else None
        if role not in _LINE_ITEM_ROLES:
            if not line.strip() or role:
                flush()
            continue
        value = m.group("v").strip()
        if role in current:
            flush()
        if not current:
            start = index
        if role in ("sku", "item", "buyer_sku"):
            token, _, rest = value.partition(" ")
            if not looks_like_code(token):
                continue
            current[role] = token
            rest = rest.strip(" -–,:;()")
            if rest and "description" not in current:
                current["description"] = rest
        else:
            current[role] = value
    flush()
    return found


def order_lines(lines: list[str]) -> tuple[list[RawLine], list[Table]]:
    """All order lines in ``lines`` (tables first, then sentence and key/value lines
    outside the tables), and the tables found."""
    tables = find_tables(lines)
    inside = {i for t in tables for i in range(t.header_index, t.end_index)}
    raw = [row for t in tables for row in t.rows]
    if not raw:
        raw = inline_lines(lines, inside)
    if not raw:
        raw = key_value_lines(lines, inside)
    return sorted(raw, key=lambda r: r.line_index), tables
