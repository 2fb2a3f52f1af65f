"""The bank portal through Flask's test client, and the camt.053 / BAI2 writers on their own."""

import io
import re
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pdfplumber
from lxml import etree

from sandbox.bank.app import create_app, one_time_code, reset_bank
from sandbox.bank.statements import CAMT_NS, bai2, camt053, default_accounts
from sandbox.common import SandboxOptions
from sandbox.scenario import generate_world, payments_json
from tests.fixtures.sandbox_portals import SANDBOX_TODAY

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NS = {"c": CAMT_NS}


def options(tmp_path, **changes) -> SandboxOptions:
    return SandboxOptions(seed=changes.pop("seed", 7), data_dir=tmp_path, today=SANDBOX_TODAY, **changes)


def password_only(app):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"user": "treasury", "password": "treasury123", "csrf_token": token})
    assert response.status_code == 302
    return client


def shown_code(client) -> str:
    return re.search(r'data-testid="otp-code">(\d{6})<', client.get("/sandbox/otp").text).group(1)


def logged_in(app):
    client = password_only(app)
    token = TOKEN.search(client.get("/otp").text).group(1)
    response = client.post("/otp", data={"code": shown_code(client), "csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/payments")
    return client


def payments_table(path):
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM payments ORDER BY position").fetchall()


def test_password_alone_does_not_open_the_bank(tmp_path):
    client = password_only(create_app(options(tmp_path)))
    for url in ("/payments", "/statements", "/statements/download?date=2026-11-24&format=bai2"):
        response = client.get(url)
        assert response.status_code == 302 and "/otp" in response.location


def test_one_time_code_is_shown_logged_and_derivable(tmp_path):
    opts = options(tmp_path)
    client = password_only(create_app(opts))
    page = client.get("/otp").text
    assert '<label for="code">One-time code</label>' in page
    code = shown_code(client)
    assert code == one_time_code(7, "treasury", 1)
    assert f"One-time code for treasury: {code}" in (tmp_path / "bank.log").read_text()


def test_wrong_code_is_refused_and_the_right_one_lets_in(tmp_path):
    client = password_only(create_app(options(tmp_path)))
    token = TOKEN.search(client.get("/otp").text).group(1)
    code = shown_code(client)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post("/otp", data={"code": wrong, "csrf_token": token})
    assert response.status_code == 401 and "not valid" in response.text
    assert client.post("/otp", data={"code": code}).status_code == 400        # no CSRF token
    response = client.post("/otp", data={"code": code, "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/payments").status_code == 200


def test_each_login_gets_a_new_code(tmp_path):
    app = create_app(options(tmp_path))
    first = password_only(app)
    first.get("/otp")
    code_one = shown_code(first)
    second = password_only(app)
    second.get("/otp")
    assert shown_code(second) != code_one == one_time_code(7, "treasury", 1)


def test_payments_by_date_are_the_worlds(tmp_path):
    opts = options(tmp_path)
    client = logged_in(create_app(opts))
    world = generate_world(7, as_of=SANDBOX_TODAY)
    for day in world.payment_days():
        html = client.get(f"/payments?date={day.isoformat()}").text
        booked = [p for p in world.payments if p.payment_date == day]
        assert re.findall(r'<a href="/payments/([^"]+)">', html) == [p.bank_reference for p in booked]
        assert f"{len(booked)} payments on {day.isoformat()}" in html
    latest = client.get("/payments").text
    assert f'value="{world.payment_days()[-1].isoformat()}"' in latest
    assert "not a date" in client.get("/payments?date=yesterday", follow_redirects=True).text


def test_payment_detail_and_remittance_pdf(tmp_path):
    opts = options(tmp_path)
    client = logged_in(create_app(opts))
    world = generate_world(7, as_of=SANDBOX_TODAY)
    with_advice = next(p for p in world.payments if p.remittance_layout)
    without = next(p for p in world.payments if not p.remittance_layout)
    html = client.get(f"/payments/{with_advice.bank_reference}").text
    assert with_advice.payment_reference in html and "Open remittance advice" in html
    response = client.get(f"/payments/{with_advice.bank_reference}/remittance.pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.data)) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
    assert with_advice.payment_reference in text and all(line.invoice in text for line in with_advice.lines)
    assert "No remittance advice was received" in client.get(f"/payments/{without.bank_reference}").text
    assert client.get(f"/payments/{without.bank_reference}/remittance.pdf").status_code == 404


def test_statement_downloads_agree_with_the_world(tmp_path):
    opts = options(tmp_path)
    client = logged_in(create_app(opts))
    world = generate_world(7, as_of=SANDBOX_TODAY)
    day = world.payment_days()[0]
    booked = [p for p in payments_json(world.payments) if p["payment_date"] == day.isoformat()]
    response = client.get(f"/statements/download?date={day.isoformat()}&format=camt053")
    assert response.headers["Content-Disposition"] == f'attachment; filename="camt053_{day.isoformat()}.xml"'
    root = etree.fromstring(response.data)
    got = sorted((e.findtext("c:NtryDtls/c:TxDtls/c:Refs/c:EndToEndId", namespaces=NS), e.findtext("c:Amt", namespaces=NS))
                 for e in root.iter(f"{{{CAMT_NS}}}Ntry"))
    assert got == sorted((p["payment_reference"], p["total"]) for p in booked)
    response = client.get(f"/statements/download?date={day.isoformat()}&format=bai2")
    details = [line.split(",") for line in response.text.splitlines() if line.startswith("16,")]
    assert sorted(int(d[2]) for d in details) == sorted(int(Decimal(p["total"]) * 100) for p in booked)
    with sqlite3.connect(opts.db_path("bank")) as conn:
        assert [r[0] for r in conn.execute("SELECT what FROM downloads ORDER BY id")] == [
            f"statement camt053 {day.isoformat()}", f"statement bai2 {day.isoformat()}"]


def test_statement_download_refuses_bad_requests(tmp_path):
    client = logged_in(create_app(options(tmp_path)))
    assert "no statement for 2020-01-01" in client.get(
        "/statements/download?date=2020-01-01&format=bai2", follow_redirects=True).text
    assert "Choose a statement format" in client.get(
        "/statements/download?date=2026-11-24&format=pdf", follow_redirects=True).text
    assert "not a statement date" in client.get(
        "/statements/download?date=24.11.2026&format=bai2", follow_redirects=True).text


def test_seeding_is_deterministic_and_reset_restores(tmp_path):
    first, second = options(tmp_path / "a"), options(tmp_path / "b")
    app = create_app(first)
    create_app(second)
    assert payments_table(first.db_path("bank")) == payments_table(second.db_path("bank"))
    with sqlite3.connect(first.db_path("bank")) as conn:
        conn.execute("DELETE FROM remittance_advices")
        conn.execute("DELETE FROM payments WHERE position = 0")
    assert payments_table(first.db_path("bank")) != payments_table(second.db_path("bank"))
    client = logged_in(app)
    token = TOKEN.search(client.get("/payments").text).group(1)
    response = client.post("/sandbox/reset", data={"csrf_token": token}, follow_redirects=True)
    assert "reset to its initial state" in response.text
    assert payments_table(first.db_path("bank")) == payments_table(second.db_path("bank"))
    reset_bank(first)
    assert payments_table(first.db_path("bank")) == payments_table(second.db_path("bank"))


def test_theme_two_keeps_labels(tmp_path):
    client = logged_in(create_app(options(tmp_path, theme=2)))
    html = client.get("/statements").text
    assert ">Statement date</label>" in html and 'id="statement-date"' not in html
    assert ">Download camt.053</button>" in html and ">Download BAI2</button>" in html


# --- the writers on their own ---------------------------------------------------------------

def entry(**changes):
    values = dict(payment_reference="E2E1", bank_reference="B1", payer="Payer & Sons <Ltd>", payer_iban="DE0012",
                  payment_date=date(2026, 11, 24), currency="USD", total=Decimal("1234.56"), method="ACH",
                  memo="PMT INV-10001", creditor_reference=None)
    values.update(changes)
    return SimpleNamespace(**values)


def test_camt_escapes_text_and_uses_structured_references():
    payments = [entry(), entry(payment_reference="E2E2", bank_reference="B2", currency="EUR", method="SEPA",
                               memo="RF18INV10001", creditor_reference="RF18INV10001")]
    root = etree.fromstring(camt053(default_accounts(), payments, created=datetime(2026, 11, 25, 6)).encode())
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", NS)
    assert [s.findtext("c:Acct/c:Ccy", namespaces=NS) for s in statements] == ["EUR", "USD"]
    assert root.findtext(".//c:Dbtr/c:Nm", namespaces=NS) == "Payer & Sons <Ltd>"
    assert root.findtext(".//c:Strd/c:CdtrRefInf/c:Ref", namespaces=NS) == "RF18INV10001"
    assert root.findtext(".//c:Ustrd", namespaces=NS) == "PMT INV-10001"


def test_bai2_long_text_goes_on_in_88_records():
    memo = "REMITTANCE FOR INVOICES " + " ".join(f"INV-{n}" for n in range(10001, 10021))
    text = bai2(default_accounts(), [entry(memo=memo)], created=datetime(2026, 11, 25, 6))
    lines = text.splitlines()
    assert all(len(line) <= 80 and line.endswith("/") for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("16,"))
    continued = [line for line in lines[start + 1:] if line.startswith("88,")]
    assert len(continued) >= 2
    joined = " ".join([lines[start][:-1].split(",", 6)[6]] + [line[3:-1] for line in continued])
    assert joined == f"Payer & Sons <Ltd> {memo}"
    trailer = next(line for line in lines if line.startswith("49,"))
    assert int(trailer[:-1].split(",")[2]) == 2 + 1 + len(continued)      # 03, 16, 88s, 49


def test_camt_for_a_whole_world_names_every_payment():
    # One file, one Stmt per account and day: the same references as the world's payments.json.
    world = generate_world(7, as_of=SANDBOX_TODAY)
    refs = {p["payment_reference"] for p in payments_json(world.payments)}
    xml = camt053(default_accounts(), world.payments, created=datetime(2026, 11, 25, 6))
    root = etree.fromstring(xml.encode())
    assert {e.text for e in root.iter(f"{{{CAMT_NS}}}EndToEndId")} == refs
    assert len(root.findall("c:BkToCstmrStmt/c:Stmt", NS)) >= len(world.payment_days())
