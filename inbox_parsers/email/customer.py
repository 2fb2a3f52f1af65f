"""Who is ordering: the customer's company name and address.

The name comes, in this order, from a label in the order itself ("Customer:", "Bill to:"),
the sender's display name when it names a company, a company line in the signature,
and last the display name as it is (often a person).
"""

import re

from inbox_parsers.purchase_orders.companies import LEGAL_FORM, looks_like_company

_CLOSING = re.compile(r"(?i)^\s*(?:best|kind|warm|many)?\s*(?:regards|wishes)(?![\w'])|^\s*(?:thanks|thank\s+you|many\s+thanks|cheers|sincerely|yours|thx|tia|rgds|br|best|greetings|mit\s+freundlichen\s+gr[üu](?:ß|ss)en|viele\s+gr[üu](?:ß|ss)e|(?:bien\s+)?cordialement|saludos|atentamente|met\s+vriendelijke\s+groet(?:en)?|groeten|cordiali\s+saluti|distinti\s+saluti|saluti|com\s+os\s+melhores\s+cumprimentos|cumprimentos|atenciosamente)(?![\w'])|^--\s*$")
_CONTACT = re.compile(r"(?i)(?:@|\bphone\b|\btel\b|\bfax\b|\bmobile\b|\bwww\.|https?://|\+?\d[\d\s().-]{6,})")


# "Pinecrest Grocers Purchasing", "Orders Team Acme Inc.": the department is not the name.
_DEPARTMENT = re.compile(r"(?i)^(?:(?:purchasing|procurement|orders?|buying|einkauf|team|dept\.?|department)\s+)+|"
                         r"(?:\s+(?:purchasing|procurement|orders?|buying|einkauf|team|dept\.?|department))+$")


def company_from_display_name(display: str | None, address: str | None) -> str | None:
    """The company in a display name ("Jane Doe | Pinecrest Grocers", "Pinecrest Grocers Purchasing")."""
    if not display:
        return None
    for part in re.split(r"\s+(?:\||-|–|/|at|@)\s+|[()\[\],]", display):
        part = _DEPARTMENT.sub("", part).strip(" -|")
        if part and looks_like_company(part, address):
            return part
    return None


_TITLE = re.compile(
    r"(?i)\b(?:purchasing|procurement|buyer|purchaser|manager|director|head|lead|officer|agent|assistant|coordinator|specialist|"
    r"accounts?\s+payable|sales|operations|supply\s+chain|logistics|category|executive|ceo|cfo|coo|owner|einkauf|achats|compras|team)\b"
)


def company_from_signature(lines: list[str], address: str | None, person: str | None = None) -> str | None:
    """A company line in the signature block at the end of the writer's text
    ("Pinecrest Grocers", "Purchasing, Pinecrest Grocers", "Buyer | Acme Inc.")."""
    start = None
    for index, line in enumerate(lines):
        if _CLOSING.match(line):
            start = index + 1
    if start is None:
        # No closing line: a legal-form name near the end counts ("Acme Tools Inc"), or a
        # company-like line in the last short block ("Dana Baker / Purchasing / Pinecrest Grocers").
        tail = [line.strip() for line in lines if line.strip()][-4:]
        legal = next((t for t in reversed(tail) if LEGAL_FORM.search(t) and not _CONTACT.search(t) and len(t) <= 60), None)
        if legal:
            return legal
        block = _last_block(lines)
        if 2 <= len(block) <= 5:
            return next((t for t in block if len(t) <= 60 and not _CONTACT.search(t) and not _TITLE.search(t)
                         and not re.search(r"[:!?]$|\d", t) and len(t.split()) <= 6 and looks_like_company(t, address)), None)
        return None
    candidates = []
    for line in lines[start: start + 6]:
        text = line.strip(" -|*_")
        if not text or len(text) > 80 or (person and text.lower() == person.lower()):
            continue
        parts = [text] if not _TITLE.search(text) else [p for p in re.split(r"\s*(?:,|\||–|/|•|\s-\s|\bat\b|@)\s*", text) if p and not _TITLE.search(p)]
        for part in parts:
            if _CONTACT.search(part) or (person and part.lower() == person.lower()):
                continue
            if looks_like_company(part, address):
                return part
            if _TITLE.search(text) and re.match(r"^[A-Z][\w'&.-]*(?:\s+[A-Z&][\w'&.-]*)*$", part):
                candidates.append(part)  # "Purchasing, Nordhafen Handel": the part beside the job title
    return candidates[0] if candidates else None


def _last_block(lines: list[str]) -> list[str]:
    """The lines after the last blank line (a signature block), stripped."""
    block: list[str] = []
    for line in reversed(lines):
        if not line.strip():
            if block:
                break
            continue
        block.insert(0, line.strip(" -|*_"))
    return block


def company_from_subject(subject: str, address: str | None) -> str | None:
    """"Purchase Order 4500098123 from Lakeside Foods Inc." -> "Lakeside Foods Inc."."""
    m = re.search(r"(?i)\b(?:from|von|de)\s+(?P<name>[^\d,;:()]{3,60}?)\s*$", subject or "")
    if m and looks_like_company(m.group("name"), address):
        return m.group("name").strip()
    return None


def customer_name(labelled: str | None, display: str | None, address: str | None, top_lines: list[str],
                  subject: str = "") -> str | None:
    """The customer's name from what the message offers, best source first."""
    return (labelled or company_from_display_name(display, address) or company_from_subject(subject, address)
            or company_from_signature(top_lines, address, display)
            or (display if display and not _TITLE.search(display) else None))
