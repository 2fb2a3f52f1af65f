"""Stage 5: table rows to remittance line records (the contract's ``lines``).

Amounts are read with the document's own number format; discount and deduction are made
positive (payers print them negative or in parentheses); a credit memo printed with a
positive amount and a credit type ("CM", "Credit") is made negative.
"""

from decimal import Decimal

from inbox_parsers.dates import parse_date

from .cells import is_blank, read_money
from .rows import Row
from .vocabulary import CREDIT_TYPE_WORDS, norm

ZERO = Decimal("0.00")


def rows_to_records(rows: list[Row], decimal_comma, day_first) -> list[dict]:
    """One record per invoice or credit-memo row, in document order."""
    records = []
    for row in rows:
        if row.kind != "item":
            continue
        record = row_to_record(row, decimal_comma, day_first)
        if record is not None:
            records.append(record)
    return records


def row_to_record(row: Row, decimal_comma, day_first) -> dict | None:
    """Read one item row: invoice, invoice_date, gross, discount, deduction, paid (and reason)."""
    gross = _money(row.cells.get("gross"), decimal_comma)
    paid = _money(row.cells.get("paid"), decimal_comma)
    discount = abs(_money(row.cells.get("discount"), decimal_comma) or ZERO)
    deduction = abs(_money(row.cells.get("deduction"), decimal_comma) or ZERO)
    if gross is None and paid is None:
        return None
    if paid is None:
        paid = gross - discount - deduction
    if gross is None:
        gross = paid + discount + deduction if paid >= 0 else paid
    if _is_credit(row) and gross > 0:
        gross, paid = -gross, -abs(paid)
    date_text = row.cell("invoice_date")
    invoice_date = parse_date(date_text, day_first) if date_text else None
    record = {
        "invoice": row.cell("invoice").strip(),
        "invoice_date": invoice_date.isoformat() if invoice_date else None,
        "gross": gross,
        "discount": discount,
        "deduction": deduction,
        "paid": paid,
    }
    reason = row.cell("reason").strip()
    if reason:
        record["reason"] = reason
    return record


def _money(texts: list[str] | None, decimal_comma) -> Decimal | None:
    """Sum of the amounts in a column's cells (two deduction columns add up); None if none."""
    if not texts:
        return None
    values = [read_money(t, decimal_comma) for t in texts if not is_blank(t)]
    values = [v for v in values if v is not None]
    if not values:
        return ZERO if any(is_blank(t) for t in texts) else None
    return sum(values, ZERO)


def _is_credit(row: Row) -> bool:
    kinds = {norm(t) for t in row.cells.get("doc_type", [])}
    return bool(kinds & CREDIT_TYPE_WORDS)
