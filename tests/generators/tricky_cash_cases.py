"""Payment/open-item cases the way AR clerks meet them, each with its exact expected outcome.

Written independently of the matcher (from contract 3 and the domain primer only), to check
it on cases its author did not write. A case is a small world: open-items rows of a few
customers, a list of payments, and per payment what a careful clerk does:

- ``required``: applications that must be made (invoice -> amount, discount, deduction);
- ``allowed``: the most that may be applied per invoice (anything else is a WRONG application);
- ``reasons``: the exception reasons accepted (None: no exception needed; empty: any reason);
- ``candidates``: invoices the exception must name.

``clear`` cases must be applied; the others must not be applied wrongly and must be handed to
a person. ``make_cases(seed, count)`` draws cases of every kind with random content;
``write_camt053`` and ``write_bai2`` write the same payments as bank files with a writer of our
own, to check the readers.
"""

import csv
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, ROUND_HALF_UP
from pathlib import Path
from xml.sax.saxutils import escape

CENT = Decimal("0.01")
PAY_DAY = date(2026, 11, 10)

STEMS = ["Pinecrest", "Harbor", "Bluewater", "Redwood", "Summit", "Granite", "Oakfield", "Silverline",
         "Maplewood", "Northgate", "Cedar Ridge", "Ironbridge", "Lakeside", "Brightway", "Westfield",
         "Copperleaf", "Stonebrook", "Riverbend", "Hollis", "Kestrel", "Alder", "Marlowe", "Quarry Lane",
         "Tidewater", "Fairhaven", "Juniper", "Larkspur", "Whitfield", "Ashgrove", "Bramble"]
TRADES = ["Grocers", "Foods", "Outfitters", "Supply", "Distributors", "Hardware", "Markets", "Trading",
          "Logistics", "Pharmacy", "Textiles", "Builders", "Provisions", "Farms", "Electric"]
FORMS = ["LLC", "Inc.", "Ltd", "GmbH", "Corp.", "Co.", "LLP", "S.A."]
# How an ERP prints its invoice numbers, from the number.
INVOICE_STYLES = [lambda n: f"INV-{n}", lambda n: f"INV{n:08d}", lambda n: str(n), lambda n: f"IN-{n}",
                  lambda n: f"SI{n}"]


def money(value) -> str:
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass
class Expect:
    """What a careful clerk does with one payment."""
    required: dict = field(default_factory=dict)   # invoice -> (amount, discount, deduction) strings
    allowed: dict = field(default_factory=dict)    # invoice -> largest amount (Decimal) that is not wrong
    reasons: set | None = None                     # accepted exception reasons; set() = any reason
    candidates: set = field(default_factory=set)
    unapplied: str | None = None

    def require(self, invoice, amount, discount="0.00", deduction="0.00"):
        self.required[invoice] = (money(amount), money(discount), money(deduction))
        self.allowed[invoice] = Decimal(amount)


@dataclass
class Case:
    kind: str
    clear: bool
    rows: list
    payments: list
    expect: dict            # payment_reference -> Expect
    note: str = ""

    def write(self, folder: Path, bank_format: str = "json") -> tuple[Path, Path]:
        """Write the open-items CSV and the payments (json, camt053 or bai2); return both paths."""
        folder.mkdir(parents=True, exist_ok=True)
        items = folder / "open_items.csv"
        with items.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["customer_id", "customer_name", "invoice", "invoice_date", "due_date", "currency",
                             "amount", "open_amount"])
            for row in self.rows:
                writer.writerow([row[k] for k in ("customer_id", "customer_name", "invoice", "invoice_date",
                                                  "due_date", "currency", "amount", "open_amount")])
        if bank_format == "camt053":
            payments = folder / "statement.xml"
            payments.write_text(write_camt053(self.payments, random.Random(len(self.rows))))
        elif bank_format == "bai2":
            payments = folder / "statement.bai"
            payments.write_text(write_bai2(self.payments, random.Random(len(self.rows))))
        else:
            import json
            payments = folder / "payments.json"
            payments.write_text(json.dumps(self.payments, indent=1))
        return items, payments

    @property
    def bank_file_ready(self) -> bool:
        """Bank files carry no remittance lines and only positive credits."""
        return all(not p["lines"] and Decimal(p["total"]) > 0 and p["payer"] for p in self.payments)


class World:
    """Builds one case: customers, their open items (with noise) and payments."""

    def __init__(self, rng: random.Random, currency: str = "USD"):
        self.rng = rng
        self.currency = currency
        self.rows: list[dict] = []
        self.customers: dict[str, str] = {}
        self.used_stems: set[str] = set()
        self.style = rng.choice(INVOICE_STYLES)
        self.used_numbers: set[int] = set()
        self.used_amounts: set[Decimal] = set()
        self.next_ref = 1
        self.six_digits = False

    # customers and items
    def customer(self, name: str | None = None) -> str:
        if name is None:
            stem = self.rng.choice([s for s in STEMS if s not in self.used_stems])
            self.used_stems.add(stem)
            name = f"{stem} {self.rng.choice(TRADES)} {self.rng.choice(FORMS)}"
        cid = f"C{self.rng.randint(1000, 9999)}"
        while cid in self.customers:
            cid = f"C{self.rng.randint(1000, 9999)}"
        self.customers[cid] = name
        return cid

    def number(self) -> int:
        """A fresh invoice number far (in digits) from all others: no transposition or prefix overlap."""
        if self.six_digits:
            # Thousands of items: six digits, never inside a five-digit number of the noise.
            while True:
                n = self.rng.randint(100000, 999999)
                if n not in self.used_numbers:
                    self.used_numbers.add(n)
                    return n
        while True:
            n = self.rng.randint(10000, 99999)
            if all(not _near(n, m) for m in self.used_numbers):
                self.used_numbers.add(n)
                return n

    def amount(self, low=50, high=20000) -> Decimal:
        while True:
            value = Decimal(self.rng.randint(low * 100, high * 100)) / 100
            if value not in self.used_amounts:
                self.used_amounts.add(value)
                return value

    def item(self, cid, amount=None, open_amount=None, invoice=None, days_old=None, currency=None) -> dict:
        amount = self.amount() if amount is None else Decimal(amount)
        invoice = invoice or self.style(self.number())
        issued = PAY_DAY - timedelta(days=self.rng.randint(12, 80) if days_old is None else days_old)
        row = {"customer_id": cid, "customer_name": self.customers[cid], "invoice": invoice,
               "invoice_date": issued.isoformat(), "due_date": (issued + timedelta(days=30)).isoformat(),
               "currency": currency or self.currency, "amount": money(amount),
               "open_amount": money(amount if open_amount is None else open_amount)}
        self.rows.append(row)
        return row

    def noise(self, cid=None, count=None):
        """Other open items: of this customer and of a few others, all with distinct amounts."""
        if cid is not None:
            for _ in range(self.rng.randint(1, 6) if count is None else count):
                self.item(cid)
        for _ in range(self.rng.randint(1, 3)):
            other = self.customer()
            for _ in range(self.rng.randint(1, 5)):
                self.item(other)

    # payments
    def payment(self, payer, total, memo="", lines=(), currency=None, day=PAY_DAY) -> dict:
        reference = f"P{self.next_ref:03d}{self.rng.randint(100, 999)}"
        self.next_ref += 1
        return {"payment_reference": reference, "payer": payer, "payment_date": day.isoformat(),
                "currency": currency or self.currency, "total": money(total), "memo": memo, "lines": list(lines)}

    def line(self, row, printed=None, gross=None, discount="0", deduction="0", paid=None) -> dict:
        gross = Decimal(row["open_amount"] if gross is None else gross)
        paid = gross - Decimal(discount) - Decimal(deduction) if paid is None else Decimal(paid)
        return {"invoice": printed or row["invoice"], "invoice_date": row["invoice_date"], "gross": money(gross),
                "discount": money(discount), "deduction": money(deduction), "paid": money(paid)}


def _near(a: int, b: int) -> bool:
    """Numbers a payer could confuse: one a transposition of the other, or one inside the other."""
    sa, sb = str(a), str(b)
    return sa in sb or sb in sa or (len(sa) == len(sb) and sorted(sa) == sorted(sb))


def digits(invoice: str) -> str:
    return str(int("".join(ch for ch in invoice if ch.isdigit())))


# ------------------------------------------------------------------------------------------
# Payer names and references the way payers write them

def payer_variant(name: str, rng: random.Random) -> str:
    """The customer's name as a payer's bank prints it."""
    stem_trade, _, form = name.rpartition(" ")
    variants = [
        name.upper(),
        name.replace(".", "").upper(),
        f"{stem_trade}, {form}",
        f"{stem_trade}, L.L.C." if form == "LLC" else f"{stem_trade} {form.rstrip('.')}",
        stem_trade,
        stem_trade.upper(),
        f"The {name}",
        name.upper()[:20].rstrip(),             # fixed-width bank field
        name.lower(),
    ]
    return rng.choice(variants)


def other_legal_form(name: str, rng: random.Random) -> str:
    """Same name, another legal form ("Pinecrest Grocers Inc" for "Pinecrest Grocers LLC")."""
    stem_trade, _, form = name.rpartition(" ")
    return f"{stem_trade} {rng.choice([f for f in ('Inc', 'Incorporated', 'Ltd', 'Corp') if f != form.rstrip('.')])}"


def mangle(invoice: str, rng: random.Random) -> str:
    """The invoice number as payers mangle it; still one invoice only."""
    n = digits(invoice)
    return rng.choice([
        n, f"IN{n}", f"INV000{n}", f"INV {n}", f"inv-{n}", f"{invoice}/1", f"{invoice}-A", f"{invoice}.01",
        f"Inv#{n} PO 45{rng.randint(100000, 999999)}", f"#{n}", f"000{n}", invoice.lower(), f"INVOICE {n}",
        f"{invoice} ", f"Invoice No. {invoice}",
    ])


def transpose(n: str, rng: random.Random) -> str:
    spots = [i for i in range(len(n) - 1) if n[i] != n[i + 1] and not (i == 0 and n[1] == "0")]
    i = rng.choice(spots)
    return n[:i] + n[i + 1] + n[i] + n[i + 2:]


def rf_reference(payload: str, grouped: bool) -> str:
    """An ISO 11649 creditor reference (RF, two check digits, payload)."""
    numeric = "".join(str(int(ch, 36)) for ch in payload + "RF00")
    check = 98 - int(numeric) % 97
    ref = f"RF{check:02d}{payload}"
    return " ".join(ref[i:i + 4] for i in range(0, len(ref), 4)) if grouped else ref


def memo_for(numbers: list[str], rng: random.Random) -> str:
    """A bank memo (camt Ustrd, ACH addenda) naming invoice numbers, in one of the usual styles."""
    joined = " ".join(numbers)
    return rng.choice([
        f"/INV/{joined}", f"RFB/{'/'.join(numbers)}", f"ZAHLUNG RE {' '.join(numbers)} VOM 03.11.2026",
        f"PMT INV {joined}", f"INVOICES {', '.join(numbers)}", f"RMR*IV*{numbers[0]}*" if len(numbers) == 1 else
        f"PAYMENT FOR INV {' AND '.join(numbers)}", f"Rechnung Nr. {' + '.join(numbers)} Kd-Nr 4471",
    ])


# ------------------------------------------------------------------------------------------
# The case kinds

def case_exact(rng):
    w = World(rng)
    cid = w.customer()
    paid = [w.item(cid) for _ in range(rng.randint(1, 3))]
    w.noise(cid)
    lines = [w.line(r) for r in paid]
    p = w.payment(rng.choice([w.customers[cid], payer_variant(w.customers[cid], rng)]), sum(Decimal(l["paid"]) for l in lines), lines=lines)
    e = Expect()
    for r in paid:
        e.require(r["invoice"], r["open_amount"])
    return Case("exact_reference", True, w.rows, [p], {p["payment_reference"]: e})


def case_mangled(rng):
    w = World(rng)
    cid = w.customer()
    paid = [w.item(cid) for _ in range(rng.randint(1, 3))]
    w.noise(cid)
    lines = [w.line(r, printed=mangle(r["invoice"], rng)) for r in paid]
    p = w.payment(w.customers[cid], sum(Decimal(l["paid"]) for l in lines), lines=lines)
    e = Expect()
    for r in paid:
        e.require(r["invoice"], r["open_amount"])
    return Case("mangled_reference", True, w.rows, [p], {p["payment_reference"]: e},
                note=", ".join(l["invoice"] for l in lines))


def case_transposed(rng):
    w = World(rng)
    cid = w.customer()
    row = w.item(cid)
    w.noise(cid)
    printed = transpose(digits(row["invoice"]), rng)
    amount_agrees = rng.random() < 0.6
    paid = Decimal(row["open_amount"]) if amount_agrees else Decimal(row["open_amount"]) - w.amount(5, 40)
    p = w.payment(w.customers[cid], paid, lines=[{**w.line(row, printed=printed), "gross": money(paid),
                                                 "paid": money(paid)}])
    e = Expect()
    if amount_agrees:
        e.require(row["invoice"], row["open_amount"])
        return Case("transposed_amount_agrees", True, w.rows, [p], {p["payment_reference"]: e}, note=printed)
    e.reasons = set()
    return Case("transposed_amount_differs", False, w.rows, [p], {p["payment_reference"]: e}, note=printed)


def case_similar_two(rng):
    """A reference that fits two open invoices of the customer, both of the amount paid."""
    w = World(rng)
    cid = w.customer()
    amount = w.amount()
    style = rng.choice(["transposition", "instalments", "two_prefixes"])
    if style == "transposition":
        # 1abcd: printed with positions 1-2 swapped and 2-3 swapped both give existing numbers.
        while True:
            n = str(rng.randint(10000, 99999))
            a = n[0] + n[2] + n[1] + n[3:]
            b = n[0] + n[1] + n[3] + n[2] + n[4:]
            if len({n, a, b}) == 3 and a[1] != "0":
                break
        first, second = w.item(cid, amount, invoice=w.style(int(a))), w.item(cid, amount, invoice=w.style(int(b)))
        printed = w.style(int(n))
    elif style == "instalments":
        base = w.style(w.number())
        first = w.item(cid, amount, invoice=f"{base}/1")
        second = w.item(cid, amount, invoice=f"{base}/2")
        printed = base
    else:
        n = w.number()
        first = w.item(cid, amount, invoice=f"INV-{n}")
        second = w.item(cid, amount, invoice=f"DN-{n}")
        printed = str(n)
    w.noise(cid)
    p = w.payment(w.customers[cid], amount, lines=[w.line(first, printed=printed)])
    e = Expect(reasons={"ambiguous", "unknown_invoice", "unmatched"}, candidates={first["invoice"], second["invoice"]})
    return Case(f"similar_to_two_{style}", False, w.rows, [p], {p["payment_reference"]: e}, note=printed)


def case_discount(rng):
    w = World(rng)
    cid = w.customer()
    kind = rng.choice(["within_terms", "within_terms", "after_terms", "excessive"])
    days = rng.randint(1, 9) if kind != "after_terms" else rng.randint(35, 70)
    row = w.item(cid, days_old=days)
    w.noise(cid)
    rate = Decimal("0.02") if kind != "excessive" else Decimal(rng.choice(["0.08", "0.10", "0.15"]))
    discount = (Decimal(row["open_amount"]) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    line = w.line(row, discount=discount, printed=rng.choice([row["invoice"], mangle(row["invoice"], rng)]))
    p = w.payment(w.customers[cid], line["paid"], lines=[line])
    e = Expect()
    if kind == "within_terms":
        e.require(row["invoice"], line["paid"], discount=discount)
        return Case("discount_within_terms", True, w.rows, [p], {p["payment_reference"]: e})
    # Unearned discount: apply at most what was paid, and a person decides about the rest.
    e.allowed[row["invoice"]] = Decimal(line["paid"])
    e.reasons = set()
    return Case(f"discount_{kind}", False, w.rows, [p], {p["payment_reference"]: e})


def case_deduction(rng):
    w = World(rng)
    cid = w.customer()
    rows = [w.item(cid) for _ in range(rng.randint(1, 3))]
    w.noise(cid)
    e, lines = Expect(), []
    for i, row in enumerate(rows):
        deduction = Decimal(0)
        if i == 0 or rng.random() < 0.5:
            deduction = (Decimal(row["open_amount"]) * Decimal(rng.randint(3, 30)) / 100).quantize(CENT)
        line = w.line(row, deduction=deduction)
        lines.append(line)
        e.require(row["invoice"], line["paid"], deduction=deduction)
    p = w.payment(w.customers[cid], sum(Decimal(l["paid"]) for l in lines), lines=lines)
    return Case("deduction_with_reason", True, w.rows, [p], {p["payment_reference"]: e})


def case_credit_memo(rng):
    w = World(rng)
    cid = w.customer()
    invoices = [w.item(cid, amount=w.amount(1000, 20000)) for _ in range(rng.randint(1, 3))]
    credit_amount = -w.amount(20, 900)
    memo = w.item(cid, amount=credit_amount, invoice=f"CM-{w.number()}")
    w.noise(cid)
    lines = [w.line(r) for r in invoices]
    lines.insert(rng.randint(0, len(lines)), w.line(memo))
    p = w.payment(w.customers[cid], sum(Decimal(l["paid"]) for l in lines), lines=lines)
    e = Expect()
    for r in invoices + [memo]:
        e.require(r["invoice"], r["open_amount"])
    return Case("credit_memo_netting", True, w.rows, [p], {p["payment_reference"]: e})


def case_lines_vs_total(rng):
    w = World(rng)
    cid = w.customer()
    rows = [w.item(cid) for _ in range(rng.randint(1, 3))]
    w.noise(cid)
    lines = [w.line(r) for r in rows]
    lines_sum = sum(Decimal(l["paid"]) for l in lines)
    e = Expect()
    if rng.random() < 0.5:
        extra = w.amount(10, 500)
        p = w.payment(w.customers[cid], lines_sum + extra, lines=lines)
        for r in rows:
            e.require(r["invoice"], r["open_amount"])
        e.reasons, e.unapplied = {"overpayment"}, money(extra)
        return Case("lines_below_total", True, w.rows, [p], {p["payment_reference"]: e})
    short = w.amount(10, 40)
    p = w.payment(w.customers[cid], lines_sum - short, lines=lines)
    for r in rows:
        e.allowed[r["invoice"]] = Decimal(r["open_amount"])
    e.reasons = set()
    return Case("lines_above_total", False, w.rows, [p], {p["payment_reference"]: e})


def case_memo_refs(rng):
    w = World(rng)
    cid = w.customer()
    rows = [w.item(cid) for _ in range(rng.randint(1, 3))]
    w.noise(cid)
    printed = [rng.choice([digits(r["invoice"]), r["invoice"]]) for r in rows]
    p = w.payment(rng.choice([w.customers[cid], payer_variant(w.customers[cid], rng)]),
                  sum(Decimal(r["open_amount"]) for r in rows), memo=memo_for(printed, rng))
    e = Expect()
    for r in rows:
        e.require(r["invoice"], r["open_amount"])
    return Case("memo_references", True, w.rows, [p], {p["payment_reference"]: e}, note=p["memo"])


def case_rf(rng):
    w = World(rng)
    cid = w.customer()
    row = w.item(cid)
    w.noise(cid)
    memo = rf_reference(digits(row["invoice"]), grouped=rng.random() < 0.5)
    p = w.payment(w.customers[cid], row["open_amount"], memo=memo)
    e = Expect()
    e.require(row["invoice"], row["open_amount"])
    return Case("rf_creditor_reference", True, w.rows, [p], {p["payment_reference"]: e}, note=memo)


def _subsets_summing(rows, total, max_size=5):
    amounts = [(r["invoice"], Decimal(r["open_amount"])) for r in rows]
    found = []
    for size in range(1, min(max_size, len(amounts)) + 1):
        for combo in itertools.combinations(amounts, size):
            if sum(a for _, a in combo) == total:
                found.append({i for i, _ in combo})
    return found


def case_amount_only(rng):
    w = World(rng)
    cid = w.customer()
    amount = w.amount()
    target = w.item(cid, amount)
    twin = rng.random() < 0.4
    if twin:
        other = w.item(cid, amount)
    w.noise(cid)
    name = w.customers[cid]
    payer = rng.choice([name, payer_variant(name, rng), other_legal_form(name, rng)])
    p = w.payment(payer, amount, memo=rng.choice(["", "PAYMENT", "ACH CREDIT", "SUPPLIER PAYMENT 2026-11"]))
    customer_rows = [r for r in w.rows if r["customer_id"] == cid]
    e = Expect()
    if twin:
        e.reasons, e.candidates = {"ambiguous"}, {target["invoice"], other["invoice"]}
        return Case("amount_two_items", False, w.rows, [p], {p["payment_reference"]: e}, note=payer)
    if len(_subsets_summing(customer_rows, amount)) != 1:
        e.reasons = set()
        return Case("amount_also_a_combination", False, w.rows, [p], {p["payment_reference"]: e}, note=payer)
    e.require(target["invoice"], amount)
    return Case("amount_unique_item", True, w.rows, [p], {p["payment_reference"]: e}, note=payer)


def case_payer_two_customers(rng):
    w = World(rng)
    stem = rng.choice(STEMS)
    w.used_stems.add(stem)
    first = w.customer(f"{stem} Corporation Ltd")
    second = w.customer(f"{stem} Industries {rng.choice(['Inc.', 'LLC'])}")
    amount = w.amount()
    a = w.item(first, amount)
    b = w.item(second, amount)
    w.noise(first)
    w.noise(second, count=2)
    with_ref = rng.random() < 0.4
    payer = rng.choice([f"{stem} Corp", stem.upper(), f"{stem}"])
    e = Expect()
    if with_ref:
        p = w.payment(payer, amount, memo=memo_for([a["invoice"]], rng))
        e.require(a["invoice"], amount)
        return Case("payer_fits_two_customers_with_reference", True, w.rows, [p], {p["payment_reference"]: e})
    p = w.payment(payer, amount, memo="PAYMENT")
    e.reasons, e.candidates = set(), set()
    return Case("payer_fits_two_customers", False, w.rows, [p], {p["payment_reference"]: e}, note=payer)


def case_unknown_payer(rng):
    w = World(rng)
    cid = w.customer()
    row = w.item(cid)
    w.noise(cid)
    p = w.payment(rng.choice(["Zephyr Holdings AG", "QUANTUM LEAP VENTURES", "Okonkwo Trading Ltd"]),
                  row["open_amount"], memo=rng.choice(["", "PAYMENT", "TRANSFER"]))
    e = Expect(reasons={"unmatched", "ambiguous"})
    return Case("unknown_payer_amount_coincides", False, w.rows, [p], {p["payment_reference"]: e})


def case_lump(rng):
    w = World(rng)
    cid = w.customer()
    rows = [w.item(cid, amount=w.amount(100, 9000)) for _ in range(rng.randint(6, 10))]
    w.noise()
    if rng.random() < 0.5:
        chosen = rng.sample(rows, rng.randint(2, 4))
        total = sum(Decimal(r["open_amount"]) for r in chosen)
        found = _subsets_summing(rows, total, max_size=len(rows))
        e = Expect()
        if len(found) == 1:
            for r in chosen:
                e.require(r["invoice"], r["open_amount"])
            kind, clear = "lump_sum_unique_combination", True
        else:
            e.reasons, kind, clear = set(), "lump_sum_two_combinations", False
    else:
        # a + b == c + d: two combinations give the total.
        a, b, c = rows[0], rows[1], rows[2]
        d_amount = Decimal(a["open_amount"]) + Decimal(b["open_amount"]) - Decimal(c["open_amount"])
        if d_amount <= 0:
            d_amount += Decimal(c["open_amount"])
            total = Decimal(a["open_amount"]) + Decimal(b["open_amount"]) + Decimal(c["open_amount"])
            pair = (a, b, c)
        else:
            total = Decimal(a["open_amount"]) + Decimal(b["open_amount"])
            pair = (a, b)
        d = w.item(cid, amount=d_amount)
        rows.append(d)
        e = Expect(reasons={"ambiguous"}, candidates={r["invoice"] for r in pair} | {d["invoice"]})
        kind, clear = "lump_sum_two_combinations", False
    p = w.payment(w.customers[cid], total, memo=rng.choice(["", "PAYMENT", "REMITTANCE TO FOLLOW"]))
    return Case(kind, clear, w.rows, [p], {p["payment_reference"]: e})


def case_over_under(rng):
    w = World(rng)
    cid = w.customer()
    row = w.item(cid)
    w.noise(cid)
    e = Expect()
    if rng.random() < 0.5:
        extra = w.amount(5, 800)
        p = w.payment(w.customers[cid], Decimal(row["open_amount"]) + extra,
                      memo=memo_for([rng.choice([row["invoice"], digits(row["invoice"])])], rng))
        e.require(row["invoice"], row["open_amount"])
        e.reasons, e.unapplied = {"overpayment"}, money(extra)
        return Case("overpayment", True, w.rows, [p], {p["payment_reference"]: e})
    # 5-40 % short: never a discount of the standard terms, never more than the invoice.
    short = (Decimal(row["open_amount"]) * Decimal(rng.randint(5, 40)) / 100).quantize(CENT)
    paid = Decimal(row["open_amount"]) - short
    if rng.random() < 0.5:
        p = w.payment(w.customers[cid], paid, memo=memo_for([row["invoice"]], rng))
    else:
        p = w.payment(w.customers[cid], paid, lines=[w.line(row, paid=paid)])
    e.allowed[row["invoice"]] = paid
    e.reasons = {"underpayment"}
    return Case("underpayment_no_reason", False, w.rows, [p], {p["payment_reference"]: e})


def case_memo_short_in_discount_period(rng):
    """No remittance, the memo names the invoice, paid within the discount period. Short by
    exactly the 2 % discount: a discount taken (clear). Short by some other sum below it: an
    underpayment nobody explained, not a discount."""
    w = World(rng)
    cid = w.customer()
    row = w.item(cid, amount=w.amount(2000, 20000), days_old=rng.randint(2, 8))
    w.noise(cid)
    gross = Decimal(row["open_amount"])
    discount = (gross * Decimal("0.02")).quantize(CENT, rounding=ROUND_HALF_UP)
    e = Expect()
    if rng.random() < 0.5:
        p = w.payment(w.customers[cid], gross - discount, memo=memo_for([row["invoice"]], rng))
        e.require(row["invoice"], gross - discount, discount=discount)
        return Case("memo_short_by_the_discount", True, w.rows, [p], {p["payment_reference"]: e})
    short = (gross * Decimal(rng.choice(["0.003", "0.0045", "0.007", "0.013", "0.017"]))).quantize(CENT)
    p = w.payment(w.customers[cid], gross - short, memo=memo_for([row["invoice"]], rng))
    e.allowed[row["invoice"]] = gross - short
    e.reasons = {"underpayment"}
    return Case("memo_short_not_a_discount", False, w.rows, [p], {p["payment_reference"]: e})


def case_duplicate_line(rng):
    """The payer lists one invoice twice on the same advice and pays both lines: the invoice is
    paid once, the rest is for a person."""
    w = World(rng)
    cid = w.customer()
    row = w.item(cid)
    w.noise(cid)
    line = w.line(row)
    p = w.payment(w.customers[cid], Decimal(line["paid"]) * 2, lines=[line, dict(line)])
    e = Expect(reasons=set())
    e.allowed[row["invoice"]] = Decimal(row["open_amount"])
    return Case("same_invoice_twice_on_one_advice", False, w.rows, [p], {p["payment_reference"]: e})


def case_line_pays_more(rng):
    """A line pays more than its invoice has open (lines add up to the total): the invoice is
    applied in full, the excess stays unapplied, with an exception."""
    w = World(rng)
    cid = w.customer()
    row = w.item(cid)
    w.noise(cid)
    extra = w.amount(5, 300)
    line = w.line(row, gross=Decimal(row["open_amount"]) + extra)
    p = w.payment(w.customers[cid], line["paid"], lines=[line])
    e = Expect(reasons={"overpayment"}, unapplied=money(extra))
    e.require(row["invoice"], row["open_amount"])
    return Case("line_pays_more_than_open", True, w.rows, [p], {p["payment_reference"]: e})


def case_currency(rng):
    w = World(rng)
    cid = w.customer()
    row = w.item(cid)
    w.noise(cid)
    p = w.payment(w.customers[cid], row["open_amount"], currency="EUR",
                  lines=[w.line(row)] if rng.random() < 0.5 else [], memo=memo_for([row["invoice"]], rng))
    e = Expect(reasons={"currency"})
    return Case("currency_mismatch", False, w.rows, [p], {p["payment_reference"]: e})


def case_already_paid(rng):
    w = World(rng)
    cid = w.customer()
    rows = [w.item(cid) for _ in range(rng.randint(1, 2))]
    w.noise(cid)
    lines = [w.line(r) for r in rows]
    total = sum(Decimal(l["paid"]) for l in lines)
    first = w.payment(w.customers[cid], total, lines=lines)
    second = w.payment(w.customers[cid], total, lines=[dict(l) for l in lines], day=PAY_DAY + timedelta(days=3))
    e1 = Expect()
    for r in rows:
        e1.require(r["invoice"], r["open_amount"])
    e2 = Expect(reasons={"already_paid"})
    return Case("remittance_sent_twice", False, w.rows, [first, second],
                {first["payment_reference"]: e1, second["payment_reference"]: e2})


def case_unknown_invoice(rng):
    w = World(rng)
    cid = w.customer()
    w.item(cid)
    w.noise(cid)
    n = w.number()
    w.used_numbers.discard(n)
    paid = w.amount()
    line = {"invoice": w.style(n), "invoice_date": "2026-10-01", "gross": money(paid), "discount": "0.00",
            "deduction": "0.00", "paid": money(paid)}
    p = w.payment(w.customers[cid], paid, lines=[line])
    e = Expect(reasons={"unknown_invoice", "unmatched"})
    return Case("unknown_invoice", False, w.rows, [p], {p["payment_reference"]: e})


def case_cross_customer(rng):
    """A customer's remittance names another customer's invoice exactly.

    Debatable: a parent may pay for its subsidiary. A careful clerk does not move cash between
    customer accounts silently: applying exactly that invoice is tolerated, but a person must
    see it (an exception is required)."""
    w = World(rng)
    payer_id = w.customer()
    owner = w.customer()
    w.item(payer_id)
    row = w.item(owner)
    w.noise(payer_id)
    p = w.payment(w.customers[payer_id], row["open_amount"], lines=[w.line(row)])
    e = Expect(reasons=set())
    e.allowed[row["invoice"]] = Decimal(row["open_amount"])
    return Case("invoice_of_another_customer", False, w.rows, [p], {p["payment_reference"]: e})


def case_no_payer_exact(rng):
    w = World(rng)
    cid = w.customer()
    row = w.item(cid)
    w.noise(cid)
    p = w.payment(rng.choice(["", None]), row["open_amount"], lines=[w.line(row)])
    e = Expect()
    e.require(row["invoice"], row["open_amount"])
    return Case("no_payer_exact_reference", True, w.rows, [p], {p["payment_reference"]: e})


def case_zero_negative(rng):
    w = World(rng)
    cid = w.customer()
    row = w.item(cid)
    w.noise(cid)
    total = rng.choice([Decimal(0), -Decimal(row["open_amount"]), -w.amount(1, 100)])
    p = w.payment(w.customers[cid], total, memo=memo_for([row["invoice"]], rng),
                  lines=[w.line(row, paid=total, gross=total)] if rng.random() < 0.5 else [])
    return Case("zero_or_negative_payment", False, w.rows, [p], {p["payment_reference"]: Expect(reasons=set())})


def case_huge(rng):
    w = World(rng)
    cid = w.customer()
    w.noise()
    w.six_digits = True
    for _ in range(rng.randint(2000, 3000)):
        w.item(cid)
    rows = [r for r in w.rows if r["customer_id"] == cid]
    by_ref, by_memo = rng.sample(rows, 2)
    twin_amount = w.amount()
    t1, t2 = w.item(cid, twin_amount), w.item(cid, twin_amount)
    p1 = w.payment(w.customers[cid], by_ref["open_amount"], lines=[w.line(by_ref, printed=mangle(by_ref["invoice"], rng))])
    p2 = w.payment(w.customers[cid], by_memo["open_amount"], memo=memo_for([digits(by_memo["invoice"])], rng))
    p3 = w.payment(w.customers[cid], twin_amount, memo="PAYMENT")
    e1, e2 = Expect(), Expect()
    e1.require(by_ref["invoice"], by_ref["open_amount"])
    e2.require(by_memo["invoice"], by_memo["open_amount"])
    e3 = Expect(reasons={"ambiguous"}, candidates={t1["invoice"], t2["invoice"]})
    return Case("huge_customer", False, w.rows, [p1, p2, p3],
                {p1["payment_reference"]: e1, p2["payment_reference"]: e2, p3["payment_reference"]: e3})


def case_twins_in_sequence(rng):
    """Two open items of one amount; the first payment names one, the second (amount only) must
    then take the other: an invoice applied earlier is no longer open."""
    w = World(rng)
    cid = w.customer()
    amount = w.amount()
    a, b = w.item(cid, amount), w.item(cid, amount)
    w.noise(cid)
    first = w.payment(w.customers[cid], amount, lines=[w.line(a)])
    second = w.payment(w.customers[cid], amount, memo="PAYMENT")
    e1, e2 = Expect(), Expect()
    e1.require(a["invoice"], amount)
    customer_rows = [r for r in w.rows if r["customer_id"] == cid and r is not a]
    if len(_subsets_summing(customer_rows, amount)) != 1:
        e2.reasons = set()
        return Case("twins_in_sequence_combination", False, w.rows, [first, second],
                    {first["payment_reference"]: e1, second["payment_reference"]: e2})
    e2.require(b["invoice"], amount)
    return Case("twins_in_sequence", True, w.rows, [first, second],
                {first["payment_reference"]: e1, second["payment_reference"]: e2})


def case_partial_then_rest(rng):
    """A deduction first; weeks later the payer pays the rest of the same invoice."""
    w = World(rng)
    cid = w.customer()
    row = w.item(cid)
    w.noise(cid)
    deduction = (Decimal(row["open_amount"]) * Decimal(rng.randint(5, 30)) / 100).quantize(CENT)
    first_line = w.line(row, deduction=deduction)
    first = w.payment(w.customers[cid], first_line["paid"], lines=[first_line])
    rest_line = {**w.line(row), "gross": money(deduction), "paid": money(deduction)}
    second = w.payment(w.customers[cid], deduction, lines=[rest_line], day=PAY_DAY + timedelta(days=9))
    e1, e2 = Expect(), Expect()
    e1.require(row["invoice"], first_line["paid"], deduction=deduction)
    e2.require(row["invoice"], deduction)
    return Case("deduction_then_rest_paid", True, w.rows, [first, second],
                {first["payment_reference"]: e1, second["payment_reference"]: e2})


def case_two_legal_entities(rng):
    """"Pinecrest Grocers LLC" and "Pinecrest Grocers Inc." are two customers; a payer that only
    says "PINECREST GROCERS" cannot be told apart by name."""
    w = World(rng)
    stem = rng.choice(STEMS)
    w.used_stems.add(stem)
    trade = rng.choice(TRADES)
    first = w.customer(f"{stem} {trade} LLC")
    second = w.customer(f"{stem} {trade} Inc.")
    amount = w.amount()
    w.item(first, amount)
    w.item(second, amount)
    w.noise(first)
    p = w.payment(rng.choice([f"{stem} {trade}".upper(), f"{stem} {trade}"]), amount, memo="PAYMENT")
    return Case("payer_two_legal_entities", False, w.rows, [p], {p["payment_reference"]: Expect(reasons=set())})


def case_transposed_hits_other_customer(rng):
    """The payer transposes two digits of its invoice, and the result is another customer's
    invoice (of another amount): never that one."""
    w = World(rng)
    cid = w.customer()
    other = w.customer()
    row = w.item(cid)
    n = digits(row["invoice"])
    printed = transpose(n, rng)
    stranger = w.item(other, invoice=w.style(int(printed)))
    w.noise(cid)
    p = w.payment(w.customers[cid], row["open_amount"], lines=[w.line(row, printed=stranger["invoice"])])
    e = Expect(reasons=set())
    e.allowed[row["invoice"]] = Decimal(row["open_amount"])   # reading it as its own invoice is fair
    return Case("transposed_is_other_customers_invoice", False, w.rows, [p], {p["payment_reference"]: e})


def case_same_number_two_customers(rng):
    """Two company codes, one numbering: both customers have an invoice 10006 open. The payer's
    name says which."""
    w = World(rng)
    cid = w.customer()
    other = w.customer()
    n = w.number()
    mine = w.item(cid, invoice=str(n))
    w.item(other, invoice=str(n))
    w.noise(cid)
    p = w.payment(w.customers[cid], mine["open_amount"], lines=[w.line(mine)])
    e = Expect()
    e.require(mine["invoice"], mine["open_amount"])
    return Case("same_number_two_customers", True, w.rows, [p], {p["payment_reference"]: e})


KINDS = [case_exact, case_mangled, case_transposed, case_similar_two, case_discount, case_deduction,
         case_credit_memo, case_lines_vs_total, case_memo_refs, case_rf, case_amount_only,
         case_payer_two_customers, case_unknown_payer, case_lump, case_over_under, case_currency,
         case_already_paid, case_unknown_invoice, case_cross_customer, case_no_payer_exact, case_zero_negative,
         case_twins_in_sequence, case_partial_then_rest, case_two_legal_entities,
         case_transposed_hits_other_customer, case_same_number_two_customers, case_memo_short_in_discount_period,
         case_duplicate_line, case_line_pays_more]


def make_cases(seed: int = 7, per_kind: int = 20) -> list[Case]:
    """``per_kind`` cases of every kind (plus one huge customer), reproducible from ``seed``."""
    rng = random.Random(seed)
    cases = [kind(rng) for kind in KINDS for _ in range(per_kind)]
    cases.append(case_huge(rng))
    return cases


# ------------------------------------------------------------------------------------------
# Judging

@dataclass
class Verdict:
    wrong: list = field(default_factory=list)      # (payment, invoice, amount applied, why)
    missed: list = field(default_factory=list)     # required applications not made as expected
    no_exception: list = field(default_factory=list)
    bad_reason: list = field(default_factory=list)
    bad_candidates: list = field(default_factory=list)


def judge(case: Case, output: dict) -> Verdict:
    """Compare the matcher's JSON with the case's truth."""
    verdict = Verdict()
    applied: dict[str, list] = {}
    for a in output["applications"]:
        applied.setdefault(a["payment_reference"], []).append(a)
    exceptions: dict[str, list] = {}
    for x in output["exceptions"]:
        exceptions.setdefault(x["payment_reference"], []).append(x)
    totals = {p["payment_reference"]: Decimal(p["total"]) for p in case.payments}
    for ref in applied:
        if ref not in case.expect:
            verdict.wrong.append((ref, None, None, "unknown payment reference"))
    for ref, expect in case.expect.items():
        apps = applied.get(ref, [])
        got = {}
        for a in apps:
            got[a["invoice"]] = got.get(a["invoice"], Decimal(0)) + Decimal(a["amount"])
        for invoice, amount in got.items():
            limit = expect.allowed.get(invoice)
            if limit is None:
                verdict.wrong.append((ref, invoice, amount, "not this invoice"))
            elif abs(amount) > abs(limit):
                verdict.wrong.append((ref, invoice, amount, f"more than {limit}"))
        if sum(got.values(), Decimal(0)) > max(totals[ref], Decimal(0)):
            verdict.wrong.append((ref, None, sum(got.values()), f"more than the payment {totals[ref]}"))
        made = {a["invoice"]: (a["amount"], a["discount"], a["deduction"]) for a in apps}
        for invoice, want in expect.required.items():
            if made.get(invoice) != want:
                verdict.missed.append((ref, invoice, want, made.get(invoice), [x["reason"] for x in exceptions.get(ref, [])]))
        if expect.reasons is not None:
            found = exceptions.get(ref, [])
            if not found:
                verdict.no_exception.append((ref, expect.reasons, got))
            elif expect.reasons and not any(x["reason"] in expect.reasons for x in found):
                verdict.bad_reason.append((ref, expect.reasons, [x["reason"] for x in found]))
            elif expect.candidates and not any(expect.candidates <= set(x.get("candidates") or []) for x in found):
                verdict.bad_candidates.append((ref, expect.candidates, [x.get("candidates") for x in found]))
            elif expect.unapplied and not any(x.get("unapplied") == expect.unapplied for x in found):
                verdict.bad_reason.append((ref, f"unapplied {expect.unapplied}", [x.get("unapplied") for x in found]))
    return verdict


# ------------------------------------------------------------------------------------------
# Bank files of our own

def write_camt053(payments: list[dict], rng: random.Random) -> str:
    """A camt.053 statement (namespace .02 or .08) holding the payments as credits.

    Payments of one currency may share a batch booking (one Ntry, several TxDtls); a debit
    entry is mixed in, which the reader must ignore."""
    version = rng.choice(["02", "08"])
    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    entries = []
    groups, i = [], 0
    while i < len(payments):
        size = 1
        while (i + size < len(payments) and rng.random() < 0.5
               and payments[i + size]["currency"] == payments[i]["currency"]
               and payments[i + size]["payment_date"] == payments[i]["payment_date"]):
            size += 1
        groups.append(payments[i:i + size])
        i += size
    entries.append(_camt_debit(version))
    for group in groups:
        entries.append(_camt_entry(group, version, rng))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}"><BkToCstmrStmt>'
            f'<GrpHdr><MsgId>STMT{rng.randint(1000, 9999)}</MsgId><CreDtTm>2026-11-20T06:00:00</CreDtTm></GrpHdr>'
            f'<Stmt><Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>'
            + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>\n")


def _camt_amount(version, amount, currency):
    if version == "08":
        return f'<Amt Ccy="{currency}">{amount}</Amt>'
    return f'<AmtDtls><TxAmt><Amt Ccy="{currency}">{amount}</Amt></TxAmt></AmtDtls>'


def _camt_entry(group, version, rng):
    currency = group[0]["currency"]
    total = money(sum(Decimal(p["total"]) for p in group))
    details = []
    for p in group:
        memo = p["memo"] or ""
        if memo.replace(" ", "").startswith("RF") and memo.replace(" ", "")[2:4].isdigit():
            remittance = (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
                          f"<Ref>{escape(memo.replace(' ', ''))}</Ref></CdtrRefInf></Strd>")
        else:
            remittance = f"<Ustrd>{escape(memo)}</Ustrd>" if memo else ""
        iban = f"DE{rng.randint(10, 99)}{rng.randint(10**17, 10**18 - 1)}"
        details.append(
            f"<TxDtls><Refs><AcctSvcrRef>{p['payment_reference']}</AcctSvcrRef>"
            f"<EndToEndId>{p['payment_reference']}</EndToEndId></Refs>"
            + _camt_amount(version, p["total"], p["currency"]) +
            f"<RltdPties><Dbtr>{'<Pty>' if version == '08' else ''}<Nm>{escape(p['payer'])}</Nm>"
            f"{'</Pty>' if version == '08' else ''}</Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>"
            + (f"<RmtInf>{remittance}</RmtInf>" if remittance else "") + "</TxDtls>")
    batch = f"<Btch><NbOfTxs>{len(group)}</NbOfTxs></Btch>" if len(group) > 1 else ""
    return (f'<Ntry><Amt Ccy="{currency}">{total}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>{"<Cd>BOOK</Cd>" if version == "08" else "BOOK"}</Sts>'
            f'<BookgDt><Dt>{group[0]["payment_date"]}</Dt></BookgDt><ValDt><Dt>{group[0]["payment_date"]}</Dt></ValDt>'
            f'<BkTxCd/><NtryDtls>{batch}' + "".join(details) + "</NtryDtls></Ntry>")


def _camt_debit(version):
    return ('<Ntry><Amt Ccy="USD">125.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>'
            f'<Sts>{"<Cd>BOOK</Cd>" if version == "08" else "BOOK"}</Sts><BookgDt><Dt>2026-11-10</Dt></BookgDt>'
            '<NtryDtls><TxDtls><Refs><EndToEndId>FEE-1</EndToEndId></Refs>'
            '<RltdPties><Cdtr><Nm>Bank fees</Nm></Cdtr></RltdPties><RmtInf><Ustrd>ACCOUNT FEE</Ustrd></RmtInf>'
            '</TxDtls></NtryDtls></Ntry>')


def write_bai2(payments: list[dict], rng: random.Random) -> str:
    """A BAI2 file: one account per currency, amounts in cents, long texts in 88 continuations."""
    # The as-of date of the group is the day the money was booked.
    day = date.fromisoformat(payments[0]["payment_date"]).strftime("%y%m%d")
    records = [f"01,BANKID,OURCO,{day},0600,1,80,,2/", f"02,OURCO,BANKID,1,{day},0600,,2/"]
    by_currency: dict[str, list] = {}
    for p in payments:
        by_currency.setdefault(p["currency"], []).append(p)
    for n, (currency, group) in enumerate(by_currency.items()):
        records.append(f"03,12345678{n},{currency},010,100000,,,015,100000,,/")
        records.append("16,475,12500,Z,FEE1,,ACCOUNT FEE/")   # a debit: not a payment
        for p in group:
            cents = int(Decimal(p["total"]) * 100)
            code = rng.choice(["165", "195", "301", "175"])
            text = f"ORIG CO NAME:{p['payer']} ENTRY DESCR:PAYMENT {p['memo']}".strip()
            if code == "195":
                text = f"B/O {p['payer']} OBI {p['memo']}".strip()
            elif code == "301":
                text = f"{p['payer']} {p['memo']}".strip()   # no labels at all
            record = f"16,{code},{cents},Z,{p['payment_reference']},{p['payment_reference']},"
            # Long texts go on in 88 records, cut after a space (the space kept) as banks do.
            pieces, line = [], record
            for word in text.split(" "):
                if len(line) + len(word) + 2 > 80 and not line.endswith(","):
                    pieces.append(line + "/")
                    line = "88,"
                line += word + " "
            pieces.append(line.rstrip() + "/")
            records += pieces
        records.append("49,0,0/")
    records += ["98,0,1,0/", "99,0,1,0/"]
    return "\n".join(records) + "\n"
