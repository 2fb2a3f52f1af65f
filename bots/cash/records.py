"""What a payment is, whatever file it came in: the records every reader gives.

Kept apart from the readers (``payments``, ``camt053``, ``bai2``) so that each reader imports
only this, and ``payments`` imports the readers: no module of ``bots.cash`` imports one that
imports it back.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(slots=True)
class RemittanceLine:
    """One invoice or credit memo a payer says the payment settles."""

    invoice: str
    paid: Decimal
    gross: Decimal | None = None
    discount: Decimal = ZERO
    deduction: Decimal = ZERO
    invoice_date: date | None = None


@dataclass(slots=True)
class Payment:
    """One incoming payment: who paid, how much, and what they said it was for."""

    payment_reference: str
    total: Decimal
    payer: str | None = None
    payment_date: date | None = None
    currency: str | None = None
    memo: str = ""
    lines: list[RemittanceLine] = field(default_factory=list)
    payer_account: str | None = None   # the payer's IBAN or account number, when the bank gives it
    payer_id: str | None = None        # a customer or originator id the payer sent along
    charges: Decimal = ZERO            # bank charges taken from the credit (the total is before them)
    creditor_reference: str | None = None   # an ISO 11649 "RF" reference whose check digits hold
