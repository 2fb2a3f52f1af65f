"""Keywords for the work queue: take the next order, complete it with its sales order, or hand it to a person."""

from bots.errors import BusinessException

from robots.O2C.base import KeywordFailure, LibraryComponent, keyword

BOT_NAME = "robot-order-entry"


class QueueKeywords(LibraryComponent):
    """The work queue as a robot task sees it: one order item at a time."""

    def __init__(self, ctx, queue_url: str = "", item_kind: str = "order"):
        super().__init__(ctx)
        self.queue_url = queue_url or None
        self.item_kind = item_kind
        self._queue = None
        self._worker = None
        self._item = None

    @keyword("Count Waiting Orders")
    def count_waiting_orders(self) -> int:
        """Returns how many order items wait in the work queue (new or sent back by a supervisor).

        | ${count}= | Count Waiting Orders |
        """
        counts = self._open().counts()
        return sum(counts.get(state, 0) for state in ("new", "retried"))

    @keyword("Take Next Order From Queue")
    def take_next_order_from_queue(self) -> dict:
        """Claims the next waiting order item and returns its order (po_number, customer, lines...).

        Fails when no order is waiting.

        | ${order}= | Take Next Order From Queue |
        | Log | ${order}[po_number] |
        """
        from bots.erp.order_entry import order_of
        from bots.runs import worker_name

        self._worker = self._worker or worker_name(BOT_NAME)
        claimed = self._open().claim(self._worker, kinds=[self.item_kind], limit=1)
        if not claimed:
            raise KeywordFailure("No order is waiting in the work queue.")
        self._item = claimed[0]
        order = order_of(self._item.payload)
        self.info(f"Took item {self._item.id}: PO {order.get('po_number')}")
        return order

    @keyword("Complete Order Item")
    def complete_order_item(self, sales_order: str, found_existing: bool = False) -> None:
        """Marks the order item taken last as done with ``sales_order``, writing the audit entry in the same step.

        ``found_existing=True`` records that the order was already in the ERP (nothing keyed).

        | Complete Order Item | ${number} |
        | Complete Order Item | ${existing} | found_existing=True |
        """
        item = self._taken()
        action = "found_existing" if _flag(found_existing) else "create_sales_order"
        self._open().complete(item.id, self._worker, result={"sales_order": str(sales_order)}, audit=[{
            "action": action, "system": "erp", "target": "Sales Order", "document_number": str(sales_order),
            "bot": BOT_NAME, "detail": {"po_number": item.payload.get("order", {}).get("po_number")},
        }])
        self._item = None
        self.info(f"Item {item.id} done: sales order {sales_order}")

    @keyword("Send Order Item To Exceptions")
    def send_order_item_to_exceptions(self, message: str, code: str = "robot_failed") -> None:
        """Hands the order item taken last to a supervisor with ``message`` and the last failure screenshot.

        | Send Order Item To Exceptions | ${error} |
        """
        item = self._taken()
        evidence = {"screenshot": self.ctx.last_screenshot} if self.ctx.last_screenshot else {}
        self._open().fail(item.id, self._worker, BusinessException(code, str(message), evidence))
        self._item = None
        self.info(f"Item {item.id} sent to the exception queue: {message}")

    # -- private ---

    def _open(self):
        from bots.workqueue import WorkQueue

        if self._queue is None:
            self._queue = WorkQueue.open(self.queue_url)
        return self._queue

    def _taken(self):
        if self._item is None:
            raise KeywordFailure("No order item is taken: use Take Next Order From Queue first.")
        return self._item


def _flag(value) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() not in ("false", "no", "0", "off", "")
