"""Cash application: incoming payments applied to open items the way a careful clerk would.

``match_payments(items, payments)`` looks every remittance reference up among the open items
in one batch (``candidates``), then walks the payments in file order, each against the open
amounts left by the ones before it (a list of cents per item, so an invoice closed by an
earlier payment is no longer open for a later one). For each payment:

1. With remittance lines: each line's reference picks its invoice (exact, normalized,
   suffix, transposed digit), the payer must not contradict it, and the paid amount is
   checked against the open amount, the discount terms and the deduction recorded.
2. Without: invoice numbers read from the bank memo; else the payer is identified (payer
   id, name, learned bank account) and the payment must equal exactly one of that
   customer's open items, or one unique combination of them (bounded subset sum).

Anything not certain becomes an exception with its candidates and a plain explanation;
applied + unapplied always equals the payment total, and no application exceeds what is
open. Money is whole cents (``cents``) throughout.
"""

import re
from array import array
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from bots.cash.candidates import Candidates, ItemIndex, find_candidates
from bots.cash.cents import money, to_cents
from bots.cash.collector import collector_paused
from bots.cash.learned_accounts import LearnedAccounts
from bots.cash.open_items import parse_item_date
from bots.cash.payers import PayerDirectory, PayerMatch
from bots.cash.records import Payment, RemittanceLine
from bots.cash.references import memo_references
from bots.cash.results import Application, CashException, Issue, MatchResult
from bots.cash.subset_sum import DEFAULT_MAX_BLOCKS, chance_matches, find_lump_sums, find_signed_subsets
from bots.cash.terms import DiscountPolicy

# How sure each rule is; a reference that needed the payer or the amount to decide between
# candidates is a little less sure.
CONFIDENCE = {
    "remittance_reference": 1.0,
    "remittance_reference_normalized": 0.95,
    "remittance_reference_suffix": 0.9,
    "remittance_reference_transposed": 0.8,
    "remittance_reference_embedded": 0.85,
    "memo_reference": 0.85,
    "single_open_item_amount": 0.8,
    "subset_sum": 0.75,
}
RULE_OF_LEVEL = {
    "exact": "remittance_reference",
    "normalized": "remittance_reference_normalized",
    "suffix": "remittance_reference_suffix",
    "transposed": "remittance_reference_transposed",
    "embedded": "remittance_reference_embedded",
}
# The reason an exception is filed under when a payment has several problems: the one a
# supervisor must look at first.
REASON_ORDER = ("currency", "already_paid", "ambiguous", "unknown_invoice", "underpayment", "overpayment", "unmatched")


@dataclass
class MatchSettings:
    """The limits of the rare, per-payment searches, and when a lump sum is safe to apply.

    A lump sum without remittance is applied only when exactly one set of at most
    ``subset_max_items`` of the payer's open items adds up to it, counting every item at its
    open amount and net of each discount still valid on the payment date (so a set that is
    unique only if nobody took a discount is not unique), the search finished within its
    bounds, and fewer than ``subset_max_chance`` sets of as many items as the one found (or
    fewer) would add up to the payment by chance alone (``subset_sum.chance_matches``). Among
    hundreds of open items some combination hits almost any amount: a payment that is not an
    exact lump sum at all (part of something else, an invoice missing from the export) finds
    a "unique" set about as often as that estimate says, so one found where it is large
    proves nothing and goes to a person as ``ambiguous`` with the set as its candidates.
    """

    policy: DiscountPolicy = field(default_factory=DiscountPolicy)
    subset_max_items: int = 6
    subset_max_candidates: int = 500      # open items of the payer the search takes at most
    subset_max_seconds: float = 1.0       # per payment
    subset_max_blocks: int = DEFAULT_MAX_BLOCKS   # partial sets held at once: the memory bound
    subset_max_chance: float = 0.02       # expected chance hits above which a unique set is not applied


@collector_paused()
def match_payments(items: pd.DataFrame, payments: list[Payment], settings: MatchSettings | None = None,
                   learned: LearnedAccounts | None = None) -> MatchResult:
    """Apply ``payments`` (in order) to the open ``items`` (from ``load_open_items``)."""
    return _Matcher(items, settings or MatchSettings(), learned or LearnedAccounts()).run(payments)


def _texts(column: pd.Series) -> list[str]:
    """A column's values as Python strings, as ``astype(str).tolist()`` gives them; a category
    column (customers, currencies) makes one string per category, not one per row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if len(codes) and codes.min() >= 0:
            names = np.array([str(name) for name in column.cat.categories], dtype=object)
            return names[codes].tolist()
    return column.astype(str).tolist()


def _open_amounts(items: pd.DataFrame, amounts: list[int]) -> list[int]:
    """The open cents per row as a list sharing the amounts' int objects where they are equal
    (most items are not partly paid: a million ints made once, not twice)."""
    open_amounts = list(amounts)
    opened = items["open_cents"].to_numpy()
    for row in np.flatnonzero(opened != items["amount_cents"].to_numpy()).tolist():
        open_amounts[row] = int(opened[row])
    return open_amounts


class _Line(NamedTuple):
    """A remittance line with its amounts in cents (read once, used by every check)."""

    invoice: str
    paid: int
    gross: int | None
    discount: int
    deduction: int
    invoice_date: object

    @classmethod
    def of(cls, line: RemittanceLine) -> "_Line":
        paid = to_cents(line.paid)
        gross = None if line.gross is None else paid if line.gross == line.paid else to_cents(line.gross)
        return cls(line.invoice, paid, gross, to_cents(line.discount) if line.discount else 0,
                   to_cents(line.deduction) if line.deduction else 0, line.invoice_date)


class _Plan:
    """What one payment would do, before it is committed: applications, issues, open amounts."""

    # One plan per payment, its fields read many times each: slots are quicker to reach.
    __slots__ = ("matcher", "index", "payment", "total", "applications", "issues", "open_now", "candidate_customers",
                 "customer_id", "resolved_customers", "candidate_sets", "search_note")

    def __init__(self, matcher: "_Matcher", index: int, payment: Payment):
        self.matcher = matcher
        self.index = index
        self.payment = payment
        self.total = to_cents(payment.total)
        self.applications: list[Application] = []
        self.issues: list[Issue] = []
        self.open_now: dict[int, int] = {}
        self.candidate_customers: list[str] = []
        self.customer_id: str | None = None
        self.resolved_customers: set[str] = set()   # customers of the invoices the remittance named
        self.candidate_sets: list[list[str]] = []   # the sets of invoices a lump sum may pay
        self.search_note = ""                        # why a lump-sum search could not finish

    def open(self, row: int) -> int:
        return self.open_now.get(row, self.matcher.open[row])

    def apply(self, row: int, amount: int, rule: str, confidence: float, discount: int = 0, deduction: int = 0,
              closes_by: int = 0) -> None:
        """Plan ``amount`` onto ``row``; ``closes_by`` is what else the application settles (the discount)."""
        m = self.matcher
        self.applications.append(Application(self.payment.payment_reference, m.customer[row], m.invoice[row],
                                             amount, discount, deduction, rule, confidence, row))
        self.open_now[row] = self.open_now.get(row, m.open[row]) - amount - closes_by

    def issue(self, reason: str, detail: str, candidates=(), hints=()) -> None:
        """File a problem; ``candidates`` are the answers a person chooses between, ``hints`` merely related items."""
        self.issues.append(Issue(reason, detail, list(candidates), list(hints)))

    def applied(self) -> int:
        return sum(application.amount for application in self.applications)

    def cancel(self) -> None:
        self.applications.clear()
        self.open_now.clear()


class _Matcher:
    """One run: the open items as plain lists (row position is the key), and the payments walked in order."""

    def __init__(self, items: pd.DataFrame, settings: MatchSettings, learned: LearnedAccounts):
        self.items = items
        self.settings = settings
        self.learned = learned
        self.invoice: list[str] = items["invoice"].tolist()
        self.customer: list[str] = _texts(items["customer_id"])
        self.currency: list[str] = _texts(items["currency"])
        self.amount: list[int] = items["amount_cents"].tolist()
        self.open: list[int] = _open_amounts(items, self.amount)
        self.applied_by: dict[int, int] = {}   # row -> index of the last payment applied to it
        customers = items[["customer_id", "customer_name"]].drop_duplicates("customer_id")
        self.customer_names = dict(zip(customers["customer_id"].astype(str).tolist(),
                                       customers["customer_name"].astype(str).tolist()))
        self.directory = PayerDirectory(self.customer_names)
        self._index: ItemIndex | None = None
        self._rows_of_customer: dict | None = None   # customer id -> row positions (numpy array)
        self._rows_of_amount: dict[int, list[int]] | None = None
        self._payment_refs: list[str] = []
        self._invoice_prefixes: set[str] | None = None
        self._invoice_dates: list | None = None
        self._invoice_days: array | None = None   # invoice dates as day ordinals (-1: not ISO)

    # -- the run -----------------------------------------------------------------------------

    def run(self, payments: list[Payment]) -> MatchResult:
        self._payment_refs = [payment.payment_reference for payment in payments]
        line_candidates, memo_candidates = self._read_references(payments)
        applications, exceptions = [], []
        fully = partially = received = 0
        first_line = 0   # position of the payment's first line among all remittance lines
        for index, payment in enumerate(payments):
            plan = _Plan(self, index, payment)
            if plan.total <= 0 and not self._nets_to_zero(payment):
                # No money came in: nothing to apply, whatever the memo or remittance says.
                plan.issue("unmatched", f"payment amount {money(plan.total)} is not a positive credit; nothing to apply")
            elif payment.lines:
                count = len(payment.lines)
                self._by_remittance(plan, [line_candidates.get(first_line + k) for k in range(count)])
                first_line += count
            else:
                self._without_remittance(plan, memo_candidates.get(index, []))
            self._guard(plan)
            self._commit(plan)
            applications.extend(plan.applications)
            received += plan.total
            if plan.issues:
                exceptions.append(self._exception(plan))
                partially += bool(plan.applications)
            else:
                fully += 1
        return MatchResult(applications, exceptions, len(payments), received, fully, partially)

    @staticmethod
    def _nets_to_zero(payment: Payment) -> bool:
        """True for a zero payment whose remittance nets invoices against credit memos exactly."""
        if not payment.lines or to_cents(payment.total) != 0:
            return False
        paid = [to_cents(line.paid) for line in payment.lines]
        return sum(paid) == 0 and any(p > 0 for p in paid)

    def _embedded_references(self, line_refs: list, found: dict) -> dict:
        """Candidates for remittance lines whose reference is a text around the invoice number
        ("Inv#10006 PO 4500123"): the one token in it that names an open item (level ``embedded``,
        applied only when the amount agrees). Two tokens naming items is no answer at all."""
        texts = {position: reference for position, reference in enumerate(line_refs)
                 if position not in found and isinstance(reference, str) and len(reference.split()) > 1}
        tokens = [(position, token) for position, text in texts.items() for token in memo_references(text)]
        if not tokens:
            return {}
        hits = find_candidates([token for _, token in tokens], self._index, transposed=False)
        per_line: dict[int, list] = {}
        for index, candidates in hits.items():
            per_line.setdefault(tokens[index][0], []).append(candidates)
        return {position: Candidates("embedded", hit[0].rows) for position, hit in per_line.items() if len(hit) == 1}

    def _read_references(self, payments: list[Payment]) -> tuple[dict, dict]:
        """Candidates for every remittance line (by position among all lines, in file order) and
        for the memo tokens of payments without remittance (by payment), in two batch lookups."""
        line_refs = [line.invoice for payment in payments for line in payment.lines]
        memo_refs: list[tuple[int, str]] = []
        for index, payment in enumerate(payments):
            if not payment.lines:
                memo_refs += [(index, token) for token in memo_references(payment.memo, {payment.payment_reference})]
        if not line_refs and not memo_refs:
            return {}, {}
        self._index = self._index or ItemIndex(self.items["invoice"], self.invoice)
        line_candidates = find_candidates(line_refs, self._index, transposed=True) if line_refs else {}
        line_candidates.update(self._embedded_references(line_refs, line_candidates))
        memo_candidates: dict[int, list[tuple[str, Candidates]]] = {}
        found = find_candidates([token for _, token in memo_refs], self._index, transposed=False) if memo_refs else {}
        for position, candidates in sorted(found.items()):
            index, token = memo_refs[position]
            memo_candidates.setdefault(index, []).append((token, candidates))
        return line_candidates, memo_candidates

    # -- payments with remittance lines ----------------------------------------------------------

    def _by_remittance(self, plan: _Plan, candidates: list[Candidates | None]) -> None:
        if self._plainly_settled(plan, candidates):
            return
        payment = plan.payment
        chosen: list[tuple[_Line, int, str, float] | None] = []
        # Customers that lines with one clear candidate point to settle the other lines' doubts.
        hints = {self.customer[c.rows[0]] for c in candidates if c and len(c.rows) == 1 and c.level != "transposed"}
        if any(c and len(c.rows) > 1 for c in candidates):
            hints |= self._payer_hints(payment)   # identifying the payer costs; only when a line needs it
        lines = [_Line.of(line) for line in payment.lines]
        for line, found in zip(lines, candidates):
            chosen.append(self._choose(plan, line, found, hints))
        for pick in chosen:
            if pick is not None:
                line, row, rule, confidence = pick
                if self._payer_contradicts(plan, row):
                    continue
                self._settle_line(plan, line, row, rule, confidence)
        lines_total = sum(line.paid for line in lines)
        if plan.total < lines_total:
            plan.cancel()
            plan.issue("underpayment", f"payment {money(plan.total)} is {money(lines_total - plan.total)} less than "
                       f"its remittance lines ({money(lines_total)}); cannot tell which invoice is short",
                       [line.invoice for line in payment.lines])
        elif plan.total > lines_total:
            plan.issue("overpayment", f"payment {money(plan.total)} is {money(plan.total - lines_total)} more than "
                       f"its remittance lines ({money(lines_total)})")

    def _plainly_settled(self, plan: _Plan, candidates: list[Candidates | None]) -> bool:
        """The common case, decided without the general checks: every line names one open invoice
        exactly, of one customer the payer does not contradict, in the payment's currency, pays it
        in full with no discount or deduction, and the lines add up to the payment. The general path
        would apply just the same; anything else is left to it (False)."""
        payment = plan.payment
        rows, paid = [], []
        for found, line in zip(candidates, payment.lines):
            if found is None or found.level != "exact" or len(found.rows) != 1 or line.discount or line.deduction:
                return False
            rows.append(found.rows[0])
            paid.append(to_cents(line.paid))
        # One loop of plain comparisons: this runs for nearly every payment.
        customer, customers, currency, currencies, opened = self.customer[rows[0]], self.customer, \
            payment.currency, self.currency, self.open
        for row, cents in zip(rows, paid):
            if customers[row] != customer or cents <= 0 or cents != opened[row] \
                    or (currency and currencies[row] and currencies[row] != currency):
                return False
        if sum(paid) != plan.total or len(set(rows)) != len(rows) or self._other_payers(payment, customer):
            return False
        plan.resolved_customers.add(customer)
        confidence = CONFIDENCE["remittance_reference"]
        for row, cents in zip(rows, paid):
            plan.apply(row, cents, "remittance_reference", confidence)
        return True

    def _choose(self, plan: _Plan, line: _Line, found: Candidates | None, hints: set[str]):
        """The open item a remittance line means, or None (with an issue filed)."""
        if found is not None and found.level == "exact" and len(found.rows) == 1:
            return line, found.rows[0], "remittance_reference", 1.0   # the common case
        if found is None:
            plan.issue("unknown_invoice", f"{line.invoice} is not an open invoice", hints=self._amount_hints(plan, line))
            return None
        rows = list(found.rows)
        rule = RULE_OF_LEVEL[found.level]
        confidence = CONFIDENCE[rule]
        if found.level == "transposed" and len(rows) > 1:
            plan.issue("ambiguous", f"{line.invoice} is not an open invoice; with two digits swapped it may be "
                       f"any of {self._names(rows)}", self._invoices(rows))
            return None
        # "only when unique and the amount agrees"; so too a number picked out of a longer text.
        needs_amount = found.level in ("transposed", "embedded")
        if needs_amount:
            agreeing = [row for row in rows if self._amount_agrees(plan, row, line)]
            if not agreeing:
                plan.issue("unknown_invoice", f"{line.invoice} is not an open invoice; "
                           f"{self._names(rows)} looks similar but its amount differs", hints=self._invoices(rows))
                return None
            rows = agreeing
        if len(rows) > 1:
            narrowed = [row for row in rows if self.customer[row] in hints]
            if len(narrowed) > 1 and not needs_amount:
                narrowed = [row for row in narrowed if self._amount_agrees(plan, row, line)]
            if len(narrowed) != 1:
                plan.issue("ambiguous", f"{line.invoice} may be any of {len(rows)} open items: {self._names(rows)}",
                           self._invoices(rows))
                return None
            rows, confidence = narrowed, confidence * 0.95
        row = rows[0]
        if not self._amount_agrees(plan, row, line) and not self._payer_fits(plan.payment, row):
            # A loosely read number that neither the amount nor the payer backs may be anything
            # (the payer's own document number, a PO): not enough to apply money to it.
            plan.issue("unknown_invoice", f"{line.invoice} is not an open invoice; {self._names([row])} reads "
                       f"alike but neither its amount nor its customer fits", hints=[self.invoice[row]])
            return None
        return line, row, rule, confidence

    def _settle_line(self, plan: _Plan, line: _Line, row: int, rule: str, confidence: float) -> None:
        """Check one line's amounts against its open item and plan what a clerk would apply."""
        invoice = self.invoice[row]
        plan.resolved_customers.add(self.customer[row])
        if self._currency_differs(plan, row):
            plan.issue("currency", f"{invoice} is in {self.currency[row]}, the payment in {plan.payment.currency}",
                       [invoice])
            return
        open_now = plan.open(row)
        paid = line.paid
        earlier = self.applied_by.get(row)
        if open_now == 0 or (earlier is not None and paid > open_now):
            plan.issue("already_paid", f"{invoice} was already paid" + (
                f" by payment {self._reference_of(earlier)} in this run" if earlier is not None else ""), [invoice])
            return
        discount, deduction = line.discount, line.deduction
        if paid == open_now:
            plan.apply(row, paid, rule, confidence)
        elif paid <= 0 or open_now < 0:
            reason = "underpayment" if paid < open_now else "overpayment"
            plan.issue(reason, f"{line.invoice} takes {money(paid)} but {invoice} has {money(open_now)} open", [invoice])
        elif paid > open_now:
            plan.apply(row, open_now, rule, confidence)
            plan.issue("overpayment", f"{money(paid)} paid on {invoice} with only {money(open_now)} open; "
                       f"{money(paid - open_now)} left unapplied", hints=[invoice])
        elif discount + deduction == open_now - paid:
            verdict = None
            if discount:
                gross = line.gross if line.gross is not None else open_now
                verdict = self.settings.policy.judge(self.customer[row], gross, discount,
                                                     self._invoice_date(row) or line.invoice_date,
                                                     plan.payment.payment_date)
            if verdict:
                plan.apply(row, paid, rule, confidence, deduction=deduction)
                plan.issue("underpayment", f"unearned discount on {invoice}: {verdict}; {money(discount)} stays open",
                           [invoice])
            else:
                # Discount earned closes the invoice; a deduction stays open for the dispute.
                plan.apply(row, paid, rule, confidence, discount=discount, deduction=deduction, closes_by=discount)
        else:
            plan.apply(row, paid, rule, confidence, deduction=deduction)
            plan.issue("underpayment", f"{money(paid)} paid on {invoice} with {money(open_now)} open; "
                       f"{money(open_now - paid - deduction)} short with no discount or deduction to explain it",
                       [invoice])

    # -- payments without remittance ----------------------------------------------------------

    def _without_remittance(self, plan: _Plan, memo: list[tuple[str, Candidates]]) -> None:
        if memo and self._by_memo(plan, memo):
            return
        self._by_amount(plan)
        # A memo that names one of our invoice numbers which is not open explains the miss better.
        unknown = self._unknown_memo_invoices(plan.payment, {token for token, _ in memo})
        if unknown and not plan.applications and [issue.reason for issue in plan.issues] == ["unmatched"]:
            plan.issues = [Issue("unknown_invoice", f"the memo names {', '.join(unknown)}, which is not an open "
                                 f"invoice; {plan.issues[0].detail}", [], plan.issues[0].hints)]

    def _unknown_memo_invoices(self, payment: Payment, resolved: set[str]) -> list[str]:
        """Tokens of the memo shaped like our invoice numbers (the open items' letter prefix and
        digits) that are not open items."""
        tokens = [token for token in memo_references(payment.memo, {payment.payment_reference})
                  if token not in resolved]
        if not tokens:
            return []
        if self._invoice_prefixes is None:
            leading = pd.Series(self.invoice, dtype=object).str.extract(r"^([A-Za-z]+)", expand=False)
            self._invoice_prefixes = set(leading.dropna().str.upper().unique())
        return [token for token in tokens
                if (m := re.match(r"([A-Za-z]+)[\s\-#./]*\d", token)) and m[1].upper() in self._invoice_prefixes]

    def _by_amount(self, plan: _Plan) -> None:
        """No remittance and no memo invoice: the payer's open items that add up to the payment."""
        customer, how = self._identify(plan)
        if customer is None:
            return
        plan.customer_id = customer
        opened = {row: plan.open(row) for row in self._rows_of(customer)}   # read once: each is looked at often
        rows = [row for row, cents in opened.items() if cents > 0]
        currency, currencies = plan.payment.currency, self.currency
        # The customer's items in the payment's currency (an item or a payment without one fits any).
        same_currency = [row for row in rows if not currency or not currencies[row] or currencies[row] == currency]
        exact = [row for row in same_currency if opened[row] == plan.total]
        name = self._customer_label(customer)
        if len(exact) > 1:
            plan.issue("ambiguous", f"{len(exact)} open invoices of {money(plan.total)} for {name}",
                       self._invoices(exact))
            plan.candidate_sets = [[invoice] for invoice in self._invoices(exact)]
            return
        if not exact:
            in_currency = set(same_currency)
            other_currency = [row for row in rows if row not in in_currency and opened[row] == plan.total]
            if other_currency:
                plan.issue("currency", f"{self._names(other_currency)} of {name} is open for {money(plan.total)} "
                           f"in {self.currency[other_currency[0]]}, the payment is in {plan.payment.currency}",
                           self._invoices(other_currency))
                return
        if self._by_lump_sum(plan, same_currency, name):
            return
        closed = [row for row, cents in opened.items()
                  if cents == 0 and self.applied_by.get(row) is not None and self.amount[row] == plan.total]
        if closed:
            plan.issue("already_paid", f"{self._names(closed)} of {money(plan.total)} was already paid in this run",
                       self._invoices(closed))
            return
        nearest = sorted(same_currency, key=lambda row: abs(opened[row] - plan.total))[:5]
        plan.issue("unmatched", f"no open invoice or combination of {name}'s invoices equals {money(plan.total)}"
                   f"{plan.search_note}; customer found by {how}", hints=self._invoices(nearest))

    def _by_lump_sum(self, plan: _Plan, rows: list[int], name: str) -> bool:
        """Apply the one set of open items (each at its open amount or net of a discount still
        valid) that adds up to the payment, when it is safe (``MatchSettings``); True when the
        payment is dealt with (applied or an exception filed)."""
        settings = self.settings
        if len(rows) > settings.subset_max_candidates:
            plan.search_note = (f" (the search stopped at its bound: {len(rows)} open items, more than the "
                                f"{settings.subset_max_candidates} searched)")
            return False
        recent = self._recent(rows, plan.payment.payment_date, self.settings.policy.longest_discount_days())
        options = {row: self._payable_amounts(plan, row) if row in recent else (plan.open(row),) for row in rows}
        result = find_lump_sums(options, plan.total, settings.subset_max_items, settings.subset_max_blocks,
                                settings.subset_max_seconds)
        if result.ambiguous:
            sets = [[self.invoice[row] for row, _ in solution] for solution in result.solutions]
            combos = " or ".join("+".join(self._priced(row, cents) for row, cents in s) for s in result.solutions)
            more = "" if result.complete else " (and perhaps more)"
            plan.issue("ambiguous", f"{money(plan.total)} is the sum of {len(sets)}{more} different sets of {name}'s "
                       f"open invoices: {combos}", list(dict.fromkeys(i for s in sets for i in s)))
            plan.candidate_sets = sets
            return True
        if not result.solutions:
            if not result.complete:
                plan.search_note = f" (the search stopped at its bound: {result.bound})"
            return False
        solution = result.solutions[0]
        invoices = [self.invoice[row] for row, _ in solution]
        found = "+".join(self._priced(row, cents) for row, cents in solution)
        if not result.complete:
            plan.issue("ambiguous", f"{found} adds up to {money(plan.total)}, but the search stopped at its bound "
                       f"({result.bound}) before it could rule out another set", invoices)
            plan.candidate_sets = [invoices]
            return True
        chance = chance_matches(list(options.values()), plan.total, len(solution),
                                [options[row] for row, _ in solution])
        if chance > settings.subset_max_chance:
            plan.issue("ambiguous", f"{found} is the only set of {name}'s open invoices that adds up to "
                       f"{money(plan.total)}, but among {result.searched} open items about {chance:.2g} sets would "
                       f"add up to it by chance; not applied", invoices)
            plan.candidate_sets = [invoices]
            return True
        # One invoice at its open amount is the plain "amount matches" rule; anything else a lump sum.
        rule = "single_open_item_amount" if len(solution) == 1 and solution[0][1] == plan.open(solution[0][0]) \
            else "subset_sum"
        for row, cents in solution:
            discount = plan.open(row) - cents
            plan.apply(row, cents, rule, CONFIDENCE[rule], discount=discount, closes_by=discount)
        return True

    def _payable_amounts(self, plan: _Plan, row: int) -> tuple[int, ...]:
        """What an open item may be paid at: its open amount, and net of each cash discount the
        terms still allow on the payment date (only for an item not yet partly paid)."""
        open_now = plan.open(row)
        payment_date = plan.payment.payment_date
        if open_now != self.amount[row] or payment_date is None:
            return (open_now,)
        discounts = self.settings.policy.valid_discounts(self.customer[row], self.amount[row],
                                                         self._invoice_date(row), payment_date)
        return (open_now,) + tuple(open_now - d for d in discounts if 0 < d < open_now)

    def _priced(self, row: int, cents: int) -> str:
        """ "INV-10102", or "INV-10102 less a discount of 121.47", for a set's member in an explanation."""
        discount = self.open[row] - cents
        return self.invoice[row] + (f" less a discount of {money(discount)}" if discount else "")

    def _by_memo(self, plan: _Plan, memo: list[tuple[str, Candidates]]) -> bool:
        """Apply by invoice numbers read from the bank memo; False when the memo names none for sure."""
        hints = self._payer_hints(plan.payment)
        rows: list[int] = []
        for token, found in memo:
            candidates = list(found.rows)
            if len(candidates) > 1:
                candidates = [row for row in candidates if self.customer[row] in hints]
            if len(candidates) == 1 and candidates[0] not in rows:
                rows.append(candidates[0])
        if not rows:
            return False
        invoices = self._invoices(rows)
        payer_confirms = all(self.customer[row] in hints for row in rows)
        if not payer_confirms and not self._memo_amount_fits(plan, rows):
            return False   # a number in a memo that neither the payer nor the amount confirms may be anything
        if any(self._currency_differs(plan, row) for row in rows):
            plan.issue("currency", f"the memo names {', '.join(invoices)} in {self.currency[rows[0]]}, "
                       f"the payment is in {plan.payment.currency}", invoices)
            return True
        if any(self._payer_contradicts(plan, row) for row in rows):
            return True
        still_open = [row for row in rows if plan.open(row) != 0]
        if not still_open:
            plan.issue("already_paid", f"the memo names {', '.join(invoices)}, already paid", invoices)
            return True
        open_sum = sum(plan.open(row) for row in still_open)
        confidence = CONFIDENCE["memo_reference"]
        completion = None if open_sum == plan.total or not payer_confirms else self._completion(plan, still_open)
        if open_sum == plan.total or completion:
            for row in still_open:
                plan.apply(row, plan.open(row), "memo_reference", confidence)
            for row in completion or ():
                plan.apply(row, plan.open(row), "subset_sum", CONFIDENCE["subset_sum"])
        elif plan.total > open_sum:
            for row in still_open:
                plan.apply(row, plan.open(row), "memo_reference", confidence)
            plan.issue("overpayment", f"{money(plan.total)} paid for {', '.join(self._invoices(still_open))} "
                       f"with {money(open_sum)} open; {money(plan.total - open_sum)} left unapplied", hints=invoices)
        elif len(still_open) == 1:
            row = still_open[0]
            gap = open_sum - plan.total
            verdict = self.settings.policy.judge_unclaimed(self.customer[row], self.amount[row], gap,
                                                           self._invoice_date(row), plan.payment.payment_date)
            if verdict is None:
                plan.apply(row, plan.total, "memo_reference", confidence, discount=gap, closes_by=gap)
            else:
                plan.apply(row, plan.total, "memo_reference", confidence)
                plan.issue("underpayment", f"{money(plan.total)} paid for {self.invoice[row]} with {money(open_sum)} "
                           f"open; {money(gap)} short ({verdict})", [self.invoice[row]])
        else:
            plan.issue("underpayment", f"{money(plan.total)} paid for {', '.join(self._invoices(still_open))} "
                       f"with {money(open_sum)} open; cannot tell which is short", self._invoices(still_open))
        return True

    def _completion(self, plan: _Plan, named: list[int]) -> tuple | None:
        """Other open items of the same customer (credit memos included) that, with the invoices the
        memo names, make up the payment exactly, when only one small combination does
        ("REMIT INV-10102 ET AL")."""
        customers = {self.customer[row] for row in named}
        if len(customers) != 1:
            return None
        others = {row: plan.open(row) for row in self._rows_of(customers.pop())
                  if row not in named and plan.open(row) != 0 and not self._currency_differs(plan, row)}
        rest = plan.total - sum(plan.open(row) for row in named)
        return find_signed_subsets(others, rest).unique

    def _memo_amount_fits(self, plan: _Plan, rows: list[int]) -> bool:
        """True when the memo's invoices are open for exactly the payment, or less an earned discount."""
        open_sum = sum(plan.open(row) for row in rows)
        if open_sum == plan.total:
            return True
        if len(rows) == 1 and 0 < open_sum - plan.total:
            row = rows[0]
            return self.settings.policy.judge_unclaimed(self.customer[row], self.amount[row], open_sum - plan.total,
                                                        self._invoice_date(row), plan.payment.payment_date) is None
        return False

    def _identify(self, plan: _Plan) -> tuple[str | None, str]:
        """The customer who paid (and how we know), or None with an issue filed."""
        payment = plan.payment
        if payment.payer_id and payment.payer_id in self.customer_names:
            return payment.payer_id, "payer id"
        match = self._payer_match(payment)
        if match.status == "identified":
            return match.customer_id, "name"
        for known, how in ((payment.payer_account, "bank account"), (payment.payer_id, "payer id")):
            learned = self.learned.customer_of(known)
            if learned and learned in self.customer_names:
                return learned, f"{how} learned from an earlier payment"
        if match.status == "ambiguous":
            plan.candidate_customers = list(match.customer_ids)
            rows = [row for c in match.customer_ids for row in self._rows_of(c) if plan.open(row) == plan.total]
            plan.issue("ambiguous", f"payer {self._payer_text(payment)} fits {len(match.customer_ids)} customers: "
                       + ", ".join(self._customer_label(c) for c in match.customer_ids), self._invoices(rows))
            return None, ""
        rows = [row for row in self._rows_with_amount(plan.total) if plan.open(row) == plan.total][:10]
        plan.issue("unmatched", f"payer {self._payer_text(payment)} is not a known customer and there is no remittance"
                   + (f"; {len(rows)} open item(s) anywhere have this amount" if rows else ""),
                   hints=self._invoices(rows))
        return None, ""

    # -- checks shared by both paths -----------------------------------------------------------

    def _other_payers(self, payment: Payment, customer: str) -> tuple:
        """The customers the payer clearly is instead of ``customer`` (none when nothing contradicts)."""
        if payment.payer_id and payment.payer_id in self.customer_names:
            return () if payment.payer_id == customer else (payment.payer_id,)
        if not payment.payer or self.directory.agrees(payment.payer, customer):
            return ()
        match: PayerMatch = self.directory.identify(payment.payer)
        return tuple(match.customer_ids) if match.status != "unknown" and customer not in match.customer_ids else ()

    def _payer_contradicts(self, plan: _Plan, row: int) -> bool:
        """True (with an issue filed) when the payer is clearly another customer than the invoice's."""
        payment, customer = plan.payment, self.customer[row]
        others = self._other_payers(payment, customer)
        if not others:
            return False
        plan.candidate_customers = list(others) + [customer]
        plan.issue("ambiguous", f"{self.invoice[row]} belongs to {self._customer_label(customer)} but the payer "
                   f"{payment.payer or payment.payer_id!r} looks like {', '.join(map(self._customer_label, others))}",
                   [self.invoice[row]])
        return True

    def _payer_match(self, payment: Payment) -> PayerMatch:
        """Who the payer is by name: the payer field, or when there is none (BAI2) the start of the memo."""
        if payment.payer:
            return self.directory.identify(payment.payer)
        return self.directory.identify_in_text(payment.memo)

    def _payer_fits(self, payment: Payment, row: int) -> bool:
        """True when what is known of the payer (id, name, learned account) points to the row's customer."""
        customer = self.customer[row]
        if payment.payer and self.directory.agrees(payment.payer, customer):
            return True
        return customer in self._payer_hints(payment)

    @staticmethod
    def _payer_text(payment: Payment) -> str:
        return repr(payment.payer) if payment.payer else f"(no name; memo {payment.memo!r})"

    def _payer_hints(self, payment: Payment) -> set[str]:
        """Customers the payer may be, from its id, bank account and name (for breaking ties only)."""
        hints = set()
        if payment.payer_id and payment.payer_id in self.customer_names:
            hints.add(payment.payer_id)
        for known in (payment.payer_account, payment.payer_id):
            if learned := self.learned.customer_of(known):
                hints.add(learned)
        match = self._payer_match(payment)
        if match.status == "identified":
            hints.add(match.customer_id)
        return hints

    def _amount_agrees(self, plan: _Plan, row: int, line: _Line) -> bool:
        open_now, amount = plan.open(row), self.amount[row]
        settled = line.paid + line.discount + line.deduction
        return line.paid == open_now or settled == open_now or line.gross in (open_now, amount) or settled == amount

    def _currency_differs(self, plan: _Plan, row: int) -> bool:
        currency = plan.payment.currency
        return bool(currency) and bool(self.currency[row]) and self.currency[row] != currency

    def _guard(self, plan: _Plan) -> None:
        """Never apply more than was received, nor a negative sum: cancel and let a person decide."""
        applied = plan.applied()
        if plan.applications and (applied > plan.total or applied < 0):
            plan.cancel()
            plan.issue("unmatched", f"the applications would come to {money(applied)} of a payment of "
                       f"{money(plan.total)}; nothing applied")

    def _commit(self, plan: _Plan) -> None:
        for row, open_amount in plan.open_now.items():
            self.open[row] = open_amount
        for application in plan.applications:
            self.applied_by[application.row] = plan.index
        customers = {application.customer_id for application in plan.applications}
        if not plan.issues and len(customers) == 1:
            customer = customers.pop()
            self.learned.learn(plan.payment.payer_account, customer)
            if plan.payment.payer_id != customer:
                self.learned.learn(plan.payment.payer_id, customer)

    def _exception(self, plan: _Plan) -> CashException:
        issues = sorted(plan.issues, key=lambda issue: REASON_ORDER.index(issue.reason))
        first = issues[0]
        candidates = list(dict.fromkeys(c for issue in issues for c in issue.candidates))
        hints = [h for h in dict.fromkeys(h for issue in issues for h in issue.hints) if h not in candidates]
        payment = plan.payment
        applied = plan.applied()
        customers = {application.customer_id for application in plan.applications}
        customers = customers or plan.resolved_customers
        customer = plan.customer_id or (customers.pop() if len(customers) == 1 else None)
        done = (f"{money(applied)} applied to " + ", ".join(a.invoice for a in plan.applications)
                if plan.applications else "Nothing applied")
        listed = ", ".join(f"{invoice} ({self._open_text(invoice)})" for invoice in candidates[:10])
        related = ", ".join(f"{invoice} ({self._open_text(invoice)})" for invoice in hints[:10])
        explanation = (f"Payment {payment.payment_reference} of {money(plan.total)} {payment.currency or ''} from "
                       f"{payment.payer or 'an unnamed payer'}: " + "; ".join(issue.detail for issue in issues)
                       + (f". Candidates: {listed}" if listed else "") + (f". Related: {related}" if related else "")
                       + f". {done}; {money(plan.total - applied)} unapplied.").replace("  ", " ")
        return CashException(payment.payment_reference, first.reason, first.detail, candidates, plan.total - applied,
                             explanation, customer, payment.payer, plan.total, payment.currency, issues,
                             plan.candidate_customers, hints, plan.candidate_sets)

    # -- small helpers ---------------------------------------------------------------------------

    def _rows_of(self, customer: str) -> list[int]:
        if self._rows_of_customer is None:
            groups = self.items.groupby("customer_id", observed=True, sort=False).indices
            self._rows_of_customer = {str(customer_id): rows for customer_id, rows in groups.items()}
        rows = self._rows_of_customer.get(customer)
        return rows.tolist() if rows is not None else []

    def _recent(self, rows: list[int], payment_date, days: int) -> set[int]:
        """The rows invoiced at most ``days`` before ``payment_date`` (or on an unreadable date: those
        are read one by one), from the invoice dates as day numbers, read once for the whole file."""
        if payment_date is None or not rows:
            return set()
        if self._invoice_days is None:
            # A file has a few hundred distinct invoice dates: each is parsed once, not once a row.
            codes, texts = pd.factorize(self.items["invoice_date"])
            parsed = pd.to_datetime(pd.Series(texts, dtype=object), format="%Y-%m-%d", errors="coerce")
            epoch = date(1970, 1, 1).toordinal()
            days_since_epoch = (parsed.to_numpy(dtype="datetime64[D]").astype(np.int64))
            distinct = np.append(np.where(parsed.isna().to_numpy(), -1, days_since_epoch + epoch), -1)
            ordinals = distinct[codes].astype(np.int64)   # code -1 (a missing date) takes the -1 appended
            # A typed array: a customer's score of rows is read faster from it than through numpy,
            # and it stays 8 bytes a row (a list would make a million ints).
            self._invoice_days = array("q", ordinals.tobytes())
        invoice_days, paid_on = self._invoice_days, payment_date.toordinal()
        return {row for row in rows if invoice_days[row] < 0 or 0 <= paid_on - invoice_days[row] <= days}

    def _invoice_date(self, row: int):
        """An open item's invoice date (read only for the few items a decision needs)."""
        if self._invoice_dates is None:
            self._invoice_dates = self.items["invoice_date"].tolist()
        return parse_item_date(self._invoice_dates[row])

    def _rows_with_amount(self, cents: int) -> list[int]:
        if self._rows_of_amount is None:
            self._rows_of_amount = {}
            for row, amount in enumerate(self.items["open_cents"].tolist()):
                self._rows_of_amount.setdefault(amount, []).append(row)
        return self._rows_of_amount.get(cents, [])

    def _amount_hints(self, plan: _Plan, line: _Line) -> list[str]:
        """Open items of the payer with the line's amount, as candidates for an unknown invoice."""
        paid = line.paid
        rows = [row for customer in self._payer_hints(plan.payment) for row in self._rows_of(customer)
                if plan.open(row) == paid and plan.open(row) != 0]
        return self._invoices(rows[:5])

    def _reference_of(self, index: int) -> str:
        return self._payment_refs[index]

    def _open_text(self, invoice: str) -> str:
        """ "4410.00 open of 4410.00, C1002", for a candidate named in an explanation."""
        # The lookup table of the invoice numbers, built for the references anyway; of two rows
        # with one number, the later one is named.
        self._index = self._index or ItemIndex(self.items["invoice"], self.invoice)
        row = self._index.exact().get(invoice)
        if row is None:
            return "not an open item"
        if isinstance(row, tuple):
            row = max(row)
        return f"{money(self.open[row])} open of {money(self.amount[row])}, {self.customer[row]}"

    def _invoices(self, rows) -> list[str]:
        return [self.invoice[row] for row in rows]

    def _names(self, rows) -> str:
        return ", ".join(f"{self.invoice[row]} ({money(self.open[row])} open, {self.customer[row]})" for row in rows)

    def _customer_label(self, customer: str) -> str:
        return f"{self.customer_names.get(customer, customer)} ({customer})"
