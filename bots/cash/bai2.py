"""BAI2 cash-management files (US banks), read into ``Payment`` records.

Records are comma-separated and end in "/" (lines may end in CRLF and be padded with spaces to
80 columns); an ``88`` record continues the one before it, its fields or, once a ``16`` has
reached its text, its text. A file must start with ``01`` and end with ``99``; a file cut short
is damaged, not a shorter list of payments. Type codes 100-399 are credits; debits (400-699),
loan (700-799) and customized or non-monetary codes (900-999) never become payments.
``02`` (group) gives the as-of date and maybe a currency, ``03`` (account) the account's
currency (default USD). Each ``16`` transaction with a credit type code (100-399) is a
payment: amount in cents, funds type (with its extra fields), bank reference, customer
reference and free text. From the text come the payer (``ORIG CO NAME:``, ``B/O:``...),
the originator id, and ACH remittance (``RMR*IV*...`` addenda) when it is there.
"""

import re
from datetime import date
from decimal import Decimal

from bots.cash.records import Payment, RemittanceLine
from bots.runtime.errors import InputError

_PAYER_LABELS = re.compile(
    r"(?:ORIG CO NAME|ORIGINATOR NAME|ORIGINATOR|ORIG NAME|B/O|BY ORDER OF|SENDER NAME|SENDER|PAYER NAME|PAYER|"
    r"ORDERING CUSTOMER|DEBTOR NAME|FROM)\s*[:=]\s*")
# Where a payer name ends: the next "LABEL:" (one or two words), ACH addenda, or a word that
# starts the free-text part of a wire (REF, INV, OBI...).
_NEXT_LABEL = re.compile(r"\s+(?:[A-Z/]+(?: [A-Z/]+)?\s*[:=]|RMR\*|(?:REF|RE|INV|INVOICE|INVOICES|PMT|OBI|RFB|ATTN)\b)")
_ORIGINATOR_ID = re.compile(r"(?:ORIG ID|ORIGINATOR ID|CO ID|COMPANY ID)\s*[:=]\s*([A-Z0-9\-]+)")
_RMR = re.compile(r"RMR\*(?:IV|IK|OI|CM|CR)\*([^*\\~]+)\*[A-Z]{0,2}\*(-?\d+(?:\.\d+)?)(?:\*(-?\d+(?:\.\d+)?)?)?(?:\*(-?\d+(?:\.\d+)?)?)?")


def read_bai2(text: str, file: str | None = None) -> list[Payment]:
    """All credit transactions of a BAI2 file, in file order."""
    records = _records(text, file)
    if not records or records[0][0][0] != "01":
        raise InputError("payments file is not a BAI2 file (no 01 file header)", file)
    if records[-1][0][0] != "99":
        raise InputError("BAI2 file ends without its 99 file trailer: it was cut short or damaged", file)
    payments = []
    as_of: date | None = None
    group_currency = account_currency = "USD"
    in_account = False
    for number, (fields, continued) in enumerate(records, start=1):
        code = fields[0]
        if code == "02":
            as_of = _yymmdd(_field(fields, 4))
            group_currency = _field(fields, 6) or "USD"
            account_currency = group_currency
        elif code == "03":
            account_currency = _field(fields, 2) or group_currency
            in_account = True
        elif code == "49":
            in_account = False
        elif code == "16":
            if not in_account:
                raise InputError(f"BAI2 record {number}: a 16 transaction outside any 03 account record", file)
            payment = _transaction(fields, continued, as_of, account_currency, number, file)
            if payment is not None:
                payments.append(payment)
        elif code not in ("01", "98", "99"):
            raise InputError(f"BAI2 record {number}: unknown record type {code!r}", file)
    return payments


def _transaction(fields: list[str], continued: list[str], as_of, currency, number, file) -> Payment | None:
    type_code = _field(fields, 1)
    if not type_code.isdigit():
        raise InputError(f"BAI2 record {number}: type code {type_code!r} is not a number", file)
    amount_text = _field(fields, 2)
    if amount_text and not amount_text.lstrip("+-").isdigit():
        raise InputError(f"BAI2 record {number}: amount {amount_text!r} is not in cents", file)
    if not 100 <= int(type_code) <= 399:
        return None  # debits (400-699) and non-monetary codes are not payments
    total = Decimal(int(amount_text or 0)).scaleb(-2).quantize(Decimal("0.01"))
    position = 3 + _funds_type_width(fields)
    bank_reference = _field(fields, position)
    customer_reference = _field(fields, position + 1)
    pieces = [",".join(fields[position + 2:])] + continued
    if customer_reference.upper() in ("NONREF", "NONE"):
        customer_reference = ""   # BAI2's word for "no reference"
    memo = " ".join(" ".join(pieces).split())
    # Banks wrap text onto 88 records anywhere, even inside an addenda segment: read the
    # addenda from the pieces joined as they were cut.
    lines = [RemittanceLine(invoice=m[1].strip(), paid=_decimal(m[2]), gross=_decimal(m[3]) if m[3] else None,
                            discount=abs(_decimal(m[4])) if m[4] else Decimal("0.00"))
             for m in _RMR.finditer("".join(pieces))]
    if lines and sum(line.paid for line in lines) != total:
        lines = []   # a truncated addenda copy: keep it as memo only
    return Payment(payment_reference=customer_reference or bank_reference or f"BAI2-{number}", total=total,
                   payer=_payer(memo), payment_date=as_of, currency=currency.upper(), memo=memo, lines=lines,
                   payer_id=(m[1] if (m := _ORIGINATOR_ID.search(memo)) else None))


def _decimal(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.01"))


def _funds_type_width(fields: list[str]) -> int:
    """How many fields the funds type takes (its code plus its extra fields)."""
    funds = _field(fields, 3).upper()
    if funds == "S":
        return 4
    if funds == "V":
        return 3
    if funds == "D":
        count = _field(fields, 4)
        return 2 + 2 * int(count) if count.isdigit() else 1
    return 1


def _payer(memo: str) -> str | None:
    found = _PAYER_LABELS.search(memo.upper())
    if not found:
        return None
    rest = memo[found.end():]
    end = _NEXT_LABEL.search(rest.upper())
    name = (rest[:end.start()] if end else rest).strip(" ,;/")
    return " ".join(name.split()) or None


def _records(text: str, file: str | None = None) -> list[tuple[list[str], list[str]]]:
    """Records as (fields, continuations). An ``88`` record continues the one before it: its fields
    are that record's next fields, except that once a ``16`` record has reached its text, each
    88 is a further piece of the text (kept apart, since banks cut text anywhere)."""
    records: list[tuple[list[str], list[str]]] = []
    for raw in text.splitlines():
        line = raw.strip()   # CRLF, and records padded with spaces to 80 columns
        if not line:
            continue
        if line.endswith("/"):
            line = line[:-1]
        fields = line.split(",")
        if fields[0] != "88":
            records.append((fields, []))
            continue
        if not records:
            raise InputError("BAI2 file starts with an 88 continuation record that continues nothing", file)
        previous, pieces = records[-1]
        content = ",".join(fields[1:])
        if pieces or (previous[0] == "16" and len(previous) > _text_index(previous)):
            pieces.append(content)
        else:
            previous.extend(fields[1:])
    return records


def _text_index(fields: list[str]) -> int:
    """Where a 16 record's text begins: after type, amount, funds type (and its fields), two references."""
    return 3 + _funds_type_width(fields) + 2


def _field(fields: list[str], index: int) -> str:
    return fields[index].strip() if index < len(fields) else ""


def _yymmdd(text: str) -> date | None:
    try:
        if len(text) == 6 and text.isdigit():
            return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
        if len(text) == 8 and text.isdigit():
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
    return None
