"""A remittance advice a customer sends through the portal, taken up by ``o2c run cash-application``.

The sandbox bank and ERP run from one seeded world. One payment of several invoices arrives
at the bank without its advice (the test withholds the PDF); the customer uploads that same
PDF through the portal's remittance module instead. The bot pairs it with the bank payment,
applies the payment by the advice's lines with no exception, and marks the portal's item done
with that payment. An advice whose payment has not arrived yet keeps waiting. A second run
queues nothing twice and uses no advice again.
"""

import pytest

from bots.bank.cash_application import CashApplicationSettings, payment_key, run_cash_application
from bots.cash import MatchSettings, load_open_items, load_payments, match_payments
from bots.customer_portal.remittances import queue_remittance, remittance_from_form, remittance_from_pdf
from bots.runtime.runs import audit_entries
from sandbox.scenario import generate_world, truth_json
from tests.fixtures.sandbox import SANDBOX_TODAY

pytestmark = pytest.mark.browser

SEED = 7
# Seed 7's payment of three invoices on its first day, whose bank memo names only the first:
# without its advice the matcher applies that one invoice and calls the rest an overpayment.
WITHHELD = "E2E817813003"
ERP_USER, ERP_PASSWORD = "bot", "bot-pass-1"
BANK_USER, BANK_PASSWORD = "bot", "bot-pass-3"


@pytest.fixture
def queue(tmp_path):
    from bots.runtime.workqueue import WorkQueue

    with WorkQueue.open(url=f"sqlite:///{tmp_path / 'queue.db'}") as queue:
        yield queue


def withheld_payment():
    """The world's payment ``WITHHELD`` and its truth: the day it arrives, its customer, its applications."""
    world = generate_world(SEED, as_of=SANDBOX_TODAY)
    (payment,) = [p for p in world.payments if p.payment_reference == WITHHELD]
    (expected,) = [p for p in truth_json(world)["payments"] if p["payment_reference"] == WITHHELD]
    assert payment.remittance_layout and expected["exception"] is None and len(expected["applications"]) == 3
    return payment, expected


def withhold_advice(sandbox, bank_reference: str) -> bytes:
    """Take the payment's advice PDF off the bank portal; return it (the customer still has it)."""
    conn = sandbox.db("bank")
    try:
        (pdf,) = conn.execute("SELECT pdf FROM remittance_advices WHERE bank_reference = ?", (bank_reference,)).fetchone()
        conn.execute("DELETE FROM remittance_advices WHERE bank_reference = ?", (bank_reference,))
        conn.commit()
    finally:
        conn.close()
    return bytes(pdf)


def test_a_portal_remittance_applies_its_payment_once_and_one_without_payment_waits(start_sandbox, queue, tmp_path,
                                                                                     browser):
    sandbox = start_sandbox(systems=("erp", "bank"), seed=SEED)
    payment, expected = withheld_payment()
    day = payment.payment_date
    uploaded = tmp_path / "portal" / "advice.pdf"
    uploaded.parent.mkdir()
    uploaded.write_bytes(withhold_advice(sandbox, payment.bank_reference))

    # The customer sends the PDF through the portal, and a form for a payment the bank has not received.
    sent, created = queue_remittance(queue, expected["customer_id"], remittance_from_pdf(uploaded),
                                     by="ap@customer.example", evidence={"remittance_pdf": str(uploaded)})
    assert created and sent.kind == "remittance" and sent.payload["source"] == "customer-portal"
    early, _ = queue_remittance(queue, expected["customer_id"],
                                remittance_from_form({"name": "A customer"}, "NOT-ARRIVED-7", day.isoformat(), "USD",
                                                     [(expected["applications"][0]["invoice"], "10.00")]),
                                by="ap@customer.example")
    bot = CashApplicationSettings(bank_url=sandbox.url("bank"), bank_user=BANK_USER, bank_password=BANK_PASSWORD,
                                  erp_url=sandbox.erp_url, erp_user=ERP_USER, erp_password=ERP_PASSWORD,
                                  evidence_dir=tmp_path / "evidence", otp="sandbox", busy_wait_seconds=0.05)

    first = run_cash_application(bot, once=True, day=day, queue=queue, browser=browser)

    assert first["portal_remittances_used"] == 1
    item = queue.find(payment_key("bank", payment.payment_reference))
    assert item is not None and item.state == "new" and item.exception_code is None
    assert item.payload["exception"] is None
    assert item.payload["remittance_item"] == sent.id
    assert item.evidence["remittance"] == str(uploaded.resolve())
    applied = item.payload["applications"]
    assert sorted((a["invoice"], a["amount"], a["discount"]) for a in applied) == \
        sorted((a["invoice"], a["amount"], a["discount"]) for a in expected["applications"])
    assert all(a["rule"].startswith("remittance_") for a in applied), [a["rule"] for a in applied]

    # Without the advice the same payment, against the same open items, is not applied straight through.
    statement = load_payments(item.evidence["file"])
    bare = [p for p in statement if p.payment_reference == payment.payment_reference]
    assert bare and not bare[0].lines
    exported = next((tmp_path / "evidence").glob("open_items-*-less-queued.csv"))
    without = match_payments(load_open_items(exported), bare, MatchSettings()).to_json()
    assert [e["reason"] for e in without["exceptions"]] == ["overpayment"]

    done = queue.get(sent.id)
    assert done.state == "done"
    assert done.result == {"payment_item": item.id, "payment_key": item.key,
                           "payment_reference": payment.payment_reference}
    assert queue.get(early.id).state == "new", "an advice whose payment has not arrived waits"
    paired = [row for row in audit_entries(queue, limit=None) if row["action"] == "pair_remittance"]
    assert [(row["item_id"], row["target"]) for row in paired] == [(sent.id, item.key)]

    # Again: the statement is queued already, nothing is queued twice, no advice is used again.
    payments_before = {i.key: i.version for i in queue.items(kind="payment", limit=None)}
    second = run_cash_application(bot, once=True, day=day, queue=queue, browser=browser)

    assert second.get("items_created", 0) == 0 and second.get("portal_remittances_used", 0) == 0
    assert {i.key: i.version for i in queue.items(kind="payment", limit=None)} == payments_before
    assert queue.get(sent.id).state == "done" and queue.get(early.id).state == "new"
    assert len([row for row in audit_entries(queue, limit=None) if row["action"] == "pair_remittance"]) == 1


def test_an_advice_whose_run_died_after_queueing_its_payment_is_closed_by_the_next_run(tmp_path):
    from datetime import datetime, timezone

    from bots.bank.cash_application import BOT_NAME, claim_portal_remittances, finish_portal_remittances
    from bots.runtime.clock import FixedClock
    from bots.runtime.runs import bot_run
    from bots.runtime.workqueue import WorkQueue

    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
    with WorkQueue.open(url=f"sqlite:///{tmp_path / 'queue.db'}", clock=clock, lease_seconds=300) as queue:
        record = remittance_from_form({"name": "Pinecrest Grocers"}, "ACH-PC-1", "2026-11-23", "USD",
                                      [("INV-1", "100.00")])
        advice, _ = queue_remittance(queue, "C1001", record, by="ap@pinecrest.example")
        # The first run claimed the advice and committed the payment item that took it, then died.
        (claimed,) = claim_portal_remittances(queue, "cash-application@dead")
        assert claimed.id == advice.id
        payment, _ = queue.add("payment", {"payment": {"payment_reference": "ACH-PC-1"}, "applications": [],
                                           "exception": None, "remittance_item": advice.id},
                               key=payment_key("bank", "ACH-PC-1"))
        with bot_run(queue, BOT_NAME, worker="cash-application@next") as run:
            assert claim_portal_remittances(queue, run.worker) == [], "the dead run's lease holds until it runs out"
        clock.advance(seconds=301)

        with bot_run(queue, BOT_NAME, worker="cash-application@next") as run:
            waiting = claim_portal_remittances(queue, run.worker)
            done = finish_portal_remittances(queue, run, waiting, [], bank="bank")  # another day's statement

        assert done == {advice.id}
        closed = queue.get(advice.id)
        assert closed.state == "done" and closed.result["payment_item"] == payment.id
        assert [row["item_id"] for row in audit_entries(queue, limit=None) if row["action"] == "pair_remittance"] \
            == [advice.id]
