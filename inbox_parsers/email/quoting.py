"""Where the writer's own text ends and quoted or forwarded text begins.

The newest text of a reply sits on top; below it come "On ... wrote:", "-----Original
Message-----", "---------- Forwarded message ---------", Outlook's "From: / Sent: / To:"
block, or lines prefixed with ">". An order is looked for in the writer's own text
first and in the quoted part only when the top holds none (a forwarded order).
"""

import email.utils
import re
from dataclasses import dataclass

_SEPARATOR = re.compile(
    r"(?i)^\s*(?:-{2,}\s*(?:original\s+message|forwarded\s+message|weitergeleitete\s+nachricht|urspr[üu]ngliche\s+nachricht|message\s+d'origine|message\s+transf[ée]r[ée])\s*-{2,}"
    r"|begin\s+forwarded\s+message\s*:?|_{10,}\s*$)"
)
_FORWARD = re.compile(r"(?i)^\s*(?:-{2,}\s*(?:forwarded\s+message|weitergeleitete\s+nachricht|message\s+transf[ée]r[ée])|begin\s+forwarded\s+message)")
_WROTE = re.compile(r"(?i)^\s*(?:on\s.{4,200}\swrote|am\s.{4,200}\sschrieb\s.{0,100}|le\s.{4,200}\sa\s[ée]crit)\s*:\s*$")
_ON_START = re.compile(r"(?i)^\s*on\s.{4,200}$")
_HEADER_FROM = re.compile(r"(?i)^\s*\*?(?:from|von|de)\s*:\*?\s*(?P<v>.+)$")
_HEADER_OTHER = re.compile(r"(?i)^\s*\*?(?:sent|date|to|subject|gesendet|datum|an|betreff|envoy[ée]|objet|cc)\s*:")


@dataclass
class Split:
    """A body cut into the writer's own text and the quoted/forwarded text below it."""

    top: list[str]
    quoted: list[str]
    quoted_sender: tuple[str | None, str | None] = (None, None)
    forwarded: bool = False  # the quote is a forward, not the history of a reply


def split_quoted(lines: list[str]) -> Split:
    """Cut ``lines`` at the first quote marker; strip ">" prefixes from the quoted part."""
    cut = None
    for index, line in enumerate(lines):
        if _SEPARATOR.match(line) or _WROTE.match(line) or line.lstrip().startswith(">"):
            cut = index
            break
        if _ON_START.match(line) and index + 1 < len(lines) and re.match(r"(?i)^.{0,120}\bwrote\s*:\s*$", lines[index + 1]):
            cut = index
            break
        if _HEADER_FROM.match(line) and any(_HEADER_OTHER.match(l) for l in lines[index + 1: index + 5]) and index > 0:
            cut = index
            break
    if cut is None:
        return Split(list(lines), [])
    quoted = [re.sub(r"^\s*(?:>\s?)+", "", line) for line in lines[cut:]]
    return Split(list(lines[:cut]), quoted, quoted_sender(quoted[:12]), bool(_FORWARD.match(lines[cut])))


def quoted_sender(lines: list[str]) -> tuple[str | None, str | None]:
    """(name, address) of the original writer named in a quote header, if any."""
    for line in lines:
        m = _HEADER_FROM.match(line)
        text = m.group("v") if m else None
        if text is None:
            w = re.match(r"(?i)^\s*(?:on|am|le)\s.*?,\s*(?P<v>[^,]*<[^>]+@[^>]+>)", line)
            text = w.group("v") if w else None
        if text:
            text = text.replace("[mailto:", "<").replace("]", ">") if "[mailto:" in text else text
            name, address = email.utils.parseaddr(text)
            if "@" in address:
                return (name.strip().strip('"') or None), address.lower()
            m2 = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)
            if m2:
                return (text[: m2.start()].strip(' "<[') or None), m2.group(0).lower()
    return None, None
