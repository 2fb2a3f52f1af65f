"""Which open items a printed reference can mean, for many references at once.

The common path of cash application: every remittance line (and every token of a bank
memo) is looked up among the open items. Exact references, the great majority, go through
one vectorized pandas merge with the invoice numbers. The few left over are tried against
looser keys of ``references`` (compact, digits, suffix), most exact first, using lookup
tables of the open items' keys built once per run and only when some reference needs them;
the last resort swaps neighbouring digits. A reference keeps the candidates of the first
level that finds any. The sequential matcher then reads the result as a plain dict.
"""

from typing import NamedTuple

import pandas as pd

from bots.cash.references import _DROP_ASCII_PUNCTUATION, _LETTERS, MIN_DIGITS, keys_of, transpositions

# Characters that may set off a short suffix ("/1", "-A"): an invoice number with one of them
# in its last three places takes the slow path, which reads suffixes.
_SEPARATORS = set(" /-_.\t")

# (level name, key of the printed reference, key of the open item), after the exact merge.
LOOSE_LEVELS = (
    ("normalized", "compact", "compact"),
    ("normalized", "digits", "digits"),
    ("suffix", "stem", "digits"),    # INV-10102/1 printed, INV-10102 open
    ("suffix", "digits", "stem"),    # 10102 printed, INV-10102/1 open
)
_KEY_POSITION = {"exact": 0, "compact": 1, "digits": 2, "stem": 3}


class Candidates(NamedTuple):
    """The open items (row positions) one reference may mean, and how loosely it was read."""

    level: str          # exact, normalized, suffix or transposed
    rows: tuple


class ItemIndex:
    """The open items' invoice numbers, and lookup tables of their looser keys (built on first use)."""

    def __init__(self, invoices: pd.Series):
        self.invoices = invoices.reset_index(drop=True)
        self._tables: dict[str, dict] | None = None

    def exact_frame(self) -> pd.DataFrame:
        """Invoice numbers (stripped) with their row positions, for the merge."""
        return pd.DataFrame({"exact": self.invoices.str.strip(), "row": range(len(self.invoices))})

    def table(self, key: str) -> dict:
        """Key to one row (int) or several (tuple), for ``key`` compact, digits or stem."""
        if self._tables is None:
            self._tables = _tables(self.invoices)
        return self._tables[key]


def find_candidates(references: pd.Series, items: ItemIndex, transposed: bool = True) -> dict:
    """Map each index label of ``references`` to its ``Candidates``; references that find none are absent.

    :param transposed: also try swapping neighbouring digits for references that found nothing
        (level ``transposed``; the matcher accepts those only when unique and the amount agrees).
    """
    queries = pd.DataFrame({"qid": references.index, "exact": references.astype(object).map(_strip).values})
    merged = queries.dropna().merge(items.exact_frame(), on="exact", how="inner")
    found = _collect(merged)
    pending = [(qid, keys_of(text)) for qid, text in zip(references.index, references.tolist()) if qid not in found]
    for level, query_key, item_key in LOOSE_LEVELS if pending else ():
        table, position = items.table(item_key), _KEY_POSITION[query_key]
        still = []
        for qid, keys in pending:
            rows = table.get(keys[position]) if keys[position] else None
            if rows is None:
                still.append((qid, keys))
            else:
                found[qid] = Candidates(level, rows if isinstance(rows, tuple) else (rows,))
        pending = still
    if transposed and pending:
        table = items.table("digits")
        for qid, keys in pending:
            rows = sorted({row for variant in transpositions(keys[2]) for row in _rows(table.get(variant))})
            if rows:
                found[qid] = Candidates("transposed", tuple(rows))
    return found


def _collect(merged: pd.DataFrame) -> dict:
    """Candidates of the exact merge: most references find one row; a few find several."""
    several = merged["qid"].duplicated(keep=False)
    found = {qid: Candidates("exact", (row,)) for qid, row in
             zip(merged.loc[~several, "qid"].tolist(), merged.loc[~several, "row"].tolist())}
    for qid, rows in merged[several].groupby("qid")["row"]:
        found[qid] = Candidates("exact", tuple(sorted(rows.tolist())))
    return found


def _tables(invoices: pd.Series) -> dict[str, dict]:
    """Lookup tables of the compact, digits and stem keys of every open item.

    The same keys as ``references.keys_of``, with the common shape of an ERP invoice number
    (ASCII, no short suffix, digits after any prefix) computed inline, since a million open
    items pass through this loop; anything else goes through ``keys_of`` itself.
    """
    compact_table: dict = {}
    digits_table: dict = {}
    stem_table: dict = {}
    for row, invoice in enumerate(invoices.tolist()):
        if not isinstance(invoice, str):
            continue
        compact = invoice.upper().translate(_DROP_ASCII_PUNCTUATION)
        digits = compact.lstrip(_LETTERS).lstrip("0")
        if (compact.isascii() and digits.isdigit() and len(digits) >= MIN_DIGITS
                and invoice[-2:-1] not in _SEPARATORS and invoice[-3:-2] not in _SEPARATORS):
            _add(compact_table, compact, row)
            _add(digits_table, digits, row)
        else:
            _, compact, digits, stem = keys_of(invoice)
            _add(compact_table, compact, row)
            _add(digits_table, digits, row)
            _add(stem_table, stem, row)
    return {"compact": compact_table, "digits": digits_table, "stem": stem_table}


def _add(table: dict, key, row: int) -> None:
    if key is None:
        return
    existing = table.setdefault(key, row)
    if existing != row:
        table[key] = (existing + (row,)) if isinstance(existing, tuple) else (existing, row)


def _rows(entry) -> tuple:
    if entry is None:
        return ()
    return entry if isinstance(entry, tuple) else (entry,)


def _strip(text):
    if not isinstance(text, str):
        return None
    return text.strip() or None
