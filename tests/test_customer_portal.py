"""The customer portal in real headless Chromium, served by waitress on the shared web layer.

A contact of Pinecrest (C1001) signs in and sees exactly Pinecrest's open invoices from the
store's ledger (taken from the seeded sandbox ERP), downloads an invoice PDF and the statement,
disputes one invoice with an attachment, promises to pay another and sends a remittance advice
through the form; cash application then pairs that advice with the bank payment and applies it
with no exception. Another customer's invoice in the URL answers 404, whoever asks.
"""

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from bots.customer_portal import add_contact, create_portal_app, portal_remittances
from bots.receivables.store import sync_open_items
from bots.runtime.store.models import DisputeCase, PortalAttachment, PromiseToPay
from bots.runtime.web import BackgroundServer
from bots.runtime.workqueue import WorkQueue
from sandbox.common import open_db
from sandbox.erp.invoice_pdf import invoice_pdf
from tests.fixtures.sandbox import SANDBOX_TODAY

pytestmark = pytest.mark.browser

PASSWORD = "pinecrest-portal-1"


def _ledger_rows(conn, customers) -> list[dict]:
    rows = conn.execute("SELECT i.*, c.name FROM invoices i JOIN customers c USING (customer_id) WHERE i.status = 'open'"
                        f" AND i.customer_id IN ({','.join('?' * len(customers))}) ORDER BY invoice", customers)
    return [{"customer_id": r["customer_id"], "customer_name": r["name"], "invoice": r["invoice"],
             "invoice_date": date.fromisoformat(r["invoice_date"]), "due_date": date.fromisoformat(r["due_date"]),
             "currency": r["currency"], "amount": Decimal(r["amount"]), "open_amount": Decimal(r["open_amount"])}
            for r in rows]


@pytest.fixture
def portal(tmp_path, seeded_erp_db):
    """The store with the ERP's open items of C1001 and C1002, a contact of each, the portal served."""
    queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'store.db'}")
    erp = open_db(seeded_erp_db(42, SANDBOX_TODAY))
    rows = _ledger_rows(erp, ["C1001", "C1002"])
    with queue.session() as session, session.begin():
        sync_open_items(session, rows, SANDBOX_TODAY, datetime.now(timezone.utc), "test export")
    mine = [r for r in rows if r["customer_id"] == "C1001" and r["amount"] > 0]
    # The invoice erp-invoicing billed and downloaded (a done billing item, as that bot leaves it).
    pdf = tmp_path / f"{mine[0]['invoice']}.pdf"
    pdf.write_bytes(invoice_pdf(erp, mine[0]["invoice"]))
    erp.close()
    billing, _ = queue.add("billing", {"order_no": "1"}, key="billing:test")
    claimed = queue.claim("invoicing", kinds=["billing"])[0]
    queue.complete(claimed.id, "invoicing", result={"invoice": mine[0]["invoice"], "customer_id": "C1001", "pdf": str(pdf)})
    add_contact(queue, "ap@pinecrest.example", PASSWORD, "C1001")
    add_contact(queue, "ap@magnolia.example", "magnolia-portal-1", "C1002")
    app = create_portal_app(queue, secret_key=b"t" * 32, remittance_dir=tmp_path / "remittances")
    with BackgroundServer(app) as server:
        yield server.url, queue, rows
    queue.close()


def sign_in(page, url, name, password):
    page.goto(url + "/")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_customer_sees_only_their_invoices_disputes_promises_and_sends_a_remittance(portal, page, tmp_path):
    url, queue, rows = portal
    mine = sorted((r for r in rows if r["customer_id"] == "C1001"), key=lambda r: (r["due_date"], r["invoice"]))
    theirs = [r for r in rows if r["customer_id"] == "C1002"]
    assert len(mine) >= 3 and theirs
    sign_in(page, url, "ap@pinecrest.example", PASSWORD)

    table = page.get_by_role("table", name="Open invoices")
    shown = [text.strip() for text in table.get_by_role("link").all_inner_texts()]
    assert shown == [r["invoice"] for r in mine]
    total = sum(r["open_amount"] for r in mine)
    assert f"{total:.2f} USD" in page.get_by_role("region", name="Balance").inner_text()
    page.screenshot(path=str(tmp_path / "portal-invoices.png"), full_page=True)

    # Another customer's invoice, by URL: 404, as for one that does not exist.
    for path in (f"/invoices/{theirs[0]['invoice']}", f"/invoices/{theirs[0]['invoice']}/pdf", "/invoices/INV-0/pdf"):
        assert page.goto(url + path).status == 404
    # The invoice PDF erp-invoicing downloaded, and the statement of account.
    first = next(r for r in mine if r["amount"] > 0)
    page.goto(url + f"/invoices/{first['invoice']}")
    with page.expect_download() as got:
        page.get_by_role("link", name="Download the invoice (PDF)").click()
    assert open(got.value.path(), "rb").read().startswith(b"%PDF")
    page.goto(url + "/")
    with page.expect_download() as got:
        page.get_by_role("link", name="Statement (PDF)").click()
    import pdfplumber

    with pdfplumber.open(got.value.path()) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert all(r["invoice"] in text for r in mine) and theirs[0]["invoice"] not in text

    # Dispute the first invoice, with a photo of the damage.
    disputed, promised, remitted = mine[0], mine[1], mine[2]
    page.goto(url + "/")
    page.get_by_role("link", name=disputed["invoice"], exact=True).click()
    page.get_by_label("Reason").select_option("damage")
    page.get_by_label("What is wrong").fill("Two cases arrived crushed <b>badly</b>")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    page.get_by_label("Attachment (photo, delivery note; at most 2 MB)").set_input_files(str(tmp_path / "photo.jpg"))
    page.get_by_role("button", name="Send the dispute").click()
    assert "Dispute on invoice" in page.get_by_role("status").first.inner_text()
    # Promise to pay the second.
    page.goto(url + f"/invoices/{promised['invoice']}")
    page.get_by_label("Payment date").fill("2026-12-15")
    page.get_by_role("button", name="Promise to pay").click()
    assert "we noted your payment" in page.get_by_role("status").first.inner_text()
    page.goto(url + "/")
    assert "Disputed" in page.get_by_role("row", name=disputed["invoice"]).inner_text()
    assert "Promised" in page.get_by_role("row", name=promised["invoice"]).inner_text()

    # A remittance advice through the form: the third invoice paid in full.
    page.get_by_role("link", name="Send a remittance advice").click()
    page.get_by_label("Payment reference").fill("ACH-PC-778812")
    page.get_by_label(f"Amount paid on {remitted['invoice']}").fill(f"{remitted['open_amount']:.2f}")
    page.get_by_role("button", name="Send the remittance advice").click()
    assert "Remittance advice for payment ACH-PC-778812 received" in page.get_by_role("status").first.inner_text()
    page.screenshot(path=str(tmp_path / "portal-after.png"), full_page=True)

    with queue.session() as session:
        (case,) = session.scalars(select(DisputeCase)).all()
        assert (case.customer_id, case.invoice, case.reason, case.source) == \
            ("C1001", disputed["invoice"], "damage", "customer-portal")
        assert case.note == "Two cases arrived crushed <b>badly</b>"  # kept as typed, shown escaped
        (attachment,) = session.scalars(select(PortalAttachment)).all()
        assert (attachment.case_id, attachment.content) == (case.id, b"\xff\xd8\xff\xe0 a photo")
        (promise,) = session.scalars(select(PromiseToPay)).all()
        assert (promise.customer_id, promise.invoices, promise.amount, promise.promised_date) == \
            ("C1001", [promised["invoice"]], promised["open_amount"], date(2026, 12, 15))

    # Cash application: the bank's payment carries only the reference; the portal's advice pairs with it.
    from bots.bank.cash_application import attach_remittances
    from bots.cash import MatchSettings, load_open_items, load_payments, match_payments

    bank = tmp_path / "bank.json"
    bank.write_text(json.dumps([{"payment_reference": "ACH-PC-778812", "payer": "PINECREST GROCERS",
                                 "payment_date": "2026-11-26", "currency": "USD",
                                 "total": f"{remitted['open_amount']:.2f}", "memo": "ACH CREDIT", "lines": []}]))
    payments = load_payments(bank)
    joined = attach_remittances(payments, portal_remittances(queue))
    assert list(joined) == ["ACH-PC-778812"]
    open_items = tmp_path / "open.csv"
    open_items.write_text("customer_id,customer_name,invoice,invoice_date,due_date,currency,amount,open_amount\n" + "".join(
        f"{r['customer_id']},{r['customer_name']},{r['invoice']},{r['invoice_date']},{r['due_date']},{r['currency']},"
        f"{r['amount']:.2f},{r['open_amount']:.2f}\n" for r in rows))
    output = match_payments(load_open_items(open_items), payments, MatchSettings()).to_json()
    assert output["exceptions"] == []
    (applied,) = output["applications"]
    assert (applied["invoice"], applied["amount"], applied["customer_id"]) == \
        (remitted["invoice"], f"{remitted['open_amount']:.2f}", "C1001")


def test_the_other_customer_cannot_see_pinecrest_and_anonymous_users_must_sign_in(portal, page):
    url, queue, rows = portal
    mine = [r["invoice"] for r in rows if r["customer_id"] == "C1001"]
    assert page.goto(url + f"/invoices/{mine[0]}").url.split("?")[0].endswith("/sign-in")  # not signed in
    sign_in(page, url, "ap@magnolia.example", "magnolia-portal-1")
    shown = page.get_by_role("table", name="Open invoices").get_by_role("link").all_inner_texts()
    assert shown and not set(mine) & {s.strip() for s in shown}
    assert page.goto(url + f"/invoices/{mine[0]}").status == 404
    assert page.goto(url + f"/invoices/{mine[0]}/pdf").status == 404
    headers = page.goto(url + "/").headers
    assert "default-src" in headers.get("content-security-policy", "") and headers.get("x-frame-options") == "DENY"
