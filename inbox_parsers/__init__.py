"""Parsing of emails, PDFs and spreadsheets into plain records.

Pure functions from a document to records: no network, no database, no I/O beyond
the file being read. Shared building blocks:

- ``amounts``: money as printed ("1,234.56", "1.234,56", "(1.00)", "1.00-") to Decimal;
- ``dates``: dates as printed ("11/09/26", "09.11.2026", "09-Nov-2026") to ISO dates;
- ``errors``: ``InputError``, raised for a document that cannot be read.

The package imports nothing of ``bots``: the bots import from it (``bots.runtime.errors`` re-exports
``InputError``), never the other way round.
"""
