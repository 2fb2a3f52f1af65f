"""``o2c match`` as other programs call it: the contract's JSON, the error JSON and exit 2."""

import json
import subprocess
import sys

import pytest

from tests.generators.cash_worlds import make_world, to_bai2, to_camt053

O2C = [sys.executable, "-c", "from bots.cli.main import main; main()"]


def o2c(*args, cwd=None):
    return subprocess.run([*O2C, *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def world_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    world = make_world(11, payments=120)
    items, payments = world.write(folder)
    return world, items, payments


def test_json_output_follows_the_contract(world_files):
    world, items, payments = world_files
    result = o2c("match", "--open-items", items, "--payments", payments, "--json")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) == {"applications", "exceptions", "summary"}
    for application in output["applications"]:
        assert {"payment_reference", "customer_id", "invoice", "amount", "discount", "deduction", "rule",
                "confidence"} <= set(application)
        for field in ("amount", "discount", "deduction"):
            assert _is_money(application[field]), application
        assert isinstance(application["confidence"], (int, float)) and 0 <= application["confidence"] <= 1
    for exception in output["exceptions"]:
        assert {"payment_reference", "reason", "detail", "candidates", "unapplied", "explanation"} <= set(exception)
        assert isinstance(exception["candidates"], list) and _is_money(exception["unapplied"])
    summary = output["summary"]
    assert {"payments", "applied", "exceptions", "amount_applied", "amount_unapplied"} <= set(summary)
    assert summary["payments"] == len(world.payments)
    assert _is_money(summary["amount_applied"]) and _is_money(summary["amount_unapplied"])


def test_bank_files_give_the_same_answer_as_json(world_files, tmp_path):
    world, items, payments = world_files
    camt = tmp_path / "statement.dat"   # detected by content, not by name
    camt.write_text(to_camt053(world.payments), encoding="utf-8")
    from_json = json.loads(o2c("match", "--open-items", items, "--payments", payments, "--json").stdout)
    from_camt = json.loads(o2c("match", "--open-items", items, "--payments", camt, "--json").stdout)
    assert from_camt["applications"] == from_json["applications"]
    assert [(e["payment_reference"], e["reason"]) for e in from_camt["exceptions"]] == [
        (e["payment_reference"], e["reason"]) for e in from_json["exceptions"]]
    bai = tmp_path / "statement.txt"
    bai.write_text(to_bai2(world.payments), encoding="utf-8")
    result = o2c("match", "--open-items", items, "--payments", bai, "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["summary"]["payments"] == len(world.payments)


def test_table_output_for_people(world_files):
    _, items, payments = world_files
    result = o2c("match", "--open-items", items, "--payments", payments)
    assert result.returncode == 0, result.stderr
    assert "Applications" in result.stdout and "Exceptions" in result.stdout and "Summary" in result.stdout


@pytest.mark.parametrize("problem, content", [
    ("missing", None),
    ("not json", "this is not a payments file\n"),
    ("broken json", '[{"payment_reference": "P1", "total": '),
    ("broken xml", "<Document><BkToCstmrStmt><Stmt></Document>"),
    ("other xml", "<?xml version='1.0'?><Invoice><Id>1</Id></Invoice>"),
    ("bad amount", '[{"payment_reference": "P1", "total": "lots"}]'),
    ("binary", b"%PDF-1.7\x00\x01\x02"),
])
def test_bad_payments_file_is_exit_2_with_error_json(world_files, tmp_path, problem, content):
    _, items, _ = world_files
    path = tmp_path / "payments.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = o2c("match", "--open-items", items, "--payments", path, "--json")
    assert result.returncode == 2, (problem, result.stdout, result.stderr)
    error = json.loads(result.stdout)
    assert set(error) == {"error", "file"} and error["file"] == str(path) and error["error"]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content", [
    None,
    "customer_id,customer_name,invoice\nC1,Acme,INV-1\n",
    "customer_id,customer_name,invoice,invoice_date,due_date,currency,amount,open_amount\nC1,A,INV-1,,,USD,abc,1.00\n",
    "customer_id,customer_name,invoice,invoice_date,due_date,currency,amount,open_amount\nC1,A,\"INV-1,,,\n\"x\n",
])
def test_bad_open_items_file_is_exit_2_with_error_json(world_files, tmp_path, content):
    _, _, payments = world_files
    path = tmp_path / "open_items.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = o2c("match", "--open-items", path, "--payments", payments, "--json")
    assert result.returncode == 2, (result.stdout, result.stderr)
    error = json.loads(result.stdout)
    assert error["file"] == str(path) and error["error"]
    assert "Traceback" not in result.stderr


def test_bad_input_without_json_is_a_plain_message(tmp_path):
    result = o2c("match", "--open-items", tmp_path / "none.csv", "--payments", tmp_path / "none.json")
    assert result.returncode == 2 and "error:" in result.stderr and "Traceback" not in result.stderr


def test_learned_accounts_file_carries_knowledge_to_the_next_run(tmp_path):
    items = tmp_path / "open_items.csv"
    items.write_text("customer_id,customer_name,invoice,invoice_date,due_date,currency,amount,open_amount\n"
                     "C1,Quarry Lane Hardware Co,INV-60001,2026-10-10,2026-11-09,USD,640.00,640.00\n"
                     "C1,Quarry Lane Hardware Co,INV-60002,2026-10-10,2026-11-09,USD,275.25,275.25\n", encoding="utf-8")
    first = tmp_path / "monday.json"
    first.write_text(json.dumps([{"payment_reference": "P1", "payer": "Quarry Lane Hardware", "total": "640.00",
                                  "currency": "USD", "payment_date": "2026-11-10", "payer_account": "DE02120300000000202051",
                                  "lines": [{"invoice": "INV-60001", "paid": "640.00"}]}]), encoding="utf-8")
    second = tmp_path / "tuesday.json"
    second.write_text(json.dumps([{"payment_reference": "P2", "payer": "SEPA GUTSCHRIFT", "total": "275.25",
                                   "currency": "USD", "payment_date": "2026-11-11",
                                   "payer_account": "DE02120300000000202051", "lines": []}]), encoding="utf-8")
    learned = tmp_path / "learned.json"
    without = json.loads(o2c("match", "--open-items", items, "--payments", second, "--json").stdout)
    assert without["applications"] == [] and without["exceptions"][0]["reason"] == "unmatched"
    assert o2c("match", "--open-items", items, "--payments", first, "--json", "--learned", learned).returncode == 0
    assert json.loads(learned.read_text())["accounts"] == {"DE02120300000000202051": "C1"}
    output = json.loads(o2c("match", "--open-items", items, "--payments", second, "--json",
                            "--learned", learned).stdout)
    assert [a["invoice"] for a in output["applications"]] == ["INV-60002"]


def test_help_describes_every_option():
    result = o2c("match", "--help")
    assert result.returncode == 0
    for option in ("--open-items", "--payments", "--json", "--terms", "--learned", "--standard-terms"):
        assert option in result.stdout


def _is_money(text) -> bool:
    import re

    return isinstance(text, str) and re.fullmatch(r"-?\d+\.\d{2}", text) is not None
