"""The words payers use: column headers, header-field labels, summary rows, payment methods.

Everything is compared in a normalised form (``norm``: lower case, letters and digits
only), so "Invoice No.", "INVOICE NO" and "InvoiceNo" are the same label. To teach the
parser a new wording, add it here; no code changes.
"""

import re

# Column roles of a lines table. "amount" is a column that is gross or paid depending on
# what else the table has (resolved in header_rows.py).
COLUMN_SYNONYMS = {
    "invoice": [
        "invoice", "invoice number", "invoice no", "invoice nr", "invoice #", "invoice num", "invoice ref",
        "invoice reference", "inv", "inv no", "inv #", "inv number", "inv num", "inv nr", "your invoice",
        "your invoice no", "your invoice number", "your document", "your doc", "your doc no",
        "your reference", "your ref", "doc no", "doc number", "doc #", "document", "document no",
        "document number", "document #", "bill no", "bill number", "reference", "ref no", "ref",
        "reference no", "reference number", "invoice/credit", "invoice / credit memo", "document ref",
        "rechnung", "rechnungsnummer", "rechnungsnr", "belegnummer", "beleg nr", "facture", "no facture",
        "n facture", "vendor invoice", "supplier invoice", "supplier invoice no", "vendor invoice no",
        "vendor invoice number", "invoice id", "item", "transaction",
    ],
    "invoice_date": [
        "invoice date", "inv date", "inv. date", "date", "doc date", "document date", "dated",
        "your invoice date", "invoice dt", "rechnungsdatum", "belegdatum", "datum", "date facture",
        "transaction date", "bill date",
    ],
    "gross": [
        "gross", "gross amount", "gross amt", "invoice amount", "inv amount", "inv amt", "invoice amt",
        "original amount", "orig amount", "orig amt", "amount due", "invoice total", "invoice value",
        "document amount", "doc amount", "open amount", "bruttobetrag", "rechnungsbetrag", "montant brut",
        "amount invoiced", "billed amount", "face amount", "gross inv amt",
    ],
    "discount": [
        "discount", "disc", "disc.", "discount taken", "disc taken", "discount amount", "disc amt",
        "cash discount", "early payment discount", "early pay discount", "terms discount", "skonto",
        "remise", "discount/adjustment", "discount / adjustment", "disc/adj", "discount & adjustments",
        "discount and adjustment", "less discount",
    ],
    "deduction": [
        "deduction", "deductions", "deduction amount", "deduct", "adjustment", "adjustments", "adj",
        "adj amount", "adjustment amount", "short pay", "short paid", "short payment", "chargeback",
        "other deductions", "deduction amt", "adjmt", "abzug", "kurzung", "kürzung", "less deductions",
    ],
    "paid": [
        "paid", "amount paid", "amt paid", "paid amount", "net paid", "net amount", "net amt", "net",
        "payment", "payment amount", "payment amt", "net payment", "amount remitted", "remitted",
        "net remitted", "paid amt", "zahlbetrag", "zahlung", "montant payé", "montant paye",
        "amount paid this invoice", "net pay", "you were paid", "amount applied", "net amount paid",
        "total amount paid", "invoice amount paid", "remit amount", "remitted amount", "amount remitted",
        "payment applied", "net payment amount", "paid this payment", "amount to pay", "net remit",
    ],
    "amount": ["amount", "amt", "betrag", "montant", "value", "sum"],
    "reason": [
        "reason", "reason code", "remarks", "remark", "comment", "comments", "memo", "explanation",
        "adj reason", "adjustment reason", "deduction reason", "note", "notes", "grund",
    ],
    "currency": ["currency", "curr", "ccy", "cur"],
    "doc_type": ["type", "doc type", "document type", "trans type"],
}

# Labels of header fields, by field. Longer labels win over shorter ones.
FIELD_LABELS = {
    "payment_reference": [
        "payment reference", "payment ref", "payment reference number", "payment reference no",
        "payment number", "payment no", "payment #", "payment id", "payment document", "payment doc no",
        "our payment number", "our payment no", "our payment reference", "our reference", "our ref",
        "trace number", "trace no", "trace #", "trace", "trace / reference no", "trace/reference no",
        "trace reference", "ach trace number", "ach trace no", "ach trace", "reference no", "reference number",
        "eft number", "eft no", "eft #", "eft reference", "eft ref", "eft trace", "check no", "check number",
        "check #", "check nr", "cheque no", "cheque number", "cheque #", "cheque nr", "remittance number",
        "remittance no", "remittance id", "remittance reference", "transaction reference", "transaction ref",
        "transaction id", "transaction number", "transfer reference", "wire reference", "wire ref",
        "end to end id", "end-to-end id", "endtoendid", "zahlungsreferenz", "zahlungsnummer",
        "référence de paiement", "reference de paiement", "voucher number", "voucher no", "payment voucher",
        "settlement reference", "reference", "ref", "confirmation number", "confirmation no",
        "imad", "fed reference", "payment doc #", "payment doc no", "pmt ref", "pmt reference", "pmt no",
        "pmt #", "pmt number", "ach reference", "ach ref", "wire ref no", "wire reference number",
        "check/eft no", "check/eft number", "eft/check no", "eft/check number", "check/eft #", "remittance ref",
        "payment ref no", "payment ref #", "eft trace number", "trace id", "bank reference", "uetr",
        "document no", "document number", "payment document no", "payment document number",
    ],
    "payment_date": [
        "payment date", "date paid", "paid on", "value date", "check date", "cheque date", "settlement date",
        "date of payment", "pay date", "payment issued", "issue date", "effective date", "transfer date",
        "execution date", "remittance date", "credit date", "zahlungsdatum", "valuta", "date de paiement",
        "processing date", "date", "sent on", "was sent on", "made on", "initiated on", "dated",
        "will be credited on", "on", "pmt date", "date sent", "deposit date", "payment sent", "sent date",
        "process date", "date issued", "issued on", "payment run date", "release date", "check issue date",
    ],
    "payer": [
        "payer", "payer name", "paid by", "from", "remitter", "remitted by", "ordering party", "originator",
        "originator name", "orig co name", "company name", "sender", "debtor", "debtor name", "customer",
        "customer name", "issued by", "payor", "auftraggeber", "zahler", "payeur", "client", "remitter name",
        "paying company", "payor name", "sent by", "payment from", "originating company",
    ],
    "payment_method": [
        "payment method", "method of payment", "payment type", "payment mode", "method", "paid via",
        "paid by method", "payment channel", "zahlungsart", "mode de paiement", "type of payment", "by", "via",
    ],
    "currency": ["currency", "payment currency", "currency code", "ccy", "währung", "wahrung", "devise"],
    "total": [
        "total", "grand total", "total paid", "total payment", "payment total", "payment amount",
        "amount paid", "total amount paid", "check amount", "cheque amount", "total amount", "net payment",
        "remittance total", "remittance amount", "amount of payment", "total remitted", "amount remitted",
        "payment of", "the amount of", "amount of", "transfer amount", "wire amount", "eft amount",
        "ach amount", "total net amount", "total net paid", "total net", "net amount paid", "gesamtbetrag",
        "summe", "zahlbetrag", "montant total", "settlement amount", "amount", "total this payment",
        "total payment amount", "sum of", "check total", "cheque total", "total remittance", "pmt amount",
        "paid amount", "net check amount", "amount of check", "amount of cheque", "total amount remitted",
        "eft total", "payment value", "total paid amount", "amount of this payment", "net amount",
        "total net amount paid", "payment amount total",
    ],
}

# Labels whose value names us (the payee), never the payer.
PAYEE_LABELS = [
    "pay to the order of", "pay to", "payee", "vendor", "vendor name", "supplier", "supplier name",
    "beneficiary", "beneficiary name", "to", "remit to", "sold to", "creditor", "bill to", "empfänger",
    "bénéficiaire", "vendor no", "vendor number", "vendor id", "supplier no", "supplier number",
    "account", "account no", "account number", "iban", "bic", "swift", "bank", "our account", "page",
]

TITLE_WORDS = [
    "remittance advice", "payment advice", "remittance", "advice", "payment notification",
    "payment notice", "notice of payment", "remittance statement", "check stub", "cheque stub",
    "eft remittance", "ach remittance", "wire transfer notification", "sepa credit transfer",
    "zahlungsavis", "avis de paiement", "payment confirmation", "remittance detail", "remittance details",
    "detail", "statement", "invoice detail", "invoices paid",
]

# Rows of a lines table that are not lines.
FORWARD_WORDS = ["brought forward", "carried forward", "balance forward", "b/f", "c/f", "forwarded",
                 "continued", "carry forward", "übertrag", "ubertrag", "report", "a reporter", "sub-total",
                 "from previous page", "to next page", "continued on next page", "cont'd"]
SUBTOTAL_WORDS = ["subtotal", "sub total", "page total", "total this page", "page subtotal", "zwischensumme"]
TOTAL_WORDS = ["total", "grand total", "summe", "gesamt", "total paid", "payment amount", "amount paid",
               "check amount", "cheque amount", "net payment", "total remitted", "payment total", "net amount",
               "total payment", "total amount"]

CREDIT_TYPE_WORDS = {"cm", "crm", "credit", "creditmemo", "creditnote", "cn", "cr", "gutschrift", "avoir"}

# Payment methods, checked in this order (the more specific first).
METHOD_PATTERNS = [
    ("SEPA", r"\bsepa\b|\biban\b.*credit transfer|credit transfer.*\biban\b|\bsct\b"),
    ("WIRE", r"\bwire\b|\bswift\b|\bfedwire\b|\btelegraphic\b|\bmt ?103\b|\bchips\b"),
    ("ACH", r"\bach\b|\bbacs\b|\bccd\+?|\bctx\b|\bppd\b|\beft\b|\belectronic funds transfer\b|\bdirect deposit\b"),
    ("CHECK", r"\bcheque\b|\bcheck\s*(?:no|number|#|nr|date|amount|num|total)\b|\bpay to the order of\b|"
              r"\b(?:by|via|paper) check\b|\bcheck payment\b"),
    ("CARD", r"\bcredit card\b|\bcard payment\b|\bvisa\b|\bmastercard\b|\bamex\b|\bpayment card\b|"
             r"\b(?:by|via) card\b"),
]
# A label's value may name the method in one bare word ("Method: Check").
# "Bank transfer" alone is a transfer of no named scheme: TRANSFER, resolved by the currency
# once it is known (within the euro area a euro transfer is SEPA, otherwise a wire).
METHOD_WORDS = [("CHECK", r"\bcheck\b"), ("CARD", r"\bcard\b"), ("TRANSFER", r"\btransfer\b|\büberweisung\b")]

CURRENCY_CODES = {
    "USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SEK", "NOK", "DKK", "JPY", "MXN", "PLN", "CZK", "NZD",
    "INR", "BRL", "ZAR", "SGD", "HKD", "CNY", "HUF", "RON", "TRY",
}
CURRENCY_SYMBOLS = {"C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "US$": "USD",
                    "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "zł": "PLN", "Kč": "CZK"}


def norm(text: str) -> str:
    """Normalise a label for comparison: lower case, letters, digits and '#' only."""
    return re.sub(r"[^0-9a-zà-ÿß#]", "", text.lower())


def _index(table: dict[str, list[str]]) -> dict[str, str]:
    index = {}
    for key, words in table.items():
        for word in words:
            index.setdefault(norm(word), key)
    return index


COLUMN_INDEX = _index(COLUMN_SYNONYMS)
FIELD_INDEX = _index(FIELD_LABELS)
PAYEE_INDEX = {norm(w) for w in PAYEE_LABELS}
LONGEST_LABEL_WORDS = 6


# Keyword rules for column labels no list above knows ("Disc. Amt Taken", "Inv Ref #"):
# (role, words that must all appear, words that must not). Checked in order.
_GUESSES = [
    ("other", ("due",), ()), ("other", ("po",), ()), ("other", ("order",), ()), ("other", ("balance",), ()),
    ("reason", ("reason",), ()), ("reason", ("remark",), ()), ("reason", ("comment",), ()),
    ("discount", ("disc",), ()),
    ("deduction", ("deduct",), ()), ("deduction", ("adj",), ()), ("deduction", ("short",), ()),
    ("deduction", ("chargeback",), ()),
    ("invoice_date", ("date",), ()),
    ("paid", ("paid",), ()), ("paid", ("remit",), ()), ("paid", ("netamount",), ()), ("paid", ("payment",), ()),
    ("gross", ("gross",), ()), ("gross", ("original",), ()), ("gross", ("inv", "am"), ()),
    ("invoice", ("inv",), ("am",)), ("invoice", ("doc",), ("am",)), ("invoice", ("bill",), ("am",)),
]


def guess_column_role(key: str) -> str | None:
    """A role for an unknown column label from the words in it, or None."""
    for role, needed, banned in _GUESSES:
        if all(n in key for n in needed) and not any(b in key for b in banned):
            return role
    return None
