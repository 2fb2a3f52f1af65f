"""Receivables: the ledger of invoices and receipts, and the figures a credit manager reports.

``metrics`` computes every receivables figure (aging, DSO, count-back DSO, CEI, days to pay
and late) from a plain ledger, exactly as contract 4 defines them; ``ledger_csv`` reads the
two CSV files of ``o2c ar-metrics``. The console, ``o2c report`` and dunning all take their
figures from ``metrics``::

    from bots.receivables import load_ledger, compute_metrics, metrics_json
    ledger = load_ledger("invoices.csv", "receipts.csv")
    print(metrics_json(compute_metrics(ledger, date(2026, 7, 1), date(2026, 9, 30))))
"""

from bots.receivables.ledger import Invoice, Ledger, Receipt
from bots.receivables.ledger_csv import load_ledger
from bots.receivables.metrics import (AGING_BUCKETS, Figures, aging_bucket, compute_metrics, days_past_due,
                                      metrics_json, open_amount)

__all__ = ["AGING_BUCKETS", "Figures", "Invoice", "Ledger", "Receipt", "aging_bucket", "compute_metrics",
           "days_past_due", "load_ledger", "metrics_json", "open_amount"]
