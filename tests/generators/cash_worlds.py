"""Worlds for cash application with known truth: open items, payments, and what a careful
clerk would do with each payment.

``make_world(seed, payments=300)`` builds customers (each with a made-up, distinct name and
a few background invoices), then draws scenarios until it has enough payments. Every
scenario owns its customers and invoices, so one scenario's payments never change another's
truth. Each payment's ``Truth`` says either which invoices get how much (a clear case) or
which exception reason is expected and which invoices may (at most) be applied.

Scenarios cover every rule (exact, normalized, suffix, transposed, memo, single amount,
subset sum, learned bank account), every exception reason, and near-misses that must not
be applied: two open invoices of the same amount, a payer name that fits two customers,
a lump sum with two possible combinations, a transposition whose amount disagrees.
"""

import csv
import itertools
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from rapidfuzz import fuzz

OPEN_ITEM_COLUMNS = ["customer_id", "customer_name", "invoice", "invoice_date", "due_date", "currency", "amount",
                     "open_amount"]
TODAY = date(2026, 11, 25)
LEGAL_FORMS = ["Inc", "LLC", "Ltd", "Corp", "GmbH", "Co", "plc", "S.A."]
TRADES = ["Grocers", "Foods", "Supply", "Outfitters", "Hardware", "Textiles", "Logistics", "Pharma", "Motors",
          "Bakery", "Electric", "Marine", "Farms", "Distributors", "Traders"]
SYLLABLES = ["ka", "ro", "vel", "dos", "trin", "ma", "bel", "lor", "zen", "qui", "par", "ten", "hol", "mir",
             "sa", "tor", "vin", "gal", "rup", "nes", "cor", "bri", "fal", "dun", "wex", "yor", "pim", "lax"]


@dataclass
class Truth:
    """What a careful clerk does with one payment."""

    case: str
    applications: dict[str, str] = field(default_factory=dict)   # invoice -> amount, for clear cases
    reason: str | None = None                                    # expected exception reason
    allowed: set[str] = field(default_factory=set)               # invoices an exception case may apply to
    discount: dict[str, str] = field(default_factory=dict)       # invoice -> discount recorded
    deduction: dict[str, str] = field(default_factory=dict)      # invoice -> deduction recorded

    @property
    def clear(self) -> bool:
        return self.reason is None


@dataclass
class World:
    """Open items, payments (contract JSON dicts) in file order, and the truth per payment reference."""

    open_items: list[dict]
    payments: list[dict]
    truth: dict[str, Truth]

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write ``open_items.csv`` and ``payments.json`` into ``folder``; return their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        items_path, payments_path = folder / "open_items.csv", folder / "payments.json"
        with open(items_path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=OPEN_ITEM_COLUMNS)
            writer.writeheader()
            writer.writerows(self.open_items)
        payments_path.write_text(json.dumps(self.payments, indent=1), encoding="utf-8")
        return items_path, payments_path


def money(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class _Builder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.items: list[dict] = []
        self.numbers: set[str] = set()     # digits of every document number, kept unique and far apart
        self.names: set[str] = set()
        self.customer_count = 0
        self.payment_count = 0

    # -- master data -------------------------------------------------------------------------

    def word(self) -> str:
        """A made-up name word, not close to any word used before (so names never collide by chance)."""
        while True:
            word = "".join(self.rng.choice(SYLLABLES) for _ in range(3)).capitalize()
            if all(fuzz.ratio(word, other) < 70 for other in self.names):
                self.names.add(word)
                return word

    def customer(self, name: str | None = None, background: int | None = None, currency: str = "USD") -> dict:
        self.customer_count += 1
        customer = {"id": f"C{1000 + self.customer_count}",
                    "name": name or f"{self.word()} {self.rng.choice(TRADES)} {self.rng.choice(LEGAL_FORMS)}",
                    "currency": currency, "invoices": []}
        for _ in range(self.rng.randint(1, 4) if background is None else background):
            self.invoice(customer)
        return customer

    def number(self) -> str:
        while True:
            number = str(self.rng.randint(10000, 99999))
            # No two documents share a number or differ by one transposition, so that only the
            # scenarios that want a near-miss get one.
            if number not in self.numbers and not (_neighbours(number) & self.numbers):
                self.numbers.add(number)
                return number

    def invoice(self, customer: dict, amount: Decimal | None = None, open_amount: Decimal | None = None,
                number: str | None = None, prefix: str = "INV-", currency: str | None = None,
                invoice_date: date | None = None) -> dict:
        amount = amount if amount is not None else Decimal(self.rng.randint(5000, 2_000_000)) / 100
        invoice_date = invoice_date or TODAY - timedelta(days=self.rng.randint(15, 80))
        item = {"customer_id": customer["id"], "customer_name": customer["name"],
                "invoice": f"{prefix}{number or self.number()}", "invoice_date": invoice_date.isoformat(),
                "due_date": (invoice_date + timedelta(days=30)).isoformat(),
                "currency": currency or customer["currency"], "amount": money(amount),
                "open_amount": money(open_amount if open_amount is not None else amount)}
        self.items.append(item)
        customer["invoices"].append(item)
        return item

    # -- payments ------------------------------------------------------------------------------

    def payment(self, customer: dict | None, total, lines=(), memo: str = "", payer: str | None = None,
                currency: str | None = None, paid_on: date | None = None, **extra) -> dict:
        self.payment_count += 1
        payment = {"payment_reference": f"P{self.payment_count:05d}",
                   "payer": payer if payer is not None else self.payer_name(customer),
                   "payment_date": (paid_on or TODAY).isoformat(),
                   "currency": currency or (customer["currency"] if customer else "USD"),
                   "total": money(total), "memo": memo, "lines": list(lines)}
        payment.update(extra)
        return payment

    def payer_name(self, customer: dict) -> str:
        """How banks and payers write a customer's name: case, legal form changed or dropped."""
        base, _, _ = customer["name"].rpartition(" ")
        return self.rng.choice([customer["name"], customer["name"].upper(), base, base.upper() + " " +
                                self.rng.choice(LEGAL_FORMS).upper(), base + ", " + self.rng.choice(LEGAL_FORMS)])

    def line(self, item: dict, reference: str | None = None, paid=None, discount="0.00", deduction="0.00",
             gross=None) -> dict:
        gross = Decimal(gross if gross is not None else item["open_amount"])
        paid = Decimal(paid) if paid is not None else gross - Decimal(discount) - Decimal(deduction)
        return {"invoice": reference or item["invoice"], "invoice_date": item["invoice_date"], "gross": money(gross),
                "discount": money(discount), "deduction": money(deduction), "paid": money(paid)}


# -- scenarios: each returns [(payment, truth)] in the order they must be paid ---------------------

def _full(b: _Builder, items) -> dict[str, str]:
    return {item["invoice"]: item["open_amount"] for item in items}


def exact_references(b: _Builder):
    customer = b.customer()
    paid = [b.invoice(customer) for _ in range(b.rng.randint(1, 4))]
    lines = [b.line(item) for item in paid]
    if b.rng.random() < 0.3:  # a credit memo on the remittance reduces the payment
        invoiced = sum(Decimal(line["paid"]) for line in lines)
        memo_amount = -min(Decimal(b.rng.randint(1000, 20000)) / 100, (invoiced / 2).quantize(Decimal("0.01")))
        credit = b.invoice(customer, memo_amount, prefix="CM-")
        paid.append(credit)
        lines.append(b.line(credit))
    total = sum(Decimal(line["paid"]) for line in lines)
    return [(b.payment(customer, total, lines), Truth("exact", _full(b, paid)))]


def mangle(b: _Builder, invoice: str) -> str:
    digits = invoice.split("-", 1)[1]
    return b.rng.choice([
        invoice.lower(), invoice.replace("-", " "), digits, "IN" + digits, "RE-" + digits, "INVOICE " + digits,
        "INV" + digits.zfill(9), f"{invoice}/1", f"{invoice}-A", f" {invoice} ", "#" + digits, "inv." + digits,
    ])


def normalized_references(b: _Builder):
    customer = b.customer()
    paid = [b.invoice(customer) for _ in range(b.rng.randint(1, 3))]
    lines = [b.line(item, mangle(b, item["invoice"])) for item in paid]
    total = sum(Decimal(line["paid"]) for line in lines)
    return [(b.payment(customer, total, lines), Truth("normalized", _full(b, paid)))]


def transposed_reference(b: _Builder):
    customer = b.customer()
    item = b.invoice(customer)
    digits = item["invoice"].split("-", 1)[1]
    for i in range(len(digits) - 1):
        swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
        if swapped != digits and swapped[0] != "0" and len(_neighbours(swapped) & b.numbers) == 1:
            break
    else:
        return exact_references(b)
    b.numbers.add(swapped)   # no later invoice may take the mistyped number or sit next to it
    reference = "INV-" + swapped
    if b.rng.random() < 0.35:
        # Near-miss: the amount disagrees, so the transposition must not be trusted.
        line = b.line(item, reference, gross=Decimal(item["amount"]) + Decimal("100.00"))
        return [(b.payment(customer, line["paid"], [line]), Truth("transposed_amount_differs",
                                                                 reason="unknown_invoice"))]
    line = b.line(item, reference)
    return [(b.payment(customer, line["paid"], [line]), Truth("transposed", _full(b, [item])))]


def discount_taken(b: _Builder):
    customer = b.customer()
    invoice_date = TODAY - timedelta(days=b.rng.randint(12, 60))
    item = b.invoice(customer, invoice_date=invoice_date)
    gross = Decimal(item["amount"])
    kind = b.rng.choice(["earned", "earned", "late", "excessive"])
    rate = Decimal("0.05") if kind == "excessive" else Decimal("0.02")
    discount = (gross * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    days = b.rng.randint(2, 10) if kind != "late" else b.rng.randint(35, 60)
    paid_on = invoice_date + timedelta(days=days)
    line = b.line(item, discount=discount)
    payment = b.payment(customer, line["paid"], [line], paid_on=paid_on)
    if kind == "earned":
        return [(payment, Truth("discount_earned", {item["invoice"]: line["paid"]},
                                discount={item["invoice"]: money(discount)}))]
    return [(payment, Truth(f"discount_{kind}", reason="underpayment", allowed={item["invoice"]}))]


def deduction_taken(b: _Builder):
    customer = b.customer()
    item = b.invoice(customer)
    deduction = (Decimal(item["amount"]) * Decimal(b.rng.randint(3, 30)) / 100).quantize(Decimal("0.01"))
    line = b.line(item, deduction=deduction)
    return [(b.payment(customer, line["paid"], [line]),
             Truth("deduction", {item["invoice"]: line["paid"]}, deduction={item["invoice"]: money(deduction)}))]


def short_payment(b: _Builder):
    customer = b.customer()
    item = b.invoice(customer)
    short = (Decimal(item["amount"]) * Decimal(b.rng.randint(5, 40)) / 100).quantize(Decimal("0.01"))
    line = b.line(item, paid=Decimal(item["amount"]) - short)
    return [(b.payment(customer, line["paid"], [line]),
             Truth("underpayment", reason="underpayment", allowed={item["invoice"]}))]


def overpayment(b: _Builder):
    customer = b.customer()
    item = b.invoice(customer)
    extra = Decimal(b.rng.randint(100, 50000)) / 100
    if b.rng.random() < 0.5:  # the line itself pays more than is open
        line = b.line(item, paid=Decimal(item["open_amount"]) + extra)
        total = line["paid"]
        case = "overpaid_line"
    else:  # the payment is more than its remittance
        line = b.line(item)
        total = Decimal(line["paid"]) + extra
        case = "overpaid_total"
    return [(b.payment(customer, total, [line]),
             Truth(case, reason="overpayment", allowed={item["invoice"]}))]


def memo_reference(b: _Builder):
    customer = b.customer()
    paid = [b.invoice(customer) for _ in range(b.rng.randint(1, 2))]
    words = " ".join(b.rng.choice([item["invoice"], item["invoice"].split("-")[1]]) for item in paid)
    memo = b.rng.choice(["PMT INV {}", "PAYMENT FOR {} THANK YOU", "/RFB/{}", "INVOICES {} REMIT"]).format(words)
    total = sum(Decimal(item["open_amount"]) for item in paid)
    return [(b.payment(customer, total, memo=memo), Truth("memo_reference", _full(b, paid)))]


def single_amount(b: _Builder):
    customer = b.customer(background=b.rng.randint(1, 5))
    item = b.rng.choice(customer["invoices"])
    if _combinations(customer, Decimal(item["open_amount"])) != 1:
        return exact_references(b)
    return [(b.payment(customer, item["open_amount"], memo=b.rng.choice(["", "ACH CREDIT", "PAYMENT"])),
             Truth("single_open_item_amount", _full(b, [item])))]


def lump_sum(b: _Builder):
    customer = b.customer(background=b.rng.randint(4, 9))
    chosen = b.rng.sample(customer["invoices"], b.rng.randint(2, 3))
    total = sum(Decimal(item["open_amount"]) for item in chosen)
    if _combinations(customer, total) != 1:
        return exact_references(b)
    return [(b.payment(customer, total, memo="ACH CREDIT"), Truth("subset_sum", _full(b, chosen)))]


def lump_sum_two_ways(b: _Builder):
    """Near-miss: a + b == c + d, so the lump sum cannot say which pair it pays."""
    customer = b.customer(background=0)
    a, c = Decimal(b.rng.randint(10000, 500000)) / 100, Decimal(b.rng.randint(10000, 500000)) / 100
    total = a + c + Decimal(b.rng.randint(10000, 500000)) / 100
    for amount in (a, total - a, c, total - c):
        b.invoice(customer, amount)
    if _combinations(customer, total) < 2:
        return exact_references(b)
    return [(b.payment(customer, total), Truth("subset_sum_ambiguous", reason="ambiguous"))]


def same_amount_twice(b: _Builder):
    """Near-miss: two open invoices of the same amount and no remittance."""
    customer = b.customer()
    amount = Decimal(b.rng.randint(10000, 900000)) / 100
    b.invoice(customer, amount)
    b.invoice(customer, amount)
    return [(b.payment(customer, amount), Truth("two_invoices_same_amount", reason="ambiguous"))]


def payer_fits_two(b: _Builder):
    """Near-miss: the payer's name fits two customers; only a remittance may settle it."""
    base = f"{b.word()} {b.rng.choice(TRADES)}"
    east = b.customer(f"{base} East {b.rng.choice(LEGAL_FORMS)}")
    west = b.customer(f"{base} West {b.rng.choice(LEGAL_FORMS)}")
    item = b.invoice(b.rng.choice([east, west]))
    payer = base.upper()
    if b.rng.random() < 0.5:
        return [(b.payment(east, item["open_amount"], payer=payer), Truth("payer_two_customers", reason="ambiguous"))]
    return [(b.payment(east, item["open_amount"], [b.line(item)], payer=payer),
             Truth("payer_two_customers_settled_by_remittance", _full(b, [item])))]


def currency_mismatch(b: _Builder):
    customer = b.customer(currency="EUR", background=1)
    item = b.invoice(customer)
    if b.rng.random() < 0.5:
        payment = b.payment(customer, item["open_amount"], [b.line(item)], currency="USD")
    else:
        payment = b.payment(customer, item["open_amount"], currency="USD")
    return [(payment, Truth("currency", reason="currency"))]


def sent_twice(b: _Builder):
    customer = b.customer()
    item = b.invoice(customer)
    first = b.payment(customer, item["open_amount"], [b.line(item)])
    second = b.payment(customer, item["open_amount"], [b.line(item)])
    return [(first, Truth("exact", _full(b, [item]))), (second, Truth("remittance_sent_twice", reason="already_paid"))]


def unknown_invoice(b: _Builder):
    customer = b.customer()
    known = [b.invoice(customer) for _ in range(b.rng.randint(0, 2))]
    ghost = {"invoice": f"INV-{b.number()}", "open_amount": money(Decimal(b.rng.randint(5000, 900000)) / 100),
             "invoice_date": TODAY.isoformat(), "amount": "0"}
    lines = [b.line(item) for item in known] + [b.line(ghost)]
    total = sum(Decimal(line["paid"]) for line in lines)
    return [(b.payment(customer, total, lines), Truth("unknown_invoice", reason="unknown_invoice",
                                                        allowed={item["invoice"] for item in known}))]


def unmatched(b: _Builder):
    customer = b.customer()
    amount = Decimal(b.rng.randint(5000, 900000)) / 100
    if b.rng.random() < 0.5:
        payer = f"{b.word()} {b.word()} Holdings"
    else:
        payer = None
        if _combinations(customer, amount) != 0:
            return exact_references(b)
    return [(b.payment(customer, amount, payer=payer), Truth("unmatched", reason="unmatched"))]


def learned_account(b: _Builder):
    """A payer known only by the bank account it paid from before."""
    customer = b.customer(background=0)
    first_item, second_item = b.invoice(customer), b.invoice(customer)
    account = f"DE{b.rng.randint(10, 99)}{b.rng.randint(10**17, 10**18 - 1)}"
    first = b.payment(customer, first_item["open_amount"], [b.line(first_item)], payer_account=account)
    second = b.payment(customer, second_item["open_amount"], payer="SEPA CREDIT TRANSFER", payer_account=account)
    return [(first, Truth("exact", _full(b, [first_item]))),
            (second, Truth("learned_account", _full(b, [second_item])))]


def instalments_same_amount(b: _Builder):
    """Near-miss: INV-5000/1 and INV-5000/2 open for the same amount; "INV-5000" cannot say which."""
    customer = b.customer(background=0)
    number = b.number()
    amount = Decimal(b.rng.randint(10000, 500000)) / 100
    first = b.invoice(customer, amount, number=f"{number}/1")
    b.invoice(customer, amount, number=f"{number}/2")
    line = b.line(first, f"INV-{number}")
    return [(b.payment(customer, amount, [line]), Truth("instalments_same_amount", reason="ambiguous"))]


def loose_reference_unbacked(b: _Builder):
    """Near-miss: a remittance number that reads like one of our invoices once its prefix is
    dropped, from a payer we do not know, for an amount that does not fit: not ours to apply."""
    customer = b.customer()
    item = b.invoice(customer)
    line = b.line(item, item["invoice"].split("-")[1], gross=Decimal(item["amount"]) + Decimal("250.00"))
    payer = f"{b.word()} {b.word()} Partners"
    return [(b.payment(customer, line["paid"], [line], payer=payer),
             Truth("loose_reference_unbacked", reason="unknown_invoice"))]


def one_word_customer(b: _Builder):
    """Near-miss: a customer with a one-word name, and a payer whose name merely starts with it."""
    customer = b.customer(name=f"{b.word()} {b.rng.choice(LEGAL_FORMS)}", background=0)
    item = b.invoice(customer)
    payer = f"{customer['name'].split()[0]} {b.word()} Holdings"
    return [(b.payment(customer, item["open_amount"], payer=payer), Truth("one_word_customer", reason="unmatched"))]


SCENARIOS = [
    (exact_references, 14), (normalized_references, 12), (transposed_reference, 5), (discount_taken, 8),
    (deduction_taken, 5), (short_payment, 4), (overpayment, 4), (memo_reference, 6), (single_amount, 8),
    (lump_sum, 6), (lump_sum_two_ways, 4), (same_amount_twice, 4), (payer_fits_two, 5), (currency_mismatch, 3),
    (sent_twice, 4), (unknown_invoice, 4), (unmatched, 4), (learned_account, 4), (instalments_same_amount, 3),
    (loose_reference_unbacked, 3), (one_word_customer, 2),
]


def make_world(seed: int = 0, payments: int = 300) -> World:
    """A world of about ``payments`` payments (scenarios are kept whole), reproducible from ``seed``."""
    b = _Builder(seed)
    scenarios, weights = zip(*SCENARIOS)
    groups = [scenario(b) for scenario in scenarios]  # every scenario at least once
    while sum(len(group) for group in groups) < payments:
        groups.append(b.rng.choices(scenarios, weights)[0](b))
    ordered = _interleave(b.rng, groups)
    b.rng.shuffle(b.items)   # the ERP export is in no helpful order
    return World(b.items, [payment for payment, _ in ordered],
                 {payment["payment_reference"]: truth for payment, truth in ordered})


def _interleave(rng: random.Random, groups: list[list]) -> list:
    """All groups' items in one random order that keeps each group's own order."""
    slots = [index for index, group in enumerate(groups) for _ in group]
    rng.shuffle(slots)
    iterators = [iter(group) for group in groups]
    return [next(iterators[index]) for index in slots]


def _neighbours(number: str) -> set[str]:
    """The numbers one transposition of neighbouring digits away."""
    return {number[:i] + number[i + 1] + number[i] + number[i + 2:] for i in range(len(number) - 1)} - {number}


def _combinations(customer: dict, total: Decimal) -> int:
    """How many sets of the customer's open invoices add up to ``total`` (counted up to 2)."""
    amounts = [Decimal(item["open_amount"]) for item in customer["invoices"] if Decimal(item["open_amount"]) > 0]
    found = 0
    for size in range(1, len(amounts) + 1):
        for combo in itertools.combinations(amounts, size):
            if sum(combo) == total:
                found += 1
                if found >= 2:
                    return found
    return found


# -- the same payments as bank files ------------------------------------------------------------

def to_camt053(payments: list[dict], namespace: str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02") -> str:
    """The payments as one camt.053 statement: one booked credit entry per payment, the remittance
    lines as structured ``RfrdDocInf``/``RfrdDocAmt`` blocks and the memo as ``Ustrd``."""
    from xml.sax.saxutils import escape

    entries = []
    for number, payment in enumerate(payments, start=1):
        currency = payment["currency"]
        blocks = []
        for line in payment["lines"]:
            kind = "CREN" if Decimal(line["paid"]) < 0 else "CINV"
            discount = (f'<DscntApldAmt><Amt Ccy="{currency}">{abs(Decimal(line["discount"]))}</Amt></DscntApldAmt>'
                        if Decimal(line["discount"]) else "")
            deduction = (f'<AdjstmntAmtAndRsn><Amt Ccy="{currency}">{abs(Decimal(line["deduction"]))}</Amt>'
                         f'<Rsn>PRICING</Rsn></AdjstmntAmtAndRsn>' if Decimal(line["deduction"]) else "")
            blocks.append(
                f'<Strd><RfrdDocInf><Tp><CdOrPrtry><Cd>{kind}</Cd></CdOrPrtry></Tp><Nb>{escape(line["invoice"])}</Nb>'
                f'<RltdDt>{line["invoice_date"]}</RltdDt></RfrdDocInf><RfrdDocAmt>'
                f'<DuePyblAmt Ccy="{currency}">{abs(Decimal(line["gross"]))}</DuePyblAmt>{discount}{deduction}'
                f'<RmtdAmt Ccy="{currency}">{abs(Decimal(line["paid"]))}</RmtdAmt></RfrdDocAmt></Strd>')
        memo = f'<Ustrd>{escape(payment["memo"])}</Ustrd>' if payment["memo"] else ""
        account = (f'<DbtrAcct><Id><IBAN>{payment["payer_account"]}</IBAN></Id></DbtrAcct>'
                   if payment.get("payer_account") else "")
        payer = f'<Dbtr><Nm>{escape(payment["payer"])}</Nm></Dbtr>' if payment.get("payer") else ""
        entries.append(
            f'<Ntry><Amt Ccy="{currency}">{payment["total"]}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
            f'<BookgDt><Dt>{payment["payment_date"]}</Dt></BookgDt><ValDt><Dt>{payment["payment_date"]}</Dt></ValDt>'
            f'<AcctSvcrRef>BK{number:07d}</AcctSvcrRef><NtryDtls><TxDtls>'
            f'<Refs><EndToEndId>{payment["payment_reference"]}</EndToEndId></Refs>'
            f'<RltdPties>{payer}{account}</RltdPties><RmtInf>{memo}{"".join(blocks)}</RmtInf>'
            f'</TxDtls></NtryDtls></Ntry>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{namespace}"><BkToCstmrStmt>'
            f'<GrpHdr><MsgId>WORLD</MsgId><CreDtTm>{TODAY.isoformat()}T06:00:00</CreDtTm></GrpHdr>'
            f'<Stmt><Id>WORLD-1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>'
            + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>\n")


def to_bai2(payments: list[dict]) -> str:
    """The payments as a BAI2 file: one group per currency and date, one ``16`` record per payment
    (type 165, ACH credit) with the payer in the text and each remittance line as ACH ``RMR``
    addenda, continued on ``88`` records the way banks wrap long text."""
    records = ["01,BANKOFUS,NORTHWIND,261125,0600,1,80,,2"]
    groups: dict[tuple, list[dict]] = {}
    for payment in payments:
        groups.setdefault((payment["currency"], payment["payment_date"]), []).append(payment)
    for (currency, day), group in groups.items():
        records.append(f"02,NORTHWIND,091000019,1,{day[2:4]}{day[5:7]}{day[8:10]},0600,{currency},2")
        records.append(f"03,123456789,{currency},010,0,,")
        for payment in group:
            cents = int(Decimal(payment["total"]) * 100)
            text = f"ORIG CO NAME:{payment['payer'] or ''} ENTRY DESCR:PAYMENT {payment['memo']}".strip()
            addenda = "".join(f"RMR*IV*{line['invoice']}*PI*{line['paid']}*{line['gross']}*{line['discount']}\\"
                              for line in payment["lines"] if not Decimal(line["deduction"]))
            records.append(f"16,165,{cents},0,BK{payment['payment_reference']},{payment['payment_reference']},{text}")
            for start in range(0, len(addenda), 60):
                records.append("88," + addenda[start:start + 60])
        records.append("49,0,0")
        records.append("98,0,1,0")
    records.append("99,0,1,0")
    return "\n".join(record + "/" for record in records) + "\n"
