"""The ERP's accounts-receivable export: one row per open invoice (or credit memo).

``customer_id,customer_name,invoice,invoice_date,due_date,currency,amount,open_amount``

``load_open_items`` reads it into a pandas frame with the money columns as whole cents
(``amount_cents``, ``open_cents``), the dates left as printed (read only for the few items
that need them), and low-cardinality columns as categories so a million rows stay small.
"""

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bots.cash.cents import to_cents
from bots.cash.collector import collector_paused
from bots.runtime.errors import InputError
from inbox_parsers.amounts import parse_amount
from inbox_parsers.dates import parse_date

COLUMNS = ["customer_id", "customer_name", "invoice", "invoice_date", "due_date", "currency", "amount", "open_amount"]
_TWO_PLACES = r"^-?\d{1,15}\.\d\d$"


@collector_paused()
def load_open_items(path: str | Path) -> pd.DataFrame:
    """Read the open-items CSV; raise ``InputError`` when it cannot be read or lacks a column.

    The frame keeps the CSV's row order (its index is the row position the matcher uses).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("open items file not found", str(path))
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"open items file cannot be read as UTF-8 text: {error}", str(path))
    separator = ";" if header.count(";") > header.count(",") else ","
    frame = _read_fast(path, separator)
    if frame is None:
        try:
            frame = pd.read_csv(
                path, sep=separator, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                skipinitialspace=True, quoting=csv.QUOTE_MINIMAL,
            )
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
            raise InputError(f"open items file is not a readable CSV: {error}", str(path))
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise InputError(
            "open items CSV lacks column(s) " + ", ".join(missing) + "; expected " + ",".join(COLUMNS), str(path)
        )
    frame = frame[COLUMNS].reset_index(drop=True)
    frame["invoice"] = frame["invoice"].str.strip()
    empty = frame["invoice"] == ""
    if empty.any():
        raise InputError(f"open items CSV row {int(empty.idxmax()) + 2} has no invoice number", str(path))
    frame["amount_cents"] = _cents(frame["amount"], "amount", path)
    # Most items are not partly paid: read the open amount only where it differs.
    same = (frame["open_amount"] == frame["amount"]).to_numpy()
    frame["open_cents"] = frame["amount_cents"]
    if not same.all():
        frame.loc[~same, "open_cents"] = _cents(frame.loc[~same, "open_amount"], "open_amount", path,
                                                np.flatnonzero(~same))
    frame = frame.drop(columns=["amount", "open_amount"])
    for column in ("customer_id", "customer_name", "currency"):
        frame[column] = _categorical(frame[column], upper=column == "currency")
    return frame


def _read_fast(path: Path, separator: str) -> pd.DataFrame | None:
    """The CSV read by pyarrow's multi-threaded reader (a million rows in a fraction of the time);
    None when it cannot (then pandas' own reader reads it, and words any error)."""
    try:
        return pd.read_csv(path, sep=separator, dtype=str, keep_default_na=False, engine="pyarrow")
    except Exception:   # pyarrow's errors are its own types; the careful reader decides what is wrong
        return None


def item_date(frame: pd.DataFrame, row: int, column: str = "invoice_date") -> date | None:
    """One item's date (ERP exports are ISO, but read whatever was printed)."""
    return parse_item_date(frame[column].iat[row])


def parse_item_date(text) -> date | None:
    """A date as the export printed it: ISO nearly always (read at C speed), else whatever it is."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return parse_date(str(text))


def _categorical(values: pd.Series, upper: bool = False) -> pd.Series:
    """A column with few distinct values (a million rows, thousands of customers) as a category,
    each distinct value stripped (and upper-cased) once rather than every row."""
    # What astype("category") makes (sorted categories), from pandas' hash factorizer: faster.
    codes, distinct = pd.factorize(values, sort=True)
    categorical = pd.Series(pd.Categorical.from_codes(codes, categories=distinct), index=values.index,
                            name=values.name)
    clean = categorical.cat.categories.str.strip()
    if upper:
        clean = clean.str.upper()
    if clean.is_unique:
        return categorical.cat.rename_categories(clean)
    return categorical.map(dict(zip(categorical.cat.categories, clean))).astype("category")


def _cents(texts: pd.Series, column: str, path: Path, rows: np.ndarray | None = None) -> np.ndarray:
    """Whole cents of a money column: vectorized for amounts with two decimals ("1234.50", what
    ERP exports write), ``parse_amount`` for the rest."""
    texts = texts.str.strip()
    plain = texts.str.match(_TWO_PLACES).to_numpy(dtype=bool)
    cents = np.zeros(len(texts), dtype=np.int64)
    if plain.any():
        # "1234.50" without its point is the number of cents; pyarrow reads a million of them in C.
        digits = pa.array(texts[plain].str.replace(".", "", regex=False).array, type=pa.string())
        cents[plain] = pc.cast(digits, pa.int64()).to_numpy()
    for position in np.flatnonzero(~plain):
        amount = parse_amount(texts.iat[position])
        if amount is None:
            row = int(rows[position]) if rows is not None else int(position)
            raise InputError(
                f"open items CSV row {row + 2}: {column} {texts.iat[position]!r} is not an amount", str(path)
            )
        cents[position] = to_cents(amount)
    return cents
