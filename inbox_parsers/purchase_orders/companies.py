"""Does a piece of text name a company? Shared by the order readers and the email layer.

A name counts as a company when it carries a legal form or trade word ("Inc.", "GmbH",
"Grocers") or when it matches the sender's email domain ("Pinecrest Grocers" and
pinecrest-grocers.com, or pinecrest-corp.com).
"""

import re

_COMPANY_WORDS = re.compile(
    r"(?i)\b(?:inc|llc|l\.l\.c|ltd|limited|gmbh|ag|kg|co|corp|corporation|company|plc|pty|bv|b\.v|nv|sa|s\.a|sas|sarl|srl|s\.r\.l|spa|s\.p\.a|oy|ab|as|a/s|"
    r"group|holdings|industries|enterprises|trading|traders|supply|supplies|distribution|distributors|wholesale|foods|grocers|markets?|stores?|retail|"
    r"services|partners|outfitters|provisions|handel|groothandel|s\.l|sl|lda|sprl|bvba|n\.v)\b\.?|&"
)
LEGAL_FORM = re.compile(r"(?i)\b(?:inc|llc|ltd|limited|gmbh|ag|kg|corp|corporation|plc|pty|bv|b\.v|nv|n\.v|sarl|sas|sa|s\.a|srl|s\.r\.l|spa|s\.p\.a|"
                        r"s\.l|sl|lda|oy|ab|sp\.\s*z\s*o\.o)\b\.?\s*$")
_GENERIC = re.compile(r"(?i)^(?:purchase|order|orders|form|po|p\.o\.|page|of|confirmation|request|copy|original|bestellung|commande|\W)+$")


def domain_words(address: str | None) -> str:
    """The sender's domain without its suffix, letters only ("pinecrest-grocers.com" -> "pinecrestgrocers")."""
    if not address or "@" not in address:
        return ""
    domain = address.rsplit("@", 1)[1].lower()
    parts = domain.split(".")
    core = parts[-3] if len(parts) >= 3 and parts[-2] in ("co", "com", "org", "net", "ac") else parts[-2] if len(parts) >= 2 else parts[0]
    return re.sub(r"[^a-z0-9]", "", core)


def looks_like_company(name: str | None, address: str | None = None) -> bool:
    """True when ``name`` reads as a company: a legal-form or trade word, or the sender's domain."""
    if not name or _GENERIC.match(name):
        return False
    if _COMPANY_WORDS.search(name):
        return True
    squashed = re.sub(r"[^a-z0-9]", "", _ascii(name.lower()))
    core = domain_words(address)
    if not core or len(core) < 4 or len(squashed) < 4:
        return False
    words = [re.sub(r"[^a-z0-9]", "", _ascii(word.lower())) for word in name.split()]
    first_word = words[0]
    if len(words) >= 2 and all(len(word) >= 3 and word in core for word in words):
        return True  # "Quincaillerie Lefèvre" at lefevre-quincaillerie.fr: the words in another order
    return core in squashed or squashed in core or (len(first_word) >= 5 and core.startswith(first_word))


def _ascii(text: str) -> str:
    """``text`` without accents ("Ferretería" -> "Ferreteria"), as domain names write it."""
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def title_company(title: str | None, address: str | None) -> str | None:
    """The company a document's first line names ("Pinecrest Grocers", "Acme Inc. - Purchase Order")."""
    if not title or re.search(r"\d{3}|@|:", title) or len(title) > 70:
        return None
    name = re.sub(r"(?i)\s*[-–|:]?\s*\b(?:purchase\s+order|order\s+form|bestellung)\b.*$", "", title).strip(" -–|")
    # "from Lakeside Foods Inc." under the PO heading; "De Vries Horeca B.V." keeps its capital "De".
    name = re.sub(r"^(?:[Ff]rom|FROM|von|de)\s+", "", name)
    return name if looks_like_company(name, address) else None
