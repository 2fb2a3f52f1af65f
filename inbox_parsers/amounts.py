"""Money as printed on documents, to ``decimal.Decimal``.

Payers print amounts every way there is: ``1,234.56`` (US), ``1.234,56`` (Europe),
``1 234,56``, ``1'234.56`` (Swiss), negatives as ``-1.00``, ``(1.00)``, ``1.00-`` or
``1.00 CR``, with or without a currency sign. ``parse_amount`` reads one of them;
``decimal_comma_in`` decides from a whole document which convention it follows, since
``1,234`` alone cannot say.
"""

import re
from decimal import Decimal, InvalidOperation, ROUND_HALF_UP

CENT = Decimal("0.01")

_CURRENCY_MARKS = re.compile(r"(?i)\b(?:USD|EUR|GBP|CAD|AUD|CHF|SEK|NOK|DKK|JPY|MXN|PLN|CZK)\b|[$€£¥]")
_CREDIT_SUFFIX = re.compile(r"(?i)\s*\bCR\.?$")
_AMOUNT_SHAPE = re.compile(r"^[+-]?\d[\d.,' \u00a0\u202f]*$")


def money(value: Decimal | str | int) -> str:
    """Format an amount as the contracts want it: two places, no separators ("1234.50")."""
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def looks_like_amount(text: str) -> bool:
    """True when ``text`` reads as an amount with two decimals (what money columns hold)."""
    return parse_amount(text, require_cents=True) is not None


def parse_amount(text: str, decimal_comma: bool | None = None, require_cents: bool = False) -> Decimal | None:
    """Read one printed amount; return None when ``text`` is not an amount.

    :param decimal_comma: True when the document writes ``1.234,56``, False for ``1,234.56``,
        None to guess from this text alone (a separator followed by exactly two digits at the
        end is the decimal one).
    :param require_cents: accept only amounts printed with two decimals.
    """
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if _CREDIT_SUFFIX.search(s):
        negative, s = True, _CREDIT_SUFFIX.sub("", s)
    s = _CURRENCY_MARKS.sub("", s).strip()
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s.endswith("-"):
        negative, s = True, s[:-1].strip()
    if s.startswith("-") or s.startswith("\u2212"):
        negative, s = True, s[1:].strip()
    elif s.startswith("+"):
        s = s[1:].strip()
    s = _CURRENCY_MARKS.sub("", s).strip()
    if not _AMOUNT_SHAPE.match(s):
        return None
    s = re.sub(r"[ \u00a0\u202f']", "", s)
    if decimal_comma is None:
        decimal_comma = _guess_decimal_comma(s)
    thousands, point = (".", ",") if decimal_comma else (",", ".")
    if s.count(point) > 1:
        return None
    whole, _, cents = s.partition(point)
    if require_cents and len(cents) != 2:
        return None
    if thousands in whole and not re.fullmatch(r"\d{1,3}(?:" + re.escape(thousands) + r"\d{3})+", whole):
        return None
    try:
        value = Decimal(whole.replace(thousands, "") + ("." + cents if cents else ""))
    except InvalidOperation:
        return None
    return -value if negative else value


def _guess_decimal_comma(s: str) -> bool:
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return last_comma > last_dot
    if last_comma >= 0:
        # "12,50" is a decimal comma; "1,250" a thousands comma.
        return len(s) - last_comma - 1 != 3
    return False


def decimal_comma_in(texts) -> bool | None:
    """Decide from many printed amounts whether the document uses a decimal comma.

    Each amount printed with two decimals votes for the separator before them.
    Returns True (``1.234,56``), False (``1,234.56``) or None when nothing tells.
    """
    comma = point = 0
    for text in texts:
        s = re.sub(r"[^\d.,]", "", text or "")
        if re.search(r",\d{2}$", s):
            comma += 1
        elif re.search(r"\.\d{2}$", s):
            point += 1
    if comma == point:
        return None
    return comma > point
