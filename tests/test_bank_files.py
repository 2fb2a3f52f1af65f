"""Bank statement readers: camt.053 (any version) and BAI2, from handwritten samples and from
files generated out of worlds with known truth."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bots.cash import load_open_items, load_payments, match_payments
from bots.runtime.errors import InputError
from tests.generators.cash_worlds import make_world, to_bai2, to_camt053
from tests.test_match_worlds import judge

DATA = Path(__file__).parent / "data" / "cash"


def test_camt053_v02_credits_batches_and_remittance():
    payments = load_payments(DATA / "statement_v02.xml")
    assert [p.payment_reference for p in payments] == ["E2E-PINE-0001", "TX-A", "E2E-HARB-7"]  # no debit, no pending
    first, batch_a, batch_b = payments
    assert (first.total, first.currency, first.payment_date) == (Decimal("6073.26"), "EUR", date(2026, 11, 10))
    assert first.payer == "Pinecrest Grocers GmbH" and first.payer_account == "DE02120300000000202051"
    assert first.memo == "RECHNUNG INV-10102 VOM 08.09.2026" and first.lines == []
    assert (batch_a.total, batch_a.payer, batch_a.memo) == (Decimal("1000.00"), "Alpine Supply AG", "RF18539007547034")
    assert batch_b.total == Decimal("2000.00")
    assert [(line.invoice, line.paid, line.gross) for line in batch_b.lines] == [
        ("INV-20001", Decimal("1500.00"), Decimal("1500.00")), ("INV-20002", Decimal("500.00"), None)]
    assert batch_b.lines[0].invoice_date == date(2026, 11, 1)


def test_camt053_v08_party_names_datetimes_and_notprovided():
    [payment] = load_payments(DATA / "statement_v08.xml")
    assert payment.payment_reference == "NR-77"          # EndToEndId NOTPROVIDED: the entry reference
    assert payment.payer == "Zuerich Feinkost AG"        # Dbtr/Pty/Nm
    assert payment.payer_id == "CHE-123.456.789" and payment.payer_account == "0235-1234567"
    assert (payment.currency, payment.payment_date) == ("CHF", date(2026, 11, 11))
    assert payment.memo == "INV 30077 / INV 30078"


def test_bai2_credits_funds_types_continuations_and_addenda():
    payments = load_payments(DATA / "lockbox.bai")
    assert [p.payment_reference for p in payments] == ["P0001", "FW0002", "DEP7"]   # the 475 debit is skipped
    ach, wire, deposit = payments
    assert (ach.total, ach.currency, ach.payment_date) == (Decimal("6073.26"), "USD", date(2026, 11, 10))
    assert ach.payer == "PINECREST GROCERS" and ach.payer_id == "9876543210"
    assert [(line.invoice, line.paid) for line in ach.lines] == [("INV-10102", Decimal("6073.26"))]
    assert wire.payer == "HARBOR FREIGHT OUTFITTERS INC" and "INV 10103" in wire.memo   # funds type V
    assert (deposit.total, deposit.payer) == (Decimal("512.34"), None)                 # funds type S


def test_bai2_group_currency_and_account_currency(tmp_path):
    path = tmp_path / "eur.bai"
    path.write_text("01,BANK,US,261110,0600,1,,,2/\n02,US,BANK,1,261110,,EUR,2/\n03,1234,CAD,010,0/\n"
                    "16,399,12345,Z,REF1,,MISC CREDIT/\n49,0,2/\n98,0,1,3/\n99,0,1,5/\n")
    [payment] = load_payments(path)
    assert (payment.total, payment.currency, payment.payment_reference) == (Decimal("123.45"), "CAD", "REF1")


@pytest.mark.parametrize("name, content", [
    ("broken.xml", b"<Document><BkToCstmrStmt><Stmt><Ntry>"),
    ("other.xml", b"<?xml version='1.0'?><Order/>"),
    ("entities.xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><Document/>"),
    ("bad_amount.xml", b"<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy='EUR'>1O0</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
                       b"</Ntry></Stmt></BkToCstmrStmt></Document>"),
    ("bad_type.bai", b"01,A,B,261110,0600,1,,,2/\n16,ABC,100,0,R,,X/\n"),
    ("bad_cents.bai", b"01,A,B,261110,0600,1,,,2/\n16,165,12.50,0,R,,X/\n"),
    ("empty.json", b""),
])
def test_unreadable_bank_files_raise_input_error(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        load_payments(path)
    assert raised.value.file == str(path) and raised.value.message


@pytest.mark.parametrize("namespace", ["urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
                                       "urn:iso:std:iso:20022:tech:xsd:camt.053.001.04",
                                       "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"])
def test_generated_camt_world_is_matched_like_the_truth(tmp_path, namespace):
    world = make_world(21, payments=200)
    items_path, _ = world.write(tmp_path)
    statement = tmp_path / "statement.xml"
    statement.write_text(to_camt053(world.payments, namespace), encoding="utf-8")
    payments = load_payments(statement)
    assert len(payments) == len(world.payments)
    output = match_payments(load_open_items(items_path), payments).to_json()
    assert judge(world, output) == ([], [], [])


def test_generated_bai2_world_applies_nothing_wrongly(tmp_path):
    world = make_world(22, payments=200)
    items_path, _ = world.write(tmp_path)
    statement = tmp_path / "statement.bai"
    statement.write_text(to_bai2(world.payments), encoding="utf-8")
    payments = load_payments(statement)
    # One BAI2 group per currency and day: the same payments, grouped.
    assert sorted(p.payment_reference for p in payments) == sorted(p["payment_reference"] for p in world.payments)
    output = match_payments(load_open_items(items_path), payments).to_json()
    wrong, missed, _ = judge(world, output)
    assert wrong == []
    # BAI2 carries neither deductions in its addenda here nor the payer's bank account: those
    # payments fall back to the memo and the name, so only they may be missed.
    deductions = {p["payment_reference"] for p in world.payments if any(Decimal(l["deduction"]) for l in p["lines"])}
    assert {case for reference, case, *_ in missed if reference not in deductions} <= {"learned_account"}
