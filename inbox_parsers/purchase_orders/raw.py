"""One order line as printed, before its numbers are read: the record every reader makes."""

import re
from dataclasses import dataclass


@dataclass
class RawLine:
    """One order line as printed: field name -> text."""

    fields: dict[str, str]
    line_index: int = 0


def looks_like_code(text: str) -> bool:
    """True for an item-number-shaped text ("NW-4410", "100234", "AB12/7"): one token with a digit."""
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-./_#]*", text or "") and re.search(r"\d", text))
