"""o2c-bots: software bots for the order-to-cash cycle.

The runtime (work queue, runs, audit, retries) and the bots that read orders and
remittances, key them into the ERP's screens and apply cash. Parsing of emails,
PDFs and spreadsheets into plain records lives in the sibling package
``inbox_parsers``; the legacy systems the bots drive in demos and tests live in
``sandbox``.
"""

__version__ = "0.1.0"
