"""Resolving a cash exception in the console, then ``erp-cash-posting`` posting it in the sandbox ERP.

A payment the matcher could not place (two open invoices of its amount) waits in the queue
with the open-items export; a supervisor chooses the invoice in real headless Chromium, the
cash-posting bot posts it in the sandbox ERP like an automatic match, and the item's audit
shows both the supervisor's decision (with their name) and the posting.
"""

import csv
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from bots.erp.cash_posting import run_cash_posting
from bots.runtime.runs import audit_entries
from tests.fixtures.console import OPEN_ITEM_COLUMNS, payment_exception, sign_in
from tests.test_erp_cash_posting import erp_receipts, invoice_state, open_invoices, settings

pytestmark = pytest.mark.browser


def export_open_items(sandbox, customer: str, path):
    """The customer's open items from the ERP's database, as the FBL5N export writes them."""
    conn = sandbox.db()
    try:
        rows = conn.execute(
            "SELECT i.customer_id, c.name, i.invoice, i.invoice_date, i.due_date, i.currency, i.amount, i.open_amount"
            " FROM invoices i JOIN customers c USING (customer_id) WHERE i.status = 'open' AND i.customer_id = ?"
            " ORDER BY i.invoice", (customer,)).fetchall()
    finally:
        conn.close()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(OPEN_ITEM_COLUMNS)
        writer.writerows(rows)
    return path


def test_resolve_a_cash_exception_by_choosing_a_candidate_then_erp_cash_posting_posts_it(
        erp_sandbox, console_queue, tmp_path, browser, page):
    from bots.console import create_console_app
    from bots.runtime.web import BackgroundServer
    from tests.fixtures.console import RunningConsole, add_role_users

    customer, currency, [(first, amount), (second, _)] = open_invoices(erp_sandbox, 2)
    reference = "CONSOLE-PAY-1"
    item, _ = console_queue.add(
        "payment", payment_exception(reference, customer, currency, f"{amount:.2f}", [second, first]),
        key=f"payment:test:{reference}", evidence={"open_items": str(export_open_items(erp_sandbox, customer, tmp_path / "open.csv"))})
    console_queue.to_exception(item.id, "ambiguous", f"2 open invoices could be paid by {amount:.2f}")
    add_role_users(console_queue)
    app = create_console_app(console_queue, secret_key=b"test-console-key-0123456789abcdef")
    with BackgroundServer(app) as server:
        console = RunningConsole(server.url, app, console_queue)
        sign_in(page, console, "sam", path=f"/items/{item.id}")
        form = page.get_by_role("region", name="Apply the payment")
        expect(form.get_by_role("row", name=first)).to_contain_text("candidate")
        # A wrong split first: the server says so and changes nothing.
        form.get_by_label(f"Apply to {first}").fill(f"{amount - 1:.2f}")
        form.get_by_role("button", name="Apply and post").click()
        expect(page.get_by_text("not the payment's")).to_be_visible()
        assert console_queue.get(item.id).state == "exception"
        form.get_by_label(f"Apply to {first}").fill("")
        form.get_by_role("row", name=first).get_by_role("button", name="all").click()
        expect(form.locator("#split-total")).to_have_text(f"{amount:.2f}")
        form.get_by_label("Note for the application").fill("remittance came by phone: invoice " + first)
        form.get_by_role("button", name="Apply and post").click()
        expect(page.get_by_role("status")).to_contain_text("erp-cash-posting posts it next")
        chosen = console_queue.get(item.id)
        assert chosen.state == "retried"
        assert [(a["invoice"], a["amount"]) for a in chosen.payload["applications"]] == [(first, f"{amount:.2f}")]

        counts = run_cash_posting(settings(erp_sandbox, tmp_path), once=True, queue=console_queue, browser=browser)
        posted = console_queue.get(item.id)
        assert posted.state == "done", (posted.exception_code, posted.exception_message, counts)
        [(document, customer_posted, total, on_account, lines)] = erp_receipts(erp_sandbox, reference)
        assert customer_posted == customer and total == amount and on_account == Decimal("0.00")
        assert lines == {first: (amount, Decimal("0.00"), Decimal("0.00"), None)}
        assert invoice_state(erp_sandbox, first)[0] == "paid"
        assert invoice_state(erp_sandbox, second)[0] == "open"
        assert posted.result["document_number"] == document

        audit = audit_entries(console_queue, item_id=item.id)
        assert [(a["bot"], a["action"]) for a in audit] == [("console:sam", "apply_payment"),
                                                            ("erp-cash-posting", "post_cash_receipt")]
        assert audit[0]["detail"]["user"] == "sam"
        page.reload()
        table = page.get_by_role("region", name="Audit")
        expect(table.get_by_role("row", name="console:sam")).to_contain_text("apply_payment")
        expect(table.get_by_role("row", name="post_cash_receipt")).to_contain_text(document)
