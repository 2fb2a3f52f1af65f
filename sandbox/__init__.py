"""Legacy systems for the bots to drive in demos and tests, served on localhost.

- ``sandbox.erp``: the seller's legacy ERP (sales orders, billing, open items, cash receipts).
- ``sandbox.portal``: a customer's order portal.
- ``sandbox.bank``: the bank's portal with statements.

Each is a Flask app built on ``sandbox.common`` with its own SQLite database, seeded
deterministically from a seed, and the quirks bots meet in the field (busy dialogs, slow
screens, session timeouts, a renamed-elements theme, maintenance windows).
``sandbox.server.start_all`` runs them together; ``o2c sandbox`` is the command.
"""
