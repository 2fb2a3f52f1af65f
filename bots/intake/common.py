"""What both intake bots do the same way: keep evidence, judge an order, commit items, crash on cue.

- ``store_evidence``: the raw document under ``<home>/evidence/<sha256><suffix>``.
- ``order_problem``: why a parsed order needs a person before it can be keyed.
- ``commit``: a document's work items in one transaction, then route the ones with a problem.
- ``crash_point``: tests only; ``O2C_TEST_CRASH_AT=after_commit`` kills the process there.
"""

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

CRASH_VARIABLE = "O2C_TEST_CRASH_AT"  # "after_parse", "after_commit"; "after_commit:2" for the 2nd time

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
        """The item as ``WorkQueue.add_many`` takes it."""
        return {"kind": self.kind, "payload": self.payload, "key": self.key,
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


def order_problem(order: dict) -> tuple[str, str] | None:
    """Why an order needs a person before it can be keyed, as (code, message), or None."""
    po = order.get("po_number")
    warnings = [str(w) for w in order.get("warnings") or []]
    if not normalize_po(po):
        return "missing_po", "the order has no PO number"
    lines = order.get("lines") or []
    if not lines:
        return "no_lines", f"PO {po} has no order lines"
    unknown = [str(line.get("sku")) for line in lines if line.get("unknown_sku")]
    if unknown:
        return "unknown_sku", f"PO {po}: SKU not in the item master: {', '.join(unknown)}"
    if warnings:
        return "order_incomplete", f"PO {po}: " + "; ".join(warnings)
    return None


def commit(queue, run, planned: list[PlannedItem]) -> list[tuple]:
    """Add ``planned`` in ONE transaction, then send the ones with a problem to the exception queue.

    Returns ``WorkQueue.add_many``'s ``(item, created)`` pairs, with the items as they
    stand after routing. An item found still new and never routed (the process died
    between the two steps last time) is routed now.
    """
    results = queue.add_many([item.as_entry() for item in planned])
    routed = []
    for plan, (item, created) in zip(planned, results):
        run.count("items_created" if created else "items_already_queued")
        if created:
            order = plan.payload.get("order") or {}
            run.audit("add", "workqueue", plan.key, item_id=item.id, document_number=order.get("po_number"),
                      detail={"kind": plan.kind, "source": plan.source_ref})
        if plan.exception and item.state == "new" and item.exception_code is None:
            code, message = plan.exception
            item = queue.to_exception(item.id, code, message, evidence=plan.evidence)
            run.count("exceptions")
            run.count(f"exceptions_{code}")
        routed.append((item, created))
    return routed


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
