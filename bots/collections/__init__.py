"""Collections: getting paid on time.

- ``dunning``: ``o2c run dunning``, reminders by stage, exactly once, through ``channels``;
- ``statement``: the statement of account PDF (also used by the customer portal);
- ``promises``: promises to pay, kept or broken;
- ``cases``: disputes, questions and deductions routed to teams;
- ``order_stops``: the stop on new orders the credit gate reads;
- ``risk`` and ``worklist``: the customer risk score and the collector's ordered list.

Every amount and day count comes from ``bots.receivables`` (the code behind ``o2c ar-metrics``).
"""
