"""Who is ordering: the customer's company name and address.

The name comes, in this order, from a label in the order itself ("Customer:", "Bill to:"),
the sender's display name when it names a company, a company line in the signature,
and last the display name as it is (often a person).
"""

import re

_COMPANY_SUFFIX = re.compile(
    r"(?i)\b(?:inc|llc|l\.l\.c|ltd|limited|gmbh|ag|kg|co|corp|corporation|company|plc|pty|bv|b\.v|nv|sa|s\.a|sas|sarl|srl|s\.r\.l|spa|s\.p\.a|oy|ab|as|a/s|"
    r"group|holdings|industries|enterprises|trading|supply|supplies|distribution|distributors|wholesale|foods|grocers|markets?|stores?|retail|services|partners)\b\.?|&"
)
_CLOSING = re.compile(r"(?i)^\s*(?:best|kind|warm)?\s*(?:regards|wishes)|^\s*(?:thanks|thank\s+you|many\s+thanks|cheers|sincerely|yours|mit\s+freundlichen\s+gr[üu](?:ß|ss)en|viele\s+gr[üu](?:ß|ss)e|cordialement|saludos|--\s*$)")
_CONTACT = re.compile(r"(?i)(?:@|\bphone\b|\btel\b|\bfax\b|\bmobile\b|\bwww\.|https?://|\+?\d[\d\s().-]{6,})")


def domain_words(address: str | None) -> str:
    """The sender's domain without its suffix, letters only ("pinecrest-grocers.com" -> "pinecrestgrocers")."""
    if not address or "@" not in address:
        return ""
    domain = address.rsplit("@", 1)[1].lower()
    parts = domain.split(".")
    core = parts[-3] if len(parts) >= 3 and parts[-2] in ("co", "com", "org", "net", "ac") else parts[-2] if len(parts) >= 2 else parts[0]
    return re.sub(r"[^a-z0-9]", "", core)


def looks_like_company(name: str | None, address: str | None = None) -> bool:
    """True when ``name`` reads as a company: a legal-form word, or the sender's domain."""
    if not name:
        return False
    if _COMPANY_SUFFIX.search(name):
        return True
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    core = domain_words(address)
    return bool(core and len(core) >= 4 and (core in squashed or (len(squashed) >= 4 and squashed in core)))


def company_from_display_name(display: str | None, address: str | None) -> str | None:
    """The company in a display name ("Jane Doe | Pinecrest Grocers", "Pinecrest Grocers Purchasing")."""
    if not display:
        return None
    for part in re.split(r"\s+(?:\||-|–|/|at|@)\s+|[()\[\],]", display):
        part = part.strip()
        if part and looks_like_company(part, address):
            return part
    return None


def company_from_signature(lines: list[str], address: str | None) -> str | None:
    """A company line in the signature block at the end of the writer's text."""
    start = None
    for index, line in enumerate(lines):
        if _CLOSING.match(line):
            start = index + 1
    if start is None:
        start = max(0, len(lines) - 6)
    for line in lines[start: start + 6]:
        text = line.strip(" -|*_")
        if not text or _CONTACT.search(text) or len(text) > 60:
            continue
        if looks_like_company(text, address):
            return text
    return None


def customer_name(labelled: str | None, display: str | None, address: str | None, top_lines: list[str]) -> str | None:
    """The customer's name from what the message offers, best source first."""
    return (labelled or company_from_display_name(display, address)
            or company_from_signature(top_lines, address) or display or None)
