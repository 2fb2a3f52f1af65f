"""Bank files in every common shape, generated with the payments they hold (tests/generators/
bank_files.py): camt.053 and camt.054 of versions 001.02 to 001.08, BAI2 with continuations and
padding, and damaged files that must be refused with exit 2 and the error JSON."""

import json
import random
from collections import Counter
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from bots.cash import load_payments
from bots.runtime.errors import InputError
from tests.generators.bank_files import bai2_file, camt_file, damage


def compare(payments, expected, what: str) -> None:
    """The payments read must be the expected ones, in order, field by field."""
    assert [p.payment_reference for p in payments] == [e.reference for e in expected], what
    for payment, truth in zip(payments, expected):
        where = f"{what}: {truth.reference}"
        assert payment.total == truth.total, where
        assert payment.charges == truth.charges, where
        assert (payment.currency, payment.payment_date) == (truth.currency, truth.payment_date), where
        if truth.memo_spacing:
            assert payment.payer == truth.payer, where
            assert all(" ".join(word.split()) in payment.memo for word in truth.memo_words), (where, payment.memo)
        else:   # BAI2 text cut anywhere: the reader cannot know where a space was
            assert (payment.payer or "").replace(" ", "") == (truth.payer or "").replace(" ", ""), where
            assert all(word.replace(" ", "") in payment.memo.replace(" ", "") for word in truth.memo_words), where
        assert not any(word in payment.memo for word in truth.memo_absent), (where, payment.memo)
        assert payment.payer_account == truth.payer_account or truth.payer_account is None, where
        assert payment.creditor_reference == truth.creditor_reference, where
        assert [(line.invoice, line.paid) for line in payment.lines] == truth.lines, where


def test_generated_camt_files_are_read_as_written(tmp_path):
    rng = random.Random(2026)
    seen = Counter()
    for number in range(300):
        data, expected = camt_file(rng)
        path = tmp_path / f"statement{number}.xml"
        path.write_bytes(data)
        compare(load_payments(path), expected, f"camt file {number}")
        head = data[:300].decode()
        seen[head.split("xsd:")[1][:15]] += 1
        seen["payments"] += len(expected)
        seen["charges"] += sum(1 for e in expected if e.charges)
        seen["rf"] += sum(1 for e in expected if e.creditor_reference)
        seen["mistyped rf"] += sum(1 for e in expected if e.memo_absent)
    versions = {key for key in seen if key.startswith("camt.05")}
    assert {f"camt.053.001.0{v}" for v in range(2, 9)} | {f"camt.054.001.0{v}" for v in range(2, 9)} <= versions
    assert min(seen["charges"], seen["rf"], seen["mistyped rf"]) >= 20, seen


def test_generated_bai2_files_are_read_as_written(tmp_path):
    rng = random.Random(7)
    credits = 0
    for number in range(300):
        text, expected = bai2_file(rng)
        path = tmp_path / f"lockbox{number}.bai"
        path.write_bytes(text.encode("utf-8"))
        compare(load_payments(path), expected, f"BAI2 file {number}")
        credits += len(expected)
    assert credits >= 600


def test_a_batch_booking_gives_one_payment_per_transaction(tmp_path):
    rng = random.Random(5)
    for _ in range(200):
        data, expected = camt_file(rng)
        if b"<Btch>" in data or b"Btch>" in data:
            path = tmp_path / "batch.xml"
            path.write_bytes(data)
            assert len(load_payments(path)) == len(expected) >= 2
            return
    pytest.fail("no batch booking was generated")


def test_a_returned_credit_is_not_a_payment(tmp_path):
    """The generator drops a credit that a later debit of the same file returns; found at least once."""
    rng = random.Random(11)
    returned = 0
    for number in range(150):
        data, expected = camt_file(rng)
        if b"RvslInd>true</" in data or b"RRTN" in data:
            path = tmp_path / f"returns{number}.xml"
            path.write_bytes(data)
            compare(load_payments(path), expected, f"file with returns {number}")
            returned += 1
    assert returned >= 20


@pytest.mark.parametrize("maker", [camt_file, bai2_file])
def test_damaged_bank_files_are_refused(tmp_path, maker):
    rng = random.Random(3)
    kinds = Counter()
    for number in range(150):
        data, _ = maker(rng)
        broken, how = damage(rng, data if isinstance(data, bytes) else data.encode("utf-8"))
        path = tmp_path / f"broken{number}"
        path.write_bytes(broken)
        with pytest.raises(InputError) as raised:
            load_payments(path)
        assert raised.value.message and raised.value.file == str(path), how
        kinds[how] += 1
    assert len(kinds) == 4, kinds


def test_o2c_match_on_a_damaged_bank_file_exits_2_with_the_error_json(tmp_path):
    import bots.cli.match  # noqa: F401  (adds ``match`` to the app, as ``main`` does)
    from bots.cli.main import app

    items = tmp_path / "open_items.csv"
    items.write_text("customer_id,customer_name,invoice,invoice_date,due_date,currency,amount,open_amount\n"
                     "C1,Alder Oak Supply,INV-10001,2026-10-01,2026-10-31,EUR,100.00,100.00\n", encoding="utf-8")
    rng = random.Random(8)
    runner = CliRunner()
    for number in range(12):
        data, _ = (camt_file if number % 2 else bai2_file)(rng)
        broken, how = damage(rng, data if isinstance(data, bytes) else data.encode("utf-8"))
        path = tmp_path / f"damaged{number}.dat"
        path.write_bytes(broken)
        result = runner.invoke(app, ["match", "--open-items", str(items), "--payments", str(path), "--json"])
        assert result.exit_code == 2, (how, result.output)
        error = json.loads(result.stdout)
        assert set(error) == {"error", "file"} and error["file"] == str(path) and error["error"], how
        assert "Traceback" not in result.output


def test_debits_never_become_payments(tmp_path):
    """Files with debit type codes: only the credits come out, and the money adds up to theirs alone."""
    rng = random.Random(13)
    debits = 0
    for number in range(100):
        text, expected = bai2_file(rng)
        debits += sum(1 for line in text.splitlines() if line[:4] in ("16,4", "16,5", "16,6"))
        path = tmp_path / f"mixed{number}.bai"
        path.write_text(text, encoding="utf-8")
        payments = load_payments(path)
        assert {p.payment_reference for p in payments} == {e.reference for e in expected}
        assert sum(p.total for p in payments) == sum((e.total for e in expected), Decimal("0"))
    assert debits >= 50
