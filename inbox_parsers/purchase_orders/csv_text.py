"""A CSV purchase order as text lines: any delimiter (comma, semicolon, tab, pipe), any
common charset (UTF-8 with or without BOM, UTF-16, Windows-1252/Latin-1). Cells are
joined with tabs so the table reader keeps every column in place."""

import csv
import io

from inbox_parsers.errors import InputError

_DELIMITERS = ",;\t|"


def decode_text(data: bytes, name: str = "") -> str:
    """Bytes of a text file as str, whatever common charset wrote them."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:200]:
        raise InputError(f"{name or 'file'} is binary, not a text CSV", name or None)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, and most even, columns."""
    sample = [line.replace("\x00", "") for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        # The column count most lines share, weighted by how many cells it gives.
        score = max(wide.count(c) * c for c in set(wide))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def csv_lines(data: bytes, name: str = "") -> list[str]:
    """The rows of a CSV file as tab-joined text lines."""
    text = decode_text(data, name)
    first, _, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        delimiter, text = first.strip()[4], rest  # Excel's "sep=;" hint line
    else:
        delimiter = sniff_delimiter(text)
    lines = []
    try:
        for row in csv.reader(io.StringIO(text.replace("\x00", ""), newline=""), delimiter=delimiter):
            cells = [" ".join(cell.replace("\t", " ").split()) for cell in row]
            while cells and not cells[-1]:
                cells.pop()
            lines.append("\t".join(cells) if len(cells) != 1 else cells[0])
    except csv.Error as error:
        raise InputError(f"{name or 'CSV file'} is not readable CSV ({error})", name or None) from None
    return lines
