"""Which open items a printed reference can mean, for many references at once.

Every remittance line (and every token of a bank memo) is looked up among the open items in
one batch before the payments are walked. Exact references, the great majority, are found in
a table of the invoice numbers; the few left over are tried against looser keys of
``references`` (compact, digits, suffix), most exact first, then with two neighbouring digits
swapped. A reference keeps the candidates of the first level that finds any.

The tables are plain dicts built once per run from the pandas column (a dict lookup per
reference costs less than a merge that hashes a million invoice numbers again).
"""

from typing import NamedTuple

import pandas as pd

from bots.cash.references import _DROP_ASCII_PUNCTUATION, _LETTERS, MIN_DIGITS, keys_of, transpositions

# Characters that may set off a short suffix ("/1", "-A"): an invoice number with one of them
# in its last three places takes the slow path, which reads suffixes.
_SEPARATORS = set(" /-_.\t")

# (level name, key of the printed reference, key of the open item), after the exact table.
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
    """Lookup tables of the open items' invoice numbers and their looser keys (built on first use)."""

    def __init__(self, invoices: pd.Series):
        self.invoices = invoices.reset_index(drop=True)
        self._tables: dict[str, dict] = {}

    def table(self, key: str) -> dict:
        """Key to one row (int) or several (tuple), for ``key`` exact, compact, digits or stem."""
        if key not in self._tables:
            if key == "exact":
                self._tables["exact"] = _exact_table(self.invoices)
            else:
                self._tables.update(_tables(self.invoices))
        return self._tables[key]


def find_candidates(references: list, items: ItemIndex, transposed: bool = True) -> dict:
    """Map each position in ``references`` to its ``Candidates``; references that find none are absent.

    :param transposed: also try swapping neighbouring digits for references that found nothing
        (level ``transposed``; the matcher accepts those only when unique and the amount agrees).
    """
    found: dict[int, Candidates] = {}
    exact = items.table("exact")
    pending = []
    for position, reference in enumerate(references):
        rows = exact.get(reference.strip()) if isinstance(reference, str) else None
        if rows is None:
            pending.append((position, keys_of(reference)))
        else:
            found[position] = Candidates("exact", rows if isinstance(rows, tuple) else (rows,))
    for level, query_key, item_key in LOOSE_LEVELS if pending else ():
        table, key_position = items.table(item_key), _KEY_POSITION[query_key]
        still = []
        for position, keys in pending:
            rows = table.get(keys[key_position]) if keys[key_position] else None
            if rows is None:
                still.append((position, keys))
            else:
                found[position] = Candidates(level, rows if isinstance(rows, tuple) else (rows,))
        pending = still
    if transposed and pending:
        table = items.table("digits")
        for position, keys in pending:
            rows = sorted({row for variant in transpositions(keys[2]) for row in _rows(table.get(variant))})
            if rows:
                found[position] = Candidates("transposed", tuple(rows))
    return found


def _exact_table(invoices: pd.Series) -> dict:
    """Invoice number to row, or to a tuple of rows for a number that appears more than once."""
    numbers = invoices.tolist()
    table = dict(zip(numbers, range(len(numbers))))
    if len(table) < len(numbers):
        repeated = invoices[invoices.duplicated(keep=False)]
        for number, rows in repeated.groupby(repeated).groups.items():
            table[number] = tuple(int(row) for row in rows)
    return table


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
            # _add, inlined: this branch runs for nearly every one of a million items.
            if compact_table.setdefault(compact, row) != row:
                _add(compact_table, compact, row)
            if digits_table.setdefault(digits, row) != row:
                _add(digits_table, digits, row)
        else:
            _, compact, digits, stem = keys_of(invoice)
            _add(compact_table, compact, row)
            _add(digits_table, digits, row)
            _add(stem_table, stem, row)
    return {"compact": compact_table, "digits": digits_table, "stem": stem_table}


def _add(table: dict, key, row: int) -> None:
    """Record that ``row`` has ``key``: a second row turns the entry into a tuple."""
    if key is None:
        return
    existing = table.setdefault(key, row)
    if existing != row:
        table[key] = (existing + (row,)) if isinstance(existing, tuple) else (existing, row)


def _rows(entry) -> tuple:
    if entry is None:
        return ()
    return entry if isinstance(entry, tuple) else (entry,)
