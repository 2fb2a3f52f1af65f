"""From text lines to contract-2 order dicts.

``orders_from_lines`` finds the order lines (``text.order_lines``) and the header fields
(``labels.read_header``), splits a document that holds several POs into one order each,
and reads the printed numbers and dates: quantities as decimal strings ("24", "2.5"),
unit prices with two places, the requested date in ISO with the day/month order the
whole document implies.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from inbox_parsers.amounts import decimal_comma_in, money, parse_amount
from inbox_parsers.dates import day_first_in, find_dates, iso
from inbox_parsers.purchase_orders.companies import title_company
from inbox_parsers.purchase_orders.labels import (Header, complete_year, find_currency, is_label_line, po_occurrences,
                                                  read_header)
from inbox_parsers.purchase_orders.raw import RawLine
from inbox_parsers.purchase_orders.text import order_lines


@dataclass
class Hints:
    """What the surroundings of a document tell about it: the sender's country (from the
    address's top-level domain), dates and currency seen elsewhere in the email, and
    header fields to fall back on (from the email body, the subject, the file name)."""

    country: str | None = None
    currency: str | None = None
    date_texts: list[str] = field(default_factory=list)
    fallback: Header | None = None
    sent: date | None = None  # when the email was sent: the year of "deliver by 12/4"


def orders_from_lines(lines: list[str], source: str, hints: Hints | None = None,
                      known_skus: set[str] | None = None) -> list[dict]:
    """Every order in a document given as text lines; [] when it has no order lines."""
    hints = hints or Hints()
    raw, tables = order_lines(lines)
    if not raw:
        return []
    whole = read_header(_outside_tables(lines, tables))
    # Day/month order from every date and the currency anywhere in the document, the
    # order lines included ("22/11/2026" in a row settles "11/12/2026" in the next).
    all_dates = [d for line in lines for d in find_dates(line)]
    currency = whole.currency or find_currency(lines) or hints.currency
    day_first = day_first_in(all_dates + hints.date_texts, currency, hints.country)

    sections = _po_sections(lines, tables)
    if len(sections) >= 2:
        preamble = read_header(lines[: sections[0][0]])
        orders = []
        for start, end in sections:
            part = lines[start:end]
            part_raw, part_tables = order_lines(part)
            if part_raw:
                header = _merge(read_header(_outside_tables(part, part_tables)), preamble)
                orders.append(_order(header, part_raw, source, day_first, hints, known_skus))
        if len(orders) >= 2:
            return orders

    by_po = _group_by_row_po(raw)
    if len(by_po) >= 2:
        return [_order(_merge(Header(po_number=po), whole), rows, source, day_first, hints, known_skus)
                for po, rows in by_po.items()]
    if len(by_po) == 1 and not whole.po_number:
        whole.po_number = next(iter(by_po))
    return [_order(whole, raw, source, day_first, hints, known_skus)]


def quantity_text(text: str, decimal_comma: bool | None = None) -> str | None:
    """A printed quantity ("1,200 pcs", "2,5", "24.00") as a decimal string ("1200", "2.5", "24")."""
    value = _number(text, decimal_comma)
    if value is None:
        return None
    value = value.normalize()
    return format(value, "f")


def price_text(text: str, decimal_comma: bool | None = None) -> str | None:
    """A printed unit price ("$1,234.5", "18,75 EUR") with two places ("1234.50", "18.75")."""
    value = _number(text, decimal_comma)
    return money(value) if value is not None else None


# A space inside a number only groups thousands ("1 200"); wider gaps part two numbers.
_NUMBER_IN = re.compile(r"[-(]?\d(?:[\d.,'\u00a0\u202f]|\s(?=\d{3}\b))*\d|\d")


def _number(text: str | None, decimal_comma: bool | None) -> Decimal | None:
    if not text:
        return None
    m = _NUMBER_IN.search(text)
    if not m:
        return None
    s = m.group(0).strip()
    value = parse_amount(s, decimal_comma)
    if value is None:
        value = parse_amount(s)
    return value


def _quantity_by_amount(fields: dict[str, str], quantity: str | None, price: str | None,
                        decimal_comma: bool | None) -> str | None:
    """"2.500" is 2500 or 2.5 depending on the writer: where the line prints its amount,
    the reading for which quantity x price gives that amount wins."""
    m = _NUMBER_IN.search(fields.get("quantity") or "")
    if not m or not price or not re.fullmatch(r"\d{1,3}[.,]\d{3}", m.group(0).strip()):
        return quantity
    amount = _number(fields.get("amount"), decimal_comma)
    if amount is None:
        return quantity
    for reading in (quantity_text(m.group(0), True), quantity_text(m.group(0), False)):
        if reading and abs(Decimal(reading) * Decimal(price) - amount) <= Decimal("0.01"):
            return reading
    return quantity


def _quantity_decimal_comma(texts: list[str]) -> bool | None:
    """Whether a column of quantities writes fractions with a comma ("2,5") or a point
    ("2.5"); None when no quantity has a fraction of one or two places."""
    comma = point = plain = dot_groups = comma_groups = 0
    for text in texts:
        m = _NUMBER_IN.search(text or "")
        s = m.group(0).strip() if m else ""
        if re.fullmatch(r"\d+(?:\.\d{3})*,\d{1,2}", s):
            comma += 1
        elif re.fullmatch(r"\d+(?:,\d{3})*\.\d{1,2}", s):
            point += 1
        elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):
            dot_groups += 1
        elif re.fullmatch(r"\d{1,3}(?:,\d{3})+", s):
            comma_groups += 1
        elif re.fullmatch(r"\d+", s):
            plain += 1
    if comma == point == 0 and plain and bool(dot_groups) != bool(comma_groups):
        # "3.000" beside "52" and "45": a writer of three decimals would print "52.000" too,
        # so the dot groups thousands.
        return bool(dot_groups)
    if comma == point:
        return None
    return comma > point


def _outside_tables(lines: list[str], tables) -> list[str]:
    inside = {i for t in tables for i in range(t.header_index + 1, t.end_index)}
    return [("" if i in inside else line) for i, line in enumerate(lines)]


def _price_from_amount(fields: dict[str, str], decimal_comma: bool | None) -> str | None:
    """No unit price printed, but a line amount: the price is amount / quantity when that
    comes out in whole cents."""
    quantity, amount = _number(fields.get("quantity"), decimal_comma), _number(fields.get("amount"), decimal_comma)
    if not quantity or amount is None:
        return None
    price = (amount / quantity).quantize(Decimal("0.01"))
    return money(price) if price * quantity == amount else None


def _same_in_every_row(raw: list[RawLine], name: str) -> str | None:
    """A per-line field (delivery date, ship-to) that every line gives alike, else None."""
    values = {" ".join(r.fields.get(name, "").split()) for r in raw} - {""}
    return values.pop() if len(values) == 1 else None


def _iso_date(text: str | None, day_first: bool | None, sent: date | None) -> str | None:
    if not text:
        return None
    return iso(text, day_first) or complete_year(text, day_first, sent or date.today())


def _po_sections(lines: list[str], tables) -> list[tuple[int, int]]:
    """(start, end) line ranges, one per distinct PO number labelled in the text."""
    inside = {i for t in tables for i in range(t.header_index, t.end_index)}
    starts, seen = [], set()
    for index, number in po_occurrences(lines):
        if index not in inside and number not in seen:
            seen.add(number)
            starts.append(index)
    if len(starts) < 2:
        return []
    if any(t.header_index < starts[0] for t in tables) or order_lines(lines[: starts[0]])[0]:
        # Each order's lines come first and its PO block after them: a section ends
        # with the PO label's block (down to the next blank line).
        ends = [_block_end(lines, s) for s in starts]
        ends[-1] = len(lines)
        return list(zip([0] + ends[:-1], ends))
    # A section begins with the block of lines its PO label stands in (the order date or
    # delivery date may come first), or at the heading just above it.
    table_rows = {i for t in tables for i in range(t.header_index, t.end_index)}
    starts = [_section_start(lines, s, previous, table_rows) for s, previous in zip(starts, [-1] + starts[:-1])]
    return list(zip(starts, starts[1:] + [len(lines)]))


def _block_end(lines: list[str], index: int) -> int:
    while index < len(lines) and lines[index].strip():
        index += 1
    return index


def _section_start(lines: list[str], index: int, previous: int, table_rows: set[int]) -> int:
    while index - 1 > previous and lines[index - 1].strip() and index - 1 not in table_rows \
            and is_label_line(lines[index - 1].strip()):
        index -= 1
    if index > previous + 1 and re.match(r"(?i)^\s*[=*#-]*\s*(?:order|purchase order|po)\b[^:]*$", lines[index - 1]) \
            and not re.search(r"\d{3}", lines[index - 1]):
        return index - 1
    return index


def _group_by_row_po(raw: list[RawLine]) -> dict[str, list[RawLine]]:
    groups: dict[str, list[RawLine]] = {}
    for row in raw:
        po = row.fields.get("po_number", "").strip()
        if po:
            groups.setdefault(po, []).append(row)
    return groups if len(groups) and all(r.fields.get("po_number", "").strip() for r in raw) else {}


def _merge(header: Header, fallback: Header | None) -> Header:
    if fallback is None:
        return header
    for name in ("po_number", "requested_date", "ship_to", "customer", "customer_email", "currency"):
        if not getattr(header, name):
            setattr(header, name, getattr(fallback, name))
    return header


def _order(header: Header, raw: list[RawLine], source: str, day_first: bool | None,
           hints: Hints, known_skus: set[str] | None) -> dict:
    header = _merge(header, hints.fallback)
    warnings = []
    decimal_comma = decimal_comma_in([r.fields.get("unit_price", "") for r in raw] + [r.fields.get("amount", "") for r in raw])
    # Quantities may be typed apart from prices (text "0,5" beside numeric prices in a sheet).
    quantity_comma = _quantity_decimal_comma([r.fields.get("quantity", "") for r in raw])
    if quantity_comma is None:
        quantity_comma = decimal_comma
    lines = []
    for row in raw:
        f = row.fields
        line = {
            "sku": (f.get("sku") or "").strip() or None,
            "description": " ".join((f.get("description") or "").split()),
            "quantity": quantity_text(f.get("quantity"), quantity_comma),
            "unit_price": price_text(f.get("unit_price"), decimal_comma) or _price_from_amount(f, decimal_comma),
        }
        line["quantity"] = _quantity_by_amount(f, line["quantity"], line["unit_price"], decimal_comma)
        if f.get("uom"):
            line["uom"] = f["uom"].strip()
        if line["sku"] is None:
            warnings.append(f"line {len(lines) + 1}: no item number")
        if line["unit_price"] is None:
            warnings.append(f"line {len(lines) + 1}: no unit price")
        if known_skus is not None and line["sku"] is not None and line["sku"] not in known_skus:
            line["unknown_sku"] = True
            warnings.append(f"unknown SKU {line['sku']}")
        lines.append(line)

    requested_date = _iso_date(header.requested_date or _same_in_every_row(raw, "line_date"), day_first, hints.sent)
    line_dates = [_iso_date(r.fields.get("line_date"), day_first, hints.sent) for r in raw]
    if any(line_dates):
        for line, line_date in zip(lines, line_dates):
            line["requested_date"] = line_date
        if requested_date is None:
            # Lines asking for different days: the order is needed by the first of them.
            requested_date = min(d for d in line_dates if d)
            warnings.append("lines ask for different delivery dates; the earliest is the order's")
    if not header.po_number:
        warnings.append("no PO number found")
    return {
        "po_number": header.po_number,
        "requested_date": requested_date,
        "customer": {"name": header.customer or title_company(header.title, header.customer_email),
                     "email": header.customer_email},
        "ship_to": header.ship_to or _same_in_every_row(raw, "ship_to"),
        "source": source,
        "lines": lines,
        "warnings": warnings,
    }
