"""Which ERP customer an order is from: the order's customer name (and email) vs. the customer master.

``resolve_customer(customer, search)`` takes the order's ``customer`` dict (``name``,
``email``; a ``customer_id`` when the order names one) and ``search(term)``, which returns
the rows of the ERP's customer search pop-up (``CustomerHit``). It answers with one
customer number, or raises ``BusinessException("unknown_customer")`` with the candidates
when it is not sure: a wrong customer is far worse than a question to a person.

Names are compared without legal forms and punctuation ("Pinecrest Grocers, LLC" and
"Pinecrest Grocers LLC" are one); an email domain made of the name's words
(``pinecrestgrocers.com``) breaks a tie.
"""

import re

from bots.runtime.errors import BusinessException

SURE_SCORE = 92  # rapidfuzz token_sort_ratio of the normalized names
MARGIN = 6  # the best must lead the next by this much

_LEGAL_FORMS = {
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "gmbh",
    "ag", "kg", "sarl", "sas", "sa", "bv", "nv", "llp", "lp", "pty", "the", "and",
}


def normalize_name(name: str) -> str:
    """A company name as compared: lower case, no punctuation, no legal form ("& Co. KG")."""
    words = re.findall(r"[a-z0-9]+", str(name or "").lower().replace("&", " and ").replace(".", ""))
    return " ".join(word for word in words if word not in _LEGAL_FORMS)


def search_terms(name: str, most: int = 3) -> list[str]:
    """What to type in the search pop-up, most precise first: the name without legal form, then
    its longest words (a typo elsewhere in the name still finds the customer)."""
    core = normalize_name(name)
    terms = [core] if core else []
    for word in sorted(set(core.split()), key=lambda w: (-len(w), w)):
        if len(word) >= 4 and word != core and len(terms) < most:
            terms.append(word)
    return terms


def resolve_customer(customer: dict, search) -> str:
    """The ERP customer number of the order's ``customer``; BusinessException "unknown_customer" when unsure."""
    from rapidfuzz import fuzz

    customer = customer or {}
    name = str(customer.get("name") or "").strip()
    given = str(customer.get("customer_id") or "").strip().upper()
    if given:
        hits = [hit for hit in search(given) if hit.customer_id.upper() == given]
        if len(hits) == 1:
            return hits[0].customer_id
        raise BusinessException("unknown_customer", f"the order names customer {given}, which the ERP does not know",
                                {"customer": customer, "candidates": []})
    if not name:
        raise BusinessException("unknown_customer", "the order names no customer", {"customer": customer, "candidates": []})

    hits = {}
    for term in search_terms(name):
        for hit in search(term):
            hits.setdefault(hit.customer_id, hit)
        if hits:
            break
    wanted = normalize_name(name)
    scored = sorted(((fuzz.token_sort_ratio(wanted, normalize_name(hit.name)), hit) for hit in hits.values()),
                    key=lambda pair: -pair[0])
    exact = [hit for score, hit in scored if normalize_name(hit.name) == wanted]
    if len(exact) == 1:
        return exact[0].customer_id
    by_email = _matching_domain([hit for _, hit in scored], customer.get("email"))
    if len(by_email) == 1 and (not exact or by_email[0] in exact):
        return by_email[0].customer_id
    if not exact and scored and scored[0][0] >= SURE_SCORE and (len(scored) == 1 or scored[0][0] - scored[1][0] >= MARGIN):
        return scored[0][1].customer_id
    candidates = [{"customer_id": hit.customer_id, "name": hit.name, "city": hit.city, "score": round(score)}
                  for score, hit in scored[:5]]
    reason = "no customer in the ERP matches" if not candidates else "the ERP has no single sure match for"
    raise BusinessException("unknown_customer", f"{reason} {name!r}"
                            + (f" (candidates: {', '.join(c['customer_id'] + ' ' + c['name'] for c in candidates)})"
                               if candidates else ""),
                            {"customer": customer, "candidates": candidates})


def _matching_domain(hits: list, email) -> list:
    """The hits whose name, without spaces, is the email's domain name ("pinecrestgrocers.com")."""
    match = re.search(r"@([^@\s>]+)", str(email or ""))
    if not match:
        return []
    domain = re.sub(r"[^a-z0-9]", "", match.group(1).lower().rsplit(".", 1)[0])
    return [hit for hit in hits if domain and normalize_name(hit.name).replace(" ", "") == domain]
