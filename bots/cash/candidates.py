"""Which open items a printed reference can mean, for many references at once.

The common path of cash application: every remittance line (and every token of a bank
memo) is looked up among the open items by pandas merges, one merge per key level of
``references``, most exact first. A reference keeps the candidates of the first level that
finds any; only the references still without candidates go on to the next, looser level.
The sequential matcher then reads the result as a plain dict.
"""

from dataclasses import dataclass

import pandas as pd

from bots.cash.references import reference_keys, transpositions

# (level name, key of the printed reference, key of the open item), most exact first.
LEVELS = (
    ("exact", "exact", "exact"),
    ("normalized", "compact", "compact"),
    ("normalized", "digits", "digits"),
    ("suffix", "stem", "digits"),    # INV-10102/1 printed, INV-10102 open
    ("suffix", "digits", "stem"),    # 10102 printed, INV-10102/1 open
)


@dataclass(frozen=True)
class Candidates:
    """The open items (row positions) one reference may mean, and how loosely it was read."""

    level: str          # exact, normalized, suffix or transposed
    rows: tuple[int, ...]


class ItemKeys:
    """The reference keys of every open item, computed once per run."""

    def __init__(self, invoices: pd.Series):
        keys = reference_keys(invoices.reset_index(drop=True))
        keys["row"] = range(len(keys))
        self._keys = keys

    def column(self, name: str) -> pd.DataFrame:
        """Rows and one key column, without the items that have no such key."""
        frame = self._keys[["row", name]]
        return frame[frame[name].notna()]


def find_candidates(references: pd.Series, items: ItemKeys, transposed: bool = True) -> dict:
    """Map each index label of ``references`` to its ``Candidates``; references that find none are absent.

    :param transposed: also try swapping neighbouring digits for references that found nothing
        (level ``transposed``; the matcher accepts those only when unique and the amount agrees).
    """
    queries = reference_keys(references.reset_index(drop=True))
    queries["qid"] = list(references.index)
    found: dict = {}
    pending = queries
    for level, query_key, item_key in LEVELS:
        if pending.empty:
            break
        merged = _merge(pending[["qid", query_key]], query_key, items.column(item_key), item_key)
        _collect(found, merged, level)
        pending = pending[~pending["qid"].isin(found)]
    if transposed and not pending.empty:
        variants = pending[["qid", "digits"]].dropna()
        variants = variants.assign(variant=variants["digits"].map(transpositions)).explode("variant").dropna()
        merged = _merge(variants[["qid", "variant"]], "variant", items.column("digits"), "digits")
        _collect(found, merged, "transposed")
    return found


def _merge(left: pd.DataFrame, left_key: str, right: pd.DataFrame, right_key: str) -> pd.DataFrame:
    left = left[left[left_key].notna()]
    if left.empty or right.empty:
        return pd.DataFrame({"qid": [], "row": []})
    return left.merge(right, left_on=left_key, right_on=right_key, how="inner")[["qid", "row"]]


def _collect(found: dict, merged: pd.DataFrame, level: str) -> None:
    rows_by_query: dict = {}
    for qid, row in zip(merged["qid"].tolist(), merged["row"].tolist()):
        rows_by_query.setdefault(qid, []).append(int(row))
    for qid, rows in rows_by_query.items():
        if qid not in found:
            found[qid] = Candidates(level, tuple(sorted(set(rows))))
