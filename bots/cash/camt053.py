"""ISO 20022 bank-to-customer cash messages, read into ``Payment`` records.

camt.053 statements (``BkToCstmrStmt/Stmt``), camt.054 debit/credit notifications
(``BkToCstmrDbtCdtNtfctn/Ntfctn``) and camt.052 account reports (``BkToCstmrAcctRpt/Rpt``),
any version (001.02 to 001.13, and banks' own namespace spellings): the message is told by its
namespace or, without one, by its root element, and elements are found by local name. A file
may hold several statements, for several accounts; every entry of each is read in order.

What becomes a payment:

- Only credits (``CdtDbtInd`` CRDT) that are booked (not pending, information or rejected) and
  not reversals (``RvslInd`` true on a credit reverses an earlier debit). Debits never do.
- A batch booking (one entry, several ``TxDtls`` each with its own amount) gives one payment per
  transaction; an entry without transaction details, or whose details carry no amounts, one.
- A returned or reversed credit (a debit with ``RvslInd`` true, a return bank-transaction code
  such as RRTN, or return information ``RtrInf``) cancels the earlier credit of this file it
  returns: the one with the same end-to-end or transaction reference, else the only one of the
  same amount from the same party. That credit is dropped; so is the return.
- Charges: when the debtor's instructed amount (``AmtDtls/InstdAmt``) is more than what was
  booked, or charges are marked as included in the booked amount (``ChrgInclInd``), the
  payment is what the payer paid (before the bank's charges) and ``charges`` says how much the
  bank kept: a clerk applies the gross and books the charges as bank fees.

From each transaction: reference (``Refs/EndToEndId`` unless NOTPROVIDED, else the transaction
or entry reference), payer (``RltdPties/Dbtr/Nm``, ``Dbtr/Pty/Nm`` from version 8, or the
ultimate debtor), payer account (``DbtrAcct/Id/IBAN`` or ``Othr/Id``), memo (every
``RmtInf/Ustrd``: a line cut at its full width of 35 or 140 characters runs on into the next
without a space, others are joined by one; the referred document numbers; and a structured
creditor reference), and remittance lines from ``Strd/RfrdDocInf`` with ``RfrdDocAmt`` when
every block has both. An ISO 11649 creditor reference (``RF`` + check digits) goes to the memo
and ``creditor_reference`` only when its check digits hold.
"""

from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from bots.cash.records import ZERO, Payment, RemittanceLine
from bots.cash.references import creditor_reference
from bots.runtime.errors import InputError
from inbox_parsers.dates import parse_date

SKIPPED_STATUSES = {"PDNG", "INFO", "RJCT"}
# The messages (camt.053, camt.054, camt.052) by their element, with the element of each report in them.
MESSAGES = {"BkToCstmrStmt": "Stmt", "BkToCstmrDbtCdtNtfctn": "Ntfctn", "BkToCstmrAcctRpt": "Rpt"}
# Bank transaction sub-family codes of returns and reversals of an incoming credit.
RETURN_CODES = {"RRTN", "ARET", "RPCR", "AREV", "CAJT"}
LINE_WIDTHS = (35, 140)   # Ustrd lines are cut at these widths when the text runs on


def read_camt053(data: bytes, file: str | None = None) -> list[Payment]:
    """All incoming payments of a camt.053, camt.054 or camt.052 document, in document order."""
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data[:4096]:
        raise InputError("camt.053 file declares a DTD or entities, which bank statements never do", file)
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise InputError(f"payments file is not well-formed XML: {error}", file)
    reports = message_reports(root, file)
    payments: list[Payment] = []
    for report in reports:
        for entry in _children(report, "Ntry"):
            _read_entry(entry, payments, file)
    return payments


def message_reports(root, file: str | None = None) -> list:
    """The statements (or notifications, or reports) of the document, whichever camt message it is."""
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace and "camt.05" not in namespace and "iso:20022" in namespace:
        kind = namespace.rsplit(":", 1)[-1]
        raise InputError(f"payments XML is an ISO 20022 {kind} message, not a bank statement or notification "
                         "(camt.052, camt.053 or camt.054)", file)
    reports = []
    for message, report_name in MESSAGES.items():
        for element in _all(root, message):
            reports.extend(_children(element, report_name))
    if not reports:
        raise InputError("payments XML is not a camt.053 bank statement or camt.054 notification "
                         "(no BkToCstmrStmt/Stmt or BkToCstmrDbtCdtNtfctn/Ntfctn)", file)
    return reports


def _read_entry(entry, payments: list[Payment], file) -> None:
    """Add the entry's payments to ``payments``, or cancel the earlier credit it returns."""
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise InputError(f"camt entry {_entry_name(entry)} has no credit/debit indicator (CdtDbtInd "
                         f"{indicator or 'missing'})", file)
    amount_element = _first(entry, "Amt")
    entry_amount = _amount(amount_element, file)
    if entry_amount is None:
        raise InputError(f"camt entry {_entry_name(entry)} has no amount", file)
    status = (_text(entry, "Sts/Cd") or _text(entry, "Sts")).upper()
    reversal = _text(entry, "RvslInd").lower() in ("true", "1")
    if status in SKIPPED_STATUSES:
        return
    details = [tx for d in _children(entry, "NtryDtls") for tx in _children(d, "TxDtls")]
    if indicator == "DBIT":
        if reversal or _is_return(entry, details):
            for tx in details or [None]:
                _cancel_returned(payments, tx, entry, _tx_amount(tx, file) if tx is not None else entry_amount)
        return   # debits never become payments
    if reversal:
        return   # a credit that reverses an earlier debit is no money received
    currency = (amount_element.get("Ccy") or "").upper() or None
    booked = _date(entry, "BookgDt") or _date(entry, "ValDt")
    entry_reference = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    own_amounts = [_tx_amount(tx, file) for tx in details]
    if len(details) > 1 and all(a is not None for a in own_amounts):
        batch = [(tx, amount) for tx, amount in zip(details, own_amounts) if _tx_is_credit(tx)]
    else:
        # One payment per entry: a single transaction, or a batch whose parts carry no amounts.
        batch = [(details[0] if details else None, entry_amount)]
    for number, (tx, amount) in enumerate(batch, start=1):
        fallback = entry_reference + (f"-{number}" if len(batch) > 1 else "")
        payments.append(_payment(tx, entry, amount, currency, booked, fallback or f"NTRY{number}", file,
                                 whole_entry=len(batch) == 1))


def _payment(tx, entry, amount, currency, booked, fallback_reference, file, whole_entry) -> Payment:
    source = tx if tx is not None else entry
    parties = _first(source, "RltdPties")
    payer = payer_id = account = None
    if parties is not None:
        payer = (_text(parties, "Dbtr/Nm") or _text(parties, "Dbtr/Pty/Nm")
                 or _text(parties, "UltmtDbtr/Nm") or _text(parties, "UltmtDbtr/Pty/Nm") or None)
        payer_id = (_text(parties, "Dbtr/Id/OrgId/Othr/Id") or _text(parties, "Dbtr/Pty/Id/OrgId/Othr/Id") or None)
        account = _text(parties, "DbtrAcct/Id/IBAN") or _text(parties, "DbtrAcct/Id/Othr/Id") or None
    remittance = _first(source, "RmtInf")
    memo_parts, lines, creditor = [], [], None
    if remittance is not None:
        memo_parts.append(_unstructured(remittance))
        structured = list(_children(remittance, "Strd"))
        for block in structured:
            reference = _text(block, "CdtrRefInf/Ref")
            if reference.upper().startswith("RF"):
                if creditor_reference(reference):
                    creditor = creditor or reference.replace(" ", "").upper()
                    memo_parts.append(reference)
                # An RF reference whose check digits fail is mistyped: no reference at all.
            elif reference:
                memo_parts.append(reference)
            memo_parts += [_text(d, "Nb") for d in _children(block, "RfrdDocInf")]
        lines = _structured_lines(structured)
    extra = _text(source, "AddtlTxInf") or _text(entry, "AddtlNtryInf")
    if extra:
        memo_parts.append(extra)
    charges = _charges(source, amount, currency, file)
    if not charges and whole_entry and tx is not None:
        charges = _charges(entry, amount, currency, file)
    return Payment(payment_reference=_reference(source) or fallback_reference, total=amount + charges,
                   payer=payer, payment_date=booked, currency=currency,
                   memo=" ".join(p for p in memo_parts if p), lines=lines, payer_account=account,
                   payer_id=payer_id, charges=charges, creditor_reference=creditor)


def _reference(source) -> str:
    end_to_end = _text(source, "Refs/EndToEndId")
    if end_to_end and end_to_end.upper() != "NOTPROVIDED":
        return end_to_end
    return _text(source, "Refs/TxId") or _text(source, "Refs/InstrId") or _text(source, "Refs/AcctSvcrRef")


def _unstructured(remittance) -> str:
    """The ``Ustrd`` lines as one text: a line filled to its width was cut mid-word and runs on."""
    text = ""
    for element in _children(remittance, "Ustrd"):
        raw = (element.text or "").strip("\r\n")
        if not raw.strip():
            continue
        joiner = "" if text and len(previous) in LINE_WIDTHS and not previous.endswith(" ") else " "
        text = (text + joiner + raw) if text else raw
        previous = raw
    return _clean(text)


def _charges(source, booked: Decimal, currency, file) -> Decimal:
    """What the bank kept of the payer's payment (zero unless the file says it took charges from it)."""
    instructed = _first(source, "AmtDtls/InstdAmt/Amt")
    instructed_amount = _amount(instructed, file)
    if instructed_amount is not None and (instructed.get("Ccy") or currency or "").upper() == (currency or "").upper():
        return max(instructed_amount - booked, ZERO)
    charges = _first(source, "Chrgs")
    if charges is None:
        return ZERO
    included = [r for r in _children(charges, "Rcrd") if _text(r, "ChrgInclInd").lower() in ("true", "1")]
    if included:
        return sum((_amount(_first(r, "Amt"), file) or ZERO for r in included), ZERO)
    if _text(charges, "ChrgInclInd").lower() in ("true", "1"):
        return _amount(_first(charges, "TtlChrgsAndTaxAmt"), file) or _amount(_first(charges, "Amt"), file) or ZERO
    return ZERO


def _is_return(entry, details) -> bool:
    for source in [entry, *details]:
        codes = {_text(source, "BkTxCd/Domn/Fmly/SubFmlyCd").upper(), _text(source, "BkTxCd/Prtry/Cd").upper()}
        if codes & RETURN_CODES or _first(source, "RtrInf") is not None:
            return True
    return False


def _cancel_returned(payments: list[Payment], tx, entry, amount) -> None:
    """Drop the earlier credit that ``tx`` (a return or reversal) gives back, when it can be told."""
    source = tx if tx is not None else entry
    references = {r for r in (_text(source, "Refs/EndToEndId"), _text(source, "Refs/TxId"),
                              _text(source, "RtrInf/OrgnlEndToEndId"), _text(source, "Refs/InstrId"))
                  if r and r.upper() != "NOTPROVIDED"}
    same = [i for i, p in enumerate(payments) if p.payment_reference in references]
    if not same and amount is not None:
        parties = _first(source, "RltdPties")
        party = (_text(parties, "Cdtr/Nm") or _text(parties, "Cdtr/Pty/Nm") or _text(parties, "Dbtr/Nm")
                 or _text(parties, "Dbtr/Pty/Nm")) if parties is not None else ""
        same = [i for i, p in enumerate(payments) if p.total - p.charges == amount and party and p.payer == party]
    if len(same) == 1:
        del payments[same[0]]


def _structured_lines(blocks) -> list[RemittanceLine]:
    """Remittance lines from structured blocks, only when every block names a document and its amount."""
    lines = []
    for block in blocks:
        number = _text(block, "RfrdDocInf/Nb")
        amounts = _first(block, "RfrdDocAmt")
        paid = _amount(_first(amounts, "RmtdAmt"), None) if amounts is not None else None
        if not number or paid is None:
            return []
        gross = _amount(_first(amounts, "DuePyblAmt"), None)
        discount = _amount(_first(amounts, "DscntApldAmt/Amt"), None) or _amount(_first(amounts, "DscntApldAmt"), None)
        deduction = _amount(_first(amounts, "AdjstmntAmtAndRsn/Amt"), None)
        credit_note = (_text(block, "RfrdDocInf/Tp/CdOrPrtry/Cd") or "").upper() == "CREN"
        sign = -1 if credit_note else 1
        lines.append(RemittanceLine(invoice=number, paid=sign * paid, gross=sign * gross if gross is not None else None,
                                    discount=abs(discount or ZERO), deduction=abs(deduction or ZERO),
                                    invoice_date=parse_date(_text(block, "RfrdDocInf/RltdDt"))))
    return lines


def _tx_amount(tx, file) -> Decimal | None:
    for path in ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"):
        element = _first(tx, path)
        if element is not None:
            return _amount(element, file)
    return None


def _tx_is_credit(tx) -> bool:
    return _text(tx, "CdtDbtInd") in ("", "CRDT")


def _amount(element, file) -> Decimal | None:
    if element is None or element.text is None:
        return None
    text = element.text.strip()
    try:
        amount = Decimal(text)
        if amount.is_finite() and amount >= 0:
            return amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InputError(f"camt amount {text!r} is not a number", file)
    raise InputError(f"camt amount {text!r} is not an amount (ISO 20022 amounts are positive; the "
                     "credit/debit indicator gives the direction)", file)


def _date(entry, name: str):
    return parse_date((_text(entry, f"{name}/Dt") or _text(entry, f"{name}/DtTm"))[:10])


def _entry_name(entry) -> str:
    return _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef") or "without a reference"


# -- namespace-free navigation: camt versions differ only in their namespace ------------------

def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name: str):
    return (child for child in element if _local(child.tag) == name) if element is not None else iter(())


def _first(element, path: str):
    for name in path.split("/"):
        element = next(_children(element, name), None)
        if element is None:
            return None
    return element


def _text(element, path: str) -> str:
    found = _first(element, path)
    return _clean(found.text) if found is not None else ""


def _all(element, name: str):
    return (e for e in element.iter() if _local(e.tag) == name)


def _clean(text) -> str:
    return " ".join((text or "").split())
