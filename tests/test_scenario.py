"""The scenario generator: deterministic, internally consistent, and its bank files agree with it."""

import csv
import email
import io
import json
from collections import Counter
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from email import policy
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from lxml import etree
from typer.testing import CliRunner

import bots.cli.scenario  # noqa: F401  (registers the command)
from bots.cli.main import app
from sandbox.bank.statements import CAMT_NS
from sandbox.masterdata import buyer_item_number, customers, items
from sandbox.scenario import PAYMENT_CASES, generate_world, payments_json, truth_json, write_world

AS_OF = date(2026, 11, 24)
NS = {"c": CAMT_NS}


def printed(amount: Decimal, currency: str) -> str:
    """An amount as the advices print it: 1,234.56 for USD, 1.234,56 for euro payers."""
    text = f"{amount:,.2f}"
    return text if currency == "USD" else text.replace(",", " ").replace(".", ",").replace(" ", ".")


@pytest.fixture(scope="module")
def world():
    return generate_world(11, as_of=AS_OF)


@pytest.fixture(scope="module")
def folder(world, tmp_path_factory):
    path = tmp_path_factory.mktemp("world")
    write_world(world, path)
    return path


def test_masters_are_deterministic_and_shared_shape():
    assert customers(5) == customers(5)
    assert items(5) == items(5)
    assert customers(5) != customers(6)
    ids = [c.customer_id for c in customers(5)]
    assert ids == sorted(set(ids))
    assert len({i.sku for i in items(5)}) == len(items(5))
    assert all(isinstance(i.price, Decimal) and i.price > 0 for i in items(5))
    assert any(c.terms.discount_percent for c in customers(5)) and any(not c.terms.discount_percent for c in customers(5))
    assert all(buyer_item_number(c, i) != i.sku for c in customers(5) for i in items(5))


def test_same_seed_same_world_other_seed_other_world(world):
    again = generate_world(11, as_of=AS_OF)
    assert truth_json(again) == truth_json(world)
    assert payments_json(again.payments) == payments_json(world.payments)
    assert truth_json(generate_world(12, as_of=AS_OF)) != truth_json(world)


def test_written_files_are_byte_identical_for_a_seed(world, folder, tmp_path):
    write_world(generate_world(11, as_of=AS_OF), tmp_path)
    written = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for relative in written:
        assert (folder / relative).read_bytes() == (tmp_path / relative).read_bytes(), relative


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="payments must be at least 0"):
        generate_world(1, payments=-1)
    with pytest.raises(ValueError, match="days must be at least 1"):
        generate_world(1, days=0)


def test_every_payment_case_and_exception_appears(world):
    cases = Counter(p.expected.case for p in world.payments)
    assert set(cases) == set(PAYMENT_CASES)
    reasons = {p.expected.exception for p in world.payments} - {None}
    assert reasons == {"already_paid", "overpayment", "unmatched", "ambiguous", "unknown_invoice", "currency",
                       "underpayment"}


def test_truth_refers_to_open_items_of_the_payer(world):
    open_items = {item.invoice: item for item in world.open_items}
    assert len(open_items) == len(world.open_items), "invoice numbers are unique"
    for payment in world.payments:
        expected = payment.expected
        for candidate in expected.candidates:
            assert (open_items[candidate].currency != payment.currency) == (expected.exception == "currency")
        for application in expected.applications:
            item = open_items[application.invoice]
            assert item.customer_id == payment.customer_id
            assert item.currency == payment.currency
            # What is applied plus what is given up never exceeds what is open.
            assert abs(application.amount + application.discount + application.deduction) <= abs(item.open_amount)
        for candidate in expected.candidates:
            assert open_items[candidate].customer_id == payment.customer_id
        if expected.exception == "unknown_invoice":
            assert all(line.invoice not in open_items for line in payment.lines)
        if expected.exception == "unmatched":
            assert payment.customer_id is None
            assert all(item.amount != payment.total for item in world.open_items)


def test_each_invoice_is_applied_at_most_once(world):
    applied = Counter(a.invoice for p in world.payments for a in p.expected.applications)
    assert max(applied.values()) == 1


def test_totals_add_up(world):
    for payment in world.payments:
        expected = payment.expected
        applied = sum((a.amount for a in expected.applications), Decimal("0"))
        assert applied + expected.unapplied == payment.total, payment.payment_reference
        for line in payment.lines:
            assert line.paid == line.gross - line.discount - line.deduction
        if payment.lines:
            assert sum((line.paid for line in payment.lines), Decimal("0")) == payment.total


def test_discounts_are_earned_and_deductions_short_pay(world):
    customers_by_id = {c.customer_id: c for c in world.customers}
    open_items = {item.invoice: item for item in world.open_items}
    discounted = [p for p in world.payments if p.expected.case == "discount"]
    assert discounted
    for payment in discounted:
        terms = customers_by_id[payment.customer_id].terms
        for application in payment.expected.applications:
            item = open_items[application.invoice]
            assert (payment.payment_date - item.invoice_date).days <= terms.discount_days
            assert application.discount == (item.amount * terms.discount_percent / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert application.amount + application.discount == item.open_amount
    for payment in (p for p in world.payments if p.expected.case == "deduction"):
        (application,) = payment.expected.applications
        assert application.deduction > 0
        assert application.amount + application.deduction == open_items[application.invoice].open_amount


def test_duplicate_repeats_an_earlier_remittance(world):
    for index, payment in enumerate(world.payments):
        if payment.expected.case != "duplicate":
            continue
        earlier = [p for p in world.payments[:index] if p.lines == payment.lines and p.total == payment.total]
        assert earlier, "the original comes first in file order"
        assert payment.expected.exception == "already_paid"
        assert set(payment.expected.candidates) == {a.invoice for a in earlier[0].expected.applications}


def test_ambiguous_pair_is_the_only_match(world):
    for payment in (p for p in world.payments if p.expected.case == "ambiguous"):
        same = [i.invoice for i in world.open_items
                if i.customer_id == payment.customer_id and i.open_amount == payment.total]
        assert sorted(same) == sorted(payment.expected.candidates) and len(same) == 2


def test_open_items_csv_follows_contract_three(folder, world):
    with open(folder / "open_items.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["customer_id", "customer_name", "invoice", "invoice_date", "due_date", "currency",
                       "amount", "open_amount"]
    assert len(rows) - 1 == len(world.open_items)
    for row in rows[1:]:
        date.fromisoformat(row[3]), date.fromisoformat(row[4])
        assert Decimal(row[6]).as_tuple().exponent == -2 and Decimal(row[7]).as_tuple().exponent == -2
    assert any(Decimal(row[6]) < 0 for row in rows[1:]), "credit memos are open items too"


def test_payments_json_follows_contract_three(folder):
    payments = json.loads((folder / "payments.json").read_text())
    for payment in payments:
        assert {"payment_reference", "payer", "payment_date", "currency", "total", "memo", "lines"} <= set(payment)
        for line in payment["lines"]:
            assert set(line) >= {"invoice", "invoice_date", "gross", "discount", "deduction", "paid"}
            assert Decimal(line["paid"]) == Decimal(line["gross"]) - Decimal(line["discount"]) - Decimal(line["deduction"])


def test_camt053_is_well_formed_and_agrees_with_the_payments(folder):
    payments = json.loads((folder / "payments.json").read_text())
    root = etree.parse(str(folder / "payments.camt053.xml")).getroot()
    assert root.tag == f"{{{CAMT_NS}}}Document"
    entries = []
    for statement in root.findall("c:BkToCstmrStmt/c:Stmt", NS):
        amounts = [Decimal(n.text) for n in statement.findall("c:Ntry/c:Amt", NS)]
        assert Decimal(statement.findtext("c:TxsSummry/c:TtlCdtNtries/c:Sum", namespaces=NS)) == sum(amounts)
        assert int(statement.findtext("c:TxsSummry/c:TtlNtries/c:NbOfNtries", namespaces=NS)) == len(amounts)
        balances = {b.findtext("c:Tp/c:CdOrPrtry/c:Cd", namespaces=NS): Decimal(b.findtext("c:Amt", namespaces=NS))
                    for b in statement.findall("c:Bal", NS)}
        assert balances["OPBD"] + sum(amounts) == balances["CLBD"]
        currency = statement.findtext("c:Acct/c:Ccy", namespaces=NS)
        for entry in statement.findall("c:Ntry", NS):
            assert entry.find("c:Amt", NS).get("Ccy") == currency
            assert entry.findtext("c:CdtDbtInd", namespaces=NS) == "CRDT"
            tx = entry.find("c:NtryDtls/c:TxDtls", NS)
            entries.append({
                "payment_reference": tx.findtext("c:Refs/c:EndToEndId", namespaces=NS),
                "payer": tx.findtext("c:RltdPties/c:Dbtr/c:Nm", namespaces=NS),
                "payment_date": entry.findtext("c:BookgDt/c:Dt", namespaces=NS),
                "currency": currency,
                "total": entry.findtext("c:Amt", namespaces=NS),
                "memo": tx.findtext("c:RmtInf/c:Ustrd", namespaces=NS)
                or tx.findtext("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", namespaces=NS) or "",
            })
    keys = ("payment_reference", "payer", "payment_date", "currency", "total", "memo")
    as_json = sorted(tuple(p[k] for k in keys) for p in payments)
    assert sorted(tuple(e[k] for k in keys) for e in entries) == as_json


def test_bai2_control_totals_and_amounts(folder):
    payments = json.loads((folder / "payments.json").read_text())
    lines = (folder / "payments.bai2").read_text().splitlines()
    assert all(line.endswith("/") and len(line) <= 80 for line in lines)
    records = [line[:-1].split(",") for line in lines]
    assert records[0][0] == "01" and records[-1][0] == "99"
    details, file_total, groups, account_total, account_records, group_total, group_records = [], 0, 0, 0, 0, 0, 0
    for fields in records:
        kind = fields[0]
        group_records += 1
        account_records += 1
        if kind == "02":
            group_total, group_records = 0, 1
        elif kind == "03":
            account_total, account_records = 0, 1
            account_total += sum(int(fields[i]) for i in (4, 8, 12))     # opening, closing, total credits
            currency = fields[2]
        elif kind == "16":
            account_total += int(fields[2])
            details.append([fields[2], currency, fields[5], ",".join(fields[6:])])
        elif kind == "88":
            details[-1][3] += " " + ",".join(fields[1:])
        elif kind == "49":
            assert int(fields[1]) == account_total and int(fields[2]) == account_records
            group_total += account_total
        elif kind == "98":
            assert int(fields[1]) == group_total and int(fields[3]) == group_records
            file_total += group_total
            groups += 1
        elif kind == "99":
            assert int(fields[1]) == file_total and int(fields[2]) == groups and int(fields[3]) == len(records)
    expected = sorted((str(int(Decimal(p["total"]) * 100)), p["currency"]) for p in payments)
    assert sorted((d[0], d[1]) for d in details) == expected
    by_reference = {p["payment_reference"]: p for p in payments}
    for cents, currency, customer_reference, text in details:
        payment = by_reference.get(customer_reference) or next(
            p for p in payments if p["memo"] == customer_reference)
        assert text.startswith(payment["payer"])
        assert text.replace(" ", "").endswith(payment["memo"].replace(" ", ""))


def test_emails_carry_the_orders_of_the_truth(folder, world):
    truth = json.loads((folder / "truth.json").read_text())
    forms = set()
    for spec in truth["emails"]:
        message = email.message_from_bytes((folder / "emails" / spec["file"]).read_bytes(), policy=policy.default)
        forms.add(spec["format"])
        attachments = list(message.iter_attachments())
        if spec["status"] == "not_order":
            assert not attachments
            continue
        text = message.get_body(("html", "plain")).get_content()
        for attachment in attachments:
            payload = attachment.get_payload(decode=True)
            if attachment.get_content_type() == "application/pdf":
                with pdfplumber.open(io.BytesIO(payload)) as pdf:
                    text += "\n".join(page.extract_text() for page in pdf.pages)
            elif attachment.get_filename().endswith(".xlsx"):
                sheet = openpyxl.load_workbook(io.BytesIO(payload)).active
                text += "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
            else:
                text += payload.decode("cp1252")
        for po_number in spec["po_numbers"]:
            order = world.order(po_number)
            assert po_number in text
            assert all(line.sku in text for line in order.lines)
    assert forms == {"text", "html", "csv", "pdf", "keyvalue", "xlsx", "forwarded", "out_of_office", "invoice_query"}
    assert any(len(spec["po_numbers"]) == 2 for spec in truth["emails"]), "one email carries two orders"


def test_remittance_pdfs_show_what_the_payments_say(folder, world):
    layouts = set()
    for payment in world.payments:
        if not payment.remittance_layout:
            continue
        layouts.add(payment.remittance_layout)
        path = folder / "remittances" / f"remittance-{payment.payment_reference}.pdf"
        with pdfplumber.open(path) as pdf:
            text = "\n".join(page.extract_text() for page in pdf.pages)
        assert payment.payment_reference in text
        assert printed(payment.total, payment.currency) in text
        for line in payment.lines:
            assert line.invoice in text
    assert layouts == {"ruled", "aligned", "stub"}


def test_portal_orders_fill_several_pages_in_both_states(world):
    portal = world.portal_orders()
    assert len(portal) > 40
    assert {o.portal_state for o in portal} == {"new", "acknowledged"}
    assert len({o.customer_id for o in portal}) == 1
    assert all(line.buyer_sku != line.sku for o in portal for line in o.lines)


def test_command_writes_the_world(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["sandbox-scenario", str(tmp_path / "w"), "--seed", "3", "--as-of", "2026-11-24",
                                 "--payments", "12", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["payments"] == 12 and summary["as_of"] == "2026-11-24"
    for path in summary["files"].values():
        assert Path(path).is_file()


def test_command_refuses_bad_input(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["sandbox-scenario", str(tmp_path), "--as-of", "24.11.2026", "--json"])
    assert result.exit_code == 2
    assert "not a date" in json.loads(result.stdout)["error"]
    a_file = tmp_path / "x.txt"
    a_file.write_text("x")
    result = runner.invoke(app, ["sandbox-scenario", str(a_file), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {"error": "the output folder is an existing file, not a folder", "file": str(a_file)}


@pytest.mark.parametrize("seed", range(0, 40, 3))
def test_invariants_hold_for_other_seeds_dates_and_sizes(seed):
    other = generate_world(seed, as_of=AS_OF + timedelta(days=seed), payments=10 + seed, days=1 + seed % 4)
    for check in (test_truth_refers_to_open_items_of_the_payer, test_each_invoice_is_applied_at_most_once,
                  test_totals_add_up, test_discounts_are_earned_and_deductions_short_pay,
                  test_duplicate_repeats_an_earlier_remittance, test_ambiguous_pair_is_the_only_match):
        check(other)


def test_an_empty_world_is_written_too(tmp_path):
    files = write_world(generate_world(1, email_orders=0, portal_orders=0, payments=0), tmp_path)
    assert json.loads(files["truth"].read_text())["payments"] == []
    assert json.loads(files["payments"].read_text()) == []
    assert files["bai2"].read_text().splitlines() == ["01,SBOXBANK,NORTHWIND,261125,0600,1,,,2/", "99,0,0,2/"]


@pytest.mark.parametrize("layout", ["ruled", "aligned", "stub"])
def test_long_remittances_run_onto_more_pages(world, layout):
    from dataclasses import replace

    from sandbox.documents.remittance import remittance_pdf
    from sandbox.world import RemittanceLine

    template = next(p for p in world.payments if p.lines and p.customer_id)
    lines = [RemittanceLine(f"INV-{20000 + n}", AS_OF - timedelta(days=30), Decimal("100.00") + n) for n in range(75)]
    payment = replace(template, lines=lines, total=sum((line.paid for line in lines), Decimal("0")),
                      remittance_layout=layout)
    with pdfplumber.open(io.BytesIO(remittance_pdf(payment, world.customer(payment.customer_id)))) as pdf:
        assert len(pdf.pages) >= 2
        text = "\n".join(page.extract_text() for page in pdf.pages)
    assert all(line.invoice in text for line in lines)
    assert printed(payment.total, payment.currency) in text
