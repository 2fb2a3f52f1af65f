"""The seller's legacy ERP: sales orders, billing, open items and cash receipts on old-style screens.

- ``schema.py``: the tables of ``erp.sqlite``.
- ``seed.py``: customer and item master (built on ``sandbox.masterdata``), historical orders,
  invoices and payments, from the seed. Users: clerk / clerk123, supervisor / super123,
  bot / bot-pass-1.
- ``documents.py``: the business rules (save an order, ship and invoice, post and reverse a
  cash receipt), plain functions over a connection, used by the screens and by tests.
- ``app.py``: the screens (``create_app(options)``), one per transaction code:
  VA01 create sales order, VA03 display, VA05 order list, VF04 billing due list (ship and
  invoice), FBL5N open items with CSV export, F-28 post incoming payment, FB03 payment
  documents, FB08 reverse document, XD03 customers, MM03 items.
- Selectors for bots: ``selectors/erp/*.yaml`` (by role and label, valid in both themes).
"""
