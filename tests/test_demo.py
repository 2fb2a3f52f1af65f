"""``o2c demo``: the whole world end to end, run the way a newcomer runs it.

The end-to-end test runs ``o2c demo`` twice as a subprocess in one temporary O2C_HOME and
checks its report against the store and the world's truth.json, which it reads itself; the
second run must queue nothing twice. The comparisons behind the report are tested on small
hand-made cases, so a report that always said "0 wrong" would fail here.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from bots.demo.compare import score_cash, score_orders, score_remittances

O2C = str(Path(sys.executable).with_name("o2c"))
SEED = 7
AS_OF = "2026-11-25"   # the world and the sandbox are laid out around a fixed day


# A little ERP work keeps the test short; issue 13's steps (credit, invoicing, portal) have their own tests.
ERP_WORK = ["--erp-orders", "2", "--erp-payments", "2", "--no-gates"]


def run_demo(home: Path, *args, env_changes: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "O2C_HOME": str(home), **(env_changes or {})}
    for name in {"O2C_DATABASE_URL", "O2C_CONFIG", "O2C_CHROMIUM"} - set(env_changes or {}):
        env.pop(name, None)
    return subprocess.run([O2C, "demo", "--seed", str(SEED), "--as-of", AS_OF, *args], env=env, cwd=home,
                          capture_output=True, text=True, timeout=timeout)


ERP_ORDERS = r"Sales orders keyed in the ERP this run: (\d+), found already there: (\d+); duplicates in the ERP: (\d+)"
ERP_PAYMENTS = r"Payments posted in the ERP this run: (\d+), found already posted: (\d+); duplicates in the ERP: (\d+)"


def figure(pattern: str, text: str) -> tuple[int, ...]:
    """The numbers of the report line matching ``pattern`` (the test fails when there is none)."""
    match = re.search(pattern, text)
    assert match, f"the report has no line matching {pattern!r}:\n{text}"
    return tuple(int(group) for group in match.groups())


@pytest.mark.browser
@pytest.mark.slow
def test_demo_runs_end_to_end_and_a_second_run_queues_nothing_twice(tmp_path):
    first = run_demo(tmp_path, *ERP_WORK)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Traceback" not in first.stdout + first.stderr
    report = first.stdout
    for step in range(1, 12):
        assert re.search(rf"\[{step}/11\] .+\n\s+done in \d+\.\d s", report), f"step {step} not done:\n{report}"

    truth = json.loads((tmp_path / "demo" / "world" / "truth.json").read_text())
    to_take = [o for o in truth["orders"] if o["channel"] == "email" or o["state"] == "new"]
    taken, expected = figure(r"Orders taken in: (\d+) of (\d+)", report)
    assert expected == len(to_take) > 0 and taken == expected
    assert figure(r"Wrong applications: (\d+)", report) == (0,)
    applied, payments = figure(r"Payments auto-applied: (\d+) of (\d+)", report)
    assert payments == len(truth["payments"]) and applied > 0
    (created_first, _) = figure(r"Work items created this run: (\d+), already queued: (\d+)", report)
    keyed, _, duplicates = figure(ERP_ORDERS, report)
    assert 1 <= keyed <= 2 and duplicates == 0
    posted, _, duplicates = figure(ERP_PAYMENTS, report)
    assert 1 <= posted <= 2 and duplicates == 0
    assert "the same as the world's open_items.csv" in report

    # The store says the same as the report: every order of the truth is queued once.
    from bots.runtime.workqueue import WorkQueue

    queue = WorkQueue.open(f"sqlite:///{tmp_path / 'demo' / 'o2c.db'}")
    try:
        items = queue.items(limit=None)
        orders = [i for i in items if i.kind == "order"]
        queued_pos = sorted(i.payload["order"]["po_number"] for i in orders)
        assert queued_pos == sorted(o["po_number"] for o in to_take)
        assert len(items) == created_first
        assert {i.exception_code for i in queue.exceptions(kind="payment")} <= {
            p["exception"]["reason"] for p in truth["payments"] if p["exception"]}
    finally:
        queue.close()

    second = run_demo(tmp_path, *ERP_WORK)
    assert second.returncode == 0, second.stdout + second.stderr
    assert figure(r"Work items created this run: (\d+), already queued: (\d+)", second.stdout)[0] == 0
    assert figure(r"Wrong applications: (\d+)", second.stdout) == (0,)
    assert figure(r"Orders taken in: (\d+) of (\d+)", second.stdout) == (taken, expected)
    assert figure(ERP_ORDERS, second.stdout)[2] == 0 and figure(ERP_PAYMENTS, second.stdout)[2] == 0
    queue = WorkQueue.open(f"sqlite:///{tmp_path / 'demo' / 'o2c.db'}")
    try:
        assert len(queue.items(limit=None)) == len(items)
    finally:
        queue.close()

    # The portal saw each new PO acknowledged once, by the bot, and keeps them acknowledged.
    from sandbox.common import open_db

    portal_db = next((tmp_path / "demo" / "sandbox").glob(f"seed-{SEED}-*")) / "portal.sqlite"
    conn = open_db(portal_db)
    try:
        rows = conn.execute("SELECT state, acknowledged_by FROM purchase_orders WHERE acknowledged_by = 'bot'").fetchall()
    finally:
        conn.close()
    assert len(rows) == sum(1 for o in to_take if o["channel"] == "portal")

    # The ERP holds each order and payment the bots completed exactly once, under the number the item has.
    erp = open_db(portal_db.with_name("erp.sqlite"))
    queue = WorkQueue.open(f"sqlite:///{tmp_path / 'demo' / 'o2c.db'}")
    try:
        orders = [i for i in queue.items(kind="order", state="done", limit=None)]
        payments = [i for i in queue.items(kind="payment", state="done", limit=None)]
        assert len(orders) >= keyed + 1 and len(payments) >= posted + 1   # the second run did more
        for item in orders:
            numbers = erp.execute("SELECT order_no FROM sales_orders WHERE customer_po = ? AND customer_id = ?",
                                  (item.payload["order"]["po_number"], item.result["customer_id"])).fetchall()
            assert [str(n) for (n,) in numbers] == [item.result["sales_order"]]
        for item in payments:
            numbers = erp.execute("SELECT doc_no FROM receipts WHERE reference = ?",
                                  (item.payload["payment"]["payment_reference"],)).fetchall()
            assert [str(n) for (n,) in numbers] == [item.result["document_number"]]
    finally:
        queue.close()
        erp.close()


@pytest.mark.browser
@pytest.mark.slow
def test_demo_with_the_gates_holds_releases_bills_delivers_and_shows_the_portal(tmp_path):
    # Issue 13's three steps as a newcomer sees them: the demo's default (gates on), once.
    shown = run_demo(tmp_path, "--erp-orders", "1", "--erp-payments", "1", timeout=420)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    report = shown.stdout
    assert "Traceback" not in report + shown.stderr
    steps = int(re.search(r"\[1/(\d+)\]", report).group(1))
    assert steps == 14
    for step in range(1, steps + 1):
        assert re.search(rf"\[{step}/{steps}\] .+\n\s+done in \d+\.\d s", report), f"step {step} not done:\n{report}"
    report = " ".join(report.split())  # the terminal's width wraps the summaries anywhere
    assert re.search(r"order CREDIT-\S+ of .+ held \(\w+, over by [\d.]+\), released by \S+, keyed as sales order \S+",
                     report), report
    billed, emailed, taken, uploaded = figure(
        r"(\d+) invoice\(s\) billed with their PDFs; (\d+) emailed \(the local mail server took (\d+)\), (\d+) uploaded", report)
    assert billed >= 2 and emailed >= 1 and uploaded >= 1 and taken == emailed and emailed + uploaded <= billed
    shown_invoices, = figure(r"saw (\d+) open invoice\(s\), disputed", report)
    assert shown_invoices >= 2
    assert figure(r"Wrong applications: (\d+)", report) == (0,)
    assert figure(ERP_ORDERS, report)[2] == 0 and figure(ERP_PAYMENTS, report)[2] == 0


@pytest.mark.slow
def test_a_failing_step_stops_the_demo_with_a_plain_message(tmp_path):
    # No Chromium at that path: the portal step cannot start its browser.
    result = run_demo(tmp_path, env_changes={"O2C_CHROMIUM": str(tmp_path / "no-chromium")})
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "The demo stopped at step 5 (Portal intake" in result.stdout
    assert "step 5" in (tmp_path / "demo" / "demo.log").read_text()   # the details for developers


def test_a_bad_date_is_refused_in_plain_words(tmp_path):
    result = subprocess.run([O2C, "demo", "--as-of", "25/11/2026"], capture_output=True, text=True,
                            env={**os.environ, "O2C_HOME": str(tmp_path)}, timeout=60)
    assert result.returncode == 2
    assert "use YYYY-MM-DD" in result.stderr and "Traceback" not in result.stderr


# --- the comparisons behind the report -----------------------------------------------------


def order(po, lines, requested="2026-12-01"):
    return {"po_number": po, "requested_date": requested,
            "lines": [{"sku": sku, "quantity": qty, "unit_price": price} for sku, qty, price in lines]}


def item(channel, taken, state="new"):
    return SimpleNamespace(kind="order", state=state, payload={"channel": channel, "order": taken})


def test_orders_are_exact_wrong_or_missing():
    truth = [order("4500001", [("NW-1", "24", "18.75")]), order("4500002", [("NW-2", "2", "5.00")]),
             order("4500003", [("NW-3", "1", "1.00")])]
    items = [item("email", order(" 4500 001", [("nw-1", "24.00", "18.750")])),            # same, written otherwise
             item("email", order("4500002", [("NW-2", "3", "5.00")]), state="exception"),  # quantity differs
             item("portal", order("4500003", [("NW-3", "1", "1.00")]))]                    # other channel
    score = score_orders("email", truth, items)
    assert (score.expected, score.taken_in, score.exact, score.to_exception) == (3, 2, 1, 1)
    assert score.wrong == ["PO 4500002: differs in lines"] and score.missing == ["4500003"]


def test_remittances_are_compared_field_by_field():
    sent = {"a.pdf": {"payment_reference": "ACH1", "payment_date": "2026-11-20", "currency": "USD", "total": "100.00",
                      "lines": [{"invoice": "INV-1", "paid": "98.00", "discount": "2.00", "deduction": "0.00"}]}}
    exact = {"a.pdf": {**sent["a.pdf"], "total": "100", "warnings": []}}
    assert score_remittances(exact, sent).exact == 1
    misread = {"a.pdf": {**sent["a.pdf"], "payment_reference": None,
                         "lines": [{"invoice": "INV-1", "paid": "100.00", "discount": "0.00", "deduction": "0.00"}]}}
    assert score_remittances(misread, sent).wrong == ["a.pdf: differs in payment reference, lines"]
    assert score_remittances({"a.pdf": "the file is encrypted"}, sent).unreadable == ["a.pdf: the file is encrypted"]


def test_an_application_the_truth_does_not_make_is_wrong():
    truth = [{"payment_reference": "P1", "applications": [{"invoice": "INV-1", "amount": "98.00", "discount": "2.00",
                                                           "deduction": "0.00"}], "exception": None},
             {"payment_reference": "P2", "applications": [],
              "exception": {"reason": "ambiguous", "unapplied": "50.00", "candidates": ["INV-2", "INV-3"]}}]
    output = {"summary": {"payments": 2},
              "applications": [
                  {"payment_reference": "P1", "invoice": "INV-1", "amount": "98.00", "discount": "0.00",
                   "deduction": "0.00"},                                   # discount not recorded: wrong
                  {"payment_reference": "P2", "invoice": "INV-2", "amount": "50.00", "discount": "0.00",
                   "deduction": "0.00"}],                                  # a guess where the truth is ambiguous
              "exceptions": [{"payment_reference": "P1", "reason": "underpayment"}]}
    score = score_cash("test", output, truth)
    assert score.wrong_invoice == ["P2 -> INV-2 50.00"]
    assert score.wrong_amount == ["P1 -> INV-1 98.00 discount 0.00 deduction 0.00 "
                                  "(the truth: 98.00 discount 2.00 deduction 0.00)"]
    assert (score.applied, score.partly_applied, score.missed) == (1, 1, 0)
    assert score.reasons == {"underpayment": 1} and score.truth_reasons == {"ambiguous": 1}


def test_a_bank_file_payment_known_by_another_reference_is_found_by_amount_and_date():
    from datetime import date
    from decimal import Decimal

    from bots.cash import Payment
    from bots.demo.compare import payment_aliases

    sent = [{"payment_reference": "E2E1", "currency": "EUR", "total": "10.00", "payment_date": "2026-11-20"},
            {"payment_reference": "ACH2", "currency": "USD", "total": "5.00", "payment_date": "2026-11-20"},
            {"payment_reference": "ACH3", "currency": "USD", "total": "5.00", "payment_date": "2026-11-20"}]
    fed = [Payment("RF18E2E1", Decimal("10.00"), currency="EUR", payment_date=date(2026, 11, 20)),
           Payment("ACH2", Decimal("5.00"), currency="USD", payment_date=date(2026, 11, 20)),
           Payment("X", Decimal("5.00"), currency="USD", payment_date=date(2026, 11, 20))]   # two fit: left alone
    assert payment_aliases(fed, sent) == {"RF18E2E1": "E2E1"}
