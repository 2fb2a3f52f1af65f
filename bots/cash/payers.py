"""Who paid: a payer name as the bank or remittance wrote it, matched to one customer.

Names are compared after ``normalize_name`` (case, punctuation, "&", and legal-form words
such as Inc, LLC, GmbH, S.A. or plc dropped), first exactly, then with rapidfuzz among the
customers that share a word with the payer. A customer is identified only when it clearly
wins: a high score and no other customer close behind. Two customers that fit about
equally well make the payer ``ambiguous``; nothing close makes it ``unknown``.
Results are cached per distinct payer string, since the same payers pay again and again.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

LEGAL_FORMS = {
    "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "gmbh", "mbh", "ag", "kg", "kgaa", "ohg",
    "corp", "corporation", "co", "company", "cie", "sa", "sas", "sarl", "sl", "spa", "srl", "plc", "bv",
    "nv", "oy", "oyj", "ab", "as", "asa", "aps", "pty", "pte", "pvt", "the", "and", "se", "ug", "kft",
    "sro", "zoo", "sp", "de", "cv", "lc", "pllc", "pc",
}
# Words that start the memo part of a bank text, after the payer's name.
_MEMO_WORDS = {"pmt", "payment", "payments", "remit", "remittance", "inv", "invoice", "invoices", "ref", "re",
               "ach", "wire", "sepa", "credit", "transfer", "for", "rf", "bill", "bills", "settlement", "eft"}
_DOTTED_LETTERS = re.compile(r"\b(?:[a-z]\.){2,}")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
IDENTIFIED = 90     # a score this high may identify a customer...
MARGIN = 6          # ...when no other customer scores within this many points
PLAUSIBLE = 80      # customers scoring this much are named among the candidates
AGREES = 75         # a payer name this close to a customer's is consistent with it


@dataclass(frozen=True)
class PayerMatch:
    """The result of identifying one payer name."""

    status: str                       # identified, ambiguous or unknown
    customer_ids: tuple[str, ...]     # the one identified, or the plausible ones
    score: float = 0.0

    @property
    def customer_id(self) -> str | None:
        """The identified customer, or None."""
        return self.customer_ids[0] if self.status == "identified" else None


UNKNOWN = PayerMatch("unknown", ())


@lru_cache(maxsize=200_000)
def normalize_name(name: str | None) -> str:
    """A company name reduced for comparison: ``"Pinecrest Grocers, L.L.C."`` gives ``"pinecrest grocers"``."""
    if not name:
        return ""
    # Accents dropped (an ASCII name, nearly every one, has none to drop).
    text = name if name.isascii() else unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ")
    if "." in text:
        # "S.A.", "L.L.C." and "N.V.": join single letters separated by dots before splitting.
        text = _DOTTED_LETTERS.sub(lambda m: m.group(0).replace(".", ""), text)
    words = _NOT_ALPHANUMERIC.sub(" ", text).split()
    kept = [word for word in words if word not in LEGAL_FORMS]
    return " ".join(kept or words)


def name_score(payer: str, customer: str, **_) -> float:
    """How well two normalized names fit, 0-100: word order is ignored, and a payer name that is
    the customer's with words missing ("Pinecrest Grocers" for "Pinecrest Grocers West", as banks
    truncate) or added ("Pinecrest Grocers Holdings") scores 95, a little below an exact fit.
    That allowance needs two shared words at least: "Acme" alone says little about "Acme Holdings"."""
    score = fuzz.token_sort_ratio(payer, customer)
    if _shared_words_count(payer, customer) < 2:
        return score
    return max(score, fuzz.token_set_ratio(payer, customer) - 5)


def _shared_words_count(first: str, second: str) -> int:
    return min(len(first.split()), len(second.split()))


class PayerDirectory:
    """The customers of the open-items file, searchable by payer name."""

    def __init__(self, customers: dict[str, str]):
        """:param customers: customer id to customer name."""
        self.names = {customer_id: normalize_name(name) for customer_id, name in customers.items()}
        by_name, by_word, by_prefix = defaultdict(list), defaultdict(set), defaultdict(set)
        for customer_id, name in self.names.items():
            by_name[name].append(customer_id)
            for word in set(name.split()):
                by_word[word].add(name)
                by_prefix[word[:4]].add(name)
        # Plain dicts once built: a lookup of a word nobody has must not add it.
        self._by_name: dict[str, list[str]] = dict(by_name)
        self._by_word: dict[str, set[str]] = dict(by_word)
        self._by_prefix: dict[str, set[str]] = dict(by_prefix)
        self._cache: dict[str, PayerMatch] = {}
        self._agreement: dict[tuple, bool] = {}

    def identify(self, payer: str | None) -> PayerMatch:
        """Identify the customer behind a payer name (cached per distinct string)."""
        if not payer:
            return UNKNOWN
        if payer not in self._cache:
            self._cache[payer] = self._identify(normalize_name(payer))
        return self._cache[payer]

    def identify_in_text(self, text: str | None) -> PayerMatch:
        """Identify the payer named at the start of a free text with no payer field (BAI2 text such
        as "PINECREST GROCERS LLC REMIT INV-10102"): the longest run of leading words that is a
        customer's whole name, else the words before the first number or memo keyword, fuzzily."""
        words = normalize_name(text).split()[:12]
        for length in range(len(words), 0, -1):
            customers = self._by_name.get(" ".join(words[:length]))
            following = words[length] if length < len(words) else None
            # "ACME PAYMENT" names Acme; "ACME HOLDINGS PAYMENT" does not.
            if customers and (following is None or following in _MEMO_WORDS
                              or any(ch.isdigit() for ch in following)):
                if length == 1 and (sharing := self._sharing_one_word(words[0])):
                    return PayerMatch("ambiguous", sharing, 100.0)
                return PayerMatch("identified", (customers[0],), 100.0) if len(customers) == 1 else \
                    PayerMatch("ambiguous", tuple(customers), 100.0)
        name_words = []
        for word in words:
            if any(ch.isdigit() for ch in word) or word in _MEMO_WORDS:
                break
            name_words.append(word)
        return self.identify(" ".join(name_words)) if name_words else UNKNOWN

    def agrees(self, payer: str | None, customer_id: str) -> bool:
        """True when the payer's name is close to this customer's (used to check remittance invoices)."""
        pair = (payer, customer_id)
        if pair not in self._agreement:
            name = normalize_name(payer)
            known = self.names.get(customer_id, "")
            # The same name scores 100: no need to ask rapidfuzz (the common case).
            self._agreement[pair] = bool(name) and (name == known or name_score(name, known) >= AGREES)
        return self._agreement[pair]

    def _identify(self, name: str) -> PayerMatch:
        if not name:
            return UNKNOWN
        sharing = self._sharing_one_word(name)
        if sharing:
            return PayerMatch("ambiguous", sharing, 100.0)
        pool = self._pool(name)
        choices = list(pool)
        scored: dict[str, float] = {}
        # Two native rapidfuzz passes (fast) combined as name_score does.
        for scorer, penalty in ((fuzz.token_sort_ratio, 0), (fuzz.token_set_ratio, 5)):
            for choice, score, _ in process.extract(name, choices, scorer=scorer, score_cutoff=PLAUSIBLE - 10 + penalty,
                                                    limit=None):
                if penalty and _shared_words_count(name, choice) < 2:
                    continue   # as in name_score: a one-word name is not a subset match
                for customer_id in self._by_name[choice]:
                    scored[customer_id] = max(score - penalty, scored.get(customer_id, 0.0))
        if not scored:
            return UNKNOWN
        ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))  # ties by customer number, whatever the load order
        best_id, best = ranked[0]
        close = [customer_id for customer_id, score in ranked if score >= best - MARGIN and score >= PLAUSIBLE]
        if best >= IDENTIFIED and close == [best_id]:
            return PayerMatch("identified", (best_id,), best)
        if close:
            return PayerMatch("ambiguous", tuple(close), best)
        return PayerMatch("unknown", (), best)

    def _sharing_one_word(self, name: str) -> tuple[str, ...]:
        """For a one-word payer name ("Acme Corp" is "acme" once the legal form is gone): every
        customer with that word in its name, when there are several ("Acme Corporation Ltd",
        "Acme Industries"). One word cannot tell them apart, however exactly it fits one."""
        if " " in name:
            return ()
        customers = sorted({customer_id for full in self._by_word.get(name, ()) for customer_id in self._by_name[full]})
        return tuple(customers) if len(customers) > 1 else ()

    def _pool(self, name: str) -> set[str]:
        """Customer names worth scoring: those sharing a word (or, for a misspelt or truncated
        word, its first four letters) with the payer. Common words ("foods", "supply") are
        used only when nothing rarer is shared, and then only the least common of them."""
        groups = []
        for word in name.split():
            names = self._by_word.get(word) or self._by_prefix.get(word[:4]) or set()
            if names:
                groups.append(names)
        rare = [names for names in groups if len(names) <= 300]
        if not rare:
            return set(min(groups, key=len)) if groups else set()
        return set().union(*rare)
