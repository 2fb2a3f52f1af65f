"""ISO 20022 camt.053 bank-to-customer statements, read into ``Payment`` records.

Any version (camt.053.001.02 to .08, and banks' own namespace spellings): elements are
found by local name. Only credits are payments (``CdtDbtInd`` CRDT, not reversed, not
pending). An entry booked as a batch holds one ``TxDtls`` per payment; each with its own
amount becomes a payment. From each transaction:

- reference: ``Refs/EndToEndId`` unless NOTPROVIDED, else the transaction or entry reference;
- payer: ``RltdPties/Dbtr/Nm`` (``Dbtr/Pty/Nm`` from version 8), or the ultimate debtor;
- payer account: ``RltdPties/DbtrAcct/Id/IBAN`` (or ``Othr/Id``);
- memo: every ``RmtInf/Ustrd`` joined, ``Strd/CdtrRefInf/Ref`` and referred document numbers;
- remittance lines: from ``Strd/RfrdDocInf`` with ``RfrdDocAmt`` when every block has both;
- date: booking date (``Dt`` or ``DtTm``), else value date.
"""

from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from bots.cash.payments import ZERO, Payment, RemittanceLine
from bots.errors import InputError
from inbox_parsers.dates import parse_date

SKIPPED_STATUSES = {"PDNG", "INFO", "RJCT"}


def read_camt053(data: bytes, file: str | None = None) -> list[Payment]:
    """All incoming payments of a camt.053 document, in document order."""
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data[:4096]:
        raise InputError("camt.053 file declares a DTD or entities, which bank statements never do", file)
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise InputError(f"payments file is not well-formed XML: {error}", file)
    statements = [s for report in _all(root, "BkToCstmrStmt") for s in _children(report, "Stmt")]
    if not statements:
        raise InputError("payments XML is not a camt.053 bank statement (no BkToCstmrStmt/Stmt)", file)
    payments = []
    for statement in statements:
        for entry in _children(statement, "Ntry"):
            payments.extend(_entry_payments(entry, file))
    return payments


def _entry_payments(entry, file) -> list[Payment]:
    if _text(entry, "CdtDbtInd") != "CRDT" or _text(entry, "RvslInd").lower() == "true":
        return []
    status = _text(entry, "Sts/Cd") or _text(entry, "Sts")
    if status.upper() in SKIPPED_STATUSES:
        return []
    amount_element = _first(entry, "Amt")
    entry_amount = _amount(amount_element, file)
    currency = amount_element.get("Ccy") if amount_element is not None else None
    booked = _date(entry, "BookgDt") or _date(entry, "ValDt")
    entry_reference = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    details = [tx for d in _children(entry, "NtryDtls") for tx in _children(d, "TxDtls")]
    own_amounts = [_tx_amount(tx, file) for tx in details]
    if len(details) > 1 and all(a is not None for a in own_amounts):
        batch = [(tx, amount) for tx, amount in zip(details, own_amounts) if _tx_is_credit(tx)]
    else:
        # One payment per entry: a single transaction, or a batch whose parts carry no amounts.
        batch = [(details[0] if details else None, entry_amount)]
    payments = []
    for number, (tx, amount) in enumerate(batch, start=1):
        fallback = entry_reference + (f"-{number}" if len(batch) > 1 else "")
        payments.append(_payment(tx, entry, amount, currency, booked, fallback or f"NTRY{number}"))
    return payments


def _payment(tx, entry, amount, currency, booked, fallback_reference) -> Payment:
    source = tx if tx is not None else entry
    end_to_end = _text(source, "Refs/EndToEndId")
    reference = end_to_end if end_to_end and end_to_end.upper() != "NOTPROVIDED" else (
        _text(source, "Refs/TxId") or _text(source, "Refs/InstrId") or _text(source, "Refs/AcctSvcrRef")
        or fallback_reference)
    parties = _first(source, "RltdPties")
    payer = payer_id = account = None
    if parties is not None:
        payer = (_text(parties, "Dbtr/Nm") or _text(parties, "Dbtr/Pty/Nm")
                 or _text(parties, "UltmtDbtr/Nm") or _text(parties, "UltmtDbtr/Pty/Nm") or None)
        payer_id = (_text(parties, "Dbtr/Id/OrgId/Othr/Id") or _text(parties, "Dbtr/Pty/Id/OrgId/Othr/Id") or None)
        account = _text(parties, "DbtrAcct/Id/IBAN") or _text(parties, "DbtrAcct/Id/Othr/Id") or None
    remittance = _first(source, "RmtInf")
    memo_parts, lines = [], []
    if remittance is not None:
        memo_parts += [_clean(e.text) for e in _children(remittance, "Ustrd") if _clean(e.text)]
        structured = list(_children(remittance, "Strd"))
        for block in structured:
            memo_parts += [_text(block, "CdtrRefInf/Ref")] + [_text(d, "Nb") for d in _children(block, "RfrdDocInf")]
        lines = _structured_lines(structured)
    extra = _text(source, "AddtlTxInf") or _text(entry, "AddtlNtryInf")
    if extra:
        memo_parts.append(extra)
    return Payment(payment_reference=reference, total=amount, payer=payer, payment_date=booked,
                   currency=(currency or "").upper() or None, memo=" ".join(p for p in memo_parts if p),
                   lines=lines, payer_account=account, payer_id=payer_id)


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
    indicator = _text(tx, "CdtDbtInd")
    return indicator in ("", "CRDT")


def _amount(element, file) -> Decimal | None:
    if element is None or element.text is None:
        return None
    try:
        return Decimal(element.text.strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InputError(f"camt.053 amount {element.text.strip()!r} is not a number", file)


def _date(entry, name: str):
    return parse_date((_text(entry, f"{name}/Dt") or _text(entry, f"{name}/DtTm"))[:10])


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
