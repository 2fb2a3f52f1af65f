"""What the bots made of the demo world, set beside the world's truth.json.

Pure functions over plain data (work items, parsed remittances, ``o2c match`` JSON and the
truth), so each comparison can be tested and printed on its own:

- ``score_orders``      orders in the work queue vs the truth's orders of one channel;
- ``score_remittances`` parsed remittance advices vs the payments they were written for;
- ``score_cash``        contract 3's match output vs the truth's expected applications.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bots.intake.common import normalize_po


# --- orders ----------------------------------------------------------------------------


@dataclass
class OrderScore:
    """Orders of one channel: how many the truth has, and what the queue holds of them."""

    channel: str
    expected: int = 0
    taken_in: int = 0
    exact: int = 0
    wrong: list[str] = field(default_factory=list)        # "PO 4711: differs in lines"
    missing: list[str] = field(default_factory=list)      # PO numbers not in the queue
    to_exception: int = 0                                  # taken in, but waiting for a person


def score_orders(channel: str, truth_orders: list[dict], items: list) -> OrderScore:
    """Compare the truth's orders of ``channel`` with the order work items of that channel.

    An order is exact when the queue holds it with the same requested date and the same
    lines (our SKU, quantity, unit price); it is wrong when any of these differ, and
    missing when no item carries its PO number.
    """
    score = OrderScore(channel, expected=len(truth_orders))
    by_po = {}
    for item in items:
        order = (item.payload or {}).get("order") or {}
        if item.kind == "order" and item.payload.get("channel") == channel and order.get("po_number"):
            by_po.setdefault(normalize_po(order["po_number"]), item)
    for truth in truth_orders:
        item = by_po.get(normalize_po(truth["po_number"]))
        if item is None:
            score.missing.append(truth["po_number"])
            continue
        score.taken_in += 1
        if item.state == "exception":
            score.to_exception += 1
        differences = order_differences(truth, item.payload["order"])
        if differences:
            score.wrong.append(f"PO {truth['po_number']}: {_differ(differences)}")
        else:
            score.exact += 1
    return score


def order_differences(truth: dict, taken: dict) -> list[str]:
    """The fields of an order taken in that differ from the truth ("requested date", "lines")."""
    differences = []
    if (taken.get("requested_date") or None) != (truth.get("requested_date") or None):
        differences.append("requested date")
    if _order_lines(taken) != _order_lines(truth):
        differences.append("lines")
    return differences


def _order_lines(order: dict) -> Counter:
    return Counter((str(line.get("sku") or "").strip().upper(), _decimal(line.get("quantity")),
                    _decimal(line.get("unit_price"))) for line in order.get("lines") or [])


# --- remittance advices ----------------------------------------------------------------


@dataclass
class RemittanceScore:
    """Remittance advices: read exactly, read with differences, or not read at all."""

    documents: int = 0
    exact: int = 0
    wrong: list[str] = field(default_factory=list)         # "remittance-X.pdf: differs in total, lines"
    unreadable: list[str] = field(default_factory=list)    # "remittance-X.pdf: <error>"
    with_warnings: int = 0


def score_remittances(parsed: dict[str, dict | str], sent: dict[str, dict]) -> RemittanceScore:
    """Compare parsed advices with the payments they were written for.

    :param parsed: file name -> contract 1's record (or the error text when it could not be read).
    :param sent: file name -> the payment as payments.json lists it (reference, date,
        currency, total and the remittance lines as the payer printed them).
    """
    score = RemittanceScore(documents=len(sent))
    for name, payment in sorted(sent.items()):
        record = parsed.get(name)
        if record is None or isinstance(record, str):
            score.unreadable.append(f"{name}: {record or 'not parsed'}")
            continue
        if record.get("warnings"):
            score.with_warnings += 1
        differences = remittance_differences(payment, record)
        if differences:
            score.wrong.append(f"{name}: {_differ(differences)}")
        else:
            score.exact += 1
    return score


def remittance_differences(payment: dict, record: dict) -> list[str]:
    """The fields of a parsed advice that differ from the payment it was written for."""
    differences = []
    for name in ("payment_reference", "payment_date", "currency"):
        if (record.get(name) or None) != (payment.get(name) or None):
            differences.append(name.replace("_", " "))
    if _decimal(record.get("total")) != _decimal(payment.get("total")):
        differences.append("total")
    if _remittance_lines(record) != _remittance_lines(payment):
        differences.append("lines")
    return differences


def _remittance_lines(record: dict) -> list[tuple]:
    return [(str(line.get("invoice") or "").strip(), _decimal(line.get("paid")), _decimal(line.get("discount")),
             _decimal(line.get("deduction"))) for line in record.get("lines") or []]


# --- cash application ------------------------------------------------------------------


@dataclass
class CashScore:
    """One ``o2c match`` run set beside the truth."""

    source: str
    payments: int = 0
    applied: int = 0                       # payments applied with no exception: no human touch
    partly_applied: int = 0                # applied in part, the rest in the exception queue
    applications: int = 0
    amount_applied: Decimal = Decimal("0.00")
    exceptions: int = 0
    wrong_invoice: list[str] = field(default_factory=list)   # cash put on an invoice the truth does not pay
    wrong_amount: list[str] = field(default_factory=list)    # the right invoice, another amount, discount or deduction
    missed: int = 0                                          # expected applications left to a person
    reasons: Counter = field(default_factory=Counter)
    truth_reasons: Counter = field(default_factory=Counter)

    @property
    def wrong(self) -> list[str]:
        """Every application the truth does not make, whatever the way it differs."""
        return self.wrong_invoice + self.wrong_amount


def score_cash(source: str, output: dict, truth_payments: list[dict], aliases: dict[str, str] | None = None) -> CashScore:
    """Compare contract 3's output with the truth's expected applications and exceptions.

    An application is right only when the truth applies the same payment to the same
    invoice with the same amount, discount and deduction; otherwise it is wrong, either
    on the wrong invoice or with another amount. A wrong application is far worse than
    an exception, so the demo shows their count beside the auto-applied ones.

    :param aliases: payment reference in ``output`` -> the truth's reference, for bank
        files that name a payment otherwise (a BAI2 file may carry the creditor reference).
    """
    aliases = aliases or {}
    expected = {p["payment_reference"]: p for p in truth_payments}
    score = CashScore(source, payments=output["summary"]["payments"], exceptions=len(output["exceptions"]))
    made = set()
    for application in output["applications"]:
        reference = aliases.get(application["payment_reference"], application["payment_reference"])
        score.applications += 1
        score.amount_applied += _decimal(application["amount"]) or Decimal("0")
        made.add((reference, application["invoice"]))
        wanted = {a["invoice"]: a for a in expected.get(reference, {}).get("applications", [])}
        text = f"{application['payment_reference']} -> {application['invoice']} {application['amount']}"
        truth = wanted.get(application["invoice"])
        if truth is None:
            score.wrong_invoice.append(text)
        elif _amounts(application) != _amounts(truth):
            score.wrong_amount.append(f"{text} discount {application['discount']} deduction {application['deduction']}"
                                      f" (the truth: {truth['amount']} discount {truth['discount']}"
                                      f" deduction {truth['deduction']})")
    with_exception = {aliases.get(e["payment_reference"], e["payment_reference"]) for e in output["exceptions"]}
    applied = {reference for reference, _ in made}
    score.applied = len(applied - with_exception)
    score.partly_applied = len(applied & with_exception)
    score.missed = sum(1 for p in truth_payments for a in p["applications"]
                       if (p["payment_reference"], a["invoice"]) not in made)
    score.reasons = Counter(e["reason"] for e in output["exceptions"])
    score.truth_reasons = Counter(p["exception"]["reason"] for p in truth_payments if p.get("exception"))
    return score


def payment_aliases(fed: list, sent: list[dict]) -> dict[str, str]:
    """Map the references of payments read from a bank file to the references of payments.json.

    A payment whose reference payments.json does not know is the one payment there of the
    same currency, amount and date; when several fit, it stays unmapped.

    :param fed: the ``bots.cash.Payment`` records given to the matcher.
    :param sent: payments.json's entries.
    """
    known = {p["payment_reference"] for p in sent}
    aliases = {}
    for payment in fed:
        if payment.payment_reference in known:
            continue
        fits = [p["payment_reference"] for p in sent
                if p["currency"] == payment.currency and _decimal(p["total"]) == _decimal(payment.total)
                and p["payment_date"] == (payment.payment_date.isoformat() if payment.payment_date else None)]
        if len(fits) == 1:
            aliases[payment.payment_reference] = fits[0]
    return aliases


def _amounts(application: dict) -> tuple:
    return tuple(_decimal(application[name]) for name in ("amount", "discount", "deduction"))


def _differ(fields: list[str]) -> str:
    return "differs in " + ", ".join(fields)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return None
