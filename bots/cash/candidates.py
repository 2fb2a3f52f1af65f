"""Which open items a printed reference can mean, for many references at once.

Every remittance line (and every token of a bank memo) is looked up among the open items in
one batch before the payments are walked. Exact references, the great majority, are found in
a table of the invoice numbers; the few left over are tried against looser keys of
``references`` (compact, digits, suffix), most exact first, then with two neighbouring digits
swapped. A reference keeps the candidates of the first level that finds any.

The exact table is a plain dict built once per run (a dict lookup per reference costs less
than a merge that hashes a million invoice numbers again); the looser keys are columns
computed with vectorized string operations, searched only for the keys some reference has.
"""

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bots.cash.references import MIN_DIGITS, keys_of, transpositions

# (level name, key of the printed reference, key of the open item), after the exact table.
LOOSE_LEVELS = (
    ("normalized", "compact", "compact"),
    ("normalized", "digits", "digits"),
    ("suffix", "stem", "digits"),    # INV-10102/1 printed, INV-10102 open
    ("suffix", "digits", "stem"),    # 10102 printed, INV-10102/1 open
)
_KEY_POSITION = {"exact": 0, "compact": 1, "digits": 2, "stem": 3}
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SPACE = r"[\t\n\x0b\f\r\x1c-\x1f ]"           # what Python's \s matches among ASCII characters
_SEPARATOR = r"[\t\n\x0b\f\r\x1c-\x1f /\-_.]"  # \s or a separator: where a suffix may begin


class Candidates(NamedTuple):
    """The open items (row positions) one reference may mean, and how loosely it was read."""

    level: str          # exact, normalized, suffix or transposed
    rows: tuple


class ItemIndex:
    """Lookup of the open items' invoice numbers (a dict) and their looser keys (columns, on first use)."""

    def __init__(self, invoices: pd.Series, numbers: list[str] | None = None):
        """:param numbers: the same invoice numbers as a list, when the caller holds one already
        (a million Python strings made once, not twice)."""
        self.invoices = invoices.reset_index(drop=True)
        self._numbers = numbers
        self._exact: dict | None = None
        self._keys: pd.DataFrame | None = None

    def exact(self) -> dict:
        """Invoice number to one row (int) or several (tuple)."""
        if self._exact is None:
            self._exact = _exact_table(self.invoices, self._numbers)
        return self._exact

    def rows(self, key: str, wanted: list) -> dict:
        """Key to one row (int) or several (tuple), for the ``wanted`` keys of kind compact, digits or stem.

        The items' keys are columns computed once; a lookup picks the rows holding a wanted key
        (one vectorized ``isin``) rather than building a table of a million keys in Python.
        """
        if not wanted:
            return {}
        if self._keys is None:
            self._keys = item_keys(self.invoices)
        column = self._keys[key]
        # pyarrow's is_in on the column's own array (pandas' isin turns the keys into Python objects).
        found = pc.is_in(pa.array(column.array), value_set=pa.array(list(dict.fromkeys(wanted)), type=pa.string()))
        hits = column[found.to_numpy(zero_copy_only=False)]
        table: dict = {}
        for row, found in zip(hits.index.tolist(), hits.tolist()):
            if isinstance(found, str):
                _add(table, found, row)
        return table


def find_candidates(references: list, items: ItemIndex, transposed: bool = True) -> dict:
    """Map each position in ``references`` to its ``Candidates``; references that find none are absent.

    :param transposed: also try swapping neighbouring digits for references that found nothing
        (level ``transposed``; the matcher accepts those only when unique and the amount agrees).
    """
    found: dict[int, Candidates] = {}
    exact = items.exact()
    pending = []
    for position, reference in enumerate(references):
        rows = exact.get(reference.strip()) if isinstance(reference, str) else None
        if rows is None:
            pending.append((position, keys_of(reference)))
        else:
            found[position] = Candidates("exact", rows if isinstance(rows, tuple) else (rows,))
    for level, query_key, item_key in LOOSE_LEVELS if pending else ():
        key_position = _KEY_POSITION[query_key]
        table = items.rows(item_key, [keys[key_position] for _, keys in pending if keys[key_position]])
        still = []
        for position, keys in pending:
            rows = table.get(keys[key_position]) if keys[key_position] else None
            if rows is None:
                still.append((position, keys))
            else:
                found[position] = Candidates(level, rows if isinstance(rows, tuple) else (rows,))
        pending = still
    if transposed and pending:
        variants = {position: transpositions(keys[2]) for position, keys in pending}
        table = items.rows("digits", [variant for found in variants.values() for variant in found])
        for position, keys in pending:
            rows = sorted({row for variant in variants[position] for row in _rows(table.get(variant))})
            if rows:
                found[position] = Candidates("transposed", tuple(rows))
    return found


def _exact_table(invoices: pd.Series, numbers: list[str] | None = None) -> dict:
    """Invoice number to row, or to a tuple of rows for a number that appears more than once."""
    numbers = invoices.tolist() if numbers is None else numbers
    table = dict(zip(numbers, range(len(numbers))))
    if len(table) < len(numbers):
        repeated = invoices[invoices.duplicated(keep=False)]
        for number, rows in repeated.groupby(repeated).groups.items():
            table[number] = tuple(int(row) for row in rows)
    return table


def item_keys(invoices: pd.Series) -> pd.DataFrame:
    """The compact, digits and stem keys of every open item (columns, one row per item; None where
    a key does not apply): the same keys as ``references.keys_of``.

    Computed with vectorized string operations (pyarrow's, through pandas) for the common shape
    of an ERP invoice number (ASCII, no separator near its end, so no suffix); anything else
    goes through ``keys_of`` itself.
    """
    text = invoices.astype("str")
    compact = _compact_keys(text.str.upper())
    digits = compact.str.lstrip(_LETTERS).str.lstrip("0")   # what r"^[A-Z]*0*" removes, without a regex
    # Digits keys are nearly always all digits: their length is their count (no regex needed).
    plain = (digits.str.isdigit() & (digits.str.len() >= MIN_DIGITS)).to_numpy(dtype=bool)
    enough_in_digits = plain.copy()
    mixed = np.flatnonzero(~plain & (digits.str.len() >= MIN_DIGITS).to_numpy(dtype=bool))
    if len(mixed):
        enough_in_digits[mixed] = (digits.iloc[mixed].str.count(r"[0-9]") >= MIN_DIGITS).to_numpy(dtype=bool)
    keep_compact = enough_in_digits.copy()
    short = np.flatnonzero(~enough_in_digits)
    if len(short):   # a few digits after the prefix: the compact key may still have enough (zeros)
        keep_compact[short] = (compact.iloc[short].str.count(r"[0-9]") >= MIN_DIGITS).to_numpy(dtype=bool)
    # String columns (pyarrow's, not a million Python objects); a key that does not apply is missing.
    keys = pd.DataFrame({"compact": compact.where(keep_compact), "digits": digits.where(enough_in_digits),
                         "stem": pd.Series(pd.NA, index=text.index, dtype="str")})
    # Not ASCII, spaces around it, or a separator near its end (a suffix?): keys_of decides.
    # Python's \s among ASCII characters, spelt out for pyarrow's RE2 (a non-ASCII number is
    # unusual anyway), which tests a million numbers without making Python strings of them.
    arrow = pa.array(text.array)
    unusual = (~text.str.isascii().to_numpy(dtype=bool)
               | _matches(pc.utf8_slice_codeunits(arrow, -4), _SEPARATOR)
               | _matches(arrow, "^" + _SPACE))
    for position in np.flatnonzero(unusual):
        for column, key in enumerate(keys_of(invoices.iat[position])[1:]):
            keys.iat[position, column] = key if key is not None else pd.NA
    return keys


def _compact_keys(upper: pd.Series) -> pd.Series:
    """What r"[^0-9A-Z]+" leaves of upper-cased numbers: hyphens, the usual separator, dropped by a
    plain replace (a third of the regex's time on a million numbers), the regex only for the
    numbers that still hold something other than ASCII letters and digits."""
    compact = upper.str.replace("-", "", regex=False)
    odd = np.flatnonzero(~(compact.str.isascii() & compact.str.isalnum()).to_numpy(dtype=bool, na_value=True))
    if len(odd):
        compact.iloc[odd] = upper.iloc[odd].str.replace(r"[^0-9A-Z]+", "", regex=True)
    return compact


def _matches(strings: pa.Array, pattern: str) -> np.ndarray:
    """Which strings contain ``pattern`` (RE2), as booleans (False for a missing one)."""
    return pc.fill_null(pc.match_substring_regex(strings, pattern), False).to_numpy(zero_copy_only=False)


def _tables(invoices: pd.Series) -> dict[str, dict]:
    """Every item's compact, digits and stem key as lookup tables (key to a row or a tuple of rows)."""
    keys = item_keys(invoices)
    tables: dict[str, dict] = {}
    for name in ("compact", "digits", "stem"):
        table: dict = {}
        for row, key in enumerate(keys[name].tolist()):
            if isinstance(key, str):
                _add(table, key, row)
        tables[name] = table
    return tables


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
