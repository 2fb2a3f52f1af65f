"""The ERP-entry bot: queued orders keyed into the legacy ERP's own screens, exactly once.

- ``screens.py``: ``ErpClient``, the ERP's screens as clerk actions (from selectors/erp/).
- ``customers.py``: which ERP customer an order is from, read through the customer search pop-up.
- ``order_entry.py``: the bot (``o2c run erp-order-entry``): check, key, save, read back, complete.
- ``runner.py``: how an ERP bot runs: a browser session per round, one item at a time, stop when the ERP fails.
"""

from bots.erp.order_entry import (
    BOT_NAME, OrderEntry, OrderEntrySettings, load_order_entry_settings, order_of, run_order_entry,
)
from bots.erp.screens import ErpBusy, ErpClient, ErpDown, SessionExpired

__all__ = [
    "BOT_NAME", "ErpBusy", "ErpClient", "ErpDown", "OrderEntry", "OrderEntrySettings", "SessionExpired",
    "load_order_entry_settings", "order_of", "run_order_entry",
]
