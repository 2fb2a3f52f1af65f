"""Stage 4: the rows of the lines tables, each line's phrases placed in the header's columns.

Phrases keep their left-to-right order, so placing them is an order-preserving alignment
of phrases to columns (a small dynamic programme): a phrase goes to the column it overlaps,
or failing that the nearest one that can hold its kind of text (amounts go to money
columns, dates to the date column). Rows are then told apart: invoice lines, page totals,
brought/carried-forward rows and the grand total.
"""

import re
from dataclasses import dataclass, field

from .cells import kind_of
from .header_rows import Column, HeaderRow, find_header
from .lines import Line, Phrase
from .vocabulary import norm

_FORWARD = re.compile(r"broughtforward|carriedforward|balanceforward|carryforward|forwarded|^bf$|^cf$|"
                      r"^b/f|^c/f|fromprevious|tonextpage|continued|contd|bertrag|reporter|areporter|^report$")
_SUBTOTAL = re.compile(r"subtotal|page\d*total|totalpage|totalthispage|pagesum|zwischensumme|^sum$|totalpage\d+")
_TOTAL = re.compile(r"total|^summe|^gesamt|amountpaid|paymentamount|checkamount|chequeamount|netpayment|"
                    r"totalremitted|paymenttotal")
_TEXT_ROLES = {"reason", "other", "doc_type", "currency"}


@dataclass
class Row:
    """One line of a lines table with its text per column role."""

    line: Line
    kind: str  # item, forward, subtotal, total, other
    header: HeaderRow
    cells: dict[str, list[str]] = field(default_factory=dict)

    def cell(self, role: str) -> str:
        return " ".join(self.cells.get(role, []))


@dataclass
class Tables:
    """Everything stage 4 found: headers, rows, and which lines they used."""

    headers: list[HeaderRow] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    @property
    def items(self) -> list[Row]:
        return [r for r in self.rows if r.kind == "item"]


def read_tables(lines: list[Line], verticals_by_page: dict, decimal_comma, column_labels=None,
                horizontals_by_page: dict | None = None) -> Tables:
    """Walk the document's lines top to bottom, page after page, collecting table rows.

    A header starts (or restarts) a table; a grand total ends it; a brought-forward row
    reopens the previous table on a page that does not repeat the header.
    """
    tables = Tables()
    fragments: list[tuple[Line, HeaderRow]] = []
    header, active, last = None, False, None
    i = 0
    while i < len(lines):
        line = lines[i]
        found = find_header(lines, i, verticals_by_page.get(line.page, ()), column_labels)
        if found:
            _fit_money_columns(found, lines, i + len(found.lines), decimal_comma)
            if not _rows_follow(lines, i + len(found.lines), found, decimal_comma):
                found = None
        if found:
            header, active, last = found, True, found.lines[-1]
            tables.headers.append(found)
            tables.used.update(l.index for l in found.lines)
            i += len(found.lines)
            continue
        i += 1
        if header is None:
            continue
        if active and last.page == line.page and line.top - last.bottom > 6 * line.height:
            active = False
        if not active:
            if _FORWARD.search(norm(line.text)) and _has_money(line, decimal_comma):
                active = True
            else:
                continue
        band = _ruled_band(lines, i - 1, header, (horizontals_by_page or {}).get(line.page, ()), decimal_comma)
        if len(band) == 1:
            band = _centred_band(lines, i - 1, header, decimal_comma, tables.used)
            if band[0] is not line:
                fragments = [(l, h) for l, h in fragments if l is not band[0]]
        if len(band) > 1:
            # A row whose cells wrap over several text lines: read it as one row.
            i += len([l for l in band if l.index > line.index])
            line = Line(line.page, [w for l in band for w in l.words], [p for l in band for p in l.phrases],
                        line.index)
            cells = _band_cells(band, header, decimal_comma)
        else:
            cells = assign_cells(line, header, decimal_comma)
        kind = row_kind(line, cells, decimal_comma)
        if kind == "other":
            fragments.extend((l, header) for l in band)
            continue
        tables.rows.append(Row(line, kind, header, cells))
        tables.used.update(l.index for l in band)
        last = band[-1]
        if kind == "total":
            active = False
    for line, header in fragments:
        if _attach_fragment(line, header, tables, decimal_comma):
            tables.used.add(line.index)
    return tables


def _ruled_band(lines: list[Line], i: int, header: HeaderRow, horizontals, decimal_comma) -> list[Line]:
    """The text lines between the two horizontal rulings around ``lines[i]`` (a grid row).

    Only where at most one of them reads as a row by itself: rulings around a whole table
    (and none between its rows) do not make it one row.
    """
    if not horizontals or not any(c.ruled for c in header.columns):
        return [lines[i]]
    line = lines[i]
    left, right = header.columns[0].x0, header.columns[-1].x1
    # Grids are drawn as whole rules or as one border per cell: any rule over the table counts.
    across = [y for y, x0, x1 in horizontals if min(x1, right) - max(x0, left) > 10]
    above = [y for y in across if y <= line.top + 1]
    below = [y for y in across if y >= line.bottom - 1]
    if not above or not below or min(below) - max(above) > 6 * line.height:
        return [lines[i]]
    floor = min(below)
    band = [line]
    for other in lines[i + 1:]:
        if other.page != line.page or other.bottom > floor + 1:
            break
        band.append(other)
    if len(band) > 1 and sum(row_kind(l, assign_cells(l, header, decimal_comma), decimal_comma) != "other"
                             for l in band) > 1:
        return [line]
    return band


def _centred_band(lines: list[Line], i: int, header: HeaderRow, decimal_comma, used=()) -> list[Line]:
    """An unruled row whose invoice cell wrapped: the pieces just above and below its amounts.

    Layout engines centre a row's other cells beside a cell that wraps ("INV-" over
    "82060"), so the amounts' line has no invoice and the pieces touch it above and below.
    """
    line = lines[i]
    cells = assign_cells(line, header, decimal_comma)
    if cells.get("invoice") or not _has_money(line, decimal_comma):
        return [line]

    def piece(other: Line) -> bool:
        gap = max(other.top - line.bottom, line.top - other.bottom)
        return (other.page == line.page and other.index not in used and gap < 0.5 * line.height
                and not _has_money(other, decimal_comma)
                and bool(assign_cells(other, header, decimal_comma).get("invoice")))

    band = [line]
    if i > 0 and piece(lines[i - 1]):
        band.insert(0, lines[i - 1])
    if i + 1 < len(lines) and piece(lines[i + 1]):
        band.append(lines[i + 1])
    return band if len(band) > 1 else [line]


def _band_cells(band: list[Line], header: HeaderRow, decimal_comma) -> dict[str, list[str]]:
    """Each phrase of a grid row to the ruled cell it lies in; wrapped pieces joined top to bottom."""
    cells: dict[str, list[str]] = {}
    for line in band:
        for phrase in _split_wide(line.phrases, header.columns, decimal_comma):
            column = max(header.columns, key=lambda c: min(c.x1, phrase.x1) - max(c.x0, phrase.x0))
            if min(column.x1, phrase.x1) - max(column.x0, phrase.x0) <= 0:
                continue
            current = cells.get(column.role)
            if current:
                cells[column.role] = [_glue(" ".join(current), phrase.text)]
            else:
                cells[column.role] = [phrase.text]
    return cells


def _glue(first: str, second: str) -> str:
    """Join a wrapped cell: "INV-" + "34188", "December 29," + "2025", "29" + "734,93"."""
    if not first or not second:
        return first + second
    return first + ("" if first.endswith(("-", "/")) else " ") + second


def _attach_fragment(line: Line, header: HeaderRow, tables: Tables, decimal_comma) -> bool:
    """Join a wrapped piece of a cell ("2025-10-" over "31") to the item row it belongs to.

    Layout engines wrap long cells in narrow columns and centre the row vertically, so
    the pieces sit just above or below the row's main line. Only dates, reasons and
    invoice numbers broken after a hyphen or slash are joined; anything else stays apart.
    """
    middle = (line.top + line.bottom) / 2
    near = [r for r in tables.rows if r.kind == "item" and r.header is header and r.line.page == line.page
            and abs((r.line.top + r.line.bottom) / 2 - middle) <= 1.3 * line.height]
    if _attach_across_page(line, header, tables, decimal_comma):
        return True
    if not near:
        return False
    row = min(near, key=lambda r: abs((r.line.top + r.line.bottom) / 2 - middle))
    above = middle < (row.line.top + row.line.bottom) / 2
    joined = False
    for phrase in line.phrases:
        column = max(header.columns, key=lambda c: min(c.x1, phrase.x1) - max(c.x0, phrase.x0))
        if min(column.x1, phrase.x1) - max(column.x0, phrase.x0) <= 0:
            continue
        texts = row.cells.setdefault(column.role, [])
        current = " ".join(texts)
        if column.money and kind_of(phrase.text, decimal_comma) == "money" and not current:
            row.cells[column.role] = [phrase.text]  # an amount centred beside a wrapped cell
            joined = True
        elif column.money and current and phrase.text.strip().upper().rstrip(".") in ("CR", "-"):
            row.cells[column.role] = [f"{current} {phrase.text.strip()}"]  # "2,754.27" over "CR"
            joined = True
        elif column.role == "invoice_date" or column.role == "reason" or (
                column.role == "invoice" and (current.endswith(("-", "/")) if not above
                                              else phrase.text.endswith(("-", "/")))):
            first, second = (phrase.text, current) if above else (current, phrase.text)
            row.cells[column.role] = [_glue(first, second).strip()]
            joined = True
    return joined


def _attach_across_page(line: Line, header: HeaderRow, tables: Tables, decimal_comma) -> bool:
    """The end of a cell that a page break cut ("24-" "Aug-" at the foot, "2026" on the next page).

    Joined to the previous page's last row only where that row's cell is left unfinished:
    a date that reads as one only with the piece, an invoice number ending in "-" or "/".
    """
    earlier = [r for r in tables.rows if r.line.page == line.page - 1]  # the header repeats on each page
    later_on_page = [r for r in tables.rows if r.line.page == line.page and r.line.top < line.top]
    if not earlier or later_on_page or earlier[-1].kind != "item":
        return False
    row = earlier[-1]
    joined = False
    for phrase in line.phrases:
        column = max(header.columns, key=lambda c: min(c.x1, phrase.x1) - max(c.x0, phrase.x0))
        if min(column.x1, phrase.x1) - max(column.x0, phrase.x0) <= 0:
            return False
        current = " ".join(row.cells.get(column.role, []))
        glued = _glue(current, phrase.text).strip()
        if column.role == "invoice_date" and current and kind_of(current, decimal_comma) != "date" \
                and kind_of(glued, decimal_comma) == "date":
            row.cells[column.role] = [glued]
            joined = True
        elif column.role == "invoice" and current.endswith(("-", "/")):
            row.cells[column.role] = [glued]
            joined = True
        else:
            return False
    return joined


def _fit_money_columns(header: HeaderRow, lines: list[Line], start: int, decimal_comma) -> None:
    """Widen money columns to the amounts printed under them (column ranges from word positions).

    Amounts are right-aligned, so each column's amounts share a right edge, while its
    label may be left-aligned or centred above them. An edge belongs to the right-most
    column whose label starts left of it; that column then spans its amounts too.
    """
    if all(c.ruled for c in header.columns):
        return
    edges: list[list[Phrase]] = []
    for line in lines[start:start + 80]:
        if line.page != header.page:
            break
        if len(line.phrases) < 2:
            continue
        cells = [p for p in _split_wide(line.phrases, header.columns, decimal_comma)
                 if kind_of(p.text, decimal_comma) == "money"]
        for phrase in cells:
            for group in edges:
                if abs(group[0].x1 - phrase.x1) <= 1.5:
                    group.append(phrase)
                    break
            else:
                edges.append([phrase])
    for group in edges:
        right = max(p.x1 for p in group)
        left = min(p.x0 for p in group)
        owners = [c for c in header.columns if c.x0 <= right + 1]
        if not owners:
            continue
        column = max(owners, key=lambda c: c.x0)
        if column.ruled or column.role not in ("gross", "discount", "deduction", "paid", "other"):
            continue
        # Never reach into the label of the column on the left.
        limit = max((c.x1 for c in header.columns if c.x0 < column.x0), default=float("-inf"))
        column.x0, column.x1 = max(min(column.x0, left), limit + 1), max(column.x1, right)


def _rows_follow(lines: list[Line], start: int, header: HeaderRow, decimal_comma) -> bool:
    """A real header has invoice lines (or a brought-forward row) right under it."""
    for i in range(start, min(start + 4, len(lines))):
        band = _centred_band(lines, i, header, decimal_comma)
        cells = _band_cells(band, header, decimal_comma) if len(band) > 1 else assign_cells(
            lines[i], header, decimal_comma)
        if row_kind(lines[i], cells, decimal_comma) in ("item", "forward"):
            return True
    return False


def assign_cells(line: Line, header: HeaderRow, decimal_comma) -> dict[str, list[str]]:
    """Place the line's phrases in the header's columns; return role -> texts."""
    columns = header.columns
    phrases = _split_wide(_join_digit_groups(line.phrases, decimal_comma), columns, decimal_comma)
    kinds = [kind_of(p.text, decimal_comma) for p in phrases]
    height = line.height
    n, m = len(phrases), len(columns)
    skip = 4.0
    costs = [[_cost(phrase, kind, column, height) for column in columns] for phrase, kind in zip(phrases, kinds)]
    # best[(i, last)] = (cost, choices) for phrases[i:] given the last column used is `last`.
    memo: dict[tuple[int, int], tuple[float, list[int]]] = {}

    def solve(i: int, last: int) -> tuple[float, list[int]]:
        if i == n:
            return 0.0, []
        key = (i, last)
        if key in memo:
            return memo[key]
        rest_cost, rest = solve(i + 1, last)
        best = (rest_cost + skip + (3.0 if kinds[i] == "money" else 0.0), [-1] + rest)
        for j in range(max(last, 0), m):
            if j == last and columns[j].role not in _TEXT_ROLES and columns[j].role != "invoice":
                continue
            cost = costs[i][j] + (0.5 if j == last else 0.0)
            if cost >= best[0]:
                continue
            rest_cost, rest = solve(i + 1, j)
            if cost + rest_cost < best[0]:
                best = (cost + rest_cost, [j] + rest)
        memo[key] = best
        return best

    _, choice = solve(0, -1)
    cells: dict[str, list[str]] = {}
    for phrase, j in zip(phrases, choice):
        if j >= 0:
            cells.setdefault(columns[j].role, []).append(phrase.text)
    for phrase, j in zip(phrases, choice):
        # A piece of a wrapped cell ("8," of "Mar / 8, / 2026") still belongs where it stands.
        column = max(columns, key=lambda c: min(c.x1, phrase.x1) - max(c.x0, phrase.x0))
        if j < 0 and column.role not in cells and min(column.x1, phrase.x1) - max(column.x0, phrase.x0) > 0:
            cells[column.role] = [phrase.text]
    return cells


def row_kind(line: Line, cells: dict[str, list[str]], decimal_comma) -> str:
    """item, forward, subtotal, total or other."""
    reasons = set(cells.get("reason", []))
    labels = [p.text for p in line.phrases if p.text not in reasons and kind_of(p.text, decimal_comma) == "text"]
    words = norm(" ".join(labels)) if labels else ""
    money = _has_money(line, decimal_comma)
    if words and money:
        if _FORWARD.search(words):
            return "forward"
        if _SUBTOTAL.search(words):
            return "subtotal"
    invoice = " ".join(cells.get("invoice", []))
    has_amount = any(kind_of(t, decimal_comma) == "money"
                     for role in ("paid", "gross") for t in cells.get(role, []))
    if invoice and any(ch.isdigit() for ch in invoice) and has_amount and not _TOTAL.search(norm(invoice)):
        return "item"
    if words and money and _TOTAL.search(words):
        return "total"
    return "other"


def _has_money(line: Line, decimal_comma) -> bool:
    return any(kind_of(p.text, decimal_comma) == "money" for p in line.phrases) or any(
        kind_of(w.text, decimal_comma) == "money" for w in line.words)


_LEADING_GROUP = re.compile(r"^\D{0,3}\d{1,3}$")
_TRAILING_GROUPS = re.compile(r"^\d{3}(?:[ .,']\d{3})*[.,]\d{2}\b")


def _join_digit_groups(phrases: list[Phrase], decimal_comma) -> list[Phrase]:
    """Join "€104" and "272,82" back into one amount when a wide space split the thousands."""
    result: list[Phrase] = []
    for phrase in phrases:
        if result and _LEADING_GROUP.match(result[-1].text) and _TRAILING_GROUPS.match(phrase.text):
            gap = phrase.x0 - result[-1].x1
            joined = Phrase(result[-1].words + phrase.words)
            if gap < 2 * phrase.words[0].height and kind_of(joined.text, decimal_comma) == "money":
                result[-1] = joined
                continue
        result.append(phrase)
    return result


def _split_wide(phrases: list[Phrase], columns: list[Column], decimal_comma=None) -> list[Phrase]:
    """A phrase spanning two columns (cells printed too close together) is cut into words;
    words that only together read as an amount ("1" "151,73") stay together."""
    result = []
    for phrase in phrases:
        spanned = sum(1 for c in columns if min(c.x1, phrase.x1) - max(c.x0, phrase.x0) > 0)
        if spanned > 1 and len(phrase.words) > 1:
            pieces = [Phrase([w]) for w in phrase.words]
            merged = [pieces[0]]
            for piece in pieces[1:]:
                joined = Phrase(merged[-1].words + piece.words)
                if (kind_of(merged[-1].text, decimal_comma) == "text"
                        and kind_of(joined.text, decimal_comma) == "money"):
                    merged[-1] = joined
                else:
                    merged.append(piece)
            result.extend(merged)
        else:
            result.append(phrase)
    return result


def _cost(phrase: Phrase, kind: str, column: Column, height: float) -> float:
    overlap = min(column.x1, phrase.x1) - max(column.x0, phrase.x0)
    if overlap > 0:
        geometry = -min(overlap / max(phrase.x1 - phrase.x0, 1.0), 1.0) * 0.5
    else:
        geometry = -overlap / height * (3.0 if column.ruled else 1.0)
    if not column.ruled:
        # Money is right-aligned under its label, text left-aligned: a weak tie-breaker.
        edge = abs(phrase.x1 - column.x1) if kind == "money" else abs(phrase.x0 - column.x0)
        geometry += 0.05 * edge / height
    if column.role == "invoice_date" and kind == "text" and _DATE_PIECE.match(phrase.text):
        return geometry + 1.0  # "24-" or "Aug-": a date cut by a wrap or a page break
    return geometry + _type_penalty(kind, column.role)


_DATE_PIECE = re.compile(r"^(?:\d{1,4}[-/.]|\d{1,2}[-/.](?:\d{1,2}|[A-Za-z]{3,9})[-/.]|[A-Za-z]{3,9}[-/.])$")


def _type_penalty(kind: str, role: str) -> float:
    if kind == "blank":
        return 0.0 if role in ("gross", "discount", "deduction", "paid", "other", "reason") else 2.0
    if role in ("gross", "discount", "deduction", "paid"):
        return 0.0 if kind == "money" else 6.0
    if role == "invoice_date":
        return 0.0 if kind == "date" else 5.0
    if role == "invoice":
        return {"text": 0.0, "money": 4.0, "date": 3.0}[kind]
    if role in ("reason", "doc_type", "currency"):
        return 3.0 if kind == "money" else 0.0
    return 0.0
