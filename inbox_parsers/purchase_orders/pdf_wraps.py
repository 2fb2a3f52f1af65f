"""Values that a narrow PDF cell wrapped onto the next line, put back together from word positions.

A header box or a narrow column prints "Requested Ship Date: 2027-01-" and, on the next
line under it, "13"; or "PO Number: PO/2026/" over "118", "Need By: November 9," over
"2026", "Total: EUR" over "19.980,00". Laid out as text lines, the value is cut in two and
no date, PO number or amount reader sees it whole. A piece is joined back to the phrase
above it when

- it is aligned with that phrase (the same cell's left edge, right edge or centre), on
  the next line at a wrapped line's spacing, and
- the phrase above ends where a cell wraps inside one value: after a hyphen or a slash
  (joined without a space), or at a space where the two halves make one date, one amount
  (a currency, or a thousands group, then a figure) or one labelled PO number; or the
  phrase above is a label alone and the piece is its number or date.

A piece that carries a label of its own ("Terms: Net 45") is the next field, never a
continuation, however it is aligned.
"""

import re

from inbox_parsers.dates import parse_date

_BROKEN_AT_MARK = ("-", "/")
_LABELLED = re.compile(r"[^\W\d_][\w.#°/ -]*:\s*")
_PO_LABEL = re.compile(r"(?i)\b(?:p\.?\s?o\.?|order|purchase|bestell|auftrag|commande|pedido|bestelling|ordine|"
                       r"encomenda|ref)\w*\.?\s*(?:no\.?|nr\.?|n°|#|number|nummer|numéro|número|numero)?\s*:\s*$")
_CURRENCY = re.compile(r"^(?:[A-Z]{3}|[$€£])$")
_FIGURE = re.compile(r"^[(\-]?[$€£]?\d[\d.,' ]*\)?$")
_GROUP = re.compile(r"^\d{1,3}$")
_THOUSANDS = re.compile(r"^\d{3}(?:[.,' ]\d{3})*(?:[.,]\d{2})?$")  # the rest of "1 234 567,89" after "1"


def join_wrapped_values(rows: list[list[dict]], char_width: float) -> list[list[dict]]:
    """``rows`` (lines of pdfplumber words, top to bottom, each left to right) with every
    value wrapped at a line end inside one cell joined onto the line it started on."""
    out: list[list[dict]] = []
    for row in rows:
        if out and not _is_table_line(row):
            # The line above in the same cell may be one or two text lines up: a block beside
            # it (a company name wrapped in the letterhead) prints its lines at other heights.
            above = [p for line in out[:-3:-1] if not _is_table_line(line) for p in _phrases(line, char_width)]
            row = [w for phrase in _phrases(row, char_width) if not _joined(above, phrase, char_width) for w in phrase]
            if not row:
                continue
        out.append(row)
    return out


def _joined(above: list[list[dict]], piece: list[dict], char_width: float) -> bool:
    """Join ``piece`` (one phrase) onto the phrase ``above`` it continues; True when done."""
    x0, x1 = piece[0]["x0"], piece[-1]["x1"]
    for phrase in above:
        last = phrase[-1]
        height = last.get("wrap_height", last["bottom"] - last["top"])
        pitch = piece[0]["top"] - last.get("wrap_top", last["top"])
        if not (0.5 * height < pitch <= 1.9 * height):
            continue
        if not _aligned(phrase[0]["x0"], max(w["x1"] for w in phrase), x0, x1, char_width):
            continue
        joint = _joint(" ".join(w["text"] for w in phrase), " ".join(w["text"] for w in piece))
        if joint is None:
            continue
        last["text"] += joint + " ".join(w["text"] for w in piece)
        last["x1"] = max(last["x1"], x1)
        last["wrap_top"], last["wrap_height"] = piece[0]["top"], height
        last["bottom"] = max(last["bottom"], piece[-1]["bottom"])  # the lines below are no farther away than before
        return True
    return False


def _joint(upper: str, lower: str) -> str | None:
    """What goes between ``upper`` and its continuation ``lower``: "" after a hyphen or a
    slash, " " where the halves make one date, amount or PO number, None where ``lower``
    is no continuation."""
    if _LABELLED.match(lower):
        return None
    if _LABELLED.fullmatch(upper + " ") and (" " not in lower and any(ch.isdigit() for ch in lower) or parse_date(lower)):
        return " "  # the label alone on its line, its number or date below it: "Purchase Order No.:" over "4500012345"
    if upper.endswith(_BROKEN_AT_MARK) and len(upper.split()[-1]) > 1 and lower[:1].isalnum():
        return ""
    if " " in lower.strip() and not parse_date(lower):
        lower_is_part = bool(parse_date(_value(upper) + " " + lower))
        return " " if lower_is_part else None
    value = _value(upper)
    whole = f"{value} {lower}"
    if value and parse_date(whole) and not parse_date(value):
        return " "
    last = value.split()[-1] if value.split() else ""
    if _FIGURE.match(lower) and (_CURRENCY.match(last) or _GROUP.match(last) and _THOUSANDS.match(lower)):
        return " "
    label = upper[: len(upper) - len(value)]
    if value and " " not in lower and len(lower) >= 3 and any(ch.isdigit() for ch in lower) and _PO_LABEL.search(label):
        return " "
    return None


def _aligned(upper_x0: float, upper_x1: float, x0: float, x1: float, char_width: float) -> bool:
    """Two lines of one cell: they overlap and share the cell's left edge, right edge or
    centre (the lower line may be the longer one: the word that did not fit above)."""
    if min(upper_x1, x1) <= max(upper_x0, x0):
        return False
    near = char_width
    return (abs(upper_x0 - x0) <= near or abs(upper_x1 - x1) <= near
            or abs((upper_x0 + upper_x1) / 2 - (x0 + x1) / 2) <= near)


def _value(text: str) -> str:
    """The value part of "Label: value" (all of ``text`` where it has no label)."""
    match = _LABELLED.match(text)
    return text[match.end():] if match else text


def _phrases(line: list[dict], char_width: float) -> list[list[dict]]:
    """The line's words in phrases: words at most a wide space apart."""
    phrases: list[list[dict]] = []
    for word in sorted(line, key=lambda w: w["x0"]):
        if phrases and word["x0"] - phrases[-1][-1]["x1"] <= 1.5 * char_width:
            phrases[-1].append(word)
        else:
            phrases.append([word])
    return phrases


def _is_table_line(line: list[dict]) -> bool:
    """A table row that ``pdf_rows`` already rebuilt (one word holding tab-separated cells)."""
    return any("\t" in w["text"] for w in line)
