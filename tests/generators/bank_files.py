"""Bank files in the shapes banks send them, each with the payments a careful reader must find.

``camt_file(rng)`` writes an ISO 20022 camt.053 statement or camt.054 notification (versions
001.02 to 001.08, default or prefixed namespace), of one to three statements for different
accounts, whose entries are drawn from: single credits (structured lines, a checked or a
mistyped RF creditor reference, unstructured text over several ``Ustrd`` lines cut at 35
characters), batch bookings (one entry, several transactions), entries without transaction
details, debits, pending entries, reversals of debits, credits later returned or reversed in
the same file, and credits from which the bank took charges.

``bai2_file(rng)`` writes a BAI2 file of one or two groups and one to three accounts each, with
credit and debit type codes, every funds type (0, 1, 2, Z, V, S, D), payer names and ACH
addenda in the text, records continued on ``88`` records at a field or in the middle of the
text, CRLF or LF line ends and records padded to 80 columns.

Each returns the file and the ``Expected`` payments, in file order: the truth is written
down as the file is made, never read back with the code under test. ``damage(rng, data)``
breaks a file the way transfers and hand edits do; the reader must refuse it.
"""

import random
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

CAMT_KINDS = [("camt.053", "BkToCstmrStmt", "Stmt"), ("camt.054", "BkToCstmrDbtCdtNtfctn", "Ntfctn")]
VERSIONS = ["02", "03", "04", "05", "06", "07", "08"]
WORDS = ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel", "Ivy", "Juniper", "Larch",
         "Maple", "Oak", "Pine", "Quince", "Rowan", "Spruce", "Tamarack", "Willow", "Yew"]
TRADES = ["Grocers", "Supply", "Hardware", "Marine", "Textiles", "Foods"]
CREDIT_CODES = ["165", "195", "301", "142", "175", "399", "115"]
DEBIT_CODES = ["475", "495", "455", "699", "501"]


@dataclass
class Expected:
    """One payment the reader must give, as the bank file means it."""

    reference: str
    total: Decimal
    currency: str
    payment_date: date
    payer: str | None = None
    payer_account: str | None = None
    memo_words: list[str] = field(default_factory=list)     # text the memo must hold
    memo_spacing: bool = True    # False where the file cannot say where spaces go (BAI2 text cut anywhere)
    memo_absent: list[str] = field(default_factory=list)    # text it must not hold
    lines: list[tuple[str, Decimal]] = field(default_factory=list)
    charges: Decimal = Decimal("0.00")
    creditor_reference: str | None = None


def creditor_reference(body: str) -> str:
    """An ISO 11649 creditor reference for ``body``, with its check digits computed."""
    numeric = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(numeric) % 97:02d}{body}"


def mistyped(reference: str) -> str:
    """The reference with its check digits wrong (as a payer mistypes it)."""
    digits = int(reference[2:4])
    return f"RF{(digits + 1) % 100 if digits != 98 else 2:02d}{reference[4:]}"


class _Namer:
    def __init__(self, rng: random.Random):
        self.rng, self.used, self.count = rng, set(), 0

    def company(self) -> str:
        while True:
            name = f"{self.rng.choice(WORDS)} {self.rng.choice(WORDS)} {self.rng.choice(TRADES)}"
            if name not in self.used:
                self.used.add(name)
                return name

    def reference(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count:05d}{self.rng.randint(100, 999)}"

    def iban(self) -> str:
        return "DE" + "".join(str(self.rng.randint(0, 9)) for _ in range(20))


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


# -- camt ---------------------------------------------------------------------------------------

def camt_file(rng: random.Random) -> tuple[bytes, list[Expected]]:
    """A camt.053 or camt.054 document and the payments in it."""
    kind, message, report = rng.choice(CAMT_KINDS)
    version = rng.choice(VERSIONS)
    namespace = f"urn:iso:std:iso:20022:tech:xsd:{kind}.001.{version}"
    prefix = rng.choice(["", "", "ns2:"])
    namer = _Namer(rng)
    expected: list[Expected] = []
    reports = []
    day = date(2026, 11, 2) + timedelta(days=rng.randint(0, 20))
    for number in range(rng.randint(1, 3)):
        currency = rng.choice(["EUR", "EUR", "CHF", "USD"])
        entries = []
        returnable: list[tuple[str, Decimal, str]] = []
        for _ in range(rng.randint(1, 6)):
            entries.append(_camt_entry(rng, namer, version, currency, day, expected, returnable))
        if returnable and rng.random() < 0.6:   # a credit of this statement comes back
            reference, amount, payer = rng.choice(returnable)
            entries.append(_return_entry(rng, namer, version, currency, day, reference, amount, payer))
            expected[:] = [e for e in expected if e.reference != reference]
        reports.append(f"<{report}><Id>{kind.upper()}-{number}</Id><Acct><Id><IBAN>{namer.iban()}</IBAN></Id>"
                       f"<Ccy>{currency}</Ccy></Acct>{''.join(entries)}</{report}>")
    body = f"<{message}><GrpHdr><MsgId>MSG{rng.randint(1000, 9999)}</MsgId></GrpHdr>{''.join(reports)}</{message}>"
    document = f'<Document xmlns="{namespace}">{body}</Document>'
    if prefix:
        document = _prefixed(document, namespace, prefix)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + document).encode("utf-8"), expected


def _prefixed(document: str, namespace: str, prefix: str) -> str:
    """The same document with every element in a prefixed namespace (``<ns2:Ntry>``)."""
    document = document.replace(f' xmlns="{namespace}"', f' xmlns:{prefix[:-1]}="{namespace}"')
    return re.sub(r"<(/?)([A-Za-z]+)([ >/])", lambda m: f"<{m[1]}{prefix}{m[2]}{m[3]}", document)


def _status(version: str, code: str) -> str:
    return f"<Sts><Cd>{code}</Cd></Sts>" if version >= "08" else f"<Sts>{code}</Sts>"


def _party(version: str, name: str, account: str | None, role: str = "Dbtr") -> str:
    inner = f"<Pty><Nm>{escape(name)}</Nm></Pty>" if version >= "08" else f"<Nm>{escape(name)}</Nm>"
    acct = f"<{role}Acct><Id><IBAN>{account}</IBAN></Id></{role}Acct>" if account else ""
    return f"<RltdPties><{role}>{inner}</{role}>{acct}</RltdPties>"


def _entry(amount: Decimal, currency: str, indicator: str, version: str, day: date, inner: str,
           status: str = "BOOK", reversal: bool = False, code: str = "ESCT", reference: str = "") -> str:
    return (f"<Ntry>{f'<NtryRef>{reference}</NtryRef>' if reference else ''}"
            f"<Amt Ccy=\"{currency}\">{_money(amount)}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>"
            f"{'<RvslInd>true</RvslInd>' if reversal else ''}{_status(version, status)}"
            f"<BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><ValDt><Dt>{day.isoformat()}</Dt></ValDt>"
            f"<AcctSvcrRef>{reference or 'SVC' + str(zlib.crc32(inner.encode()))}</AcctSvcrRef>"
            f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>{code}</SubFmlyCd></Fmly></Domn></BkTxCd>"
            f"{inner}</Ntry>")


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(1000, 5_000_000)) / 100


def _camt_entry(rng, namer, version, currency, day, expected, returnable) -> str:
    shape = rng.choice(["single", "single", "batch", "no_details", "debit", "pending", "reversed_debit", "charges"])
    if shape == "debit":
        payee = namer.company()
        tx = f"<NtryDtls><TxDtls><Refs><EndToEndId>{namer.reference('OUT')}</EndToEndId></Refs>" \
             f"{_party(version, payee, namer.iban(), 'Cdtr')}</TxDtls></NtryDtls>"
        return _entry(_amount(rng), currency, "DBIT", version, day, tx)
    if shape in ("pending", "reversed_debit"):
        tx = f"<NtryDtls><TxDtls><Refs><EndToEndId>{namer.reference('X')}</EndToEndId></Refs></TxDtls></NtryDtls>"
        return _entry(_amount(rng), currency, "CRDT", version, day, tx, status="PDNG" if shape == "pending" else "BOOK",
                      reversal=shape == "reversed_debit")
    if shape == "no_details":
        reference = namer.reference("NTRY")
        amount = _amount(rng)
        note = f"CASH DEPOSIT BRANCH {rng.randint(10, 99)}"
        expected.append(Expected(reference, amount, currency, day, memo_words=[note]))
        inner = f"<AddtlNtryInf>{note}</AddtlNtryInf>"
        return _entry(amount, currency, "CRDT", version, day, inner, reference=reference).replace(
            f"<AcctSvcrRef>{reference}</AcctSvcrRef>", "")   # the entry reference is NtryRef alone
    if shape == "batch":
        parts = []
        total = Decimal("0.00")
        for _ in range(rng.randint(2, 4)):
            tx, payment = _credit_tx(rng, namer, version, currency, day)
            parts.append(tx)
            total += payment.total
            expected.append(payment)
        return _entry(total, currency, "CRDT", version, day,
                      f"<NtryDtls><Btch><NbOfTxs>{len(parts)}</NbOfTxs></Btch>{''.join(parts)}</NtryDtls>")
    tx, payment = _credit_tx(rng, namer, version, currency, day, charges=shape == "charges")
    expected.append(payment)
    if payment.charges == 0 and payment.payer:
        returnable.append((payment.reference, payment.total, payment.payer))
    return _entry(payment.total - payment.charges, currency, "CRDT", version, day, f"<NtryDtls>{tx}</NtryDtls>")


def _credit_tx(rng, namer, version, currency, day, charges: bool = False) -> tuple[str, Expected]:
    """One incoming transfer's ``TxDtls`` and the payment it is."""
    amount = _amount(rng)
    payer, account = namer.company(), namer.iban()
    reference = namer.reference("E2E")
    if rng.random() < 0.2:
        refs = f"<Refs><EndToEndId>NOTPROVIDED</EndToEndId><TxId>{reference}</TxId></Refs>"
    else:
        refs = f"<Refs><EndToEndId>{reference}</EndToEndId></Refs>"
    payment = Expected(reference, amount, currency, day, payer=payer, payer_account=account)
    remittance = rng.choice(["ustrd", "ustrd_lines", "rf", "rf_mistyped", "lines", "none"])
    invoice = f"INV-{rng.randint(10000, 99999)}"
    if remittance == "ustrd":
        text = f"PAYMENT {invoice} THANK YOU"
        payment.memo_words = [text]
        rmt = f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf>"
    elif remittance == "ustrd_lines":
        # Long text cut into 35-character lines, wherever the cut falls (even inside a number).
        text = f"INVOICES {invoice} AND INV-{rng.randint(10000, 99999)} CUSTOMER NO {rng.randint(1000, 9999)} " \
               f"ORDER {rng.randint(100000, 999999)} DATED {day.isoformat()}"
        pieces = [text[i:i + 35] for i in range(0, len(text), 35)]
        payment.memo_words = [text]
        rmt = "<RmtInf>" + "".join(f"<Ustrd>{escape(piece)}</Ustrd>" for piece in pieces) + "</RmtInf>"
    elif remittance in ("rf", "rf_mistyped"):
        good = creditor_reference(f"{rng.randint(10**8, 10**9)}")
        sent = good if remittance == "rf" else mistyped(good)
        if remittance == "rf":
            payment.memo_words, payment.creditor_reference = [good], good
        else:
            payment.memo_absent = [sent]
        rmt = (f"<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
               f"<Ref>{sent}</Ref></CdtrRefInf></Strd></RmtInf>")
    elif remittance == "lines":
        blocks = []
        remaining = amount
        count = rng.randint(1, 3)
        for position in range(count):
            paid = remaining if position == count - 1 else (remaining / 2).quantize(Decimal("0.01"))
            remaining -= paid
            number = f"INV-{rng.randint(10000, 99999)}"
            payment.lines.append((number, paid))
            blocks.append(f"<Strd><RfrdDocInf><Tp><CdOrPrtry><Cd>CINV</Cd></CdOrPrtry></Tp><Nb>{number}</Nb>"
                          f"</RfrdDocInf><RfrdDocAmt><RmtdAmt Ccy=\"{currency}\">{_money(paid)}</RmtdAmt>"
                          f"</RfrdDocAmt></Strd>")
        rmt = "<RmtInf>" + "".join(blocks) + "</RmtInf>"
    else:
        rmt = ""
    amounts = f"<AmtDtls><TxAmt><Amt Ccy=\"{currency}\">{_money(amount)}</Amt></TxAmt></AmtDtls>"
    fee = Decimal("0.00")
    if charges:
        fee = Decimal(rng.randint(50, 2500)) / 100
        payment.charges = fee
        booked = amount - fee
        if rng.random() < 0.5 or version < "03":
            amounts = (f"<AmtDtls><InstdAmt><Amt Ccy=\"{currency}\">{_money(amount)}</Amt></InstdAmt>"
                       f"<TxAmt><Amt Ccy=\"{currency}\">{_money(booked)}</Amt></TxAmt></AmtDtls>")
        else:
            amounts = (f"<AmtDtls><TxAmt><Amt Ccy=\"{currency}\">{_money(booked)}</Amt></TxAmt></AmtDtls>"
                       f"<Chrgs><TtlChrgsAndTaxAmt Ccy=\"{currency}\">{_money(fee)}</TtlChrgsAndTaxAmt>"
                       f"<Rcrd><Amt Ccy=\"{currency}\">{_money(fee)}</Amt><ChrgInclInd>true</ChrgInclInd></Rcrd>"
                       f"</Chrgs>")
    tx = f"<TxDtls>{refs}{amounts}{_party(version, payer, account)}{rmt}</TxDtls>"
    return tx, payment


def _return_entry(rng, namer, version, currency, day, reference, amount, payer) -> str:
    """A debit that gives back an earlier credit: a reversal, or a return with its bank code."""
    refs = f"<Refs><EndToEndId>{reference}</EndToEndId></Refs>"
    if rng.random() < 0.5:
        return _entry(amount, currency, "DBIT", version, day, f"<NtryDtls><TxDtls>{refs}</TxDtls></NtryDtls>",
                      reversal=True)
    return _entry(amount, currency, "DBIT", version, day,
                  f"<NtryDtls><TxDtls>{refs}{_party(version, payer, None, 'Cdtr')}<RtrInf><Rsn><Cd>AC04</Cd></Rsn>"
                  f"</RtrInf></TxDtls></NtryDtls>", code="RRTN")


# -- BAI2 ---------------------------------------------------------------------------------------

def bai2_file(rng: random.Random) -> tuple[str, list[Expected]]:
    """A BAI2 file and the payments in it."""
    namer = _Namer(rng)
    records = [["01", "BANKOFUS", "NORTHWIND", "261110", "0600", "1", "80", "", "2"]]
    expected: list[Expected] = []
    for _ in range(rng.randint(1, 2)):
        day = date(2026, 11, 2) + timedelta(days=rng.randint(0, 20))
        group_currency = rng.choice(["", "", "USD", "CAD"])
        records.append(["02", "NORTHWIND", "091000019", "1", day.strftime("%y%m%d"), "0600", group_currency, "2"])
        for _ in range(rng.randint(1, 3)):
            account_currency = rng.choice(["", "", "USD", "EUR"])
            currency = account_currency or group_currency or "USD"
            records.append(["03", str(rng.randint(10**8, 10**9)), account_currency, "010", "500000", "", "",
                            "015", "480000", "", ""])
            for _ in range(rng.randint(1, 5)):
                records.append(_bai2_transaction(rng, namer, currency, day, expected))
            records.append(["49", "0", "0"])
        records.append(["98", "0", "1", "0"])
    records.append(["99", "0", "1", "0"])
    lines = []
    for record in records:
        lines += _continued(rng, record)
    ending = rng.choice(["\n", "\r\n"])
    pad = rng.random() < 0.5
    return ending.join(line.ljust(80) if pad and len(line) < 80 else line for line in lines) + ending, expected


def _funds(rng: random.Random) -> list[str]:
    kind = rng.choice(["0", "1", "2", "Z", "", "V", "S", "D"])
    if kind == "V":
        return ["V", "261110", "0930"]
    if kind == "S":
        return ["S", "100", "200", "300"]
    if kind == "D":
        count = rng.randint(1, 3)
        return ["D", str(count)] + [value for day in range(count) for value in (str(day), str(rng.randint(1, 999)))]
    return [kind]


def _bai2_transaction(rng, namer, currency, day, expected) -> list[str]:
    cents = rng.randint(100, 9_000_000)
    credit = rng.random() < 0.7
    code = rng.choice(CREDIT_CODES if credit else DEBIT_CODES)
    bank_reference = namer.reference("BR")
    customer_reference = rng.choice([namer.reference("CR"), "", "NONREF"])
    payer = namer.company().upper()
    label = rng.choice(["ORIG CO NAME:", "B/O: ", "ORIGINATOR: "])
    invoices = [(f"INV-{rng.randint(10000, 99999)}", Decimal(cents) / 100)] if rng.random() < 0.5 else []
    addenda = "".join(f"RMR*IV*{number}*PI*{paid:.2f}\\" for number, paid in invoices)
    text = f"{label}{payer} ENTRY DESCR:PAYMENT {addenda}".strip()
    if credit:
        reference = customer_reference if customer_reference not in ("", "NONREF") else bank_reference
        expected.append(Expected(reference, Decimal(cents) / 100, currency, day, payer=payer, memo_words=[text],
                                 lines=list(invoices), memo_spacing=False))
    return ["16", code, str(cents), *_funds(rng), bank_reference, customer_reference, text]


def _continued(rng: random.Random, record: list[str]) -> list[str]:
    """The record as lines: whole, or continued on 88 records at a field or inside the text."""
    if record[0] != "16" or rng.random() < 0.4:
        return [",".join(record) + "/"]
    text_at = len(record) - 1
    if rng.random() < 0.5:   # cut between fields, before the text
        cut = rng.randint(3, text_at)
        return [",".join(record[:cut]) + "/", "88," + ",".join(record[cut:]) + "/"]
    head, text = ",".join(record[:text_at]), record[text_at]
    # Words are wrapped after a space (which stays at the end of the record, before its "/");
    # ACH addenda, one long word, are cut anywhere.
    words, _, addenda = text.partition("RMR*")
    pieces = []
    for word in words.split(" "):
        if pieces and len(pieces[-1]) < rng.randint(5, 30):
            pieces[-1] += word + " "
        else:
            pieces.append(word + " ")
    pieces[-1] = pieces[-1].rstrip() if not addenda else pieces[-1]
    addenda = "RMR*" + addenda if addenda else ""
    while addenda:
        size = rng.randint(5, 40)
        pieces.append(addenda[:size])
        addenda = addenda[size:]
    pieces = [piece for piece in pieces if piece]
    return [f"{head},{pieces[0]}/"] + [f"88,{piece}/" for piece in pieces[1:]]


# -- damage ---------------------------------------------------------------------------------------

def damage(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """``data`` broken one way; returns the broken file and what was done to it."""
    text = data.decode("utf-8")
    is_xml = text.lstrip().startswith("<")
    how = rng.choice(["truncated", "garbled amount", "binary junk", "missing indicator" if is_xml else "bad type code"])
    if how == "truncated":
        cut = rng.randint(len(text) // 4, len(text) - 12) if is_xml else text.rindex("99,")
        return text[:cut].encode("utf-8"), how
    if how == "binary junk":
        return b"\x00\x01\x02" + bytes(rng.randint(0, 255) for _ in range(200)), how
    if how == "garbled amount":
        if is_xml:
            start = text.index(">", text.index("Amt Ccy=")) + 1
            end = text.index("<", start)
            return (text[:start] + rng.choice(["12,5O", "-50.00", "1e999", "abc"]) + text[end:]).encode("utf-8"), how
        lines = text.splitlines(keepends=True)
        number = next(i for i, line in enumerate(lines) if line.startswith("16,"))
        fields = lines[number].split(",")
        fields[2] = rng.choice(["12.50", "1O0", "-"])
        lines[number] = ",".join(fields)
        return "".join(lines).encode("utf-8"), how
    if how == "missing indicator":
        start = text.index("CdtDbtInd>") + len("CdtDbtInd>")
        end = text.index("<", start)
        return (text[:start] + "XXXX" + text[end:]).encode("utf-8"), how
    lines = text.splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith("16,"))
    fields = lines[number].split(",")
    fields[1] = "ABC"
    lines[number] = ",".join(fields)
    return "".join(lines).encode("utf-8"), how
