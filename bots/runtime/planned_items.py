"""A document's work items, committed together, then the ones with a problem sent to people.

A bot that reads a document (an email, a bank file, a portal page) plans its items as
``PlannedItem`` and calls ``commit``: one transaction adds them all, so a crash keeps all or
none; a crash before the routing is finished on the next run (``finish_routing``).
"""

from dataclasses import dataclass

from bots.runtime.crash import crash_point


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
