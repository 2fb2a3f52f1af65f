"""An independent corpus of payment cases (tests/generators/tricky_cash_cases.py), written from
contract 3 and the domain primer rather than from the matcher: hundreds of payments of every
kind a clerk meets, as JSON and as camt.053 / BAI2 files of our own writing.

The hard rule: no wrong application (an invoice the truth does not apply, or more than it
allows). Then every clear case applied exactly (amount, discount, deduction), and every
unclear one handed over as an exception with an accepted reason and its candidates.

Debatable cases, and the side we took (the generator's docstrings say more):
- unearned or excessive discount, lines adding up to more than the payment, underpayment
  without a reason: applying at most what was paid is tolerated, an exception is required;
- a remittance naming another customer's invoice exactly: applying that invoice is tolerated
  (a parent may pay for its subsidiary), but a person must see it (exception required);
- a one-word payer ("Acme Corp") when two customers carry that word: never applied by amount;
- a bank memo naming an invoice, paid short within the discount period: a discount only when
  the gap is one of the terms' discounts to the cent, else an underpayment for a person.
"""

import collections

import pytest

from bots.cash import load_open_items, load_payments, match_payments
from tests.generators.tricky_cash_cases import make_cases, judge

SEEDS = (7, 11)


def _run(case, folder, bank_format="json"):
    items, payments = case.write(folder, bank_format)
    return match_payments(load_open_items(items), load_payments(payments)).to_json()


def _judge_all(cases, tmp_path, bank_format="json"):
    failures = collections.defaultdict(list)
    judged = 0
    for number, case in enumerate(cases):
        if bank_format != "json" and not case.bank_file_ready:
            continue
        verdict = judge(case, _run(case, tmp_path / str(number), bank_format))
        judged += 1
        for name in ("wrong", "missed", "no_exception", "bad_reason", "bad_candidates"):
            failures[name] += [(case.kind, case.note, found) for found in getattr(verdict, name)]
    return judged, failures


@pytest.mark.parametrize("seed", SEEDS)
def test_no_wrong_application_and_clear_cases_applied(seed, tmp_path):
    cases = make_cases(seed, per_kind=20)
    judged, failures = _judge_all(cases, tmp_path)
    assert judged >= 400
    assert failures["wrong"] == []
    assert failures["missed"] == []
    assert failures["no_exception"] == []
    assert failures["bad_reason"] == []
    assert failures["bad_candidates"] == []


@pytest.mark.parametrize("bank_format", ["camt053", "bai2"])
def test_same_payments_as_bank_files(bank_format, tmp_path):
    cases = make_cases(7, per_kind=20)
    judged, failures = _judge_all(cases, tmp_path, bank_format)
    assert judged >= 100
    assert failures["wrong"] == []
    assert failures["missed"] == []
    assert failures["no_exception"] == []


def test_corpus_covers_every_kind_with_both_sides():
    cases = make_cases(7, per_kind=20)
    kinds = collections.Counter(case.kind for case in cases)
    assert len(kinds) >= 25
    payments = sum(len(case.payments) for case in cases)
    assert payments >= 400
    clear = sum(len(case.payments) for case in cases if case.clear)
    assert 150 <= clear <= payments - 100


def test_one_word_payer_fitting_two_customers_is_not_applied(tmp_path):
    """"Acme Corp" is "acme" once its legal form is gone: it fits "Acme Corporation Ltd" and
    "Acme Industries" alike, so an amount both have open is no answer."""
    case = next(c for c in make_cases(3, per_kind=6) if c.kind == "payer_fits_two_customers")
    output = _run(case, tmp_path)
    assert output["applications"] == []
    assert [x["reason"] for x in output["exceptions"]] == ["ambiguous"]


def test_zero_payment_applies_nothing(tmp_path):
    case = next(c for c in make_cases(3, per_kind=6) if c.kind == "zero_or_negative_payment")
    output = _run(case, tmp_path)
    assert output["applications"] == []
    assert len(output["exceptions"]) == 1


def test_through_the_command_line(tmp_path):
    """A sample of the corpus through ``o2c match --json`` itself, as other programs call it."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    o2c = Path(sys.executable).with_name("o2c")
    for number, case in enumerate(make_cases(5, per_kind=1)[::4]):
        items, payments = case.write(tmp_path / str(number))
        done = subprocess.run([str(o2c), "match", "--open-items", str(items), "--payments", str(payments), "--json"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        verdict = judge(case, json.loads(done.stdout))
        assert (case.kind, verdict.wrong, verdict.missed) == (case.kind, [], [])
