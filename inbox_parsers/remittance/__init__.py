"""Remittance advices (PDF) to the records of contract 1 (``o2c parse-remittance``).

Usage::

    from inbox_parsers.remittance import parse_remittance
    remittance = parse_remittance("advice.pdf")   # a dict shaped as contract 1, Decimals for money
    remittance["lines"][0]["paid"]

The parser is a chain of pure functions, one module each, and keeps every stage's result
in ``Parsed`` for inspection and exception evidence:

1. ``pdf_words.read_pages``      file -> words and rulings per page (one pdfplumber pass)
2. ``lines.words_to_lines``      words -> lines -> phrases
3. ``header_rows.find_header``   a line -> a table header and its columns
4. ``rows.read_tables``          lines -> table rows (items, page totals, forward rows, totals)
5. ``records.rows_to_records``   rows -> invoice lines
6. ``header_fields``             lines outside tables -> payer, reference, date, method, currency, total
7. ``validation.check``          the record -> warnings

Tables are found by structure, never by payer; ``templates`` holds optional per-payer
settings for the few payers that need them.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from inbox_parsers.amounts import decimal_comma_in, money
from inbox_parsers.dates import day_first_in, find_dates, parse_date

from .cells import kind_of
from .header_fields import HeaderFields, amounts_in, currency_in, payment_method, read_header_fields
from .lines import Line, words_to_lines
from .pdf_words import PageWords, read_pages
from .records import rows_to_records
from .rows import Tables, read_tables
from .settings import ParseSettings
from .vocabulary import norm
from .templates import settings_for
from .validation import check

__all__ = ["parse_remittance", "parse_file", "parse_pages", "to_contract", "Parsed", "ParseSettings"]


@dataclass
class Parsed:
    """Every stage's output for one document."""

    pages: list[PageWords]
    lines: list[Line]
    decimal_comma: bool | None
    day_first: bool | None
    tables: Tables
    fields: HeaderFields
    remittance: dict = field(default_factory=dict)


def parse_remittance(path, settings=None) -> dict:
    """Parse one remittance advice PDF into contract 1's record (money as Decimal).

    :raises bots.runtime.errors.InputError: the file is missing, not a PDF, damaged, encrypted or scanned.
    """
    return parse_file(path, settings).remittance


def parse_file(path, settings=None) -> Parsed:
    """Like ``parse_remittance`` but returns every stage's result."""
    settings = ParseSettings.resolve(settings)
    pages = read_pages(path, x_tolerance=settings.x_tolerance)
    template = settings_for(pages)
    if template is not None and settings == ParseSettings():
        settings = template
    return parse_pages(pages, settings)


def parse_pages(pages: list[PageWords], settings: ParseSettings | None = None) -> Parsed:
    """Run stages 2 to 7 over words already read from a PDF."""
    settings = ParseSettings.resolve(settings)
    lines: list[Line] = []
    for page in pages:
        lines.extend(words_to_lines(page, settings.line_overlap, settings.phrase_gap))
    for index, line in enumerate(lines):
        line.index = index

    words = [w.text for page in pages for w in page.words]
    date_texts = _plausible_dates([d for line in lines for d in find_dates(line.text)])
    decimal_comma = decimal_comma_in(w for w in words if parse_date(w) is None)
    verticals = {page.number: page.verticals for page in pages}
    horizontals = {page.number: page.horizontals for page in pages}
    tables = read_tables(lines, verticals, decimal_comma, settings.column_labels or None, horizontals)
    fields = read_header_fields(lines, tables.used, decimal_comma, pages[0].height)

    currency = fields.values.get("currency") or currency_in(words, decimal_comma)
    day_first = day_first_in(date_texts, currency)
    records = rows_to_records(tables.rows, decimal_comma, day_first)

    warnings = []
    total = fields.values.get("total")
    table_total = _table_total(tables, decimal_comma)
    if total is None:
        total = table_total
    elif table_total is not None and table_total != total:
        warnings.append(f"the table's total {table_total} differs from the payment amount {total}")
    payment_date = fields.values.get("payment_date")
    remittance = {
        "payer": fields.values.get("payer"),
        "payment_reference": fields.values.get("payment_reference"),
        "payment_date": _iso(payment_date, day_first),
        "payment_method": payment_method(fields.values.get("payment_method"), currency),
        "currency": currency,
        "total": total,
        "lines": records,
        "warnings": warnings,
    }
    if not tables.headers:
        remittance["warnings"].append("no table of invoice lines was recognised; lines left empty")
    remittance["warnings"].extend(check(remittance))
    return Parsed(pages, lines, decimal_comma, day_first, tables, fields, remittance)


def to_contract(remittance: dict) -> dict:
    """The record as contract 1's JSON types: money as "1234.50" strings."""
    out = dict(remittance)
    out["total"] = money(out["total"]) if out.get("total") is not None else None
    out["lines"] = [
        {**line, **{k: money(line[k]) for k in ("gross", "discount", "deduction", "paid")}}
        for line in remittance["lines"]
    ]
    return out


_OTHER_TOTALS = ("invoice", "gross", "discount", "deduction", "credit", "adjust", "less", "due")


def _table_total(tables: Tables, decimal_comma) -> Decimal | None:
    """The grand total row's paid amount (the right-most amount when there is no paid cell)."""
    from .cells import read_money

    for row in reversed(tables.rows):
        if row.kind != "total":
            continue
        label = norm(" ".join(p.text for p in row.line.phrases if kind_of(p.text, decimal_comma) == "text"))
        if any(word in label for word in _OTHER_TOTALS):
            continue  # "Total invoices", "Total discount": not what was paid
        for role in ("paid", "gross"):
            for text in reversed(row.cells.get(role, [])):
                value = read_money(text, decimal_comma)
                if value is not None:
                    return value
        amounts = [read_money(p.text, decimal_comma) for p in row.line.phrases
                   if kind_of(p.text, decimal_comma) == "money"]
        if amounts:
            return amounts[-1]
        # label and amount in one phrase ("Payment total: CAD 168,392.91")
        amounts = amounts_in(row.line.text.split(), decimal_comma)
        if amounts:
            return amounts[-1][1]
    return None


def _plausible_dates(texts: list[str]) -> list[str]:
    """The dates that may vote on day/month order.

    Where the document prints four-digit years, a short "12-13-55" is something else (a UK
    sort code, a part number) and must not decide the order of the real dates.
    """
    short = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}$")
    if any(not short.match(t) and re.search(r"\d{4}", t) for t in texts):
        return [t for t in texts if not short.match(t)]
    return texts


def _iso(text, day_first) -> str | None:
    if not text:
        return None
    parsed = parse_date(text, day_first)
    return parsed.isoformat() if parsed else None
