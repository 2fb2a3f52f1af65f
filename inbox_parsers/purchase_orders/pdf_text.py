"""A PDF purchase order as laid-out text lines.

Words (pdfplumber ``extract_words``) are grouped into lines by their height on the page
and placed at the character column their x position gives, so columns stay aligned and
wide gaps become two or more spaces for the table and label readers.

Tables drawn with ruling lines are read as grids instead (pdfplumber ``find_tables``,
lines strategy): their narrow columns wrap cells over several text lines ("Supplier
Part" over "#", "AC-30-" over "988"), which laid-out text cannot put back together. Each
grid row becomes one tab-separated line, a wrapped cell joined into one. Item tables
without rulings are rebuilt the same way from word positions (``pdf_rows``).
"""

import io
import statistics

from inbox_parsers.errors import InputError
from inbox_parsers.purchase_orders.pdf_rows import merge_wrapped_rows
from inbox_parsers.purchase_orders.pdf_wraps import join_wrapped_values
from inbox_parsers.purchase_orders.tables import split_cells, split_header_cells


def pdf_lines(data: bytes, name: str = "") -> list[str]:
    """The text of every page of a PDF, laid out as lines."""
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about broken files are ours to report

    if not data.startswith(b"%PDF"):
        raise InputError(f"{name or 'file'} is not a PDF", name or None)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds for broken or encrypted files
        raise InputError(f"{name or 'PDF'} cannot be opened ({type(exc).__name__}: corrupt or encrypted)", name or None) from None
    lines: list[str] = []
    try:
        for page in pdf.pages:
            lines += _page_text(page)
            lines.append("")
    except Exception as exc:
        raise InputError(f"{name or 'PDF'} cannot be read ({type(exc).__name__})", name or None) from None
    finally:
        _close(pdf)
    if not any(line.strip() for line in lines):
        raise InputError(f"{name or 'PDF'} has no text layer (a scanned image?)", name or None)
    return lines


def _close(pdf) -> None:
    try:
        pdf.close()
    except Exception:  # closing walks the pages again; a broken page is already reported
        pass


def _page_text(page) -> list[str]:
    """One page as lines: laid-out text, with each ruled grid's rows in its place."""
    words = page.extract_words(x_tolerance=3, y_tolerance=3)
    if not words:
        return []
    char_width = statistics.median((w["x1"] - w["x0"]) / max(len(w["text"]), 1) for w in words) or 5.0
    grids = []
    for table in page.find_tables():
        rows = [[_cell_text(cell) for cell in row] for row in table.extract()]
        if len(rows) >= 2 and max(len(row) for row in rows) >= 2:
            grids.append((table.bbox, rows))
    if not grids:
        return _page_lines(words, char_width)
    lines: list[str] = []
    rest = words
    for (x0, top, x1, bottom), rows in sorted(grids, key=lambda grid: grid[0][1]):
        def inside(w):
            return w["x0"] >= x0 - 1 and w["x1"] <= x1 + 1 and w["top"] >= top - 1 and w["bottom"] <= bottom + 1
        above = [w for w in rest if w["bottom"] <= top + 1 and not inside(w)]
        lines += _page_lines(above, char_width)
        lines += ["\t".join(row) for row in rows if any(row)]
        rest = [w for w in rest if w not in above and not inside(w)]
    return lines + _page_lines(rest, char_width)


def _cell_text(cell: str | None) -> str:
    """A grid cell's text on one line: a code wrapped at its hyphen or slash ("AC-30-" / "988",
    "PO/2026/" / "118") is rejoined without a space."""
    parts = [part.strip() for part in (cell or "").splitlines() if part.strip()]
    text = ""
    for part in parts:
        text += part if not text or text.endswith(("-", "/")) else " " + part
    return text


def _page_lines(words: list[dict], char_width: float) -> list[str]:
    if not words:
        return []
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= 3:
            rows[-1].append(word)
        else:
            rows.append([word])
    for row in rows:
        row.sort(key=lambda w: w["x0"])

    def cells_of(row):
        return [cell.text for cell in split_header_cells(split_cells(_layout(row, char_width))[0])]

    rows = join_wrapped_values(merge_wrapped_rows(rows, char_width, cells_of), char_width)
    lines, previous_bottom = [], None
    for row in rows:
        top = min(w["top"] for w in row)
        height = row[0].get("wrap_height", row[0]["bottom"] - row[0]["top"])  # one line's, where a value wrapped
        if previous_bottom is not None and top - previous_bottom > 1.2 * height:
            lines.append("")  # a wide vertical gap separates blocks
        previous_bottom = max(w["bottom"] for w in row)
        lines.append(_layout(row, char_width))
    return lines


def _layout(row: list[dict], char_width: float) -> str:
    """One line of words, left to right, each at the character column its x position gives."""
    text, last_x1 = "", None
    for word in row:
        column = int(round(word["x0"] / char_width))
        if last_x1 is not None:
            gap = word["x0"] - last_x1
            least = len(text) + (2 if gap > 1.5 * char_width else 1)
            column = max(column, least) if gap > 1.5 * char_width else least
        text = text.ljust(column) + word["text"]
        last_x1 = word["x1"]
    return text
