"""A supervisor's release of a credit hold: recorded on that item, audited, sent back to the bots."""

from bots.credit.gate import HOLD_CODE, release_payload
from bots.runtime.workqueue import IllegalTransition, QueueError


def release_hold(queue, item_id: int, by: str, note: str, *, expected_version: int | None = None):
    """Release item ``item_id`` (an order in the exception queue for ``credit_hold``) and return it.

    The release goes into the item's payload, its history (action ``credit_release``) and the
    audit log in the transaction that sends it back to the bots.

    :raises QueueError: no note, no such item, or the item is not held for credit.
    """
    if not (note and note.strip()):
        raise QueueError("a release needs a note saying why (--note), e.g. 'prepayment received'")
    item = queue.get(item_id)
    if item.state != "exception" or item.exception_code != HOLD_CODE:
        why = f"it is {item.state}" + (f" for {item.exception_code}" if item.exception_code else "")
        raise IllegalTransition(f"item {item_id} is not held for credit ({why}); only credit_hold exceptions are released")
    at = queue.clock.now().isoformat()
    audit = {"action": "credit_release", "system": "o2c", "target": f"order item {item_id}",
             "detail": {"note": note, "hold": item.exception_message, "rule": item.evidence.get("credit_rule"),
                        "over_by": item.evidence.get("over_by"), "credit_limit": item.evidence.get("credit_limit"),
                        "limit_source": item.evidence.get("limit_source"),
                        "limit_report_date": item.evidence.get("limit_report_date")}}
    return queue.retry(item_id, by, note, action="credit_release", payload=release_payload(item.payload, by, note, at),
                       audit=audit, expected_version=expected_version)
