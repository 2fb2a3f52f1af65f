"""Stage 6: the header fields (payer, payment reference, date, method, currency, total).

Labels are found anywhere outside the lines tables, in any of the wordings in
vocabulary.FIELD_LABELS. A value sits after its label in the same phrase ("Check No. 10442"),
in the next phrase of the line ("Payment date      11/09/2026"), or under the label
(boxes and two-column grids). Sentences ("Payment of USD 1,234.56 was sent on 11/09/2026
by ACH, reference 8812") are read the same way, with labels inside the phrase. Where no
label names the payer, the letterhead (the largest text at the top of page 1) does.
"""

import re
from dataclasses import dataclass, field

from inbox_parsers.dates import parse_date

from .cells import kind_of, read_money
from .lines import Line, Phrase
from .vocabulary import (CURRENCY_CODES, CURRENCY_SYMBOLS, FIELD_INDEX, LONGEST_LABEL_WORDS, METHOD_PATTERNS,
                         METHOD_WORDS, PAYEE_INDEX, TITLE_WORDS, norm)

# Labels that may stand inside a sentence, not only at the start of a phrase.
SENTENCE_LABELS = {norm(w) for w in [
    "payment of", "amount of", "the amount of", "sum of", "sent on", "was sent on", "paid on", "made on",
    "initiated on", "on", "dated", "reference", "ref", "trace number", "check number", "check no",
    "payment reference", "will be credited on", "value date", "payment number", "eft number", "trace no",
    "cheque number", "cheque no", "remittance number", "transaction reference", "by", "via", "paid via",
    "trace",
]}
_IGNORED = {norm(w) for w in [
    "customer no", "customer number", "customer id", "customer account", "customer account no",
    "our customer no", "your customer no", "vendor account", "account name", "po", "po number", "page",
    "invoice", "invoice no", "invoice date", "due date", "tel", "phone", "fax", "email", "e-mail", "vat",
    "vat id", "tax id", "date printed", "printed", "run date", "print date", "report date",
]}
_COMPANY_SUFFIX = re.compile(r"(?i)\b(inc|llc|ltd|limited|corp|corporation|co|company|gmbh|ag|sa|s\.a|sas|sarl|"
                             r"bv|b\.v|nv|plc|lp|llp|group|holdings|pty|kg|oy|ab|as|spa|srl|industries|"
                             r"partners|stores|markets|foods|supply|supplies)\b\.?")
_LEGAL_FORM = re.compile(r"(?i)(inc|llc|ltd|limited|corp|corporation|co|company|gmbh|ag|s\.?a|sas|sarl|b\.?v|"
                         r"n\.?v|plc|lp|llp|pty|kg|oy|ab|as|s\.?p\.?a|srl)\.?,?")
_DOTTED_ABBREVIATION = re.compile(r"(?i)(inc|co|corp|bros|mfg|intl|assn|(?:[a-z]\.)+[a-z])\.")
_TITLE = {norm(w) for w in TITLE_WORDS}
_TITLE_PREFIX = re.compile(r"(?i)^\s*(?:remittance|payment)\s+(?:advice|notification|notice)\s*(?:from|of|for)?"
                           r"\s*[-–—|:]?\s*")
_TITLE_SUFFIX = re.compile(r"(?i)\s*[-–—|:]\s*(?:remittance|payment)\b.*$|\s*\b(?:remittance|payment)\s+"
                           r"(?:advice|notification|notice|statement|details?)\b.*$")
_NOT_GRAND_TOTAL = re.compile(r"forward|subtotal|pagetotal|totalthispage|previouspage|nextpage")
_REFERENCE_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]*[A-Za-z0-9]$|^\d$")


@dataclass
class Candidate:
    """A value found for a field, with how sure we are (a longer label is more specific)."""

    field: str
    value: object
    raw: str
    score: float
    line_index: int


@dataclass
class HeaderFields:
    """Stage 6's result; ``candidates`` is kept for inspection."""

    values: dict = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)


def read_header_fields(lines: list[Line], used: set[int], decimal_comma, first_page_height: float) -> HeaderFields:
    """Find each header field's value outside the tables (lines listed in ``used``)."""
    result = HeaderFields()
    free = [line for line in lines if line.index not in used]
    payee_lines: set[int] = set()
    for position, line in enumerate(free):
        for p, phrase in enumerate(line.phrases):
            for field_name, label_words, start, end in _labels_in(phrase):
                if field_name == "payee":
                    payee_lines.update(_value_line_indexes(free, position, line, phrase, end))
                    continue
                if field_name == "ignored":
                    continue
                if field_name == "total" and _NOT_GRAND_TOTAL.search(norm(line.text)):
                    continue
                for raw, where in _values_after(free, position, line, p, phrase, end):
                    value = _read_value(field_name, raw, decimal_comma)
                    if value is None:
                        continue
                    score = len(label_words) - (0.5 if where == "below" else 0.0) - (1.0 if start > 0 else 0.0)
                    result.candidates.append(Candidate(field_name, value, raw, score, line.index))
                    break
    for name in ("payment_reference", "payment_date", "payer", "payment_method", "currency", "total"):
        found = [c for c in result.candidates if c.field == name]
        if found:
            best = max(found, key=lambda c: (c.score, -c.line_index))
            result.values[name] = best.value
    if "payment_reference" not in result.values:
        number = _cheque_number(free)
        if number:
            result.values["payment_reference"] = number
    if "payer" not in result.values:
        values = {c.raw.strip() for c in result.candidates}
        result.values["payer"] = _payer_from_sentence(free) or _letterhead(free, payee_lines, values,
                                                                           first_page_height)
    text = " ".join(l.text for l in lines)
    if result.values.get("payer"):
        text = text.replace(result.values["payer"], " ")  # "Atlas Wire & Cable Inc." names no method
    result.values.setdefault("payment_method", method_in(text))
    return result


def _cheque_number(free: list[Line]) -> str | None:
    """The number printed alone in the top right corner of a cheque (above "Pay to the order of")."""
    right_edge = max((line.phrases[-1].x1 for line in free if line.phrases), default=0)
    for position, line in enumerate(free):
        if not re.search(r"(?i)\bpay\s+to\s+the\s+order\s+of\b", line.text):
            continue
        for above in reversed(free[max(0, position - 6):position]):
            if above.page != line.page:
                break
            for phrase in above.phrases:
                m = re.fullmatch(r"(?:(?i:no)\.?\s*|#\s*)?(\d{3,12})", phrase.text.strip())
                if m and phrase.x0 > right_edge / 2:
                    return m[1]
    return None


def method_in(text: str, first_mentioned: bool = False) -> str | None:
    """ACH, WIRE, CHECK, SEPA or CARD from the words a document uses, or None.

    A label's value that names only a transfer ("Bank transfer") gives TRANSFER, which
    ``payment_method`` turns into SEPA or WIRE once the currency is known.

    :param first_mentioned: for a label's value ("by Card Payment, reference EFT-1"), the
        method named first wins; over a whole document the more specific method wins.
    """
    lowered = text.lower()
    found = [(m.start(), order, method) for order, (method, pattern) in enumerate(METHOD_PATTERNS)
             for m in [re.search(pattern, lowered)] if m]
    if not found and first_mentioned:  # a bare word only when no scheme is named ("Transfer (SEPA)")
        found = [(m.start(), order, method) for order, (method, pattern) in enumerate(METHOD_WORDS)
                 for m in [re.search(pattern, lowered)] if m]
    if not found:
        return None
    return min(found)[2] if first_mentioned else min(found, key=lambda f: f[1])[2]


def payment_method(method: str | None, currency: str | None) -> str | None:
    """The contract's method: a transfer of no named scheme in euros is SEPA, else a wire."""
    if method == "TRANSFER":
        return "SEPA" if currency == "EUR" else "WIRE"
    return method


def currency_in(words: list[str], decimal_comma) -> str | None:
    """The currency by ISO code, else by symbol, else by the number format (1.234,56: EUR)."""
    codes: dict[str, int] = {}
    symbols: dict[str, int] = {}
    for word in words:
        bare = word.strip(".,:;()*")
        if bare.upper() in CURRENCY_CODES and bare.isupper():
            codes[bare.upper()] = codes.get(bare.upper(), 0) + 1
            continue
        for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):
            if symbol in word and (len(symbol) > 1 or any(ch.isdigit() for ch in word) or word == symbol):
                symbols[CURRENCY_SYMBOLS[symbol]] = symbols.get(CURRENCY_SYMBOLS[symbol], 0) + 1
                break
    if codes:
        return max(codes, key=codes.get)
    if symbols:
        return max(symbols, key=symbols.get)
    if decimal_comma:
        return "EUR"
    return "USD" if decimal_comma is False else None


def _labels_in(phrase: Phrase):
    """(field, words, start, end) for each label in the phrase, longest first at each place."""
    words = phrase.words
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + LONGEST_LABEL_WORDS), i, -1):
            key = norm(" ".join(w.text for w in words[i:j]))
            if not key:
                continue
            if i == 0 and key in _IGNORED:
                yield "ignored", words[i:j], i, j
                return
            if i == 0 and key in PAYEE_INDEX and key not in FIELD_INDEX:
                yield "payee", words[i:j], i, j
                return
            field_name = FIELD_INDEX.get(key)
            if field_name and (i == 0 or key in SENTENCE_LABELS or _after_a_value(words, i)):
                yield field_name, words[i:j], i, j
                i = j - 1
                break
            if j - i > 1 and re.match(r"#\w", words[j - 1].text):
                # "CHECK #012345": the "#" ends the label, the rest of the word is the value
                key = norm(" ".join(w.text for w in words[i:j - 1])) + "#"
                if FIELD_INDEX.get(key) and (i == 0 or key in SENTENCE_LABELS):
                    yield FIELD_INDEX[key], words[i:j - 1], i, j - 1
                    i = j - 2
                    break
        i += 1


def _after_a_value(words, i: int) -> bool:
    """A capitalised label right after another field's value in one phrase
    ("Payment No. 88123   Date 11/09/2026", printed closer than a column gap)."""
    return any(ch.isdigit() for ch in words[i - 1].text) and words[i].text[:1].isupper()


def _values_after(free: list[Line], position: int, line: Line, p: int, phrase: Phrase, end: int):
    """Where the value of a label may be: rest of phrase, next phrase, the lines below."""
    rest = phrase.words[end:]
    if rest:
        text = " ".join(w.text for w in rest)
        if rest[-1] is line.words[-1] and text.endswith("-") and position + 1 < len(free):
            text += free[position + 1].words[0].text  # "923-" at the end of a line, "32766" on the next
        yield text, "same"
        return
    if p + 1 < len(line.phrases) and not _starts_with_label(line.phrases[p + 1]):
        following = [line.phrases[p + 1].text]
        for q in line.phrases[p + 2:]:  # a totals line: the amounts after the label
            if re.search(r"[A-Za-z]{4}", q.text):
                break
            following.append(q.text)
        yield " ".join(following), "next"
    for below in free[position + 1: position + 3]:
        if below.page != line.page or below.top - line.bottom > 2.6 * line.height:
            break
        under = [q for q in below.phrases
                 if min(q.x1, phrase.x1 + 4 * line.height) - max(q.x0, phrase.x0 - line.height) > 0]
        if under:
            yield under[0].text, "below"
            break


def _starts_with_label(phrase: Phrase) -> bool:
    """True when a phrase is itself a label ("EFT Number"), so it is no one's value."""
    words = phrase.words
    for j in range(min(len(words), LONGEST_LABEL_WORDS), 0, -1):
        key = norm(" ".join(w.text for w in words[:j]))
        if key in FIELD_INDEX or key in PAYEE_INDEX:
            return j == len(words) or words[j - 1].text.endswith(":")
    return False


def _value_line_indexes(free, position, line, phrase, end) -> set[int]:
    """The lines holding a payee label's value: its own, the one below when the value is
    there or wraps onto it."""
    indexes = {line.index}
    for below in free[position + 1: position + 2]:
        if below.page != line.page:
            continue
        gap = below.top - line.bottom
        if (end >= len(phrase.words) and gap < 2.6 * line.height) or (
                gap < 0.8 * line.height and any(abs(p.x0 - phrase.x0) < 2 for p in below.phrases)):
            indexes.add(below.index)
    return indexes


def _read_value(field_name: str, raw: str, decimal_comma):
    text = raw.strip().lstrip(":#.-–").strip()
    # a bilingual label: "Payment ref. / Zahlungsreferenz: E2E8807", "Date / Datum: 09.11.2026"
    text = re.sub(r"^[/|]\s*[^\s:/|][^:/|]{0,40}:\s*", "", text)
    second = re.match(r"^([^:/|]{1,40}):\s*", text)
    if second and FIELD_INDEX.get(norm(second[1])) == field_name:
        text = text[second.end():]
    text = re.sub(r"^(?i:no\.?|number|nr\.?|#)\s*[:#]?\s*", "", text) if field_name == "payment_reference" else text
    if not text:
        return None
    tokens = text.split()
    if field_name == "payment_reference":
        return _reference(tokens, decimal_comma)
    if field_name == "payment_date":
        for n in range(min(4, len(tokens)), 0, -1):
            candidate = " ".join(tokens[:n]).strip(",;.")
            if parse_date(candidate) is not None:
                return candidate
        return None
    if field_name == "total":
        first = tokens[0].strip("*")
        if re.match(r"[A-Za-z]{2}", first) and first.upper() not in CURRENCY_CODES:
            return None  # "Total Discount 70.38": a total of something else
        # On a totals line (gross, discount, paid) the payment is the right-most amount.
        amounts = amounts_in(tokens, decimal_comma)
        if len(amounts) > 1 and all(position < 6 for position, _ in amounts):
            return amounts[-1][1]
        return amounts[0][1] if amounts and amounts[0][0] < 4 else None
    if field_name == "currency":
        token = tokens[0].strip(",;:()").upper()
        return token if token in CURRENCY_CODES else CURRENCY_SYMBOLS.get(tokens[0])
    if field_name == "payment_method":
        return method_in(text, first_mentioned=True)
    if field_name == "payer":
        if kind_of(text, decimal_comma) != "text" or not re.search(r"[A-Za-z]{2}", text):
            return None
        if norm(text) in FIELD_INDEX or norm(text) in _TITLE:
            return None
        return text
    return None


def _reference_token(token: str, decimal_comma) -> str | None:
    """One word of a payment reference, without surrounding punctuation, or None."""
    token = token.strip(",;:()")
    if token.endswith(".") and not token[:-1].endswith("."):
        token = token[:-1]
    looks_like_other = read_money(token, decimal_comma) is not None or (
        parse_date(token) is not None and not token.isdigit())  # "20261109001" is a number
    return token if _REFERENCE_SHAPE.match(token) and not looks_like_other else None


def _reference(tokens: list[str], decimal_comma) -> str | None:
    """The reference at the start of a label's value.

    Payers' systems print references in groups ("PMT 2026 0045", "0045 1187 22"): digit
    groups, and capitals before them, belong to it; a word in lower case, a date, an amount
    or the next label ("Date:") ends it.
    """
    first = _reference_token(tokens[0], decimal_comma)
    if first is None or tokens[0].endswith((":", ",", ";")):
        return first if first and any(ch.isdigit() for ch in first) else None
    parts = [first]
    for raw in tokens[1:4]:
        token = _reference_token(raw, decimal_comma)
        grouped = token is not None and token.isdigit() and (len(token) >= 2 or token == raw)
        if not grouped or not (first.isupper() or first.isdigit()):
            break
        parts.append(token)
        if raw.endswith((":", ",", ";")):
            break
    if not any(ch.isdigit() for ch in parts[0]):
        if len(parts) == 1:
            return None
    elif parts[0].isdigit() and len(parts) > 1 and not all(len(p) >= 3 for p in parts):
        parts = parts[:1]  # "10442 12": a number and something else, not digit groups
    return " ".join(parts)


def amounts_in(tokens: list[str], decimal_comma) -> list[tuple[int, object]]:
    """(token position, amount) for each amount in the tokens; "1 234,56" and "$ 12.00" join up."""
    found, i = [], 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + 3), i, -1):
            value = read_money(" ".join(tokens[i:j]), decimal_comma)
            if value is not None:
                found.append((i, value))
                i = j
                break
        else:
            i += 1
    return found


def _payer_from_sentence(free: list[Line]) -> str | None:
    for line in free:
        m = re.search(r"(?i)\b(?:remittance|payment)(?: advice)? from\s+(.+?)\s*$", line.text)
        if m and (_COMPANY_SUFFIX.search(m[1]) or _title_case_name(m[1])):
            name = _with_wrapped_suffix(m[1].strip(" ,"), line.phrases[0], line, free)
            if name.endswith("."):
                # The sentence's full stop: "... from Kessler GmbH." is "Kessler GmbH"; an
                # abbreviation keeps its own dot ("Harbor Co.", "Harbor Co.." with the stop).
                last = name.split()[-1]
                if name.endswith("..") or not _DOTTED_ABBREVIATION.fullmatch(last):
                    name = name[:-1]
            return name
        m = re.match(r"^(.+?)\s+(?:has|have)\s+(?:sent|initiated|made|remitted|issued|transferred|paid)\b",
                     line.text)
        if m and re.search(r"[A-Za-z]{2}", m[1]) and m[1].strip().lower() not in ("we", "i", "you", "they"):
            return m[1].strip(" ,")
    return None


def _title_case_name(text: str) -> bool:
    """"Tri-County Building Materials": a name of capitalised words, not a phrase ("our customer")."""
    words = text.strip(" .,").split()
    return 0 < len(words) <= 8 and all(w[0].isupper() or not w[0].isalpha() for w in words) and any(
        w[0].isalpha() for w in words)


def _letterhead(free: list[Line], payee_lines: set[int], values: set[str], page_height: float) -> str | None:
    """The payer's name at the top of page 1: the largest non-title text, a company name first."""
    best, best_score = None, None
    for line in free:
        if line.page != 1 or line.top > 0.4 * page_height:
            continue
        if line.index in payee_lines:
            continue
        for phrase in line.phrases:
            text = phrase.text.strip()
            key = norm(text)
            letters = sum(ch.isalpha() for ch in text)
            digits = sum(ch.isdigit() for ch in text)
            if letters < 3 or digits > letters / 3 or re.match(r"^\d", text):
                continue
            if key in _TITLE or any(t in key for t in ("remittance", "advice", "paymentnotification",
                                                        "notification", "page")):
                # "Harbor Freight Inc. - Remittance Advice": the name beside the title.
                text = _strip_title(text)
                text = _with_wrapped_suffix(text, phrase, line, free) if text else text
                key = norm(text)
                if not text or not _COMPANY_SUFFIX.search(text) or any(
                        t in key for t in ("remittance", "advice", "notification", "page")):
                    continue
            if any(key.startswith(label) for label in FIELD_INDEX if len(label) > 3) or ":" in text:
                continue
            if key in PAYEE_INDEX or text in values or method_in(text) or text.upper() in CURRENCY_CODES:
                continue
            if text.endswith(("?", "!")) or (len(text.split()) >= 6 and text.endswith(".")
                                              and not _LEGAL_FORM.fullmatch(text.split()[-1])):
                continue  # a sentence, not a name
            if digits and not _COMPANY_SUFFIX.search(text):
                continue  # an address or postcode line
            if _LEGAL_FORM.fullmatch(text) or _is_wrapped_tail(phrase, line, free):
                continue  # "Holdings Inc.": the end of a name wrapped from the line above
            text = _with_wrapped_suffix(text, phrase, line, free).strip(" -–—|:,")
            height = sum(w.height for w in phrase.words) / len(phrase.words)
            score = height + (2.0 if _COMPANY_SUFFIX.search(text) else 0.0) - 0.01 * line.top / max(height, 1)
            if best_score is None or score > best_score:
                best, best_score = text, score
    return best


def _with_wrapped_suffix(text: str, phrase: Phrase, line: Line, free: list[Line]) -> str:
    """A company name wrapped before its last words ("... of North America" / "Holdings Inc.") is joined."""
    if _LEGAL_FORM.fullmatch(text.split()[-1]):
        return text
    tail = _wrapped_neighbour(phrase, line, free, below=True)
    rest = _strip_title(tail.text) if tail is not None else ""
    if rest and len(rest.split()) <= 6 and _LEGAL_FORM.fullmatch(rest.split()[-1]):
        return f"{text} {rest}"
    return text


def _strip_title(text: str) -> str:
    """The name beside a title: "Harbor Inc. - Remittance Advice", "Payment advice from Harbor Inc."."""
    stripped = _TITLE_PREFIX.sub("", text)
    return (stripped if stripped != text else _TITLE_SUFFIX.sub("", text)).strip(" -–—|:,")


def _is_wrapped_tail(phrase: Phrase, line: Line, free: list[Line]) -> bool:
    """True for the second line of a wrapped name (the line above it is the same text block)."""
    head = _wrapped_neighbour(phrase, line, free, below=False)
    return head is not None and not _LEGAL_FORM.fullmatch(head.words[-1].text)


def _wrapped_neighbour(phrase: Phrase, line: Line, free: list[Line], below: bool) -> Phrase | None:
    """The phrase right below (or above) in the same size and alignment: a wrapped line."""
    height = sum(w.height for w in phrase.words) / len(phrase.words)
    for other in free:
        if other.page != line.page:
            continue
        gap = other.top - line.bottom if below else line.top - other.bottom
        if not 0 <= gap < 0.8 * height:
            continue
        for candidate in other.phrases:
            same_size = abs(sum(w.height for w in candidate.words) / len(candidate.words) - height) < 0.5
            aligned = (abs(candidate.x0 - phrase.x0) < 2 or abs(candidate.x1 - phrase.x1) < 2
                       or abs((candidate.x0 + candidate.x1) - (phrase.x0 + phrase.x1)) < 4)
            if same_size and aligned:
                return candidate
    return None
