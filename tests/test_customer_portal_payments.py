"""Paying online from the customer portal through the sandbox payment provider, in real Chromium.

By direct debit: a refused IBAN changes nothing; the provider's good IBAN pays an invoice past
its discount days in full, applied with no exception and posted by erp-cash-posting.

A declined card changes nothing; a good card pays the ticked invoice less the early-payment
discount still available, and the payment arrives in cash application with its exact
remittance: matched with no exception, queued for erp-cash-posting, which then posts it in
the sandbox ERP (the invoice cleared, the discount granted). A card whose bank does not
answer leaves the payment pending and nothing queued.
"""

from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest

from bots.runtime.clock import FixedClock
from bots.customer_portal import add_contact, create_portal_app
from bots.customer_portal.payments import ProviderSettings
from bots.erp.cash_posting import CashPostingSettings, run_cash_posting
from bots.receivables.store import sync_open_items
from bots.runtime.web import BackgroundServer
from bots.runtime.workqueue import WorkQueue
from sandbox.payments.app import MERCHANT_KEYS
from tests.fixtures.sandbox import SANDBOX_TODAY
from tests.test_customer_portal import _ledger_rows, sign_in

pytestmark = pytest.mark.browser

TODAY = date(2026, 11, 26)
CUSTOMER = "C1008"  # Granite State Hardware: 2/10 net 30, an invoice of 2026-11-18 still in its discount days


def _pay(page, url, invoices, card=None, iban=None):
    """Tick ``invoices`` on the portal's pay page and pay them at the provider by card or by direct debit."""
    page.goto(url + "/pay")
    for invoice in invoices:
        page.get_by_label(f"Pay {invoice}").check()
    page.get_by_role("button", name="Pay the ticked invoices").click()
    page.get_by_role("link", name="Continue to secure payment (card or direct debit)").click()
    page.get_by_label("Name").fill("Granite AP")
    if iban is not None:
        page.get_by_label("Direct debit (SEPA)").check()
        page.get_by_label("IBAN").fill(iban)
    else:
        page.get_by_label("Card number").fill(card)
    page.get_by_role("button", name="Pay now").click()
    page.wait_for_load_state()


def _post_cash(sandbox, queue, tmp_path, page) -> dict:
    return run_cash_posting(CashPostingSettings(url=sandbox.erp_url, user="bot", password="bot-pass-1",
                                                evidence_dir=tmp_path / "evidence", busy_wait_seconds=0.05),
                            once=True, queue=queue, browser=page.context.browser)


def _portal(start_sandbox, tmp_path):
    """The ERP and the payment provider running, the customer's open items in the store, a contact
    for the customer, and the portal app wired to the provider: (sandbox, queue, app, open item rows)."""
    sandbox = start_sandbox(systems=("erp", "payments"))
    queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'store.db'}",
                           clock=FixedClock(datetime(2026, 11, 26, 15, 0, tzinfo=timezone.utc)))
    erp = sandbox.db("erp")
    rows = _ledger_rows(erp, [CUSTOMER])
    erp.close()
    with queue.session() as session, session.begin():
        sync_open_items(session, rows, SANDBOX_TODAY, queue.clock.now(), "test export")
    add_contact(queue, "ap@granitestate.example", "granite-portal-1", CUSTOMER)
    provider = ProviderSettings(url=sandbox.url("payments"), merchant="northwind", key=MERCHANT_KEYS["northwind"])
    return sandbox, queue, create_portal_app(queue, secret_key=b"p" * 32, provider=provider), rows


def test_direct_debit_refused_then_paid_arrives_applied_and_is_posted(start_sandbox, tmp_path, page):
    sandbox, queue, app, rows = _portal(start_sandbox, tmp_path)
    # An invoice past its discount days: the whole open amount is due.
    erp = sandbox.db("erp")
    due = erp.execute("SELECT * FROM invoices WHERE customer_id = ? AND status = 'open' AND kind = 'invoice'"
                      " AND (discount_date IS NULL OR discount_date < ?) ORDER BY invoice",
                      (CUSTOMER, TODAY.isoformat())).fetchone()
    erp.close()
    assert due is not None
    with BackgroundServer(app) as server:
        sign_in(page, server.url, "ap@granitestate.example", "granite-portal-1")
        _pay(page, server.url, [due["invoice"]], iban="GB33 BUKB 2020 1555 5555 55")  # not the provider's good IBAN
        assert "was not completed (declined)" in page.get_by_role("status").first.inner_text()
        assert queue.items(kind="payment") == []
        _pay(page, server.url, [due["invoice"]], iban="DE89 3704 0044 0532 0130 00")
        assert "received and applied to 1 invoice(s)" in page.get_by_role("status").first.inner_text()

    (payment,) = queue.items(kind="payment")
    assert payment.state == "new" and payment.exception_code is None  # matched with no human touch
    (applied,) = payment.payload["applications"]
    assert (applied["invoice"], applied["amount"], applied["discount"]) == (due["invoice"], due["open_amount"], "0.00")
    assert _post_cash(sandbox, queue, tmp_path, page).get("receipts_posted") == 1
    erp = sandbox.db("erp")
    status, open_amount = erp.execute("SELECT status, open_amount FROM invoices WHERE invoice = ?",
                                      (due["invoice"],)).fetchone()
    erp.close()
    assert (status, open_amount) == ("paid", "0.00")
    provider = sandbox.db("payments")
    methods = [tuple(r) for r in provider.execute("SELECT method, status FROM payments ORDER BY created_at, payment_id")]
    provider.close()
    assert sorted(methods) == [("direct_debit", "declined"), ("direct_debit", "succeeded")]
    queue.close()


def test_card_payments_declined_paid_with_discount_and_pending(start_sandbox, tmp_path, page):
    sandbox, queue, app, rows = _portal(start_sandbox, tmp_path)
    erp = sandbox.db("erp")
    with_discount = erp.execute("SELECT * FROM invoices WHERE customer_id = ? AND status = 'open' AND"
                                " discount_date >= ? AND amount = open_amount ORDER BY invoice",
                                (CUSTOMER, TODAY.isoformat())).fetchone()
    erp.close()
    assert with_discount is not None
    # erp-invoicing billed that invoice and read its terms from the ERP.
    queue.add("billing", {"order_no": "1"}, key="billing:t")
    queue.complete(queue.claim("invoicing", kinds=["billing"])[0].id, "invoicing", result={
        "invoice": with_discount["invoice"], "customer_id": CUSTOMER, "discount_date": with_discount["discount_date"],
        "discount_pct": with_discount["discount_pct"], "pdf": ""})
    gross = Decimal(with_discount["open_amount"])
    discount = (gross * Decimal(with_discount["discount_pct"]) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    other = next(r for r in rows if r["invoice"] != with_discount["invoice"] and r["open_amount"] > 0)

    with BackgroundServer(app) as server:
        sign_in(page, server.url, "ap@granitestate.example", "granite-portal-1")
        page.goto(server.url + "/pay")
        row = page.get_by_role("row", name=with_discount["invoice"])
        assert f"{discount:.2f} until {with_discount['discount_date']}" in row.inner_text()
        assert f"{gross - discount:.2f}" in row.inner_text()

        _pay(page, server.url, [with_discount["invoice"]], "4000 0000 0000 0002")
        assert "was not completed (declined)" in page.get_by_role("status").first.inner_text()
        assert queue.items(kind="payment") == []

        _pay(page, server.url, [with_discount["invoice"]], "4242 4242 4242 4242")
        assert "received and applied to 1 invoice(s)" in page.get_by_role("status").first.inner_text()
        paid = [i for i in queue.items(kind="portal_payment") if i.payload["lines"][0]["invoice"] == with_discount["invoice"]]
        page.goto(server.url + f"/pay/return?reference={paid[-1].payload['reference']}")  # returned twice
        assert "received and applied to 1 invoice(s)" in page.get_by_role("status").first.inner_text()
        page.screenshot(path=str(tmp_path / "portal-paid.png"), full_page=True)

        _pay(page, server.url, [other["invoice"]], "4000 0000 0000 0119")
        assert page.get_by_role("alert").inner_text().startswith("Your bank has not answered yet")
        page.get_by_role("link", name="Back to the shop").click()
        assert "is pending with your bank" in page.get_by_role("status").first.inner_text()

    (payment,) = queue.items(kind="payment")
    assert payment.state == "new" and payment.exception_code is None
    (applied,) = payment.payload["applications"]
    assert (applied["invoice"], applied["amount"], applied["discount"]) == \
        (with_discount["invoice"], f"{gross - discount:.2f}", f"{discount:.2f}")
    assert payment.payload["payment"]["total"] == f"{gross - discount:.2f}"

    # erp-cash-posting posts it in the ERP: the invoice is cleared, the discount granted.
    counts = _post_cash(sandbox, queue, tmp_path, page)
    assert counts.get("receipts_posted") == 1, counts
    erp = sandbox.db("erp")
    status, open_amount = erp.execute("SELECT status, open_amount FROM invoices WHERE invoice = ?",
                                      (with_discount["invoice"],)).fetchone()
    line = erp.execute("SELECT amount, discount FROM receipt_lines WHERE invoice = ?", (with_discount["invoice"],)).fetchall()
    erp.close()
    assert (status, open_amount) == ("paid", "0.00")
    assert [tuple(r) for r in line][-1] == (f"{gross - discount:.2f}", f"{discount:.2f}")
    queue.close()
