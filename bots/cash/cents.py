"""Money inside the matcher: whole cents in Python ints.

Exact like ``Decimal`` (amounts arrive with two places), and cheap to add, compare and
search through (subset sums). Amounts are ``Decimal`` when read and two-place strings when
printed.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    """Whole cents of an amount; more than two places is rounded half up (a bank never sends them)."""
    numerator, denominator = amount.as_integer_ratio()   # exact, and one call: the common case
    if 100 % denominator == 0:
        return numerator * (100 // denominator)
    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))


def money(cents: int) -> str:
    """The contracts' money string ("1234.50", "-86.20") for a number of cents."""
    if not cents:
        return "0.00"   # most discounts and deductions
    whole, part = divmod(abs(int(cents)), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"
