"""Cash application: incoming payments applied to open receivables (contract 3, ``o2c match``).

Usage::

    from bots.cash import load_open_items, load_payments, match_payments

    items = load_open_items("open_items.csv")        # the ERP's AR export
    payments = load_payments("statement.xml")        # contract JSON, camt.053 or BAI2
    result = match_payments(items, payments)
    print(result.to_json()["summary"])

The path from a document to a record: ``payments`` / ``camt053`` / ``bai2`` read the
payments (as ``records``), ``open_items`` the CSV, ``references`` and ``candidates`` find which open items a
printed invoice number can mean, ``payers`` who paid, ``terms`` whether a discount is
earned, ``subset_sum`` which invoices a lump sum pays, ``engine`` decides and ``results``
holds (and prints) what it decided.
"""

from bots.cash.engine import MatchSettings, match_payments
from bots.cash.learned_accounts import LearnedAccounts
from bots.cash.open_items import load_open_items
from bots.cash.payments import load_payments
from bots.cash.records import Payment, RemittanceLine
from bots.cash.results import Application, CashException, MatchResult
from bots.cash.terms import DiscountPolicy, Terms, load_terms

__all__ = [
    "Application", "CashException", "DiscountPolicy", "LearnedAccounts", "MatchResult", "MatchSettings",
    "Payment", "RemittanceLine", "Terms", "load_open_items", "load_payments", "load_terms", "match_payments",
]
