"""Rows of a PDF item table drawn without ruling lines, put back together from word positions.

Such a table has only its text to show where rows and columns are. A cell that wraps
(a description on two lines, "MFR-" over "95948", "192" over "CS") prints its lines closer
together than the rows are to each other, and the cells that do not wrap are centred
beside it. So, as the remittance reader does (``remittance.header_rows``, ``rows``):

- the header row is recognised from the column vocabulary (``columns.column_role``), its
  labels stacked on up to three lines joined where they overlap horizontally, and labels
  printed close together told apart by the gaps between their words;
- below it, lines closer together than the row spacing are one band: one table row;
- each word of a band goes to the column whose label it lies under (a phrase under two
  labels is cut between its words), and a cell's lines are read top to bottom, a code cut
  at its hyphen or slash joined back without a space.

Header and rows come out as tab-separated lines, like ruled grids (``pdf_text``), so the
table reader places cells by index. Where a band holds figures stacked in two columns or
more (rows printed at one spacing), its lines are rows of their own.
"""

import re

from inbox_parsers.purchase_orders.columns import column_role, is_header_row
from inbox_parsers.purchase_orders.tables import TOTAL_WORDS, Cell, split_header_cells

_FIGURE = re.compile(r"^[(\-]?[$€£]?\d[\d.,']*\)?$")
_TOTAL = re.compile(r"(?i)^\s*(?:" + TOTAL_WORDS + r")\b")


def merge_wrapped_rows(rows: list[list[dict]], char_width: float, cells_of) -> list[list[dict]]:
    """``rows`` (lines of words, top to bottom) with each item table's stacked header and
    wrapped rows joined into one tab-separated line each (a single word dict whose text holds
    the tabs). ``cells_of(words)`` gives a line's cell texts as the table reader splits them,
    so a header is recognised exactly as the reader will recognise it."""
    out: list[list[dict]] = []
    index = 0
    while index < len(rows):
        unit = _line_spacing(rows[max(index - 2, 0):])
        if _has_figure(rows[index]):
            columns = None
        elif is_header_row(cells_of(rows[index])):
            start, end = _header_block(rows, index, unit)
            start, end, columns = _best_header(rows, start, end, index, char_width)
        else:  # labels stacked so that no line of them reads as a header alone
            start, end = index, _header_block(rows, index, unit)[1]
            start, end, columns = _best_header(rows, start, end, index, char_width)
            columns = columns if end - start > 1 else None
        if not columns:
            out.append(rows[index])
            index += 1
            continue
        del out[len(out) - (index - start):]  # lines above the header line that belong to it
        out.append([_tab_line([c["text"] for c in columns], rows[start:end])])
        index = end
        # The rows, up to the totals or the first band without a figure (text under the table).
        while index < len(rows) and not _ends_table(rows[index]):
            band_end = index + 1
            while band_end < len(rows) and _close(rows[band_end - 1], rows[band_end], unit) \
                    and not _ends_table(rows[band_end]):
                band_end += 1
            if not any(_has_figure(line) for line in rows[index:band_end]):
                break
            cells = _row_cells(rows[index:band_end], columns, char_width)
            if cells is None:  # not one row: read its lines one by one
                out += [[_tab_line(_row_cells([line], columns, char_width), [line])] for line in rows[index:band_end]]
            else:
                out.append([_tab_line(cells, rows[index:band_end])])
            index = band_end
    return out


def _tab_line(cells: list[str], lines: list[list[dict]]) -> dict:
    words = [w for line in lines for w in line]
    return {"text": "\t".join(cells), "x0": min(w["x0"] for w in words), "x1": max(w["x1"] for w in words),
            "top": min(w["top"] for w in words), "bottom": max(w["bottom"] for w in words)}


def _phrases(lines: list[list[dict]], char_width: float) -> list[dict]:
    """Words one space apart on a line, as phrases: {line, words, x0, x1}."""
    phrases = []
    for number, line in enumerate(lines):
        for word in sorted(line, key=lambda w: w["x0"]):
            last = phrases[-1] if phrases and phrases[-1]["line"] == number else None
            if last and word["x0"] - last["x1"] <= 1.5 * char_width:
                last["words"].append(word)
                last["x1"] = word["x1"]
            else:
                phrases.append({"line": number, "words": [word], "x0": word["x0"], "x1": word["x1"]})
    return phrases


def _header_columns(lines: list[list[dict]], char_width: float) -> list[dict] | None:
    """The header's column labels with their x spans: phrases of the stacked lines that
    overlap horizontally are one label ("Buyer Part" over "Number"), and labels printed on
    one line close together ("Customer Item  Item #", "Qty Price/Unit") are told apart by
    the gaps between their words and by the known column names they make."""
    gaps = [b["x0"] - a["x1"] for line in lines for a, b in zip(line, line[1:]) if b["x0"] - a["x1"] >= 1]
    space = min(gaps, default=char_width)  # the words of one label are a space apart
    labels: list[list[dict]] = []
    for cell in _stacks(_phrases(lines, char_width)):
        words = [w for p in sorted(cell, key=lambda p: (p["line"], p["x0"])) for w in p["words"]]
        one_line = len({p["line"] for p in cell}) == 1
        labels += _join_unknown([name for chunk in (_cut_at_wide_gaps(words, space) if one_line else [words])
                                 for name in _names(chunk)])
    columns = [{"text": " ".join(w["text"] for w in label), "x0": min(w["x0"] for w in label),
                "x1": max(w["x1"] for w in label)} for label in labels]
    columns.sort(key=lambda c: c["x0"])
    return columns if is_header_row([c["text"] for c in columns]) else None


def _best_header(rows, start: int, end: int, index: int, char_width: float):
    """(start, end, columns) of the header: an edge line of the block is left out where the
    labels name more known columns without it (the first row's text printed close under
    the header is no label)."""
    def known(columns):
        return sum(bool(column_role(c["text"])) for c in columns) if columns else -1

    columns = _header_columns(rows[start:end], char_width)
    while end - 1 > index and known(fewer := _header_columns(rows[start:end - 1], char_width)) > known(columns):
        end, columns = end - 1, fewer
    while start < index and known(fewer := _header_columns(rows[start + 1:end], char_width)) > known(columns):
        start, columns = start + 1, fewer
    return start, end, columns


def _cut_at_wide_gaps(words: list[dict], space: float) -> list[list[dict]]:
    """Words of one line cut wherever they are clearly more than a space apart."""
    chunks = [[words[0]]]
    for before, word in zip(words, words[1:]):
        if word["x0"] - before["x1"] > 1.3 * space:
            chunks.append([])
        chunks[-1].append(word)
    return chunks


def _names(words: list[dict]) -> list[list[dict]]:
    """Words cut into the known column names they are made of (``split_header_cells``)."""
    text, starts = "", []
    for word in words:
        text += " " if text else ""
        starts.append(len(text))
        text += word["text"]
    return [[w for w, at in zip(words, starts) if name.start <= at < name.end]
            for name in split_header_cells([Cell(text, 0, len(text))])]


def _join_unknown(labels: list[list[dict]]) -> list[list[dict]]:
    """A piece that names no column joins its neighbour where together they name one
    ("Unit Price" + "(USD)", "Customer" + "Material")."""
    def role(words):
        return column_role(" ".join(w["text"] for w in words))

    labels = list(labels)
    k = 0
    while k < len(labels):
        if not role(labels[k]):
            if k > 0 and role(labels[k - 1] + labels[k]):
                labels[k - 1:k + 1] = [labels[k - 1] + labels[k]]
                continue
            if k + 1 < len(labels) and role(labels[k] + labels[k + 1]):
                labels[k:k + 2] = [labels[k] + labels[k + 1]]
                continue
        k += 1
    return labels


def _stacks(phrases: list[dict]) -> list[list[dict]]:
    """Phrases grouped where they overlap horizontally (one cell printed on several lines)."""
    cells: list[list[dict]] = []
    for phrase in sorted(phrases, key=lambda p: p["x0"]):
        touching = [cell for cell in cells if any(min(p["x1"], phrase["x1"]) - max(p["x0"], phrase["x0"]) > 0 for p in cell)]
        for cell in touching[1:]:
            touching[0] += cell
            cells.remove(cell)
        if touching:
            touching[0].append(phrase)
        else:
            cells.append([phrase])
    return cells


def _row_cells(lines: list[list[dict]], columns: list[dict], char_width: float) -> list[str] | None:
    """The text of each column for a band of lines, or None where the band is not one row
    (figures stacked in two columns or more).

    A phrase goes to the column whose label it lies under; a phrase under two labels
    ("174 $301.65" printed one space apart) is cut between its words."""
    pieces: dict[int, list[tuple[int, float, list[dict]]]] = {}
    for phrase in _phrases(lines, char_width):
        piece, column = [], None
        for word in phrase["words"]:
            under = _under(word, columns)
            if under is not None and column is not None and under != column and piece:
                pieces.setdefault(column, []).append((phrase["line"], piece[0]["x0"], piece))
                piece = []
            column = under if under is not None else column
            piece.append(word)
        if column is None:
            column = _nearest(phrase, columns)
        pieces.setdefault(column, []).append((phrase["line"], piece[0]["x0"], piece))
    cells, stacked = [], 0
    for column in range(len(columns)):
        found = sorted(pieces.get(column, []), key=lambda p: (p[0], p[1]))
        stacked += len({line for line, _, words in found if any(_FIGURE.match(w["text"]) for w in words)}) > 1
        text = ""
        for word in (w for _, _, words in found for w in words):
            text += word["text"] if not text or text.endswith(("-", "/")) else " " + word["text"]
        cells.append(text)
    # One wrapped figure ("2" over "500") is a cell; figures over figures in several columns
    # are rows printed one under the other.
    return cells if stacked < 2 else None


def _under(word: dict, columns: list[dict]) -> int | None:
    """The column whose label the word overlaps most, or None."""
    best, best_overlap = None, 0.0
    for number, column in enumerate(columns):
        overlap = min(word["x1"], column["x1"]) - max(word["x0"], column["x0"])
        if overlap > best_overlap:
            best, best_overlap = number, overlap
    return best


def _nearest(phrase: dict, columns: list[dict]) -> int:
    def distance(column):
        return max(column["x0"] - phrase["x1"], phrase["x0"] - column["x1"], 0.0)
    return min(range(len(columns)), key=lambda number: distance(columns[number]))


def _ends_table(words: list[dict]) -> bool:
    return bool(_TOTAL.match(" ".join(w["text"] for w in sorted(words, key=lambda w: w["x0"]))))


def _line_spacing(rows: list[list[dict]]) -> float:
    """The least distance between two lines of the table: the spacing of a wrapped cell's
    lines where any cell wraps. Lines nearer than half a line's height are side by side
    (two blocks at slightly different heights), not one under the other."""
    pitches = [b[0]["top"] - a[0]["top"] for a, b in zip(rows, rows[1:])
               if b[0]["top"] - a[0]["top"] >= 0.4 * (a[0]["bottom"] - a[0]["top"])]
    return min(pitches, default=0.0)


def _has_figure(words: list[dict]) -> bool:
    return any(ch.isdigit() for w in words for ch in w["text"])


def _close(upper: list[dict], lower: list[dict], unit: float) -> bool:
    """Lines of one cell follow at the table's least line spacing (half of it where a cell
    beside them is centred between two), or at most single-spaced; rows are further apart."""
    pitch = lower[0]["top"] - upper[0]["top"]
    return pitch < max(1.3 * unit, 1.2 * (upper[0]["bottom"] - upper[0]["top"]))


def _header_block(rows: list[list[dict]], index: int, unit: float) -> tuple[int, int]:
    """The header line with the close lines above and below it that hold no figures."""
    start, end = index, index + 1
    while start > 0 and index - start < 2 and not _has_figure(rows[start - 1]) and _close(rows[start - 1], rows[start], unit):
        start -= 1
    while end < len(rows) and end - index < 3 and not _has_figure(rows[end]) and _close(rows[end - 1], rows[end], unit):
        end += 1
    return start, end
