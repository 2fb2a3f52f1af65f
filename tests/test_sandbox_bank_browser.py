"""The bank portal in real headless Chromium: password, one-time code, payments, statements, advices."""

from decimal import Decimal

import pdfplumber
import pytest
from lxml import etree
from playwright.sync_api import expect

from bots.runtime.screens import Screen
from sandbox.bank.statements import CAMT_NS
from sandbox.scenario import generate_world
from tests.fixtures.sandbox_portals import SANDBOX_TODAY

pytestmark = pytest.mark.browser


def test_log_in_with_code_list_payments_download_statements_and_advice(page, start_sandbox_app):
    server = start_sandbox_app("bank")
    world = generate_world(7, as_of=SANDBOX_TODAY)
    page.goto(f"{server.url}/payments")
    login = Screen(page, "bank/login")
    login["user"].fill("treasury")
    login["password"].fill("treasury123")
    login["log_on"].click()

    otp = Screen(page, "bank/otp")
    expect(otp["heading"]).to_be_visible()
    page.screenshot(path="/tmp/bank-otp.png")
    # The code "sent to the device": the sandbox page, read in a second tab of the same session.
    device = page.context.new_page()
    device.goto(f"{server.url}/sandbox/otp")
    code = Screen(device, "bank/sandbox_otp")["code"].inner_text()
    device.close()
    otp["code"].fill(code)
    otp["verify"].click()

    payments = Screen(page, "bank/payments")
    expect(payments["heading"]).to_be_visible()
    day = world.payment_days()[0]
    payments["booking_date"].fill(day.isoformat())
    payments["show"].click()
    booked = [p for p in world.payments if p.payment_date == day]
    expect(payments["payment_rows"]).to_have_count(len(booked) + 1)
    page.screenshot(path="/tmp/bank-payments.png", full_page=True)

    with_advice = next(p for p in booked if p.remittance_layout)
    payments.get("payment_link", bank_reference=with_advice.bank_reference).click()
    detail = Screen(page, "bank/payment")
    expect(detail["payment_reference"]).to_have_text(with_advice.payment_reference)
    expect(detail["amount"]).to_have_text(f"{with_advice.total:.2f} {with_advice.currency}")
    page.screenshot(path="/tmp/bank-payment.png", full_page=True)
    with page.expect_download() as advice:
        detail["open_remittance"].click()
    with pdfplumber.open(advice.value.path()) as pdf:
        text = "\n".join(p.extract_text() for p in pdf.pages)
    assert with_advice.payment_reference in text and all(line.invoice in text for line in with_advice.lines)

    detail["back"].click()
    payments["statements"].click()
    statements = Screen(page, "bank/statements")
    statements["statement_date"].select_option(day.isoformat())
    page.screenshot(path="/tmp/bank-statements.png")
    with page.expect_download() as camt:
        statements["download_camt053"].click()
    root = etree.parse(camt.value.path()).getroot()
    amounts = sorted(Decimal(e.text) for e in root.iter(f"{{{CAMT_NS}}}Amt") if e.getparent().tag == f"{{{CAMT_NS}}}Ntry")
    assert amounts == sorted(p.total for p in booked)
    with page.expect_download() as bai:
        statements["download_bai2"].click()
    lines = open(bai.value.path(), encoding="utf-8").read().splitlines()
    assert lines[0].startswith("01,") and lines[-1].startswith("99,")
    assert sorted(int(line.split(",")[2]) for line in lines if line.startswith("16,")) == sorted(
        int(p.total * 100) for p in booked)
