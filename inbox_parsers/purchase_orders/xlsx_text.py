"""An XLSX purchase order as text lines: each row's cells joined by tabs, Excel dates
as ISO dates, numbers as written (no float noise), every sheet in turn."""

import io
from datetime import date, datetime, time
from decimal import Decimal

from inbox_parsers.errors import InputError


def cell_text(value) -> str:
    """One cell's value as the text a person sees."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        text = format(Decimal(repr(value)).normalize(), "f")
        return text
    return " ".join(str(value).replace("\t", " ").split())


def xlsx_lines(data: bytes, name: str = "") -> list[str]:
    """The rows of every sheet of an XLSX workbook as tab-joined text lines."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(f"{name or 'workbook'} is not a readable XLSX workbook ({type(exc).__name__})", name or None) from None
    lines: list[str] = []
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells = [cell_text(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                lines.append("\t".join(cells) if len(cells) != 1 else cells[0])
            lines.append("")
    except Exception as exc:  # a sheet's XML can be broken even when the workbook opened
        raise InputError(f"{name or 'workbook'} has an unreadable sheet ({type(exc).__name__})", name or None) from None
    finally:
        workbook.close()
    return lines
