"""When a cash discount taken on a remittance is earned.

The open-items export has no payment terms, so the matcher judges a discount by what it
can see, the way a clerk without the contract at hand would: the discount may be at most
``max_rate`` of the invoice's gross amount (2% for the common "2/10 net 30"), and the
payment must come within ``days`` (+ ``grace_days``) of the invoice date. A per-customer
terms CSV (``customer_id,discount_rate,discount_days``) overrides both for its customers.
A discount that fails either test is unearned: an underpayment for a person to decide.
"""

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bots.errors import InputError


@dataclass(frozen=True)
class Terms:
    """A cash-discount term: ``rate`` off when paid within ``days`` of the invoice date."""

    rate: Decimal = Decimal("0.02")
    days: int = 10


@dataclass
class DiscountPolicy:
    """Default terms, per-customer terms, and the grace allowed for bank and mail delays."""

    default: Terms = Terms()
    grace_days: int = 3
    per_customer: dict[str, Terms] = field(default_factory=dict)

    def __post_init__(self):
        if not Decimal("0") <= self.default.rate < Decimal("1"):
            raise ValueError(f"discount rate must be between 0 and 1, not {self.default.rate}")
        if self.default.days < 0 or self.grace_days < 0:
            raise ValueError("discount days and grace days cannot be negative")

    def judge(self, customer_id: str, gross_cents: int, discount_cents: int,
              invoice_date: date | None, payment_date: date | None) -> str | None:
        """None when the discount is earned, else a plain sentence saying why it is not."""
        terms = self.per_customer.get(customer_id, self.default)
        allowed = int((Decimal(abs(gross_cents)) * terms.rate).to_integral_value()) + 1  # a cent for rounding
        if discount_cents > allowed:
            share = Decimal(discount_cents) / Decimal(abs(gross_cents) or 1) * 100
            return f"discount of {share:.2f}% exceeds the {terms.rate * 100:.2f}% the terms allow"
        if invoice_date and payment_date:
            late = (payment_date - invoice_date).days - terms.days
            if late > self.grace_days:
                return (f"discount taken {(payment_date - invoice_date).days} days after the invoice date; "
                        f"terms allow {terms.days} days")
        return None


def load_terms(path: str | Path, policy: DiscountPolicy) -> DiscountPolicy:
    """Add per-customer terms from a CSV (``customer_id,discount_rate,discount_days``) to ``policy``.

    ``discount_rate`` may be written as a fraction (0.02) or a percentage (2 or 2%).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("terms file not found", str(path))
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                rate_text = (row.get("discount_rate") or "").strip().rstrip("%")
                rate = Decimal(rate_text)
                if rate >= 1:
                    rate = rate / 100
                policy.per_customer[row["customer_id"].strip()] = Terms(rate, int(row["discount_days"]))
    except (KeyError, InvalidOperation, ValueError, TypeError, UnicodeDecodeError) as error:
        raise InputError(f"terms file row {number} cannot be read ({error}); "
                         "expected columns customer_id,discount_rate,discount_days", str(path))
    return policy
