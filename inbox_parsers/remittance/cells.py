"""What one cell of text is: an amount, a date, a blank marker or text.

Shared by the table stages (which column can a phrase belong to?) and the record stage
(what does it say?).
"""

import re
from decimal import Decimal
from functools import lru_cache

from inbox_parsers.amounts import parse_amount
from inbox_parsers.dates import parse_date

_FILLER = re.compile(r"[*]+")
_BLANKS = {"-", "--", "—", "–", "n/a", "na", "", "."}


def read_money(text: str | None, decimal_comma: bool | None) -> Decimal | None:
    """An amount printed with cents ("1,234.56", "(12.00)", "1.00-", "$***1,234.56"), or None."""
    if not text:
        return None
    s = _FILLER.sub("", text).strip()
    value = parse_amount(s, decimal_comma=decimal_comma, require_cents=True)
    if value is None and decimal_comma is None:
        return None
    if value is None:
        # A document may print an odd amount in the other convention ("1234.56" in a 1.234,56 table).
        value = parse_amount(s, decimal_comma=None, require_cents=True)
    return value


def is_blank(text: str) -> bool:
    """A dash or "n/a" where an amount would be: zero."""
    return text.strip().lower() in _BLANKS


@lru_cache(maxsize=65536)
def kind_of(text: str, decimal_comma: bool | None) -> str:
    """"money", "date", "blank" or "text" (cached: tables repeat the same few shapes)."""
    if is_blank(text):
        return "blank"
    if parse_date(text) is not None:
        return "date"
    if read_money(text, decimal_comma) is not None:
        return "money"
    return "text"
