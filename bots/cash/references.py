"""Invoice references as payers write them, reduced to keys that can be compared.

Remittances mangle our invoice numbers: ``INV-10102`` arrives as ``inv 10102``, ``10102``,
``IN10102``, ``INV00010102``, ``INV-10102/1`` or ``INV-10201``. Each key forgives a little
more than the one before it, and the matcher tries them in that order:

==============  =============================================  ==================
key             what it forgives                               ``INV-0010102/1``
==============  =============================================  ==================
``exact``       nothing but surrounding spaces                 ``INV-0010102/1``
``compact``     case, spaces and punctuation                   ``INV00101021``
``digits``      also a missing or different letter prefix,     ``101021``
                and leading zeros
``stem``        also a short suffix (``/1``, ``-A``, ``-02``)   ``10102``
==============  =============================================  ==================

A transposed digit is not a key: ``transpositions`` lists the neighbours of a digits key,
and the matcher accepts one only when it is unique and the amount agrees.
"""

import re

import pandas as pd

KEY_LEVELS = ("exact", "compact", "digits", "stem")

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
# str.translate tables: C-speed filtering, since a million invoice numbers pass through here.
_DROP_ASCII_PUNCTUATION = str.maketrans("", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum()))
_DROP_DIGITS = str.maketrans("", "", _DIGITS)
_MAY_HAVE_SUFFIX = re.compile(r"[\s/\-_.]")
_SUFFIX = re.compile(r"[\s/\-_.]+(?:\d{1,2}|[A-Z]{1,2})$", re.IGNORECASE)
# A token in a bank memo worth trying as an invoice number: letters, digits and joiners,
# with at least four digits in it.
_MEMO_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/\-_.]*[A-Za-z0-9]")
_AMOUNT_LIKE = re.compile(r"^\d{1,3}(?:,\d{3})*\.\d{2}$|^\d+[.,]\d{2}$")
_DATE_LIKE = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|20\d{6})$")
MIN_DIGITS = 3


def exact_key(reference) -> str | None:
    """The reference as printed, without surrounding spaces."""
    text = str(reference).strip() if reference is not None else ""
    return text or None


def compact_key(reference) -> str | None:
    """Upper case, letters and digits only: ``inv 10102`` and ``INV-10102`` both give ``INV10102``."""
    key = _compact(str(reference or ""))
    return key if _digit_count(key) >= MIN_DIGITS else None


def digits_key(reference) -> str | None:
    """The compact key without its letter prefix and leading zeros (``INV00010102`` gives ``10102``)."""
    key = _compact(str(reference or "")).lstrip(_LETTERS).lstrip("0")
    return key if _digit_count(key) >= MIN_DIGITS else None


def stem_key(reference) -> str | None:
    """The digits key after dropping a short instalment or line suffix (``INV-10102/1`` gives ``10102``).

    None when the reference has no such suffix, so the stem never repeats the digits key.
    """
    text = str(reference or "").strip()
    stripped = _SUFFIX.sub("", text)
    if stripped == text:
        return None
    return digits_key(stripped)


def keys_of(reference) -> tuple:
    """The four keys of one reference: (exact, compact, digits, stem).

    The same as calling the four functions, computed together since a million open items
    pass through here.
    """
    if not isinstance(reference, str):
        return None, None, None, None
    exact = reference.strip()
    if not exact:
        return None, None, None, None
    compact = _compact(exact)
    digits = compact.lstrip(_LETTERS).lstrip("0")
    stem = stem_key(exact) if _MAY_HAVE_SUFFIX.search(exact[-4:]) else None
    if (len(digits) if digits.isdigit() else _digit_count(digits)) >= MIN_DIGITS:
        return exact, compact, digits, stem   # the digits are in the compact key too
    return exact, compact if _digit_count(compact) >= MIN_DIGITS else None, None, stem


def reference_keys(references: pd.Series) -> pd.DataFrame:
    """The four keys of many references, one row each (same index), columns ``KEY_LEVELS``."""
    return pd.DataFrame([keys_of(reference) for reference in references.tolist()], columns=list(KEY_LEVELS),
                        index=references.index, dtype=object)


def transpositions(key: str | None) -> list[str]:
    """Every key made by swapping two neighbouring, different digits (``10102`` gives ``01102``...).

    Leading zeros are dropped again, since digits keys carry none.
    """
    if not key:
        return []
    variants = []
    for i in range(len(key) - 1):
        a, b = key[i], key[i + 1]
        if a != b and a.isdigit() and b.isdigit():
            variant = (key[:i] + b + a + key[i + 2:]).lstrip("0")
            if _digit_count(variant) >= MIN_DIGITS and variant not in variants:
                variants.append(variant)
    return variants


def memo_references(memo: str | None, exclude: set[str] = frozenset()) -> list[str]:
    """Tokens of a bank memo that may be invoice numbers, in order.

    An ISO 11649 creditor reference (``RF18INV10102``) gives the reference inside it. Amounts
    (``6073.26``), dates and anything in ``exclude`` (the payment's own reference) are left
    out; so are tokens with fewer than four digits, which are too short to trust.
    """
    found = []
    for token in _MEMO_TOKEN.findall(memo or ""):
        token = token.strip(".-_/")
        creditor = creditor_reference(token)
        if creditor:
            token = creditor
        elif _AMOUNT_LIKE.match(token) or _DATE_LIKE.match(token) or token in exclude:
            continue
        if _digit_count(token) >= 4 and token not in found:
            found.append(token)
    return found


def creditor_reference(token: str) -> str | None:
    """The reference inside an ISO 11649 creditor reference ("RF" + two check digits + up to 21
    letters and digits), when ``token`` is one and its check digits hold; else None."""
    text = token.upper().replace(" ", "")
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", text):
        return None
    rearranged = text[4:] + text[:4]
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return text[4:] if int(numeric) % 97 == 1 else None


def _compact(text: str) -> str:
    upper = text.upper()
    compact = upper.translate(_DROP_ASCII_PUNCTUATION)
    # Characters outside ASCII (an accented letter, a non-breaking space) are rare: use a regex then.
    return compact if compact.isascii() else re.sub(r"[^0-9A-Z]+", "", upper)


def _digit_count(text: str) -> int:
    return len(text) - len(text.translate(_DROP_DIGITS))
