"""Stage 1: a PDF file to the words on each page (pdfplumber, one ``extract_words`` per page).

Unreadable files become ``InputError`` with a sentence a clerk understands: missing file,
not a PDF, damaged, password protected, or scanned (no text layer).
"""

from dataclasses import dataclass
from pathlib import Path

from bots.errors import InputError


@dataclass(frozen=True)
class Word:
    """One word as pdfplumber found it, with its page (1-based) and box in points."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


@dataclass
class PageWords:
    """The words of one page and the vertical rulings (x, top, bottom) drawn on it."""

    number: int
    width: float
    height: float
    words: list[Word]
    verticals: list[tuple[float, float, float]]


def read_pages(path, x_tolerance: float = 1.5) -> list[PageWords]:
    """Read every page's words and vertical rulings; raise InputError for unreadable files."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", str(path))
    if path.is_dir():
        raise InputError("is a folder, not a PDF file", str(path))
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise InputError("not a PDF file (no %PDF header)", str(path))

    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect, PDFEncryptionError

    pages = []
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                words = [
                    Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"], number)
                    for w in page.extract_words(x_tolerance=x_tolerance, keep_blank_chars=False)
                ]
                pages.append(PageWords(number, float(page.width), float(page.height), words, _verticals(page)))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise InputError("the PDF is encrypted (password protected); ask the payer for an unprotected copy",
                         str(path)) from exc
    except InputError:
        raise
    except Exception as exc:  # pdfminer raises many kinds for damaged files; pdfplumber wraps them
        causes = [exc, *exc.args, exc.__context__]
        if any(isinstance(c, (PDFPasswordIncorrect, PDFEncryptionError)) for c in causes):
            raise InputError("the PDF is encrypted (password protected); ask the payer for an unprotected copy",
                             str(path)) from exc
        message = str(exc) or type(exc).__name__
        if "encrypt" in message.lower() or "password" in message.lower():
            raise InputError("the PDF is encrypted (password protected)", str(path)) from exc
        raise InputError(f"the PDF is damaged or truncated and cannot be read ({type(exc).__name__})",
                         str(path)) from exc
    if not pages:
        raise InputError("the PDF has no pages", str(path))
    if not any(page.words for page in pages):
        raise InputError("the PDF has no text layer (a scanned image?); it needs OCR first", str(path))
    return pages


def _verticals(page) -> list[tuple[float, float, float]]:
    """Vertical rulings from lines and from the sides of rectangles (table grids)."""
    found = []
    for line in page.lines:
        if abs(line["x0"] - line["x1"]) < 1.0 and line["bottom"] - line["top"] > 4:
            found.append((line["x0"], line["top"], line["bottom"]))
    for rect in page.rects:
        if rect["bottom"] - rect["top"] < 4:
            continue
        if rect["x1"] - rect["x0"] < 2.0:
            found.append(((rect["x0"] + rect["x1"]) / 2, rect["top"], rect["bottom"]))
        else:
            found.append((rect["x0"], rect["top"], rect["bottom"]))
            found.append((rect["x1"], rect["top"], rect["bottom"]))
    return found
