"""Purchase-order files (CSV, XLSX, PDF, HTML, text) to orders, by their content and name."""

import re
from dataclasses import replace
from pathlib import PurePath

from inbox_parsers.errors import InputError
from inbox_parsers.purchase_orders.build import Hints, orders_from_lines
from inbox_parsers.dates import find_dates, parse_date
from inbox_parsers.purchase_orders.labels import Header, find_po_number

MAX_FILE_BYTES = 10 * 1024 * 1024


def file_kind(filename: str, data: bytes) -> str:
    """"pdf", "xlsx", "csv", "html" or "text" for a purchase-order file; InputError for
    kinds that cannot hold one we read (zip archives, old .xls, images...)."""
    suffix = PurePath(filename or "").suffix.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if suffix in (".xlsx", ".xlsm") or b"xl/workbook" in data[:4000] or b"[Content_Types].xml" in data[:200] and suffix != ".zip":
            return "xlsx"
        raise InputError(f"{filename} is a zip archive; archives are not opened", filename)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{filename} is an old binary Excel/Office file; save it as XLSX or CSV", filename)
    if suffix in (".pdf", ".xlsx", ".xlsm"):
        raise InputError(f"{filename} is not a valid {suffix[1:].upper()} file", filename)
    if suffix in (".htm", ".html") or re.match(rb"\s*<(?:!doctype|html)", data[:200], re.I):
        return "html"
    if suffix in (".csv", ".tsv", ".txt", ".tab", "") or suffix not in _BINARY_SUFFIXES:
        if b"\x00" in data[:1000] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(f"{filename} is a binary file, not a purchase order", filename)
        return "csv" if suffix in (".csv", ".tsv", ".tab") else "text"
    raise InputError(f"{filename} is not a kind of file that holds a purchase order", filename)


_BINARY_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".zip", ".gz", ".7z", ".rar", ".exe",
                    ".doc", ".docx", ".xls", ".ppt", ".pptx", ".ics", ".p7s", ".mp4", ".mp3", ".wav"}


def file_lines(filename: str, data: bytes) -> list[str]:
    """The text lines of one purchase-order file."""
    from inbox_parsers.purchase_orders.csv_text import csv_lines, decode_text
    from inbox_parsers.purchase_orders.html_text import html_lines
    from inbox_parsers.purchase_orders.pdf_text import pdf_lines
    from inbox_parsers.purchase_orders.xlsx_text import xlsx_lines

    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{filename} is {len(data) / 1048576:.1f} MB, over the {MAX_FILE_BYTES // 1048576} MB limit for a purchase order", filename)
    if not data.strip():
        raise InputError(f"{filename} is empty", filename)
    kind = file_kind(filename, data)
    if kind == "pdf":
        return pdf_lines(data, filename)
    if kind == "xlsx":
        return xlsx_lines(data, filename)
    if kind == "html":
        return html_lines(decode_text(data, filename))
    if kind == "csv":
        return csv_lines(data, filename)
    return decode_text(data, filename).splitlines()


def orders_from_file(filename: str, data: bytes, known_skus: set[str] | None = None,
                     hints: Hints | None = None) -> list[dict]:
    """Orders (contract-2 order dicts) in one CSV / XLSX / PDF / HTML / text purchase-order file.

    :param hints: what the surrounding email says (sender country, fallback PO number...).
    :raises InputError: when the file cannot be read.
    """
    lines = file_lines(filename, data)
    hints = hints or Hints()
    named, labelled = po_number_in_file_name(filename)
    fallback = hints.fallback or Header()
    if named and fallback.po_number and _same_number(named, fallback.po_number):
        named = fallback.po_number  # "PO-2026-118.csv" for PO/2026/118: a file name cannot hold a slash
    if named and (labelled or not fallback.po_number):
        # A name that says it is the order ("PO4711.csv") is more specific than the email;
        # a bare number ("4711.csv") only stands in where the email names no PO.
        hints = replace(hints, fallback=replace(fallback, po_number=named))
    return orders_from_lines(lines, f"attachment {filename}", hints, known_skus)


def _same_number(a: str, b: str) -> bool:
    """The same order number written with other separators (slash, hyphen, space, underscore)."""
    return re.sub(r"[\W_]", "", a).lower() == re.sub(r"[\W_]", "", b).lower()


# Words a file name may hold beside the order number that make it some other document.
_OTHER_DOCUMENTS = re.compile(r"(?i)invoice|rechnung|factur|fattura|fatura|factuur|credit|gutschrift|avoir|angebot|quot|"
                              r"offert|devis|presupuesto|lieferschein|delivery|bordereau|albar[aá]n|pakbon|ddt|guia|remittance|"
                              r"statement|avis|confirm|best[aä]tigung")
_PO_SHAPED = re.compile(r"(?=(?:[^\d\s]*\d){4})[A-Za-z0-9][\w-]*[A-Za-z0-9]")


def po_number_in_file_name(filename: str) -> tuple[str | None, bool]:
    """(order number, whether a label says so) that a file's name gives: after an order
    word in any of the buyers' languages ("PO4500012345.csv", "Bestellung_2026-4471.xlsx",
    "order-2026-4471.pdf"; labelled), or the name itself when it is nothing but a
    PO-shaped number, alone or after a short code ("4500012345.csv", "BE-26-00077.xlsx",
    "OC_2026-4471.csv", "BDC 4711.pdf"; not labelled)."""
    stem = PurePath(filename or "").stem.replace("_", " ").strip()
    named = find_po_number([stem])
    if named or _OTHER_DOCUMENTS.search(stem):
        return named, bool(named)
    ordered = re.match(r"(?i)(?:purchase[\s-]*)?order[\s-]*(?=\d)", stem)
    words = stem[ordered.end():].split() if ordered else stem.split()
    if not words or len(words) > 2 or (len(words) == 2 and not re.fullmatch(r"[A-Za-z]{1,4}", words[0])):
        return None, False
    number = words[-1]
    if not _PO_SHAPED.fullmatch(number) or find_dates(number) or parse_date(number):
        return None, False
    return number, bool(ordered)
