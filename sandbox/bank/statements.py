"""Bank statements as a bank sends them: ISO 20022 camt.053.001.02 XML and BAI2.

Both writers take the account(s) and the incoming payments (anything with the attributes of
``StatementEntry``; ``sandbox.world.Payment`` has them) and return the file's text::

    xml = camt053(accounts, payments, created=datetime(2026, 11, 25, 6, 0))
    bai = bai2(accounts, payments, created=datetime(2026, 11, 25, 6, 0))

One statement per account and booking date: camt writes one ``Stmt`` each, BAI2 one group
(02) per date with one account (03) per currency. Opening balances are derived from the
account and the date so the same payments always give the same file.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Protocol
from xml.sax.saxutils import escape

CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"

# BAI2 type codes for credits, by payment method (DOMAIN.md: 165 ACH, 195 wire, 301 deposit).
BAI2_TYPE_CODES = {"ACH": "165", "WIRE": "195", "SEPA": "195", "CHECK": "301", "CARD": "165"}
# camt bank transaction codes (domain PMNT, family, sub-family) by payment method.
CAMT_TX_CODES = {"ACH": ("RCDT", "ACDT"), "WIRE": ("RCDT", "XBCT"), "SEPA": ("RCDT", "ESCT"),
                 "CHECK": ("RCHQ", "CCHQ"), "CARD": ("CCRD", "CDPT")}
BAI2_LINE_LIMIT = 80


@dataclass(frozen=True)
class Account:
    """Our (the seller's) bank account that receives the payments."""

    currency: str
    number: str          # domestic account number, as BAI2 shows it
    iban: str
    owner: str = "Northwind Supply Co."
    bic: str = "SBOXUS33XXX"
    bank_id: str = "091000019"   # routing number, the BAI2 originator


class StatementEntry(Protocol):
    """What the writers read from each payment."""

    payment_reference: str    # the payer's end-to-end reference
    bank_reference: str       # the bank's own reference for the booking
    payer: str
    payer_iban: str
    payment_date: date        # booking and value date
    currency: str
    total: Decimal
    method: str               # ACH, WIRE, SEPA, CHECK, CARD
    memo: str                 # unstructured remittance text ("" when none)
    creditor_reference: str | None   # structured ISO 11649 reference, when the payer sent one


def default_accounts() -> list[Account]:
    """The sandbox company's two receiving accounts, one per currency."""
    return [
        Account("USD", "4410098765", "US64SBOX09100001944100987", bic="SBOXUS33XXX"),
        Account("EUR", "7720045511", "DE89370400440532013000", bic="SBOXDEFFXXX"),
    ]


def statements(accounts: Iterable[Account], payments: Iterable[StatementEntry]) -> list[tuple[Account, date, list]]:
    """Group payments into statements: (account, booking date, entries) in date then account order."""
    by_currency = {account.currency: account for account in accounts}
    groups: dict[tuple[date, str], list] = {}
    for payment in payments:
        if payment.currency not in by_currency:
            raise ValueError(f"no account in {payment.currency} for payment {payment.payment_reference}")
        groups.setdefault((payment.payment_date, payment.currency), []).append(payment)
    return [(by_currency[currency], day, groups[(day, currency)]) for day, currency in sorted(groups)]


def opening_balance(account: Account, day: date) -> Decimal:
    """A stable, made-up opening balance for ``account`` on ``day``."""
    digest = hashlib.sha256(f"{account.number}{day.isoformat()}".encode()).hexdigest()
    return Decimal(int(digest[:8], 16) % 90_000_000 + 10_000_000) / 100


# --- camt.053 -----------------------------------------------------------------------------

def camt053(accounts: Iterable[Account], payments: Iterable[StatementEntry], *, created: datetime) -> str:
    """Return a camt.053.001.02 document with one ``Stmt`` per account and booking date."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S")
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<Document xmlns="{CAMT_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        "<BkToCstmrStmt>",
        f"<GrpHdr><MsgId>SBOX{created.strftime('%Y%m%d%H%M%S')}</MsgId><CreDtTm>{stamp}</CreDtTm>"
        "<MsgPgntn><PgNb>1</PgNb><LastPgInd>true</LastPgInd></MsgPgntn></GrpHdr>",
    ]
    for sequence, (account, day, entries) in enumerate(statements(accounts, payments), start=1):
        parts.append(_camt_statement(account, day, entries, sequence, stamp))
    parts += ["</BkToCstmrStmt>", "</Document>", ""]
    return "\n".join(parts)


def _camt_statement(account: Account, day: date, entries: list, sequence: int, stamp: str) -> str:
    ccy = account.currency
    opening = opening_balance(account, day)
    credits = sum((entry.total for entry in entries), Decimal("0"))
    closing = opening + credits
    lines = [
        "<Stmt>",
        f"<Id>STMT-{account.number}-{day:%Y%m%d}</Id>",
        f"<ElctrncSeqNb>{day:%j}</ElctrncSeqNb>",
        f"<CreDtTm>{stamp}</CreDtTm>",
        f"<FrToDt><FrDtTm>{day.isoformat()}T00:00:00</FrDtTm><ToDtTm>{day.isoformat()}T23:59:59</ToDtTm></FrToDt>",
        f"<Acct><Id><IBAN>{account.iban}</IBAN></Id><Ccy>{ccy}</Ccy><Ownr><Nm>{escape(account.owner)}</Nm></Ownr>"
        f"<Svcr><FinInstnId><BIC>{account.bic}</BIC></FinInstnId></Svcr></Acct>",
        _camt_balance("OPBD", opening, ccy, day),
        _camt_balance("CLBD", closing, ccy, day),
        f"<TxsSummry><TtlNtries><NbOfNtries>{len(entries)}</NbOfNtries><Sum>{credits:.2f}</Sum>"
        f"<TtlNetNtryAmt>{credits:.2f}</TtlNetNtryAmt><CdtDbtInd>CRDT</CdtDbtInd></TtlNtries>"
        f"<TtlCdtNtries><NbOfNtries>{len(entries)}</NbOfNtries><Sum>{credits:.2f}</Sum></TtlCdtNtries>"
        "<TtlDbtNtries><NbOfNtries>0</NbOfNtries><Sum>0.00</Sum></TtlDbtNtries></TxsSummry>",
    ]
    for entry in entries:
        lines.append(_camt_entry(entry))
    lines.append("</Stmt>")
    return "\n".join(lines)


def _camt_balance(code: str, amount: Decimal, ccy: str, day: date) -> str:
    indicator = "CRDT" if amount >= 0 else "DBIT"
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{ccy}\">{abs(amount):.2f}</Amt>"
            f"<CdtDbtInd>{indicator}</CdtDbtInd><Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>")


def _camt_entry(entry: StatementEntry) -> str:
    family, sub_family = CAMT_TX_CODES.get(entry.method, ("RCDT", "OTHR"))
    amount = f'<Amt Ccy="{entry.currency}">{entry.total:.2f}</Amt>'
    if entry.creditor_reference:
        remittance = ("<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
                      f"<Ref>{escape(entry.creditor_reference)}</Ref></CdtrRefInf></Strd></RmtInf>")
    elif entry.memo:
        remittance = f"<RmtInf><Ustrd>{escape(entry.memo[:140])}</Ustrd></RmtInf>"
    else:
        remittance = ""
    return "\n".join([
        "<Ntry>",
        f"<NtryRef>{escape(entry.bank_reference)}</NtryRef>",
        amount,
        "<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>",
        f"<BookgDt><Dt>{entry.payment_date.isoformat()}</Dt></BookgDt><ValDt><Dt>{entry.payment_date.isoformat()}</Dt></ValDt>",
        f"<AcctSvcrRef>{escape(entry.bank_reference)}</AcctSvcrRef>",
        f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>{sub_family}</SubFmlyCd></Fmly></Domn></BkTxCd>",
        "<NtryDtls><TxDtls>",
        f"<Refs><AcctSvcrRef>{escape(entry.bank_reference)}</AcctSvcrRef><EndToEndId>{escape(entry.payment_reference)}</EndToEndId></Refs>",
        f"<AmtDtls><TxAmt>{amount}</TxAmt></AmtDtls>",
        f"<RltdPties><Dbtr><Nm>{escape(entry.payer)}</Nm></Dbtr><DbtrAcct><Id><IBAN>{entry.payer_iban}</IBAN></Id></DbtrAcct></RltdPties>",
        remittance,
        "</TxDtls></NtryDtls>",
        "</Ntry>",
    ])


# --- BAI2 ---------------------------------------------------------------------------------

def bai2(accounts: Iterable[Account], payments: Iterable[StatementEntry], *, created: datetime,
         sender: str = "SBOXBANK", receiver: str = "NORTHWIND") -> str:
    """Return a BAI2 file: one group (02) per booking date, one account (03) per currency.

    Every record ends in "/", amounts are in cents, and the 49/98/99 trailers carry the
    control totals (sum of the 03 and 16 amounts) and record counts the format asks for.
    """
    per_day: dict[date, list] = {}
    for account, day, entries in statements(accounts, payments):
        per_day.setdefault(day, []).append((account, entries))
    records = [f"01,{sender},{receiver},{created:%y%m%d},{created:%H%M},1,,,2/"]
    file_total, group_count = 0, 0
    for day, accounts_of_day in sorted(per_day.items()):
        group = [f"02,{receiver},{accounts_of_day[0][0].bank_id},1,{day:%y%m%d},2400,,2/"]
        group_total = 0
        for account, entries in accounts_of_day:
            account_records, account_total = _bai2_account(account, day, entries)
            group += account_records
            group_total += account_total
        group.append(f"98,{group_total},{len(accounts_of_day)},{len(group) + 1}/")
        records += group
        file_total += group_total
        group_count += 1
    records.append(f"99,{file_total},{group_count},{len(records) + 1}/")
    return "\n".join(records) + "\n"


def _bai2_account(account: Account, day: date, entries: list) -> tuple[list[str], int]:
    opening = _cents(opening_balance(account, day))
    credits = sum(_cents(entry.total) for entry in entries)
    closing = opening + credits
    # 010 opening ledger, 015 closing ledger, 100 total credits (with item count), 400 total debits.
    records = [f"03,{account.number},{account.currency},010,{opening},,,015,{closing},,,100,{credits},{len(entries)},,400,0,0,/"]
    total = opening + closing + credits
    for entry in entries:
        cents = _cents(entry.total)
        total += cents
        text = (entry.memo or "").replace("\n", " ")
        text = f"{entry.payer} {text}".strip() if text else entry.payer
        customer_ref = entry.creditor_reference or entry.payment_reference
        records += _bai2_wrap(f"16,{BAI2_TYPE_CODES.get(entry.method, '165')},{cents},Z,{entry.bank_reference},{customer_ref},{text}/")
    records.append(f"49,{total},{len(records) + 1}/")
    return records, total


def _bai2_wrap(record: str) -> list[str]:
    """Split a 16 record longer than 80 characters: its text goes on in 88 continuations.

    Only the text (the last field) is split, at a space, so no other field spans two records.
    """
    if len(record) <= BAI2_LINE_LIMIT:
        return [record]
    body = record[:-1]
    head, _, text = _split_text(body)
    records, line = [], head + ","
    for word in text.split(" "):
        piece = word if line.endswith(",") else " " + word
        if len(line) + len(piece) + 1 > BAI2_LINE_LIMIT and not line.endswith(","):
            records.append(line + "/")
            line, piece = "88,", word
        line += piece
    records.append(line + "/")
    return records


def _split_text(body: str) -> tuple[str, str, str]:
    # The 16 record with funds type Z has six fields before the text.
    fields = body.split(",", 6)
    return ",".join(fields[:6]), ",", fields[6]


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())
