"""HTML (an email body, a saved web page) as text lines: one line per table row with
its cells joined by `` | ``, one per paragraph, break or list item elsewhere."""

import re

_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tbody", "thead",
           "tfoot", "blockquote", "pre", "hr", "section", "article", "header", "footer", "address", "center", "dl", "dt", "dd"}
_SKIPPED = {"script", "style", "head", "title", "img", "meta", "link", "noscript"}


def _cell_text(cell) -> str:
    """A table cell's text on one line; its line breaks and paragraphs become ", "."""
    parts, current = [], []
    for node in cell.iter():
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in ("br", "p", "div", "li") and current:
            parts.append(" ".join("".join(current).split()))
            current = []
        if node is not cell and tag in _SKIPPED:
            current.append(node.tail or "")
            continue
        if node.text and tag not in ("br",):
            current.append(node.text)
        if node is not cell and node.tail:
            current.append(node.tail)
    parts.append(" ".join("".join(current).split()))
    return ", ".join(p.strip(" ,") for p in parts if p.strip(" ,"))


def html_lines(html: str) -> list[str]:
    """The text of an HTML document as lines, tables kept as ``a | b | c`` rows."""
    import lxml.html
    from lxml import etree

    if not html.strip():
        return []
    try:
        root = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return [line for line in re.sub(r"<[^>]+>", " ", html).splitlines()]
    lines: list[str] = []
    words: list[str] = []

    def flush():
        text = " ".join("".join(words).split())
        words.clear()
        if text:
            lines.append(text)

    def walk(element):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag in _SKIPPED or not tag:
            if element.tail:
                words.append(element.tail)
            return
        if tag == "pre":
            flush()
            lines.extend(line.rstrip() for line in "".join(element.itertext()).splitlines())
            lines.append("")
        elif tag == "tr" and not element.xpath(".//table"):
            flush()
            cells = [_cell_text(cell) for cell in element if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")]
            if any(cells):
                lines.append(" | ".join(cells) if len(cells) > 1 else cells[0])
        else:
            if tag in _BLOCKS:
                flush()
            if tag in ("td", "th"):
                words.append(" ")
            if element.text:
                words.append(element.text)
            for child in element:
                walk(child)
            if tag in _BLOCKS or tag in ("td", "th"):
                flush() if tag in _BLOCKS else words.append(" ")
            if tag == "table" and lines and lines[-1]:
                lines.append("")  # a table ends its rows; paragraphs carry no blank lines in HTML
        if element.tail:
            words.append(element.tail)

    walk(root)
    flush()
    return lines
