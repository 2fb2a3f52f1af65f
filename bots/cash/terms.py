"""When a cash discount taken on a remittance is earned.

The open-items export has no payment terms, so without a terms file the matcher judges a
discount the way a clerk without the contract at hand would: by the standard terms the
business offers ("2/10 net 30" and "1/15 net 30" unless told otherwise). A discount is
earned when one of them allows it: at most that share of the invoice's gross amount, taken
within that many days (+ ``grace_days`` for bank and mail delays) of the invoice date. A
per-customer terms CSV (``customer_id,discount_rate,discount_days``, as the ERP's customer
master gives them) replaces the standard terms for its customers; a rate of 0 there means
the customer gets no discount at all. A discount that fails is unearned: an underpayment
for a person to decide.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bots.runtime.errors import InputError


@dataclass(frozen=True)
class Terms:
    """A cash-discount term: ``rate`` off when paid within ``days`` of the invoice date."""

    rate: Decimal = Decimal("0.02")
    days: int = 10

    def __str__(self) -> str:
        return f"{self.rate * 100:.4g}/{self.days}"


STANDARD_TERMS = (Terms(Decimal("0.02"), 10), Terms(Decimal("0.01"), 15))


@dataclass
class DiscountPolicy:
    """Standard terms, per-customer terms, and the grace allowed for bank and mail delays."""

    standard: tuple[Terms, ...] = STANDARD_TERMS
    grace_days: int = 3
    per_customer: dict[str, Terms] = field(default_factory=dict)

    def __post_init__(self):
        for terms in self.standard:
            if not Decimal("0") <= terms.rate < Decimal("1") or terms.days < 0:
                raise ValueError(f"discount terms {terms} are not a rate between 0 and 1 and a number of days")
        if self.grace_days < 0:
            raise ValueError("grace days cannot be negative")

    def judge(self, customer_id: str, gross_cents: int, discount_cents: int,
              invoice_date: date | None, payment_date: date | None) -> str | None:
        """None when the discount is earned, else a plain sentence saying why it is not."""
        own = self.per_customer.get(customer_id)
        options = (own,) if own is not None else self.standard
        reasons = [self._against(terms, gross_cents, discount_cents, invoice_date, payment_date) for terms in options]
        if any(reason is None for reason in reasons):
            return None
        which = f"the customer's terms {own}" if own is not None else "the standard terms " + ", ".join(map(str, options))
        return f"{reasons[0]} ({which})"

    def judge_unclaimed(self, customer_id: str, gross_cents: int, gap_cents: int,
                        invoice_date: date | None, payment_date: date | None) -> str | None:
        """Like ``judge``, for a gap nobody called a discount (a bank memo, no remittance): it is
        taken as the discount only when it is one of the terms' discounts to the cent (give or
        take one for rounding). A smaller, odd gap is a short payment, not a discount."""
        own = self.per_customer.get(customer_id)
        options = (own,) if own is not None else self.standard
        for terms in options:
            exact = int((Decimal(abs(gross_cents)) * terms.rate).to_integral_value())
            if abs(gap_cents - exact) <= 1 and self._against(terms, gross_cents, gap_cents, invoice_date,
                                                             payment_date) is None:
                return None
        verdict = self.judge(customer_id, gross_cents, gap_cents, invoice_date, payment_date)
        return verdict or f"{gap_cents / 100:.2f} short is not the discount of any terms"

    def valid_discounts(self, customer_id: str, gross_cents: int, invoice_date: date | None,
                        payment_date: date | None) -> list[int]:
        """The discounts (cents, largest first) the customer's terms still allow on ``payment_date``
        for an invoice of ``gross_cents``: what a payer without remittance may have taken. None
        without an invoice date, since then nobody can tell."""
        if invoice_date is None or payment_date is None:
            return []
        own = self.per_customer.get(customer_id)
        options = (own,) if own is not None else self.standard
        days = (payment_date - invoice_date).days
        found = {int((Decimal(abs(gross_cents)) * terms.rate).to_integral_value()) for terms in options
                 if terms.rate > 0 and 0 <= days <= terms.days + self.grace_days}
        return sorted(found - {0}, reverse=True)

    def longest_discount_days(self) -> int:
        """The most days after the invoice date that any terms (with grace) still allow a discount."""
        terms = list(self.standard) + list(self.per_customer.values())
        return max((t.days for t in terms if t.rate > 0), default=-1) + self.grace_days

    def _against(self, terms: Terms, gross_cents: int, discount_cents: int, invoice_date, payment_date) -> str | None:
        allowed = int((Decimal(abs(gross_cents)) * terms.rate).to_integral_value()) + 1   # a cent for rounding
        if discount_cents > allowed:
            share = Decimal(discount_cents) / Decimal(abs(gross_cents) or 1) * 100
            return f"discount of {share:.2f}% exceeds the {terms.rate * 100:.2f}% allowed"
        if invoice_date and payment_date:
            days = (payment_date - invoice_date).days
            if days > terms.days + self.grace_days:
                return f"discount taken {days} days after the invoice date, {terms.days} allowed"
        return None


def parse_terms(text: str) -> tuple[Terms, ...]:
    """Standard terms written as a clerk says them: ``"2/10,1/15"`` (percent off / days)."""
    found = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%?\s*/\s*(\d+)", part)
        if not match:
            raise ValueError(f"cannot read discount terms {part!r}; write them like 2/10 (2% within 10 days)")
        found.append(Terms(Decimal(match[1]) / 100, int(match[2])))
    return tuple(found)


def load_terms(path: str | Path, policy: DiscountPolicy) -> DiscountPolicy:
    """Add per-customer terms from a CSV (``customer_id,discount_rate,discount_days``) to ``policy``.

    ``discount_rate`` may be written as a fraction (0.02) or a percentage (2 or 2%).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("terms file not found", str(path))
    number = 1
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                rate_text = (row.get("discount_rate") or "0").strip().rstrip("%") or "0"
                rate = Decimal(rate_text)
                if rate >= 1:
                    rate = rate / 100
                days = int((row.get("discount_days") or "0").strip() or 0)
                policy.per_customer[row["customer_id"].strip()] = Terms(rate, days)
    except (KeyError, InvalidOperation, ValueError, TypeError, AttributeError, UnicodeDecodeError) as error:
        raise InputError(f"terms file row {number} cannot be read ({error}); "
                         "expected columns customer_id,discount_rate,discount_days", str(path))
    return policy
