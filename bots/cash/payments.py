"""Incoming payments, whatever file they came in.

``load_payments`` looks at a file's content (never its name) and reads it as the contract's
JSON list, an ISO 20022 bank statement or notification (camt.053, camt.054, camt.052) or a BAI2
file, always giving ``Payment`` records (``records``) in file order. A payment's ``lines`` are
its remittance (contract 1's lines) and may be empty.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import orjson

from bots.cash.bai2 import read_bai2
from bots.cash.camt053 import read_camt053
from bots.cash.collector import collector_paused
from bots.cash.records import CENT, ZERO, Payment, RemittanceLine
from bots.runtime.errors import InputError
from inbox_parsers.amounts import parse_amount
from inbox_parsers.dates import parse_date


@collector_paused()
def load_payments(path: str | Path) -> list[Payment]:
    """Read a payments file (JSON, camt.053 or BAI2, told apart by content); raise ``InputError``."""
    path = Path(path)
    if not path.is_file():
        raise InputError("payments file not found", str(path))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"payments file cannot be read: {error}", str(path))
    text = _decode(data, path)
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start in ("[", "{"):
        return payments_from_json(text, str(path))
    if start == "<":
        return _guarded(read_camt053, data, path, "ISO 20022 XML")
    if text.lstrip("\ufeff \t\r\n").startswith("01,"):
        return _guarded(read_bai2, text, path, "BAI2")
    raise InputError("payments file is neither a JSON list, a camt.053 statement nor a BAI2 file", str(path))


def _guarded(reader, content, path: Path, kind: str) -> list[Payment]:
    """Run a bank-file reader; a damaged file it did not foresee still ends as an ``InputError``
    (exit 2 and the error JSON), never a traceback."""
    try:
        return reader(content, str(path))
    except InputError:
        raise
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, ArithmeticError) as error:
        raise InputError(f"{kind} payments file is damaged and cannot be read ({type(error).__name__}: {error})",
                         str(path))


def payments_from_json(text: str, file: str | None = None) -> list[Payment]:
    """Payments from the contract's JSON: a list of payment objects (or ``{"payments": [...]}``, or one
    payment object on its own)."""
    try:
        # orjson reads a large file several times faster; it gives JSON numbers as floats, which
        # _amount turns back into the decimal that was written (money is normally a string there).
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise InputError(f"payments file is not valid JSON: {error.msg} at line {error.lineno}", file)
    if isinstance(data, dict) and isinstance(data.get("payments"), list):
        data = data["payments"]
    elif isinstance(data, dict) and ("total" in data or "amount" in data):
        data = [data]   # one payment on its own
    if not isinstance(data, list):
        raise InputError("payments JSON must be a list of payments", file)
    payments = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise InputError(f"payment {number} in the JSON is not an object", file)
        payments.append(_payment_from_dict(entry, number, file))
        data[number - 1] = None   # let the parsed dict go: a large file is not held twice
    return payments


def _payment_from_dict(entry: dict, number: int, file: str | None) -> Payment:
    where = (number, entry.get("payment_reference"), None)
    total = _amount(entry.get("total", entry.get("amount")), where, "total", file, required=True)
    lines = entry.get("lines") or []
    if not isinstance(lines, list):
        raise InputError(f"{_describe(where)}: lines must be a list", file)
    return Payment(
        payment_reference=str(entry.get("payment_reference") or f"#{number}"),
        total=total,
        payer=_text(entry.get("payer")),
        payment_date=_date(entry.get("payment_date")),
        currency=(_text(entry.get("currency")) or "").upper() or None,
        memo=_text(entry.get("memo")) or "",
        lines=[_line_from_dict(line, (number, where[1], i), file) for i, line in enumerate(lines, start=1)],
        payer_account=_text(entry.get("payer_account") or entry.get("payer_iban") or entry.get("debtor_account")),
        payer_id=_text(entry.get("payer_id") or entry.get("customer_id")),
    )


def _line_from_dict(line, where: tuple, file: str | None) -> RemittanceLine:
    if not isinstance(line, dict):
        raise InputError(f"{_describe(where)} is not an object", file)
    invoice = _text(line.get("invoice"))
    if not invoice:
        raise InputError(f"{_describe(where)} has no invoice", file)
    gross = _amount(line.get("gross"), where, "gross", file)
    discount = _unsigned(_amount(line.get("discount"), where, "discount", file) or ZERO)
    deduction = _unsigned(_amount(line.get("deduction"), where, "deduction", file) or ZERO)
    # Most lines pay their gross: one Decimal for both (a quarter of a million lines, 26 MiB less).
    paid = gross if gross is not None and line.get("paid") == line.get("gross") else \
        _amount(line.get("paid"), where, "paid", file)
    if paid is None:
        if gross is None:
            raise InputError(f"{_describe(where)} has neither paid nor gross", file)
        paid = gross - discount - deduction
    return RemittanceLine(invoice=invoice, paid=paid, gross=gross, discount=discount, deduction=deduction,
                          invoice_date=_date(line.get("invoice_date")))


def _unsigned(amount: Decimal) -> Decimal:
    """The amount without its sign; the same object when it has none (``abs`` would make a new
    Decimal for every discount and deduction, nearly all of them the shared zero)."""
    return -amount if amount.is_signed() else amount


def _describe(where: tuple, field: str | None = None) -> str:
    """ "payment 3 (P0003) line 2: paid", built only when there is an error to report."""
    number, reference, line = where
    text = f"payment {number} ({reference or 'no reference'})" + (f" line {line}" if line else "")
    return f"{text}: {field}" if field else text


def _amount(value, where: tuple, field: str, file: str | None, required: bool = False) -> Decimal | None:
    if type(value) is str:   # the contract's "1234.50", the common case: one Decimal() and done
        if value == "0.00":
            return ZERO          # most discounts and deductions
        try:
            amount = Decimal(value)
            if value[-3:-2] == ".":   # two places already, and so finite
                return amount
            if amount.is_finite():
                return amount.quantize(CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            pass
    if value is None or value == "":
        if required:
            raise InputError(f"{_describe(where, field)} is missing", file)
        return None
    if isinstance(value, bool):
        raise InputError(f"{_describe(where, field)} is not an amount: {value!r}", file)
    if isinstance(value, float):
        amount = Decimal(repr(value))   # the shortest text that reads back as this float: what was written
    elif isinstance(value, (int, Decimal)):
        amount = Decimal(value)
    else:
        amount = parse_amount(str(value))   # printed the way documents print it: "1,234.50", "(86.20)"
    if amount is None or not amount.is_finite():
        raise InputError(f"{_describe(where, field)} is not an amount: {value!r}", file)
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise InputError(f"{_describe(where, field)} is not an amount: {value!r}", file)


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)   # the contract's own form, and the common one
    except (TypeError, ValueError):
        return parse_date(str(value))


def _text(value) -> str | None:
    """The text with runs of white space made one space; None when empty."""
    if value is None:
        return None
    text = value if type(value) is str else str(value)
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        text = " ".join(text.split())
    return text.strip() or None


def _decode(data: bytes, path: Path) -> str:
    if b"\x00" in data[:1024]:
        raise InputError("payments file is binary, not JSON, XML or BAI2 text", str(path))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("payments file is not text", str(path))
