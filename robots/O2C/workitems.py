"""Keywords for work items: take the next one, read its fields, complete it, or hand it on.

The items come from the same work queue as the Python bots' (``bots.runtime.workqueue``): taken
with a lease, completed with the audit entries in the same transaction, failures routed
as the bots' are (a business exception to a person at once, an application exception
retried later). Run through ``o2c run robot``, the task's run is a bot run and its
screen actions are in the audit log.
"""

import os
from collections import Counter

from bots.runtime.errors import ApplicationException, BusinessException

from robots.O2C.base import BusinessFailure, KeywordFailure, LibraryComponent, keyword

class _NoDefault:
    """The "no default given" marker of Get Work Item Field (its repr is what the manual shows)."""

    def __repr__(self) -> str:
        return "(none: a missing field fails)"


_FINISHED = _NoDefault()
# Items done / sent to a person / given back, in this process: ``o2c run robot`` puts them in the run's counts.
COUNTS: Counter = Counter()


class WorkItemKeywords(LibraryComponent):
    """One work item at a time, as a clerk takes one document from the pile."""

    def __init__(self, ctx, queue_url: str = "", item_kind: str = "", bot: str = ""):
        super().__init__(ctx)
        self.queue_url = queue_url or os.environ.get("O2C_ROBOT_QUEUE_URL") or None
        self.item_kind = item_kind
        self.bot = bot or os.environ.get("O2C_ROBOT_BOT") or "robot"
        self.run_id = int(os.environ["O2C_RUN_ID"]) if os.environ.get("O2C_RUN_ID", "").isdigit() else None
        self._queue = None
        self._worker = None
        self._item = None
        self._actions: list[dict] = []
        ctx.actions = self._note

    @keyword("Count Waiting Work Items")
    def count_waiting_work_items(self, kind: str = "") -> int:
        """Returns how many items (of ``kind``) wait in the work queue: new, or sent back by a supervisor.

        | ${count}= | Count Waiting Work Items | kind=order |
        """
        kind = kind or self.item_kind
        items = self._open().items(kind=kind or None, limit=None)
        return sum(1 for item in items if item.state in ("new", "retried"))

    @keyword("Take Next Work Item")
    def take_next_work_item(self, kind: str = ""):
        """Takes the next waiting item (of ``kind``) with a lease and returns its payload; ``None`` when none waits.

        The item taken stays "in hand" until `Complete Work Item With`, `Release Work Item`,
        `Raise Business Exception` or `Raise Application Exception`. Taking another while one
        is in hand fails.

        | ${item}= | Take Next Work Item | kind=order |
        | IF | $item is None | RETURN |
        | Log | ${item}[order][po_number] |
        """
        from robot.utils import DotDict

        from bots.runtime.runs import worker_name

        if self._item is not None:
            raise KeywordFailure(f"Work item {self._item.id} is still in hand: complete or release it first.")
        self._worker = self._worker or worker_name(self.bot)
        claimed = self._open().claim(self._worker, kinds=[kind or self.item_kind] if (kind or self.item_kind) else None)
        if not claimed:
            self.info("No work item is waiting.")
            return None
        self._item, self._actions = claimed[0], []
        self.info(f"Took work item {self._item.id} ({self._item.kind}, attempt {self._item.attempts})")
        return DotDict(self._item.payload)

    @keyword("Get Work Item Field")
    def get_work_item_field(self, path: str, default=_FINISHED):
        """Returns a field of the item in hand's payload; ``path`` goes down with dots (``order.lines.0.sku``).

        Without ``default`` a missing field fails, naming the fields there are.

        | ${po}= | Get Work Item Field | order.po_number |
        | ${date}= | Get Work Item Field | order.requested_date | default=${EMPTY} |
        """
        value = self._taken().payload
        for part in str(path).split("."):
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                if default is not _FINISHED:
                    return default
                there = ", ".join(value) if isinstance(value, dict) else type(value).__name__
                raise KeywordFailure(f"Work item {self._item.id} has no field {path!r} (at {part!r}: {there}).")
        return value

    @keyword("Complete Work Item With")
    def complete_work_item_with(self, **result) -> None:
        """Marks the item in hand done with ``result`` (``name=value`` pairs), writing its audit entries in the same step.

        The audit entries are the screen actions done for the item (fills, clicks, choices;
        passwords masked) and one ``complete`` entry whose document number is the first
        value given (e.g. the sales order's number).

        | Complete Work Item With | sales_order=${number} |
        | Complete Work Item With | sales_order=${existing} | found_existing=yes |
        """
        item = self._taken()
        document = str(next(iter(result.values()))) if result else None
        entries = [*self._actions, {"action": "complete", "system": self._system(), "target": item.kind,
                                    "detail": _plain(result), "document_number": document, **self._who()}]
        self._open().complete(item.id, self._worker, result={k: _plain(v) for k, v in result.items()}, audit=entries)
        COUNTS["done"] += 1
        self.info(f"Work item {item.id} done: {result}")
        self._item, self._actions = None, []

    @keyword("Release Work Item")
    def release_work_item(self, reason: str = "released by the task") -> None:
        """Gives the item in hand back to the queue undone, to be taken again after the queue's backoff.

        It counts as an attempt: after the queue's ``max_attempts`` the item goes to a person.

        | Release Work Item | the ERP is closed for the night |
        """
        self._hand_on(ApplicationException("released", str(reason)))

    @keyword("Raise Business Exception")
    def raise_business_exception(self, message: str, code: str = "business_rule") -> None:
        """Sends the item in hand to the exception queue for a person (bad or unclear data), then fails.

        A screenshot and the page's HTML go with it as evidence. Use it where retrying
        cannot help: an unknown product, a price that does not match.

        | Raise Business Exception | Product ${sku} is not in the ERP | code=unknown_product |
        """
        self._hand_on(BusinessException(code, str(message), self._evidence(code)))
        error = BusinessFailure(str(message))
        error.evidence_taken = True
        raise error

    @keyword("Raise Application Exception")
    def raise_application_exception(self, message: str, code: str = "application_error") -> None:
        """Gives the item in hand back to be retried later (the system misbehaved), with evidence, then fails.

        After the queue's ``max_attempts`` the item goes to a person with the last evidence.

        | Raise Application Exception | The ERP answered "System busy" | code=erp_busy |
        """
        self._hand_on(ApplicationException(code, str(message), self._evidence(code)))
        error = KeywordFailure(str(message))
        error.evidence_taken = True
        raise error

    @keyword("For Each Work Item")
    def for_each_work_item(self, keyword_name: str, kind: str = "", limit: int = 0) -> int:
        """Runs the keyword ``keyword_name`` once for each waiting item (its payload as the argument).

        After the keyword passes, an item it did not complete is completed with no result.
        When it fails, the item goes to the exception queue (a business failure, such as no
        matching suggestion or `Raise Business Exception`) or back to the queue to be
        retried (anything else), with a screenshot and the HTML as evidence; the next item
        follows either way, on the first tab (other tabs a failed item left open are closed).
        Returns how many items were taken. ``limit=0``: all.

        | For Each Work Item | Enter The Order | kind=order |
        """
        from robot.errors import ExecutionFailed
        from robot.libraries.BuiltIn import BuiltIn

        taken = 0
        while not limit or taken < int(limit):
            payload = self.take_next_work_item(kind)
            if payload is None:
                break
            taken += 1
            self.ctx.last_failure = None
            try:
                BuiltIn().run_keyword(keyword_name, payload)
            except ExecutionFailed as failure:
                if failure.dont_continue:
                    raise
                if self._item is not None:
                    cause = self.ctx.last_failure
                    business = bool(getattr(cause, "business", False)) and str(cause) in failure.message
                    exception = BusinessException if business else ApplicationException
                    code = "business_rule" if business else "robot_failed"
                    self._hand_on(exception(code, failure.message, self._evidence(code)))
                self.ctx.back_to_first_tab()
                continue
            if self._item is not None:
                self.complete_work_item_with()
        return taken

    def give_back(self, why: str) -> None:
        """The task ended with an item in hand: back to the queue as an application failure (not a keyword)."""
        if self._item is not None:
            self._hand_on(ApplicationException("task_ended", f"the task ended with the item in hand: {why}",
                                               self._evidence("task_ended")))

    # -- private ---

    def _note(self, action: str, target: str, value) -> None:
        if self._item is not None:
            detail = value if isinstance(value, dict) else ({"value": value} if value is not None else None)
            self._actions.append({"action": action, "system": self._system(), "target": target, "detail": detail,
                                  **self._who()})

    def _hand_on(self, error) -> None:
        item = self._taken()
        self._audit_actions()
        routed = self._open().fail(item.id, self._worker, error)
        COUNTS["exception" if routed.state == "exception" else "retry"] += 1
        self.info(f"Work item {item.id} is {routed.state}: {error.message}")
        self._item, self._actions = None, []

    def _audit_actions(self) -> None:
        """The screen actions of a failed item still happened in the outside system: write them now."""
        if not self._actions or self.run_id is None:
            return
        from sqlalchemy.orm import sessionmaker

        from bots.runtime.runs import Run

        queue = self._open()
        run = Run(sessionmaker(queue.engine), queue.clock, self.run_id, self.bot, self._worker)
        for entry in self._actions:
            run.audit(entry["action"], entry["system"], entry["target"], entry["detail"], item_id=self._item.id)

    def _evidence(self, code: str) -> dict:
        return self.ctx.save_evidence(f"exception-{code}")

    def _system(self) -> str:
        screen = self.ctx.screen
        return screen.name.split("/")[0] if screen is not None and "/" in screen.name else "web"

    def _who(self) -> dict:
        return {"bot": self.bot, **({"run_id": self.run_id} if self.run_id is not None else {})}

    def _open(self):
        from bots.runtime.workqueue import WorkQueue

        if self._queue is None:
            self._queue = WorkQueue.open(self.queue_url)
        return self._queue

    def _taken(self):
        if self._item is None:
            raise KeywordFailure("No work item is in hand: use Take Next Work Item first.")
        return self._item


def _plain(value):
    """Robot's DotDicts and lists as plain JSON-able values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
