"""Stage 2: words to text lines, and each line to phrases (runs of words with small gaps).

A phrase is what a person sees as one cell or one label: "Invoice Number", "1,234.56",
"Nov 9, 2026". Columns are separated by wider gaps than words are.
"""

from dataclasses import dataclass, field
from statistics import median

from .pdf_words import PageWords, Word


@dataclass
class Phrase:
    """Adjacent words of one line."""

    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)


@dataclass
class Line:
    """The words of one page that share a baseline, left to right, split into phrases."""

    page: int
    words: list[Word]
    phrases: list[Phrase] = field(default_factory=list)
    index: int = 0  # position in the document's list of lines

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> float:
        return median(w.height for w in self.words)


def words_to_lines(page: PageWords, line_overlap: float = 0.5, phrase_gap: float = 0.9) -> list[Line]:
    """Group a page's words into lines (top to bottom) and each line into phrases."""
    lines: list[list[Word]] = []
    for word in sorted(page.words, key=lambda w: (w.top, w.x0)):
        placed = False
        for current in reversed(lines[-3:]):
            top, bottom = min(w.top for w in current), max(w.bottom for w in current)
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap >= line_overlap * min(word.height, bottom - top):
                current.append(word)
                placed = True
                break
        if not placed:
            lines.append([word])
    result = []
    for words in lines:
        words.sort(key=lambda w: w.x0)
        line = Line(page.number, words)
        line.phrases = split_phrases(words, phrase_gap)
        result.append(line)
    result.sort(key=lambda line: line.top)
    return result


def split_phrases(words: list[Word], phrase_gap: float = 0.9) -> list[Phrase]:
    """Split a line's words where the gap is wider than ``phrase_gap`` text heights."""
    phrases = [Phrase([words[0]])]
    for previous, word in zip(words, words[1:]):
        gap = word.x0 - previous.x1
        if gap > phrase_gap * min(previous.height, word.height):
            phrases.append(Phrase([word]))
        else:
            phrases[-1].words.append(word)
    return phrases
