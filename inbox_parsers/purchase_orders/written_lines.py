"""Order lines people write instead of tables: sentences and "key: value" fields.

- "50 x NW-4410 Widget blue @ 18.75", "- 12 cases of AB-100 (Olive oil) at $4.50/case",
  "Please send 24 pcs NW-4410", "NW-4410 - Widget - 24 pcs - $18.75";
- "Item: NW-4410" / "Qty: 24" / "Price: 18.75", one field a line or several on one line.
"""

import re

from inbox_parsers.purchase_orders.columns import column_role
from inbox_parsers.purchase_orders.raw import RawLine, looks_like_code

_LINE_ITEM_ROLES = {"sku", "item", "mfr_sku", "buyer_sku", "description", "quantity", "unit_price", "uom", "amount", "line_date"}

# "50 x NW-4410 Widget blue @ 18.75 each", "- 12 cases of AB-100 (Olive oil) at $4.50/case",
# "Please send 24 pcs NW-4410", "NW-4410 Widget, qty 50 @ 18.75", "NW-4410 - Widget - 24 pcs - $18.75"
_QTY = r"(?P<qty>\d[\d,]*(?:\.\d+)?)(?=$|\s|[x×X*](?:\s|$)|(?:pcs|pc|ea|units?)\b)"
_UNITS = r"(?P<units>(?:\s*(?:x|×|\*|pcs?|pieces?|units?|ea|each|cases?|cs|ctns?|cartons?|boxes|box|bx|packs?|pks?|rolls?|bags?|sets?|pairs?|kg|lbs?|dozen|doz|pallets?)\b\.?)*)"
_SKU = r"(?P<sku>(?=[A-Za-z0-9\-./]*\d)[A-Za-z0-9][A-Za-z0-9\-./]*[A-Za-z0-9])"
_PRICE = r"(?:@|\bat\b|\bfor\b|à|\bprice\s*:?|\bunit\s+price\s*:?|\s(?=[$€£]\s?\d)|[-–—,]\s*(?=[$€£]|\d[\d.,']*\s?(?:[$€£]|(?:USD|EUR|GBP|CHF|CAD|AUD)\b)))\s*(?P<price>(?:[A-Z]{3}\s?|[$€£]\s?)?\d[\d.,']*(?:\s?(?:[A-Z]{3}\b|[$€£]))?)"
_BULLET = r"^\s*(?:[-*•·>]\s*|\(?\d{1,2}[.)]\s+|(?:line|item|pos)\s*\d{1,3}\s*[:.)-]\s*)?"
_LEAD = r"(?:(?:please\s+)?(?:send(?:\s+us)?|ship(?:\s+us)?|supply(?:\s+us)?|deliver|order|add|book|(?:we|i)\s+(?:need|want|would\s+like|'d\s+like)|(?:we|i)'d\s+like)\s*:?\s+)?"
_PRICE_TAIL = r"(?:\s*(?:,\s*|\s+[-–—]\s+)?" + _PRICE + r"(?P<tail>.*))?[\s).;,]*$"
QTY_FIRST = re.compile(
    _BULLET + _LEAD + r"(?P<qty_word>(?:qty\.?|quantity)\s*:?\s*)?" + _QTY + _UNITS + r"\s*(?:of\s+)?(?:(?:item|sku|part|art|article|product)\.?\s*(?:no\.?|#)?\s*:?\s*)?" + _SKU
    + r"(?P<desc>(?:[\s,:]+.*?)?)" + _PRICE_TAIL,
    re.IGNORECASE,
)
SKU_FIRST = re.compile(
    _BULLET + _LEAD + r"(?:(?:item|sku|part|article)\.?\s*(?:no\.?|#)?\s*:?\s*)?" + _SKU
    + r"(?P<desc>(?:\s+.*?)?)[\s,;:–—-]*(?P<marker>(?:qty\.?|quantity|x|×)\s*:?\s*)?" + _QTY + _UNITS + _PRICE_TAIL,
    re.IGNORECASE,
)


def inline_lines(lines: list[str], skip: set[int]) -> list[RawLine]:
    """Order lines written as sentences: "50 x SKU description @ price", price optional
    when a unit ("x", "pcs", "cases"...) marks the quantity."""
    found = []
    for index, line in enumerate(lines):
        if index in skip or not re.search(r"\d", line) or len(line) > 200:
            continue
        m = QTY_FIRST.match(line)
        if not (m and _plausible(m, priced_or_marked=bool(m.group("price") or m.group("units").strip() or m.group("qty_word")))):
            m = SKU_FIRST.match(line)
            if not (m and _plausible(m, priced_or_marked=bool(m.group("price") or m.group("marker") or m.group("units").strip()))):
                continue
        description = _unwrap(m.group("desc").strip(" -–—,:;"))
        price = m.group("price")
        found.append(RawLine({"sku": m.group("sku"), "description": description, "quantity": m.group("qty"),
                              "unit_price": price.strip() if price else ""}, index))
    return found


def _plausible(m: re.Match, priced_or_marked: bool) -> bool:
    sku = m.group("sku")
    if not priced_or_marked or "@" in sku or re.fullmatch(r"[\d.,]+", m.group("qty")) is None:
        return False
    if re.search(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}", sku):
        return False  # a date, not an item
    if sku.isdigit():
        # A bare number is an item only when long enough not to be a size or a count.
        return len(sku) >= (4 if m.group("price") else 5)
    return bool(re.search(r"[A-Za-z]", sku) or re.search(r"[-./]", sku))


def _unwrap(text: str) -> str:
    """"(Olive oil)" -> "Olive oil"; a lone quote mark (inches: 1/2") stays."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    if text.count("(") != text.count(")"):
        text = text.strip("()")  # "NW-4410 (24 pcs)": the bracket opened before the quantity
    return text.strip()


_KEY_VALUE = re.compile(r"^\s*(?:[-*•]\s*)?(?P<k>[A-Za-z][\w .#/()-]{0,30}?)\s*(?:\d{1,3})?\s*(?::|\t|\s\|\s|\s=\s)\s*(?P<v>.+?)\s*$")


_PAIR_KEY = re.compile(r"(?i)(?:^|(?<=[\s,;|]))(?:item(?:\s*(?:no|#|code))?|sku|part(?:\s*(?:no|#|number))?|article|product\s+code|"
                       r"description|desc|qty|quantity|unit\s+price|price|uom|unit)\.?\s*[:=#]")


def _one_field_a_line(lines: list[str]) -> list[str]:
    """"SKU: NW-4410, Qty: 24, Price: 18.75" on one line becomes three lines and a blank."""
    out = []
    for line in lines:
        keys = list(_PAIR_KEY.finditer(line))
        if len(keys) >= 2 and not is_delimited_row(line):
            starts = [k.start() for k in keys] + [len(line)]
            out += [line[a:b].strip(" ,;|") for a, b in zip(starts, starts[1:])] + [""]
        else:
            out.append(line)
    return out


def is_delimited_row(line: str) -> bool:
    return "\t" in line or " | " in line


def key_value_lines(lines: list[str], skip: set[int]) -> list[RawLine]:
    """Order lines written as "key: value" fields ("Item: NW-4410", "Qty: 24", one a line
    or several on one line); a blank line or the next item number starts the next line."""
    found: list[RawLine] = []
    current: dict[str, str] = {}
    start = 0

    def flush():
        sku = current.get("sku") or current.get("item") or current.get("mfr_sku") or current.get("buyer_sku")
        if current.get("quantity") and (sku or current.get("description")):
            fields = {k: v for k, v in current.items() if k not in ("item", "mfr_sku", "buyer_sku")}
            fields["sku"] = sku or ""
            found.append(RawLine(fields, start))
        current.clear()

    pairs = [(index, piece) for index, text in enumerate(lines) if index not in skip for piece in _one_field_a_line([text])]
    for index, line in pairs:
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
        if role in ("sku", "item", "mfr_sku", "buyer_sku"):
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
