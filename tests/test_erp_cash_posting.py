"""``o2c run erp-cash-posting`` against the sandbox ERP in real headless Chromium.

The ERP runs in this process (a thread) on a copy of the seeded database, which the tests
read to pick open invoices and to check what the bot posted. The bot runs in-process, or
for the crash test as a subprocess that ``O2C_TEST_CRASH_AT=after_post`` kills right after Post.
"""

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from bots.erp.cash_posting import CashPostingSettings, run_cash_posting
from bots.runtime.errors import ApplicationException
from bots.runtime.runs import audit_entries
from sandbox.erp import documents
from sandbox.erp.documents import ReceiptLine
from tests.fixtures.sandbox import SANDBOX_TODAY

pytestmark = pytest.mark.browser

O2C = [str(Path(sys.executable).with_name("o2c"))]
BOT_USER, BOT_PASSWORD = "bot", "bot-pass-1"  # an ERP account of the sandbox


@pytest.fixture
def queue(tmp_path):
    from bots.runtime.workqueue import WorkQueue

    with WorkQueue.open(url=f"sqlite:///{tmp_path / 'queue.db'}") as queue:
        yield queue


def settings(sandbox, tmp_path, **options) -> CashPostingSettings:
    return CashPostingSettings(url=sandbox.erp_url, user=BOT_USER, password=BOT_PASSWORD,
                               evidence_dir=tmp_path / "evidence", busy_wait_seconds=0.05, **options)


def open_invoices(sandbox, count: int, skip_customers=()) -> tuple[str, str, list[tuple[str, Decimal]]]:
    """(customer, currency, [(invoice, open amount)]): ``count`` positive open invoices of one customer."""
    conn = sandbox.db()
    try:
        for customer, currency in conn.execute("SELECT customer_id, currency FROM customers ORDER BY customer_id"):
            if customer in skip_customers:
                continue
            rows = [(invoice, Decimal(amount)) for invoice, amount in conn.execute(
                "SELECT invoice, open_amount FROM invoices WHERE customer_id = ? AND status = 'open' AND currency = ?"
                " AND CAST(open_amount AS REAL) > 100 ORDER BY invoice", (customer, currency))]
            if len(rows) >= count:
                return customer, currency, rows[:count]
    finally:
        conn.close()
    raise AssertionError(f"the seeded ERP has no customer with {count} open invoices")


def payment(reference: str, customer: str, currency: str, total: Decimal, *applications: dict) -> dict:
    """A payment item's payload as the demo queues it."""
    return {"payment": {"payment_reference": reference, "payer": "Test payer", "payment_date": "2026-11-20",
                        "currency": currency, "total": f"{total:.2f}", "memo": ""},
            "applications": [{"payment_reference": reference, "customer_id": customer, "rule": "test",
                              "confidence": 1.0, "discount": "0.00", "deduction": "0.00", **a}
                             for a in applications],
            "exception": None}


def enqueue(queue, *payloads) -> list:
    return [queue.add("payment", p, key=f"payment:test:{p['payment']['payment_reference']}")[0] for p in payloads]


def erp_receipts(sandbox, reference: str) -> list[tuple]:
    """(document, customer, amount, on account, {invoice: (amount, discount, deduction, reason)}) per receipt."""
    conn = sandbox.db()
    try:
        found = []
        for doc, customer, amount, on_account in conn.execute(
                "SELECT doc_no, customer_id, amount, on_account FROM receipts WHERE reference = ? ORDER BY doc_no",
                (reference,)):
            lines = {invoice: (Decimal(a), Decimal(d), Decimal(x), reason) for invoice, a, d, x, reason in conn.execute(
                "SELECT invoice, amount, discount, deduction, reason_code FROM receipt_lines WHERE doc_no = ?", (doc,))}
            found.append((str(doc), customer, Decimal(amount), Decimal(on_account), lines))
        return found
    finally:
        conn.close()


def invoice_state(sandbox, invoice: str) -> tuple[str, Decimal]:
    conn = sandbox.db()
    try:
        status, open_amount = conn.execute("SELECT status, open_amount FROM invoices WHERE invoice = ?",
                                           (invoice,)).fetchone()
        return status, Decimal(open_amount)
    finally:
        conn.close()


@pytest.mark.slow
def test_payments_posted_once_through_busy_answers_and_theme_two(start_sandbox, tmp_path, queue, browser):
    # Theme 2 (other ids and classes) and a busy ERP: 30% of POSTs answered "System busy".
    sandbox = start_sandbox(theme=2, fault_rate=0.3, seed=16)
    customer_a, currency_a, (first, second) = open_invoices(sandbox, 2)
    customer_b, currency_b, (third,) = open_invoices(sandbox, 1, skip_customers={customer_a})
    short = Decimal("25.00")
    discount = (third[1] * Decimal("0.02")).quantize(Decimal("0.01"))
    paid_third = third[1] - discount - short
    payloads = [
        # Two invoices paid in full, 40.00 more than they need: the rest goes on account.
        payment("PAY-A1", customer_a, currency_a, first[1] + second[1] + Decimal("40.00"),
                {"invoice": first[0], "amount": str(first[1]), "open_amount": str(first[1])},
                {"invoice": second[0], "amount": str(second[1])}),
        # A discount taken and a short payment for damaged goods: the deduction stays open.
        payment("PAY-B1", customer_b, currency_b, paid_third,
                {"invoice": third[0], "amount": str(paid_third), "discount": str(discount),
                 "deduction": str(short), "reason": "Damaged goods"}),
    ]
    items = enqueue(queue, *payloads)

    counts = run_cash_posting(settings(sandbox, tmp_path), once=True, queue=queue, browser=browser)

    assert counts["done"] == 2 and counts["receipts_posted"] == 2, counts
    assert counts["erp_busy"] >= 1, counts  # the sandbox's seeded fault sequence hits at least one Post
    (doc_a, cust, amount, on_account, lines), = erp_receipts(sandbox, "PAY-A1")  # exactly one receipt
    assert (cust, amount, on_account) == (customer_a, first[1] + second[1] + Decimal("40.00"), Decimal("40.00"))
    assert lines == {first[0]: (first[1], Decimal("0.00"), Decimal("0.00"), None),
                     second[0]: (second[1], Decimal("0.00"), Decimal("0.00"), None)}
    assert invoice_state(sandbox, first[0])[0] == invoice_state(sandbox, second[0])[0] == "paid"
    (doc_b, cust, _, on_account, lines), = erp_receipts(sandbox, "PAY-B1")
    assert (cust, on_account, lines) == (customer_b, Decimal("0.00"),
                                         {third[0]: (paid_third, discount, short, "DM")})
    assert invoice_state(sandbox, third[0]) == ("open", short)  # the disputed deduction stays open
    for item, doc in zip(items, (doc_a, doc_b)):
        item = queue.get(item.id)
        assert item.state == "done" and item.result["document_number"] == doc
        (audit,) = audit_entries(queue, item_id=item.id)
        assert (audit["action"], audit["system"], audit["document_number"]) == ("post_cash_receipt", "erp", doc)

    # The same payment queued once more (say the bank file read twice): the ERP has it, nothing is posted.
    queue.add("payment", payloads[0], key="again")
    again = run_cash_posting(settings(sandbox, tmp_path), once=True, queue=queue, browser=browser)
    assert (again["done"], again["found_existing"], again.get("receipts_posted", 0)) == (1, 1, 0)
    assert len(erp_receipts(sandbox, "PAY-A1")) == 1


def test_unpostable_payments_go_to_the_exception_queue_with_evidence(erp_sandbox, tmp_path, queue, browser):
    customer, currency, (paid, changed, fine) = open_invoices(erp_sandbox, 3)
    # A clerk posted a payment for `paid` in full after the match: it is no longer open.
    conn = erp_sandbox.db()
    documents.post_receipt(conn, customer, "BY-HAND-1", SANDBOX_TODAY, paid[1], currency,
                           [ReceiptLine(paid[0], paid[1], Decimal("0"), Decimal("0"), None)], "clerk")
    conn.close()
    items = enqueue(
        queue,
        payment("PAY-X1", customer, currency, paid[1], {"invoice": paid[0], "amount": str(paid[1])}),
        payment("PAY-X2", customer, currency, changed[1] - 1,
                {"invoice": changed[0], "amount": str(changed[1] - 1), "open_amount": str(changed[1] + 10)}),
        payment("PAY-X3", customer, currency, fine[1], {"invoice": fine[0], "amount": str(fine[1] + 5)}),
        {"payment": {"payment_reference": "PAY-X4", "currency": currency, "total": "10.00",
                     "payment_date": "2026-11-20"}, "applications": []},
    )

    run_cash_posting(settings(erp_sandbox, tmp_path), once=True, queue=queue, browser=browser)

    held = {item.payload["payment"]["payment_reference"]: queue.get(item.id) for item in items}
    assert {ref: (item.state, item.exception_code) for ref, item in held.items()} == {
        "PAY-X1": ("exception", "invoice_not_open"), "PAY-X2": ("exception", "open_amount_changed"),
        "PAY-X3": ("exception", "open_amount_changed"), "PAY-X4": ("exception", "nothing_to_post")}
    assert held["PAY-X1"].exception_message == (
        f"payment PAY-X1: invoice {paid[0]} is no longer open in the ERP for customer {customer} "
        "(paid or cleared since the match)")
    assert held["PAY-X2"].evidence["erp_open_amount"] == str(changed[1])
    assert all(Path(held[ref].evidence["screenshot"]).is_file() for ref in ("PAY-X1", "PAY-X2", "PAY-X3"))
    assert not any(erp_receipts(erp_sandbox, ref) for ref in held)
    assert invoice_state(erp_sandbox, fine[0]) == ("open", fine[1])


def test_an_erp_in_maintenance_stops_the_run_and_leaves_the_items(start_sandbox, tmp_path, queue, browser):
    sandbox = start_sandbox(maintenance=True)
    (item,) = enqueue(queue, payment("PAY-M1", "C1001", "USD", Decimal("10.00"),
                                     {"invoice": "INV-1", "amount": "10.00"}))
    with pytest.raises(ApplicationException, match="maintenance"):
        run_cash_posting(settings(sandbox, tmp_path), once=True, queue=queue, browser=browser)
    assert (queue.get(item.id).state, queue.get(item.id).attempts) == ("new", 0)


def test_an_expired_session_logs_on_again_and_a_reversed_receipt_is_posted_anew(start_sandbox, tmp_path, queue,
                                                                                  browser):
    from bots.erp.cash_posting import CashPosting
    from bots.erp.screens import ErpClient
    from bots.runtime.workqueue import Work

    sandbox = start_sandbox()  # the idle timeout of 10 minutes
    customer, currency, (invoice,) = open_invoices(sandbox, 1)
    # A clerk posted this payment by hand and reversed it (wrong amount): the invoice is open again,
    # and the reversed document is no posting the bot may complete the item with.
    conn = sandbox.db()
    by_hand = documents.post_receipt(conn, customer, "PAY-R1", SANDBOX_TODAY, invoice[1], currency,
                                     [ReceiptLine(invoice[0], Decimal("1.00"), Decimal("0"), Decimal("0"), None)],
                                     "clerk")
    documents.reverse_receipt(conn, by_hand, "Wrong amount", "clerk")
    conn.close()
    (item,) = enqueue(queue, payment("PAY-R1", customer, currency, invoice[1],
                                     {"invoice": invoice[0], "amount": str(invoice[1]),
                                      "open_amount": str(invoice[1])}))
    context = browser.new_context()
    try:
        erp = ErpClient(context.new_page(), sandbox.erp_url, BOT_USER, BOT_PASSWORD)
        erp.log_in()
        sandbox.pass_time(601)  # idle past the timeout: the next screen is the log-on page
        number = CashPosting(erp, settings(sandbox, tmp_path)).post(Work(item))
    finally:
        context.close()
    assert erp.logins == 2
    assert [r[0] for r in erp_receipts(sandbox, "PAY-R1")] == [str(by_hand), number]
    assert invoice_state(sandbox, invoice[0]) == ("paid", Decimal("0.00"))


# -- the crash between Post and completing the item ------------------------------------


@pytest.mark.slow
def test_crash_after_post_then_restart_posts_nothing_twice(erp_sandbox, tmp_path):
    customer, currency, (invoice,) = open_invoices(erp_sandbox, 1)
    home = tmp_path / "home"
    config = tmp_path / "o2c.yaml"
    config.write_text(yaml.safe_dump({
        "home": str(home), "erp": {"url": erp_sandbox.erp_url, "user": BOT_USER},
        "queue": {"lease_seconds": 2}, "bots": {"erp-cash-posting": {"busy_wait_seconds": 0.05}},
    }))
    env = {**os.environ, "O2C_CONFIG": str(config), "O2C_ERP_PASSWORD": BOT_PASSWORD, "O2C_HOME": str(home),
           "O2C_LOG_FORMAT": "json"}
    for name in ("O2C_DATABASE_URL", "O2C_LEASE_SECONDS", "O2C_TEST_CRASH_AT"):
        env.pop(name, None)
    command = [*O2C, "run", "erp-cash-posting", "--once", "--json"]

    from bots.runtime.workqueue import WorkQueue

    with WorkQueue.open(url=f"sqlite:///{home / 'o2c.db'}") as queue:
        (item,) = enqueue(queue, payment("PAY-C1", customer, currency, invoice[1],
                                         {"invoice": invoice[0], "amount": str(invoice[1])}))

    crashed = subprocess.run(command, env={**env, "O2C_TEST_CRASH_AT": "after_post"}, capture_output=True, timeout=300)
    assert crashed.returncode == 137, crashed.stderr.decode(errors="replace")[-2000:]
    (posted, *_), = erp_receipts(erp_sandbox, "PAY-C1")

    time.sleep(2.5)  # the dead worker's lease runs out
    restarted = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert restarted.returncode == 0, restarted.stderr.decode(errors="replace")[-2000:]
    assert json.loads(restarted.stdout)["counts"]["found_existing"] == 1
    assert [r[0] for r in erp_receipts(erp_sandbox, "PAY-C1")] == [posted]  # one receipt only
    with WorkQueue.open(url=f"sqlite:///{home / 'o2c.db'}") as queue:
        done = queue.get(item.id)
        assert (done.state, done.result["document_number"]) == ("done", posted)
        assert [(a["action"], a["document_number"]) for a in audit_entries(queue, item_id=item.id)] == \
            [("found_existing", posted)]
