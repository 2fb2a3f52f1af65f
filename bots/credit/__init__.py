"""Credit management around order entry.

- ``rules``: the credit rules (limit, overdue, block, agency rating), pure functions.
- ``erp_credit``: the customer's credit data read from the ERP's FD32 screen.
- ``gate``: what ``erp-order-entry`` asks before it saves an order; holds and releases.
- ``agency``: the credit-agency bot, which caches each customer's report.
- ``priority``: how urgent each queued order is, so the most urgent is keyed first.
"""
