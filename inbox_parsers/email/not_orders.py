"""Messages that carry no purchase order, told apart by their headers and words:
auto-replies, bounces, newsletters and invoice queries (which often quote a PO number)."""

import re

from inbox_parsers.email.bounces import BOUNCE_SUBJECT
from inbox_parsers.email.message import Mail

_AUTO_SUBJECT = re.compile(
    r"(?i)^\s*(?:out\s+of\s+(?:the\s+)?office|automatic\s+reply|auto(?:matic)?[\s-]*(?:reply|response|answer)|autoreply|"
    r"away\s+from\s+(?:the\s+)?office|abwesenheit|abwesenheitsnotiz|r[ée]ponse\s+automatique|respuesta\s+autom[aá]tica|on\s+vacation|auto:)"
)
_AUTO_BODY = re.compile(
    r"(?i)\b(?:i\s+am|i'm|i\s+will\s+be)\s+(?:currently\s+)?(?:out\s+of\s+(?:the\s+)?office|away|on\s+(?:annual\s+|parental\s+)?(?:leave|vacation|holiday))"
    r"|\bout\s+of\s+(?:the\s+)?office\s+(?:until|from|and)\b|\blimited\s+access\s+to\s+(?:my\s+)?e-?mail|\bthis\s+is\s+an\s+automatic(?:ally\s+generated)?\s+(?:reply|response|message)"
    r"|\bautomatische\s+antwort|\bich\s+bin\s+(?:bis|derzeit)"
)
_INVOICE_TOPIC = re.compile(r"(?i)\b(?:invoices?|inv\s*#|billing|statement\s+of\s+account|remittance|credit\s+(?:note|memo)|overcharged?|past\s+due|overdue|dunning|payment\s+(?:reminder|advice|status))\b")
_INVOICE_SPECIFIC = re.compile(
    r"(?i)\binvoices?\s*(?:no\.?|number|nr\.?|#)?\s*[:#]?\s*(?=[\w-]*\d)[\w-]{3,}|\b(?:your|the|this|that|last|attached|latest|recent|following)\s+invoices?\b|\bstatement\s+of\s+account\b|\bremittance\b"
)
_QUERY_WORDS = re.compile(
    r"(?i)\b(?:question|query|queries|discrepanc\w*|dispute\w*|incorrect|wrong|differ\w*|overcharg\w*|credit|copy|duplicate|clarif\w*|unpaid|overdue|paid|short|"
    r"mismatch\w*|not\s+match|doesn't\s+match|does\s+not\s+match|explain|why|\?)"
)
_NUMBERED_INVOICE = re.compile(r"(?i)\binvoices?\s*(?:no\.?|number|nr\.?|#)?\s*[:#]?\s*(?=[\w-]*\d)[\w-]{3,}|\bstatement\s+of\s+account\b|\bremittance\b")
_DISPUTE_WORDS = re.compile(r"(?i)\b(?:discrepanc\w*|dispute\w*|incorrect|wrong|overcharg\w*|credit\s+(?:note|memo)|short[\s-]?paid|unpaid|overdue|billed|charged|mismatch\w*|does\s+not\s+match|doesn't\s+match)\b")
ORDER_INTENT = re.compile(
    r"(?i)(?:please\s+(?:find|see)\s+(?:attached|below|enclosed|here)?\s*(?:our|the|a|my)?\s*(?:new\s+|revised\s+|latest\s+)?(?:purchase\s+)?(?:order|po)\b"
    r"|please\s+(?:supply|ship|deliver|send\s+us\s+(?:the\s+following|these)|process|book|enter|fill|arrange)|we\s+(?:would\s+like|wish|want|need)\s+to\s+order|i'?d\s+like\s+to\s+order|we'?d\s+like\s+to\s+order"
    r"|\b(?:new|attached|following|enclosed)\s+(?:purchase\s+)?orders?\b|\border\s+(?:below|attached|as\s+follows|details)|kindly\s+(?:supply|ship|deliver|process)|place\s+(?:an|the\s+following|our)\s+order"
    r"|\bplease\s+(?:confirm|acknowledge)\s+(?:receipt\s+of\s+)?(?:the|this|our)\s+(?:purchase\s+)?order|bitte\s+liefern|nous\s+commandons)"
)


def not_order_reason(mail: Mail) -> str | None:
    """Why a message is certainly no order, from its headers and subject alone: "bounce",
    "auto-reply", "newsletter", "invoice query"; None when it may be one."""
    content_type = mail.message.get_content_type()
    sender = (mail.sender_email or "").lower()
    if content_type == "multipart/report" or sender.startswith(("mailer-daemon@", "postmaster@")) or BOUNCE_SUBJECT.search(mail.subject):
        return "bounce"
    auto_submitted = mail.header("Auto-Submitted").lower()
    precedence = mail.header("Precedence").lower()
    if auto_submitted.startswith("auto-replied") or mail.header("X-Autoreply") or mail.header("X-Autorespond") \
            or precedence in ("auto_reply", "auto-reply") or _AUTO_SUBJECT.search(mail.subject):
        return "auto-reply"
    subject = re.sub(r"(?i)^\s*(?:(?:re|aw|sv|fw|fwd|wg|tr)\s*:\s*)+", "", mail.subject)
    if _INVOICE_TOPIC.search(subject) and not ORDER_INTENT.search(subject) and not re.search(r"(?i)\bnew\s+(?:purchase\s+)?order\b", subject):
        return "invoice query"
    return None


def bulk_reason(mail: Mail) -> str | None:
    """"newsletter" for mailing-list mail, "automatic message" for machine-sent mail that is
    no reply; either may still carry a PO (procurement systems send them so), so these only
    decide when no labelled PO is found."""
    precedence = mail.header("Precedence").lower()
    if mail.header("List-Unsubscribe") or mail.header("List-Id") or precedence in ("bulk", "list", "junk"):
        return "newsletter"
    auto_submitted = mail.header("Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return "automatic message"
    return None


_QUOTE_REQUEST = re.compile(
    r"(?i)\b(?:rfq|request\s+for\s+(?:a\s+)?(?:quote|quotation|pricing|proposal)|quote\s+request|price\s+request|pricing\s+request"
    r"|please\s+(?:send\s+(?:us\s+)?a\s+)?quote|can\s+you\s+(?:please\s+)?quote|could\s+you\s+(?:please\s+)?quote|send\s+(?:us\s+)?(?:a\s+|your\s+)?(?:quote|quotation|price\s+list)"
    r"|(?:need|want|would\s+like)\s+a\s+(?:quote|quotation)|angebotsanfrage|bitte\s+um\s+(?:ein\s+)?angebot|demande\s+de\s+(?:prix|devis))\b"
)


# "Please cancel PO 4711": the lines it lists are to be taken off, not ordered.
_CANCELLATION = re.compile(
    r"(?i)\b(?:please\s+cancel\s+(?:our|the|this|purchase|p\.?o\.?|order)|cancel(?:l?ation)?\s+(?:of\s+)?(?:our\s+|the\s+|this\s+)?(?:purchase\s+order|p\.?o\.?|order)\b"
    r"|(?:purchase\s+order|p\.?o\.?|order)\s*(?:#|no\.?|number)?\s*:?\s*[\w-]*\d[\w-]*\s*(?:-|–|:)?\s*(?:is\s+)?cancel(?:l?ed|l?ation)?\b"
    r"|\bcancel\s+(?:po|order)\b|stornierung|stornieren\s+sie|bitte\s+stornieren|annulation\s+de\s+(?:la\s+)?commande|anulaci[oó]n\s+del?\s+pedido)"
)
_REPLACEMENT = re.compile(r"(?i)\b(?:replac\w*|instead|revised|new\s+(?:purchase\s+)?order|re-?issu\w*|ersetzt)\b")
# Shipment and goods-receipt notices quote the PO and its lines, but ask for nothing.
_SHIPPING_NOTICE = re.compile(
    r"(?i)\b(?:ship(?:ment|ping)\s+(?:notification|notice)|advance[d]?\s+ship(?:ping|ment)?\s+notice|goods\s+receipt"
    r"|(?:has|have)\s+been\s+(?:received|delivered|shipped|dispatched)|proof\s+of\s+delivery"
    r"|wareneingang|lieferavis|versandbest[äa]tigung|avis\s+d'exp[ée]dition)\b"
)
# Terms printed on an order ("orders not confirmed within 5 days may be cancelled") are conditions, not requests.
_CONDITION = re.compile(r"(?i)\b(?:if|unless|may|will|reserves?|otherwise|subject\s+to|in\s+case|can)\b")


def _cancels(text: str) -> bool:
    """True when a sentence of ``text`` asks to cancel an order outright."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
        if _CANCELLATION.search(sentence) and not _CONDITION.search(sentence):
            return True
    return False


def text_reason(top_text: str, lines_found: bool = False) -> str | None:
    """Why the writer's own text reads as no order ("auto-reply", "invoice query",
    "quote request", "cancellation", "shipping notice"), or None. With ``lines_found``
    (the text holds order lines) only a query about a numbered invoice overrules them,
    never a passing "the invoice?"."""
    if _cancels(top_text) and not _REPLACEMENT.search(top_text):
        return "cancellation"
    if _SHIPPING_NOTICE.search(top_text) and not ORDER_INTENT.search(top_text):
        return "shipping notice"
    if _AUTO_BODY.search(top_text) and not lines_found:
        return "auto-reply"
    invoice = _NUMBERED_INVOICE if lines_found else _INVOICE_SPECIFIC
    query = _DISPUTE_WORDS if lines_found else _QUERY_WORDS
    if invoice.search(top_text) and query.search(top_text) and not ORDER_INTENT.search(top_text):
        return "invoice query"
    if _QUOTE_REQUEST.search(top_text) and not ORDER_INTENT.search(top_text):
        return "quote request"
    return None
