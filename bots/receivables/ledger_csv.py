"""Read contract 4's two CSV files into a ``Ledger``, refusing anything that would give a wrong figure.

Invoices: ``customer_id,customer_name,invoice,invoice_date,due_date,currency,amount``
Receipts: ``customer_id,invoice,receipt_date,amount``

Columns are found by name (any order, extra columns ignored); comma or semicolon separated;
UTF-8 with or without a byte-order mark. Dates are ISO 8601, amounts plain decimals
("-86.20"). Every problem raises ``InputError`` naming the file and the row (row 1 is the
first line after the header).
"""

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bots.runtime.errors import InputError
from bots.receivables.ledger import Invoice, Ledger, Receipt

INVOICE_COLUMNS = ["customer_id", "customer_name", "invoice", "invoice_date", "due_date", "currency", "amount"]
RECEIPT_COLUMNS = ["customer_id", "invoice", "receipt_date", "amount"]


def load_ledger(invoices_csv: str | Path, receipts_csv: str | Path) -> Ledger:
    """Read both files; every receipt must pay an invoice of the invoices file."""
    ledger = Ledger(invoices=load_invoices(invoices_csv))
    ledger.receipts = load_receipts(receipts_csv, ledger.invoices)
    return ledger


def load_invoices(path: str | Path) -> list[Invoice]:
    invoices, seen = [], set()
    for number, row in read_rows(path, INVOICE_COLUMNS, "invoices"):
        where = where_is("invoices", number, row.get("invoice"))
        invoice = Invoice(
            customer_id=text_field(row, "customer_id", where, path),
            customer_name=row["customer_name"].strip(),
            invoice=text_field(row, "invoice", where, path),
            invoice_date=date_field(row, "invoice_date", where, path),
            due_date=date_field(row, "due_date", where, path),
            currency=text_field(row, "currency", where, path).upper(),
            amount=amount_field(row, "amount", where, path),
        )
        key = (invoice.customer_id, invoice.invoice)
        if key in seen:
            raise InputError(f"{where}: invoice {invoice.invoice} of customer {invoice.customer_id} "
                             "appears twice in the invoices file", str(path))
        seen.add(key)
        invoices.append(invoice)
    return invoices


def load_receipts(path: str | Path, invoices: list[Invoice]) -> list[Receipt]:
    by_key = {(i.customer_id, i.invoice): i for i in invoices}
    by_number: dict[str, list[Invoice]] = {}
    for invoice in invoices:
        by_number.setdefault(invoice.invoice, []).append(invoice)
    receipts = []
    for number, row in read_rows(path, RECEIPT_COLUMNS, "receipts"):
        where = where_is("receipts", number, row.get("invoice"))
        customer_id, invoice_number = row["customer_id"].strip(), text_field(row, "invoice", where, path)
        invoice = by_key.get((customer_id, invoice_number))
        if invoice is None and not customer_id and len(by_number.get(invoice_number, [])) == 1:
            invoice = by_number[invoice_number][0]      # no customer given, but the number is unique
        if invoice is None:
            whose = f" of customer {customer_id}" if customer_id else ""
            raise InputError(f"{where}: receipt for invoice {invoice_number}{whose}, which is not in the invoices file",
                             str(path))
        receipts.append(Receipt(customer_id=invoice.customer_id, invoice=invoice.invoice,
                                receipt_date=date_field(row, "receipt_date", where, path),
                                amount=amount_field(row, "amount", where, path)))
    return receipts


def read_rows(path: str | Path, columns: list[str], kind: str):
    """(row number, row dict with lower-case column names) for each non-blank data row."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{kind} file not found", str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{kind} file cannot be read as UTF-8 text: {error}", str(path))
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(f"{kind} file is empty; expected the header " + ",".join(columns), str(path))
    separator = ";" if lines[0].count(";") > lines[0].count(",") else ","
    try:
        reader = csv.reader(lines, delimiter=separator)
        header = [name.strip().lower() for name in next(reader)]
        missing = [name for name in columns if name not in header]
        if missing:
            raise InputError(f"{kind} CSV lacks column(s) " + ", ".join(missing) + "; expected " + ",".join(columns),
                             str(path))
        for number, values in enumerate(reader, start=1):
            if not any(value.strip() for value in values):
                continue
            if len(values) < len(header):
                raise InputError(f"{where_is(kind, number, None)}: {len(values)} fields where the header has "
                                 f"{len(header)}", str(path))
            yield number, dict(zip(header, values))
    except csv.Error as error:
        raise InputError(f"{kind} file is not a readable CSV: {error}", str(path))


def where_is(kind: str, number: int, invoice: str | None) -> str:
    label = f"{kind} row {number} (line {number + 1})"
    return label + (f", invoice {invoice.strip()}" if invoice and invoice.strip() else "")


def text_field(row: dict, column: str, where: str, path) -> str:
    value = row[column].strip()
    if not value:
        raise InputError(f"{where}: {column} is empty", str(path))
    return value


def date_field(row: dict, column: str, where: str, path) -> date:
    value = row[column].strip()
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{where}: {column} {value!r} is not a date (expected YYYY-MM-DD)", str(path))


def amount_field(row: dict, column: str, where: str, path) -> Decimal:
    value = row[column].strip()
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not value or "e" in value.lower():
        raise InputError(f"{where}: {column} {value!r} is not an amount (expected a plain decimal like -86.20)",
                         str(path))
    return amount
