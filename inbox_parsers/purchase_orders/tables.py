"""Order-lines tables in text: a header row ("Item  Description  Qty  Price") and the rows
under it.

Cells are separated by tabs or pipes (grids, HTML tables: placed by their index) or
aligned with spaces (plain text, PDFs laid out as text: placed under the header cell
they overlap). Header names may run together or sit on two lines; rows may be typed with
single spaces, wrap their description onto the next line, or have blank lines between
them (ruled PDF tables). Which column is our item number decides ``columns``.
"""

import re
from dataclasses import dataclass, field

from inbox_parsers.purchase_orders.columns import column_role, is_header_row, pick_sku_column
from inbox_parsers.purchase_orders.raw import RawLine, looks_like_code


@dataclass
class Cell:
    text: str
    start: int
    end: int


@dataclass
class Table:
    """An order-lines table found in text: its header line, where it ends, its rows."""

    header_index: int
    end_index: int
    roles: list[str | None]
    rows: list[RawLine] = field(default_factory=list)


# The first words of a totals row, in the buyers' languages too (Gesamtsumme, Totaal, Totale, Total TTC).
TOTAL_WORDS = (r"sub[\s-]?total|grand\s+total|order\s+total|total|summe|gesamt\w*|zwischensumme|endsumme|montant\s+total|"
               r"net\s+total|sub[\s-]?totaal|totaal|sub[\s-]?totale|totale|totaux|importe\s+total|valor\s+total|montante\s+total")
_TOTAL_ROW = re.compile(r"(?i)^\s*(?:" + TOTAL_WORDS + r"|total\s+amount|tax|vat|freight|shipping|mwst|ust|tva|iva|btw|"
                        r"versand|porto|frais\s+de\s+port|spese\s+di\s+spedizione|portes|env[ií]o)\b")
_RULE_LINE = re.compile(r"^[\s|+:=\-_*~.]*$")


_WORDS = re.compile(r"\S+(?: \S+)*")  # words joined by single spaces: one cell of laid-out text


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
    return [Cell(m.group(0), m.start(), m.end()) for m in _WORDS.finditer(line)], True


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
            if positional:
                cells = _two_line_header(lines, index, cells)
            table = _read_table(lines, index, cells, positional)
            if table.rows:
                tables.append(table)
                index = table.end_index
                continue
        index += 1
    return tables


def _two_line_header(lines: list[str], index: int, header: list[Cell]) -> list[Cell]:
    """Column names printed on two or three lines ("Unit" over "Price", "Your" over "Item",
    "Vendor" / "Item" above and below a row that holds the other names): join each word
    of the line above or below to the header cell it sits over or under where that makes
    a known column name, and make words over and under an empty spot columns of their own."""
    cells = list(header)
    loose: list[tuple[Cell, bool]] = []
    for neighbour, above in ((index - 1, True), (index + 1, False)):
        if not 0 <= neighbour < len(lines) or not lines[neighbour].strip() or re.search(r"\d", lines[neighbour]):
            continue
        extra, positional = split_cells(lines[neighbour])
        if not positional:
            continue
        for word in split_header_cells(extra):
            overlapping = [i for i, c in enumerate(cells) if _overlap(c, word) > 0]
            if not overlapping:
                loose.append((word, above))
                continue
            if len(overlapping) != 1:
                continue
            cell = cells[overlapping[0]]
            joined = f"{word.text} {cell.text}" if above else f"{cell.text} {word.text}"
            if column_role(joined) and column_role(joined) != "line":
                cells[overlapping[0]] = Cell(joined, min(cell.start, word.start), max(cell.end, word.end))
    for word, above in loose:
        if not above:
            continue
        below = next((w for w, a in loose if not a and _overlap(w, word) > 0), None)
        text = f"{word.text} {below.text}" if below else word.text
        if column_role(text):
            end = max(word.end, below.end) if below else word.end
            cells.append(Cell(text, min(word.start, below.start) if below else word.start, end))
    for word, above in loose:
        if not above and column_role(word.text) and not any(_overlap(c, word) > 0 for c in cells):
            cells.append(word)
    return sorted(cells, key=lambda c: c.start)


def _overlap(a: Cell, b: Cell) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def split_header_cells(cells: list[Cell]) -> list[Cell]:
    """Split header cells whose column names run together ("Supplier Item No. Our Ref",
    or a whole header typed with single spaces) into the known names they are made of."""
    out = []
    for cell in cells:
        parts = None if column_role(cell.text) else _split_into_names(cell)
        out += parts or [cell]
    return out


def _split_into_names(cell: Cell) -> list[Cell] | None:
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", cell.text)]
    if len(words) < 2 or len(words) > 16 or not any(column_role(cell.text[a:b]) for a, b in words):
        return None
    # best[i]: fewest names covering the first i words, and where the last name starts
    best: list[tuple[int, int] | None] = [(0, 0)] + [None] * len(words)
    for end in range(1, len(words) + 1):
        for begin in range(max(0, end - 5), end):
            if best[begin] is None:
                continue
            text = cell.text[words[begin][0]: words[end - 1][1]]
            if column_role(text) and (best[end] is None or best[begin][0] + 1 < best[end][0]):
                best[end] = (best[begin][0] + 1, begin)
    if best[-1] is None or best[-1][0] < 2:
        return None
    parts, end = [], len(words)
    while end > 0:
        begin = best[end][1]
        a, b = words[begin][0], words[end - 1][1]
        parts.append(Cell(cell.text[a:b], cell.start + a, cell.start + b))
        end = begin
    return parts[::-1]


def _read_table(lines: list[str], header_index: int, header: list[Cell], positional: bool) -> Table:
    table = _read_rows(lines, header_index, header, positional)
    if positional and table.rows:
        # Headers are often centred over left- or right-aligned values: let the values
        # say where each column lies, and read the rows again.
        aligned = _aligned_to_values(lines, [r.line_index for r in table.rows], header)
        if aligned != header:
            return _read_rows(lines, header_index, aligned, positional)
    return table


def _aligned_to_values(lines: list[str], row_indices: list[int], header: list[Cell]) -> list[Cell]:
    """Header cells widened to the runs of text under them. Columns keep their order, so
    runs and header cells are paired left to right, each run with the header cell whose
    left edge, right edge or centre it lines up with best (``pair_in_order``)."""
    occupied: set[int] = set()
    for index in row_indices:
        for cell in _split_numbers(split_cells(lines[index])[0]):
            occupied.update(range(cell.start, cell.end))
    runs, start = [], None
    for position in range(max(occupied, default=-1) + 2):
        if position in occupied and start is None:
            start = position
        elif position not in occupied and start is not None:
            runs.append(Cell("", start, position))
            start = None
    pairs = dict((column, runs[run]) for run, column in pair_in_order(runs, header))
    spans = [(pairs[i].start, pairs[i].end) if i in pairs else (c.start, c.end) for i, c in enumerate(header)]
    # A column with no values keeps its printed place, narrowed so it covers no values.
    for i in range(len(spans)):
        if i not in pairs:
            left = max((spans[j][1] for j in pairs if j < i), default=spans[i][0])
            right = min((spans[j][0] for j in pairs if j > i), default=spans[i][1])
            start, end = max(spans[i][0], left), min(spans[i][1], right)
            spans[i] = (start, end) if start < end else ((left + right) // 2, (left + right) // 2)
    cells = [Cell(c.text, *span) for c, span in zip(header, spans)]
    if any(left.end > right.start for left, right in zip(cells, cells[1:])):
        return header  # runs that overlap: keep the printed header
    return cells


def pair_in_order(runs: list[Cell], header: list[Cell]) -> list[tuple[int, int]]:
    """Pairs (run, header cell), both in left-to-right order, at the least misalignment;
    a run left unpaired costs more than any pairing."""
    def cost(run: Cell, head: Cell) -> float:
        centre = abs((run.start + run.end) - (head.start + head.end)) / 2
        return min(abs(run.start - head.start), abs(run.end - head.end), centre) + centre / 10

    unpaired = 1000.0
    m, n = len(runs), len(header)
    best = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        best[i][0] = i * unpaired
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            best[i][j] = min(best[i - 1][j] + unpaired, best[i][j - 1], best[i - 1][j - 1] + cost(runs[i - 1], header[j - 1]))
    pairs, i, j = [], m, n
    while i > 0 and j > 0:
        if best[i][j] == best[i - 1][j - 1] + cost(runs[i - 1], header[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif best[i][j] == best[i][j - 1]:
            j -= 1
        else:
            i -= 1
    return pairs[::-1]


def _read_rows(lines: list[str], header_index: int, header: list[Cell], positional: bool) -> Table:
    roles = [column_role(c.text) for c in header]
    quantity_column = roles.index("quantity")
    table = Table(header_index, header_index + 1, roles)
    rows: list[tuple[int, dict[int, str]]] = []
    fragments: dict[int, str] = {}
    misses = 0
    index = header_index + 1
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            if rows and not _row_follows(lines, index, header, roles, positional, quantity_column):
                break  # a blank line ends the table, unless rows go on after it (a ruled PDF table)
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
        if positional and row_positional and not _NUMBER.match(quantity.strip()):
            by_column = _by_tokens(line, roles) or by_column
            quantity = by_column.get(quantity_column, "")
        if re.search(r"\d", quantity) and _NUMBER.match(quantity) and len(by_column) >= 2:
            rows.append((index, by_column))
            misses = 0
        elif _continues_description(by_column, roles):
            fragments[index] = by_column[roles.index("description")]  # part of a wrapped description
            misses += 1
        else:
            misses += 1
            if misses > 2:
                break
        index += 1
    table.end_index = index
    if "description" in roles:
        _wrapped_descriptions(rows, fragments, roles.index("description"))
    if positional and "description" in roles:
        _description_around(lines, rows, header, roles.index("description"), header_index)
    table.roles = roles = _roles_by_content(roles, [r for _, r in rows])
    for line_index, by_column in rows:
        values = _fields(by_column, roles)
        if values.get("sku") or values.get("description"):
            table.rows.append(RawLine(values, line_index))
    _item_number_leading_description(table.rows)
    return table


def _wrapped_descriptions(rows: list[tuple[int, dict[int, str]]], fragments: dict[int, str], column: int) -> None:
    """Put the lines that hold only description text back into their rows. A row whose own
    line has no description had its cell centred vertically: the lines just above and below
    are its description. Otherwise the lines right under a row continue its description."""
    claimed: set[int] = set()
    for index, by_column in rows:
        if not by_column.get(column):
            around = [i for i in (index - 1, index + 1) if i in fragments]
            if around:
                by_column[column] = " ".join(fragments[i] for i in around)
                claimed.update(around)
    for index, by_column in rows:
        following = index + 1
        while following in fragments and following not in claimed and by_column.get(column):
            by_column[column] += " " + fragments[following]
            claimed.add(following)
            following += 1


def _description_around(lines: list[str], rows: list[tuple[int, dict[int, str]]], header: list[Cell], column: int,
                        header_index: int) -> None:
    """A row with an empty description whose description sits on the lines just above and
    below it (a cell centred vertically in a ruled PDF table)."""
    row_lines = {index for index, _ in rows}
    for index, by_column in rows:
        if by_column.get(column):
            continue
        parts = []
        for neighbour in (index - 1, index + 1):
            if neighbour in row_lines or neighbour <= header_index or not 0 <= neighbour < len(lines) or not lines[neighbour].strip():
                continue
            cells, positional = split_cells(lines[neighbour])
            if positional:
                parts.append(_by_column(cells, header, True).get(column, ""))
        if any(parts):
            by_column[column] = " ".join(p for p in parts if p)


def _item_number_leading_description(rows: list[RawLine]) -> None:
    """No item-number column, but every description starts with one ("Item Description"
    over "NW-4410 Widget blue"): split it off."""
    if not rows or any(r.fields.get("sku") for r in rows):
        return
    firsts = [(r.fields.get("description") or "").partition(" ") for r in rows]
    if all(looks_like_code(first) and rest for first, _, rest in firsts):
        for row, (first, _, rest) in zip(rows, firsts):
            row.fields["sku"], row.fields["description"] = first, rest


_NUMBER_WORD = re.compile(r"^(?:[$€£]?[\d.,']*\d[$€£]?|[A-Z]{1,4})$")


def _split_numbers(cells: list[Cell]) -> list[Cell]:
    """"$4.50 $5,400.00" printed one space apart are two values: split cells made only of
    numbers (and unit codes) into their words."""
    out = []
    for cell in cells:
        words = list(re.finditer(r"\S+", cell.text))
        if len(words) > 1 and sum(bool(re.search(r"\d", w.group(0))) for w in words) > 1 \
                and all(_NUMBER_WORD.match(w.group(0)) for w in words):
            out += [Cell(w.group(0), cell.start + w.start(), cell.start + w.end()) for w in words]
        else:
            out.append(cell)
    return out


def _by_column(cells: list[Cell], header: list[Cell], positional: bool) -> dict[int, str]:
    """Put each cell of a row under its header: by index, or by overlap with the header cell."""
    if positional:
        cells = _split_numbers(cells)
    by_column: dict[int, list[str]] = {}
    for position, cell in enumerate(cells):
        if not cell.text:
            continue
        column = _nearest_column(cell, header) if positional else (position if position < len(header) else None)
        if column is not None:
            by_column.setdefault(column, []).append(cell.text)
    return {column: " ".join(texts) for column, texts in by_column.items()}


def _row_follows(lines, index, header, roles, positional, quantity_column) -> bool:
    following = next((line for line in lines[index + 1: index + 3] if line.strip()), None)
    if following is None:
        return False
    cells, row_positional = split_cells(following)
    by_column = _by_column(cells, header, positional and row_positional)
    quantity = by_column.get(quantity_column, "")
    return bool(re.search(r"\d", quantity) and _NUMBER.match(quantity) and len(by_column) >= 3)


def _continues_description(by_column: dict[int, str], roles: list[str | None]) -> bool:
    return "description" in roles and list(by_column) == [roles.index("description")]


def _by_tokens(line: str, roles: list[str | None]) -> dict[int, str] | None:
    """A row typed with single spaces: one word per column from each end, the words
    left over go to the description (the one column that holds several words)."""
    tokens = line.split()
    if "description" not in roles:
        return dict(enumerate(tokens)) if len(tokens) == len(roles) else None
    middle = roles.index("description")
    after = len(roles) - middle - 1
    if len(tokens) < len(roles):
        return None
    by_column = {i: tokens[i] for i in range(middle)}
    by_column.update({len(roles) - 1 - i: tokens[len(tokens) - 1 - i] for i in range(after)})
    by_column[middle] = " ".join(tokens[middle: len(tokens) - after])
    numeric = [i for i, r in enumerate(roles) if r in ("quantity", "unit_price", "amount")]
    if not all(_NUMBER.match(by_column[i]) for i in numeric):
        return None
    return by_column


def _fields(by_column: dict[int, str], roles: list[str | None]) -> dict[str, str]:
    values: dict[str, str] = {}
    sku_column = pick_sku_column(roles)
    for column, text in sorted(by_column.items()):
        role = roles[column]
        if column == sku_column:
            role = "sku"
        elif role in ("sku", "item", "mfr_sku", "buyer_sku"):
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


_NUMBER = re.compile(r"^[^\d]{0,4}\d[\d.,' \u00a0\u202f]*(?:\s*\(?[A-Za-z]{0,6}\.?\)?)?(?:\s*/\s*[A-Za-z]{1,6}\.?)?$")


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
    # "Item" over 1, 2, 3... beside another item-number column numbers the lines.
    items = [c for c, r in enumerate(roles) if r in ("item", "sku", "mfr_sku", "buyer_sku")]
    for column in items:
        values = [r.get(column, "") for r in rows]
        if len(items) > 1 and values and all(v.isdigit() and len(v) <= 3 for v in values):
            roles[column] = "line"
    return roles
