"""Stage 1: a PDF file to the words on each page (pdfplumber, one ``extract_words`` per page).

Unreadable files become ``InputError`` with a sentence a clerk understands: missing file,
not a PDF, damaged, password protected, or scanned (no text layer).
"""

from dataclasses import dataclass, field
from pathlib import Path

from inbox_parsers.errors import InputError


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
    """The words of one page and the rulings drawn on it: verticals (x, top, bottom) and
    horizontals (y, x0, x1), from lines and from the sides of rectangles."""

    number: int
    width: float
    height: float
    words: list[Word]
    verticals: list[tuple[float, float, float]]
    horizontals: list[tuple[float, float, float]] = field(default_factory=list)


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
                verticals, horizontals = _rulings(page)
                pages.append(PageWords(number, float(page.width), float(page.height), words, verticals,
                                       horizontals))
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


def _rulings(page):
    """Vertical and horizontal rulings from lines and from the sides of rectangles (table grids)."""
    verticals, horizontals = [], []
    for line in page.lines:
        if abs(line["x0"] - line["x1"]) < 1.0 and line["bottom"] - line["top"] > 4:
            verticals.append((line["x0"], line["top"], line["bottom"]))
        elif abs(line["top"] - line["bottom"]) < 1.0 and line["x1"] - line["x0"] > 4:
            horizontals.append((line["top"], line["x0"], line["x1"]))
    for rect in page.rects:
        tall, wide = rect["bottom"] - rect["top"], rect["x1"] - rect["x0"]
        if tall >= 4:
            if wide < 2.0:
                verticals.append(((rect["x0"] + rect["x1"]) / 2, rect["top"], rect["bottom"]))
            else:
                verticals.append((rect["x0"], rect["top"], rect["bottom"]))
                verticals.append((rect["x1"], rect["top"], rect["bottom"]))
        if wide >= 4:
            if tall < 2.0:
                horizontals.append(((rect["top"] + rect["bottom"]) / 2, rect["x0"], rect["x1"]))
            else:
                horizontals.append((rect["top"], rect["x0"], rect["x1"]))
                horizontals.append((rect["bottom"], rect["x0"], rect["x1"]))
    return verticals, horizontals
