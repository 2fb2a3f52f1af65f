"""Stage 3: find the header row of a lines table and the column each label heads.

A header row is a line whose phrases read as column labels from the vocabulary (an invoice
column and at least one money column). Labels printed on two lines ("Invoice" over
"Number") are stacked first. Where the table is ruled, a column spans its whole cell
between two vertical rulings; otherwise it spans its label and the data is aligned to it.
"""

from dataclasses import dataclass

from .lines import Line, Phrase
from .vocabulary import COLUMN_INDEX, FIELD_INDEX, LONGEST_LABEL_WORDS, guess_column_role, norm

MONEY_ROLES = {"gross", "discount", "deduction", "paid", "amount"}


@dataclass
class Column:
    """One column of a lines table: its role, its printed label and its horizontal span."""

    role: str  # invoice, invoice_date, gross, discount, deduction, paid, reason, doc_type, currency, other
    label: str
    x0: float
    x1: float
    ruled: bool = False

    @property
    def money(self) -> bool:
        return self.role in MONEY_ROLES


@dataclass
class HeaderRow:
    """A recognised header: its line(s) and its columns, left to right."""

    lines: list[Line]
    columns: list[Column]

    @property
    def page(self) -> int:
        return self.lines[0].page

    def role(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)


def find_header(lines: list[Line], i: int, verticals=(), extra_labels: dict | None = None) -> HeaderRow | None:
    """Return the header row starting at ``lines[i]`` (one line, or up to three stacked), or None.

    Labels that wrap in narrow columns ("Invoice" over "Number", or "Doc Date" beside a
    two-line "Your / Reference") are stacked: the close lines under the first one that
    hold no figures are joined column by column.
    """
    line = lines[i]
    if len(line.phrases) < 2 or any(ch.isdigit() for ch in line.text):
        return None  # a header has several labels and no figures
    best = _header_from_labels([line], _labels(line.phrases, extra_labels))
    block = [line]
    for below in lines[i + 1: i + 3]:
        if below.page != line.page or len(line.phrases) < 2 or not _stackable(block[-1], below):
            break
        block.append(below)
        stacked = _header_from_labels(list(block), _labels(_stack(block), extra_labels))
        if stacked and (not best or _known(stacked) >= _known(best)):
            best = stacked
    if best:
        _apply_rulings(best, verticals)
    return best


def _labels(phrases: list[Phrase], extra: dict | None) -> list[tuple[str, str, float, float]]:
    """Read each phrase as one or more column labels: (role or "other", text, x0, x1)."""
    labels = []
    gaps = [b.x0 - a.x1 for p in phrases for a, b in zip(p.words, p.words[1:]) if b.x0 - a.x1 > 0]
    space = min(gaps) if gaps else None
    for phrase in phrases:
        words = phrase.words
        whole = norm(phrase.text)
        role = (extra or {}).get(whole) or COLUMN_INDEX.get(whole)
        cut = _wide_gap_cut(words, space, extra)
        if role and cut:
            # "Deduction  Reason" with a gap wider than a space: two columns, not one label.
            for part in (words[:cut], words[cut:]):
                text = " ".join(w.text for w in part)
                labels.append(((extra or {}).get(norm(text)) or COLUMN_INDEX[norm(text)], text,
                               part[0].x0, part[-1].x1))
            continue
        if role:
            labels.append((role, phrase.text, phrase.x0, phrase.x1))
            continue
        if whole in FIELD_INDEX:
            # "Payment Reference", "Value Date": a header field's label, not two column labels.
            labels.append(("other", phrase.text, phrase.x0, phrase.x1))
            continue
        # Several labels printed close together: cut the phrase into known labels.
        pieces = _segment(words, extra)
        if pieces and len(pieces) > 1:
            for found, ws in pieces:
                labels.append((found, " ".join(w.text for w in ws), ws[0].x0, ws[-1].x1))
        elif len(words) <= 4 and not phrase.text.endswith(":"):
            labels.append((guess_column_role(whole) or "other", phrase.text, phrase.x0, phrase.x1))
        else:
            labels.append(("other", phrase.text, phrase.x0, phrase.x1))
    return labels


def _segment(words, extra) -> list[tuple[str, list]] | None:
    """Cut words into known column labels, all of them covered; prefer the cuts at the widest gaps."""
    best = None
    best_key = None

    def walk(i, pieces):
        nonlocal best, best_key
        if i == len(words):
            cuts = [words[sum(len(p[1]) for p in pieces[:k + 1])] for k in range(len(pieces) - 1)]
            gaps = [w.x0 - words[words.index(w) - 1].x1 for w in cuts]
            key = (-len(pieces), min(gaps) if gaps else 0.0)
            if best_key is None or key > best_key:
                best, best_key = list(pieces), key
            return
        for j in range(min(len(words), i + LONGEST_LABEL_WORDS), i, -1):
            key = norm(" ".join(w.text for w in words[i:j]))
            found = (extra or {}).get(key) or COLUMN_INDEX.get(key)
            if found:
                walk(j, pieces + [(found, words[i:j])])

    if len(words) <= 8:
        walk(0, [])
    return best


def _wide_gap_cut(words, space, extra) -> int | None:
    """Where a phrase splits into two known labels at a gap clearly wider than a space."""
    if space is None or len(words) < 2:
        return None
    for k in range(1, len(words)):
        gap = words[k].x0 - words[k - 1].x1
        if gap < max(1.8 * space, 0.5 * words[k].height):
            continue
        left, right = (norm(" ".join(w.text for w in part)) for part in (words[:k], words[k:]))
        if all((extra or {}).get(key) or COLUMN_INDEX.get(key) for key in (left, right)):
            return k
    return None


def _header_from_labels(lines: list[Line], labels) -> HeaderRow | None:
    roles = [role for role, *_ in labels]
    if "invoice" not in roles or not MONEY_ROLES & set(roles):
        return None
    # Column labels hold no figures and no "Label:" colons (those are header fields).
    if any(_looks_like_data(text) or any(ch.isdigit() for ch in text) or text.rstrip().endswith(":")
           for _, text, *_ in labels):
        return None
    known = sum(1 for r in roles if r != "other")
    if known < 2 or known < len(roles) / 2:
        return None
    columns = [Column(role, text, x0, x1) for role, text, x0, x1 in labels]
    _resolve_roles(columns)
    if not any(c.role in ("gross", "paid") for c in columns):
        return None
    return HeaderRow(lines, columns)


def _resolve_roles(columns: list[Column]) -> None:
    """Settle ambiguous labels: one invoice column, one date, "Amount" as gross or paid."""
    invoices = [c for c in columns if c.role == "invoice"]
    if len(invoices) > 1:
        best = next((c for c in invoices if "inv" in norm(c.label) or "doc" in norm(c.label)), invoices[0])
        for c in invoices:
            if c is not best:
                c.role = "other"
    for role in ("invoice_date", "gross"):
        for c in [c for c in columns if c.role == role][1:]:
            c.role = "other"
    paid = [c for c in columns if c.role == "paid"]
    for c in paid[:-1]:
        c.role = "other"
    amounts = [c for c in columns if c.role == "amount"]
    has_gross = any(c.role == "gross" for c in columns)
    has_paid = bool(paid)
    for c in amounts:
        c.role = "other"
    if amounts:
        if has_gross and not has_paid:
            amounts[-1].role = "paid"
        elif has_paid and not has_gross:
            amounts[0].role = "gross"
        elif not has_gross and not has_paid:
            amounts[-1].role = "paid"
            if len(amounts) > 1:
                amounts[0].role = "gross"
    for c in [c for c in columns if c.role == "discount"][1:]:
        c.role = "deduction"


def _known(header: HeaderRow) -> int:
    return sum(1 for c in header.columns if c.role != "other")


def _looks_like_data(text: str) -> bool:
    """Header labels hold no amounts or dates."""
    from inbox_parsers.amounts import looks_like_amount
    from inbox_parsers.dates import parse_date

    return looks_like_amount(text) or parse_date(text) is not None


def _stackable(upper: Line, lower: Line) -> bool:
    gap = lower.top - upper.bottom
    if gap > 0.9 * upper.height:
        return False
    return not any(_looks_like_data(p.text) or any(ch.isdigit() for ch in p.text) for p in lower.phrases)


def _stack(block: list[Line]) -> list[Phrase]:
    """Join the phrases of stacked header lines that overlap horizontally into one label each."""
    groups: list[list[Phrase]] = []
    for phrase in sorted((p for line in block for p in line.phrases), key=lambda p: p.x0):
        for group in groups:
            if any(min(q.x1, phrase.x1) - max(q.x0, phrase.x0) > 0 for q in group):
                group.append(phrase)
                break
        else:
            groups.append([phrase])
    return [Phrase(sorted((w for p in group for w in p.words), key=lambda w: (round(w.top), w.x0)))
            for group in groups]


def _apply_rulings(header: HeaderRow, verticals) -> None:
    """Widen each column to its ruled cell when vertical rulings cross the header."""
    line = header.lines[0]
    middle = (line.top + header.lines[-1].bottom) / 2
    xs = sorted({round(x, 1) for x, top, bottom in verticals
                 if top - 2 <= middle <= bottom + 2 and x > 0})
    if len(xs) < 2:
        return
    labels = [(c.x0, c.x1) for c in header.columns]
    for k, column in enumerate(header.columns):
        # The cell's sides lie between this label and its neighbours' labels: a shaded
        # header band (one rectangle behind all labels) is not a grid.
        low = labels[k - 1][1] - 1 if k > 0 else float("-inf")
        high = labels[k + 1][0] + 1 if k + 1 < len(labels) else float("inf")
        left = [x for x in xs if low <= x <= column.x0 + 1]
        right = [x for x in xs if column.x1 - 1 <= x <= high]
        if left and right:
            column.x0, column.x1, column.ruled = left[-1], right[0], True
