"""``o2c match`` against the sandbox's own world (sandbox/scenario.py): an independent source of
truth, written by another hand, for the JSON payments; its bank files must never lead to a
wrong application."""

import json
from datetime import datetime

import pytest

from bots.cash import load_open_items, load_payments, match_payments
from sandbox import scenario
from sandbox.bank import statements


@pytest.fixture(scope="module", params=[3, 17])
def sandbox_world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"sandbox{request.param}")
    world = scenario.generate_world(request.param, payments=48)
    scenario.write_open_items(world.open_items, folder / "open_items.csv")
    (folder / "payments.json").write_text(json.dumps(scenario.payments_json(world.payments)), encoding="utf-8")
    created = datetime(2026, 11, 25, 6, 0)
    accounts = statements.default_accounts()
    (folder / "statement.xml").write_text(statements.camt053(accounts, world.payments, created=created))
    (folder / "statement.bai").write_text(statements.bai2(accounts, world.payments, created=created))
    return folder, scenario.truth_json(world)


def test_json_payments_match_the_sandbox_truth(sandbox_world):
    folder, truth = sandbox_world
    output = match_payments(load_open_items(folder / "open_items.csv"),
                            load_payments(folder / "payments.json")).to_json()
    applied: dict[str, dict] = {}
    for a in output["applications"]:
        applied.setdefault(a["payment_reference"], {})[a["invoice"]] = (a["amount"], a["discount"], a["deduction"])
    exceptions = {e["payment_reference"]: e for e in output["exceptions"]}
    for payment in truth["payments"]:
        reference = payment["payment_reference"]
        expected = {a["invoice"]: (a["amount"], a["discount"], a["deduction"]) for a in payment["applications"]}
        assert applied.get(reference, {}) == expected, (payment["case"], reference)
        exception = exceptions.get(reference)
        if payment["exception"] is None:
            assert exception is None, (payment["case"], exception)
        else:
            assert exception is not None, payment["case"]
            assert exception["reason"] == payment["exception"]["reason"], (payment["case"], exception["detail"])
            assert exception["unapplied"] == payment["exception"]["unapplied"], payment["case"]
            assert sorted(exception["candidates"]) == sorted(payment["exception"]["candidates"]), payment["case"]
    assert output["summary"]["amount_applied"] == truth["summary"]["amount_applied"]
    assert output["summary"]["amount_unapplied"] == truth["summary"]["amount_unapplied"]


@pytest.mark.parametrize("statement", ["statement.xml", "statement.bai"])
def test_sandbox_bank_files_never_apply_wrongly(sandbox_world, statement):
    folder, truth = sandbox_world
    output = match_payments(load_open_items(folder / "open_items.csv"), load_payments(folder / statement)).to_json()
    # The bank files carry payer, amount and memo only; a payment may be missed, never misapplied.
    allowed = {p["payment_reference"]: {a["invoice"] for a in p["applications"]} for p in truth["payments"]}
    truly_paid = {a["invoice"] for p in truth["payments"] for a in p["applications"]}
    for application in output["applications"]:
        reference = application["payment_reference"]
        if reference in allowed:
            assert application["invoice"] in allowed[reference], application
        else:   # BAI2 names a payment by its creditor reference when it has one
            assert application["invoice"] in truly_paid, application
    assert output["summary"]["payments"] == len(truth["payments"])
