"""The seller's legacy ERP: sales orders, billing, open items and cash receipts on old-style screens.

- ``schema.py``: the tables of ``erp.sqlite``.
- ``seed.py``: customer and item master, historical orders, invoices and payments, from the seed.
- ``documents.py``: the business rules (save an order, ship and invoice, post and reverse a
  cash receipt), plain functions over a connection, used by the screens and by tests.
- ``app.py``: the screens (``create_app(options)``), one view per transaction code.
"""
