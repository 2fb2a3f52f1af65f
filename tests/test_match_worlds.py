"""Generated worlds with known truth: every clear case applied, nothing applied wrongly,
every unclear case in the exceptions with the expected reason."""

from collections import Counter
from decimal import Decimal

import pytest

from bots.cash import load_open_items, load_payments, match_payments
from tests.generators.cash_worlds import SCENARIOS, make_world


def run_world(world, tmp_path):
    items_path, payments_path = world.write(tmp_path)
    return match_payments(load_open_items(items_path), load_payments(payments_path)).to_json()


def judge(world, output):
    """Compare the output with the truth; return (wrong applications, missed clear cases, wrong reasons)."""
    applied: dict[str, list[dict]] = {}
    for application in output["applications"]:
        applied.setdefault(application["payment_reference"], []).append(application)
    exceptions = {exception["payment_reference"]: exception for exception in output["exceptions"]}
    wrong, missed, reasons = [], [], []
    for reference, truth in world.truth.items():
        got = {a["invoice"]: a["amount"] for a in applied.get(reference, [])}
        exception = exceptions.get(reference)
        if truth.clear:
            if got != truth.applications or exception is not None:
                missed.append((reference, truth.case, truth.applications, got, exception and exception["detail"]))
                if set(got) - set(truth.applications):
                    wrong.append((reference, truth.case, got))
            for a in applied.get(reference, []):
                assert a["discount"] == truth.discount.get(a["invoice"], "0.00"), (reference, truth.case, a)
                assert a["deduction"] == truth.deduction.get(a["invoice"], "0.00"), (reference, truth.case, a)
        else:
            if set(got) - truth.allowed:
                wrong.append((reference, truth.case, got))
            if exception is None or exception["reason"] != truth.reason:
                reasons.append((reference, truth.case, truth.reason, exception and exception["reason"],
                                exception and exception["detail"]))
    return wrong, missed, reasons


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_generated_world_is_matched_like_the_truth(seed, tmp_path):
    world = make_world(seed, payments=300)
    assert len(world.payments) >= 300
    wrong, missed, reasons = judge(world, run_world(world, tmp_path))
    assert wrong == [], "wrong applications"
    assert missed == [], "clear cases not applied as the truth says"
    assert reasons == [], "unclear cases without the expected exception"


def test_every_scenario_and_every_reason_is_covered(tmp_path):
    world = make_world(5, payments=400)
    cases = Counter(truth.case for truth in world.truth.values())
    reasons = {truth.reason for truth in world.truth.values() if truth.reason}
    assert reasons >= {"unmatched", "ambiguous", "currency", "overpayment", "underpayment", "already_paid",
                       "unknown_invoice"}
    for needed in ("exact", "normalized", "transposed", "memo_reference", "single_open_item_amount", "subset_sum",
                   "learned_account", "discount_earned", "deduction", "subset_sum_ambiguous",
                   "two_invoices_same_amount", "payer_two_customers", "instalments_same_amount",
                   "loose_reference_unbacked", "one_word_customer"):
        assert cases[needed] > 0, needed
    assert len(SCENARIOS) >= 21
    output = run_world(world, tmp_path)
    rules = {application["rule"] for application in output["applications"]}
    assert rules >= {"remittance_reference", "remittance_reference_normalized", "remittance_reference_transposed",
                     "memo_reference", "single_open_item_amount", "subset_sum"}
    wrong, missed, reasons = judge(world, output)
    assert (wrong, missed, reasons) == ([], [], [])


def test_every_payment_balances_and_no_invoice_is_overapplied(tmp_path):
    world = make_world(6, payments=300)
    output = run_world(world, tmp_path)
    totals = {p["payment_reference"]: Decimal(p["total"]) for p in world.payments}
    applied = Counter()
    for application in output["applications"]:
        applied[application["payment_reference"]] += Decimal(application["amount"])
    unapplied = {e["payment_reference"]: Decimal(e["unapplied"]) for e in output["exceptions"]}
    for reference, total in totals.items():
        assert applied[reference] + unapplied.get(reference, Decimal(0)) == total, reference
    opened = {item["invoice"]: Decimal(item["open_amount"]) for item in world.open_items}
    per_invoice = Counter()
    for application in output["applications"]:
        per_invoice[application["invoice"]] += Decimal(application["amount"]) + Decimal(application["discount"])
    for invoice, amount in per_invoice.items():
        assert abs(amount) <= abs(opened[invoice]), invoice
    summary = output["summary"]
    assert summary["payments"] == len(world.payments)
    assert Decimal(summary["amount_applied"]) + Decimal(summary["amount_unapplied"]) == sum(totals.values())
    assert summary["applied"] + summary["exceptions"] == summary["payments"]
