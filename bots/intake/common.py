"""What both intake bots do the same way: keep evidence, judge an order, commit items, crash on cue.

- ``store_evidence``: the raw document under ``<home>/evidence/<sha256><suffix>``.
- ``order_problem``: why a parsed order needs a person before it can be keyed.
- ``commit``: a document's work items in one transaction, then route the ones with a problem.
- ``check_keys`` / ``read_known_skus``: settings the bots share.
- ``crash_point``: tests only; ``O2C_TEST_CRASH_AT=after_commit`` kills the process there.
"""

import hashlib
import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

# Tests only: "after_parse", "after_add" (items stored, not yet routed), "after_commit";
# "after_commit:2" dies the 2nd time the point is reached.
CRASH_VARIABLE = "O2C_TEST_CRASH_AT"

_crash_counts: dict[str, int] = {}


@dataclass
class PlannedItem:
    """A work item to commit, and the exception to send it to, if any, as (code, message)."""

    kind: str
    key: str
    payload: dict
    source_ref: str
    evidence: dict
    exception: tuple[str, str] | None = None

    def as_entry(self) -> dict:
        """The item as ``WorkQueue.add_many`` takes it; the problem rides in the payload, so a
        restart can route an item whose routing a crash cut short (``finish_routing``)."""
        payload = dict(self.payload)
        if self.exception:
            payload["problem"] = {"code": self.exception[0], "message": self.exception[1]}
        return {"kind": self.kind, "payload": payload, "key": self.key,
                "source_ref": self.source_ref, "evidence": self.evidence}


def store_evidence(folder: Path, data: bytes, suffix: str = ".eml") -> dict:
    """Keep ``data`` as ``<folder>/<sha256><suffix>`` (written once, atomically); return the evidence dict."""
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}{suffix}"
    if not path.exists():
        partial = folder / f".{digest}.{os.getpid()}.part"
        partial.write_bytes(data)
        os.replace(partial, path)  # a reader never sees half a file
    return {"file": str(path.resolve()), "sha256": digest, "bytes": len(data)}


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


def commit(queue, run, planned: list[PlannedItem]) -> list[tuple]:
    """Add ``planned`` in ONE transaction, then send the ones with a problem to the exception queue.

    Returns ``WorkQueue.add_many``'s ``(item, created)`` pairs, with the items as they
    stand after routing.
    """
    results = queue.add_many([item.as_entry() for item in planned])
    crash_point("after_add")
    routed = []
    for plan, (item, created) in zip(planned, results):
        run.count("items_created" if created else "items_already_queued")
        if created:
            order = plan.payload.get("order") or {}
            run.audit("add", "workqueue", plan.key, item_id=item.id, document_number=order.get("po_number"),
                      detail={"kind": plan.kind, "source": plan.source_ref})
        routed.append((finish_routing(queue, run, item), created))
    return routed


def finish_routing(queue, run, item):
    """Send ``item`` to the exception queue if its payload names a problem and it never went there.

    That is the case right after ``add_many``, and after a restart when the process died
    between adding the item and routing it. Returns the item as it stands now.
    """
    problem = item.payload.get("problem")
    if not problem or item.state != "new" or item.exception_code is not None:
        return item
    item = queue.to_exception(item.id, problem["code"], problem["message"], evidence=item.evidence)
    run.count("exceptions")
    run.count(f"exceptions_{problem['code']}")
    return item


def check_keys(values: dict, known: set, where: str) -> None:
    """Refuse settings this bot does not know, naming them and the ones it does."""
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")


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


def crash_point(name: str) -> None:
    """Die here, as a kill -9 would, when a test asks for it through ``O2C_TEST_CRASH_AT``."""
    wanted = os.environ.get(CRASH_VARIABLE)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _crash_counts[name] = _crash_counts.get(name, 0) + 1
    if _crash_counts[name] >= int(nth or 1):
        os._exit(137)


def normalize_po(value) -> str:
    """A PO number as compared: no spaces, upper case ("po 4500" and "PO4500" are one)."""
    return re.sub(r"\s+", "", str(value or "")).upper()


def digest(text: str) -> str:
    """A short SHA-256 of ``text``, for idempotency keys."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
