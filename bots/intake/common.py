"""What both intake bots do the same way: judge an order, read our item numbers, compare PO numbers.

- ``order_problem``: why a parsed order needs a person before it can be keyed.
- ``read_known_skus``: the item numbers an order's lines are checked against.
- ``normalize_po`` / ``digest``: PO numbers as compared, short keys for idempotency.

Keeping evidence, committing a document's items and crashing on cue are the runtime's
(``bots.runtime.evidence``, ``bots.runtime.planned_items``, ``bots.runtime.crash``).
"""

import hashlib
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

# A line without the customer's price is keyed at our list price, so it needs no person.
_HARMLESS_WARNING = re.compile(r"(?i)no unit price")


def order_problem(order: dict) -> tuple[str, str] | None:
    """Why an order needs a person before it can be keyed, as (code, message), or None.

    Parser warnings that are not about a missing price (the ERP's price list applies)
    send the order to a person as ``order_incomplete``; they stay in the order either way.
    """
    po = order.get("po_number")
    if not normalize_po(po):
        return "missing_po", "the order has no PO number"
    lines = order.get("lines") or []
    if not lines:
        return "no_lines", f"PO {po} has no order lines"
    without_sku = [str(number) for number, line in enumerate(lines, 1) if not str(line.get("sku") or "").strip()]
    if without_sku:
        return "missing_sku", f"PO {po}: no item number on line {', '.join(without_sku)}"
    unknown = [str(line.get("sku")) for line in lines if line.get("unknown_sku")]
    if unknown:
        return "unknown_sku", f"PO {po}: SKU not in the item master: {', '.join(unknown)}"
    no_quantity = [str(line.get("sku")) for line in lines if not _positive(line.get("quantity"))]
    if no_quantity:
        return "bad_quantity", f"PO {po}: no usable quantity for {', '.join(no_quantity)}"
    warnings = [str(w) for w in order.get("warnings") or [] if not _HARMLESS_WARNING.search(str(w))]
    if warnings:
        return "order_incomplete", f"PO {po}: " + "; ".join(warnings)
    return None


def _positive(quantity) -> bool:
    try:
        return Decimal(str(quantity)) > 0
    except (InvalidOperation, ValueError):
        return False


def read_known_skus(path) -> frozenset:
    """Read our item numbers: a text file (one a line), a CSV with a ``sku`` column, or the
    sandbox ERP's SQLite database (its ``items`` table)."""
    import csv

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read the known SKUs file {path}: {error}") from None
    if data.startswith(b"SQLite format 3\x00"):
        return _skus_from_erp_database(path)
    rows = list(csv.reader(data.decode("utf-8-sig", errors="replace").splitlines()))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    column = header.index("sku") if "sku" in header else 0
    body = rows[1:] if "sku" in header else rows
    skus = {row[column].strip() for row in body if len(row) > column}
    return frozenset(sku for sku in skus if sku and not sku.startswith("#"))


def _skus_from_erp_database(path: Path) -> frozenset:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return frozenset(row[0] for row in db.execute("SELECT item_id FROM items"))
    except sqlite3.Error as error:
        raise ValueError(f"{path} is an SQLite file without the ERP's items table: {error}") from None


def normalize_po(value) -> str:
    """A PO number as compared: no spaces, upper case ("po 4500" and "PO4500" are one)."""
    return re.sub(r"\s+", "", str(value or "")).upper()


def digest(text: str) -> str:
    """A short SHA-256 of ``text``, for idempotency keys."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
