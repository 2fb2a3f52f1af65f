"""A PDF purchase order as laid-out text lines.

Words (pdfplumber ``extract_words``, no table finding: it is slow and words suffice)
are grouped into lines by their height on the page and placed at the character column
their x position gives, so columns stay aligned and wide gaps become two or more spaces
for the table and label readers.
"""

import io
import statistics

from bots.errors import InputError


def pdf_lines(data: bytes, name: str = "") -> list[str]:
    """The text of every page of a PDF, laid out as lines."""
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about broken files are ours to report

    if not data.startswith(b"%PDF"):
        raise InputError(f"{name or 'file'} is not a PDF", name or None)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds for broken or encrypted files
        raise InputError(f"{name or 'PDF'} cannot be opened ({type(exc).__name__}: corrupt or encrypted)", name or None) from None
    lines: list[str] = []
    try:
        for page in pdf.pages:
            lines += _page_lines(page.extract_words(x_tolerance=3, y_tolerance=3))
            lines.append("")
    except Exception as exc:
        raise InputError(f"{name or 'PDF'} cannot be read ({type(exc).__name__})", name or None) from None
    finally:
        _close(pdf)
    if not any(line.strip() for line in lines):
        raise InputError(f"{name or 'PDF'} has no text layer (a scanned image?)", name or None)
    return lines


def _close(pdf) -> None:
    try:
        pdf.close()
    except Exception:  # closing walks the pages again; a broken page is already reported
        pass


def _page_lines(words: list[dict]) -> list[str]:
    if not words:
        return []
    char_width = statistics.median((w["x1"] - w["x0"]) / max(len(w["text"]), 1) for w in words) or 5.0
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= 3:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines, previous_bottom = [], None
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        top = min(w["top"] for w in row)
        if previous_bottom is not None and top - previous_bottom > 1.2 * (row[0]["bottom"] - row[0]["top"]):
            lines.append("")  # a wide vertical gap separates blocks
        previous_bottom = max(w["bottom"] for w in row)
        text, last_x1 = "", None
        for word in row:
            column = int(round(word["x0"] / char_width))
            if last_x1 is not None:
                gap = word["x0"] - last_x1
                least = len(text) + (2 if gap > 1.5 * char_width else 1)
                column = max(column, least) if gap > 1.5 * char_width else least
            text = text.ljust(column) + word["text"]
            last_x1 = word["x1"]
        lines.append(text)
    return lines
