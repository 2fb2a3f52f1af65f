"""Money inside the matcher: whole cents in Python ints.

Exact like ``Decimal`` (amounts arrive with two places), and cheap to add, compare and
search through (subset sums). Amounts become ``Decimal`` again at the edges.
"""

from decimal import Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    """Whole cents of an amount; more than two places is rounded half up (a bank never sends them)."""
    from decimal import ROUND_HALF_UP

    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))


def to_decimal(cents: int) -> Decimal:
    """The amount of ``cents`` as a two-place ``Decimal``."""
    return Decimal(int(cents)).scaleb(-2).quantize(CENT)


def money(cents: int) -> str:
    """The contracts' money string ("1234.50", "-86.20") for a number of cents."""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"
