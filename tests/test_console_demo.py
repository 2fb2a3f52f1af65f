"""A supervisor clears the demo's exception queue in the browser.

``o2c demo`` runs as a newcomer runs it (the bots on the bundled world); the console serves
its store with the demo's supervisor account; in real headless Chromium the supervisor works
every exception the way the page offers it, as a person at the desk would: a payment whose
candidate invoices are in its currency is applied to them (what they do not take goes on
account); everything else (not an order, a payer nobody knows, an invoice in another
currency...) is dismissed with a reason. Then nothing is left in the exception queue, every
applied split adds up to its payment, and each action is in the audit log under the
supervisor's name. The same payments, not hand-made ones, are what the bots could not place.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from bots.demo.console import start_console
from bots.runtime.runs import audit_entries
from bots.runtime.workqueue import WorkQueue
from tests.test_demo import run_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_supervisor_clears_the_demos_exception_queue_in_the_browser(tmp_path, page):
    shown = run_demo(tmp_path, "--erp-orders", "0", "--erp-payments", "0", "--no-gates")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'demo' / 'o2c.db'}")
    waiting = queue.exceptions()
    assert {item.kind for item in waiting} >= {"payment", "email_message"}, [(i.kind, i.exception_code) for i in waiting]
    server, user, password = start_console(SimpleNamespace(queue=queue, folder=tmp_path / "demo"), port=0)
    page.on("dialog", lambda dialog: dialog.accept())  # "Dismiss item N?"
    applied, dismissed, refused = {}, {}, []
    try:
        page.goto(server.url + "/")
        page.get_by_label("User name").fill(user)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        for item in waiting:
            page.goto(f"{server.url}/items/{item.id}")
            split = _split_over_candidates(page, item)
            if split is None:
                refused += _currency_refusal(page, item)
                _dismiss(page, f"{item.exception_code}: handed to the customer's account manager")
                dismissed[item.id] = item.exception_code
            else:
                _apply(page, split)
                applied[item.id] = split
    finally:
        server.stop()

    assert queue.exceptions() == [], [(i.id, i.exception_code) for i in queue.exceptions()]
    assert applied and dismissed  # the demo's queue holds both kinds: the page offered both
    assert len(refused) == sum(1 for i in waiting if i.exception_code == "currency" and i.payload["exception"].get("candidates"))
    for item_id, split in applied.items():
        item = queue.get(item_id)
        assert item.state == "retried"  # back to the bots: erp-cash-posting posts it next
        total = Decimal(item.payload["payment"]["total"])
        on_account = Decimal(item.payload["resolution"]["on_account"])
        assert sum(Decimal(a["amount"]) for a in item.payload["applications"]) + on_account == total
        assert {a["invoice"]: Decimal(a["amount"]) for a in item.payload["applications"]} == split["invoices"]
        assert [a["action"] for a in audit_entries(queue, item_id=item_id) if a["bot"] == f"console:{user}"] == ["apply_payment"]
    for item_id in dismissed:
        assert queue.get(item_id).state == "dismissed"
    queue.close()


def _split_over_candidates(page, item) -> dict | None:
    """The invoices marked candidate in the payment's currency, each given what is left of the
    payment up to its open amount, the rest on account; None when there is nothing to apply."""
    if item.kind != "payment":
        return None
    payment = item.payload["payment"]
    region = page.get_by_role("region", name="Apply the payment")
    rows = region.get_by_role("table", name="Open items").get_by_role("row").filter(has_text="candidate")
    left, invoices = Decimal(payment["total"]), {}
    for index in range(rows.count()):
        cells = rows.nth(index).get_by_role("cell")
        invoice = cells.nth(0).inner_text().split()[0]
        if payment["currency"] not in cells.nth(4).inner_text():
            continue
        take = min(left, Decimal(cells.nth(5).inner_text().replace(",", "")))
        if take > 0:
            invoices[invoice] = take
            left -= take
    return {"invoices": invoices, "on_account": left} if invoices else None


def _apply(page, split: dict) -> None:
    form = page.get_by_role("region", name="Apply the payment")
    for invoice, amount in split["invoices"].items():
        form.get_by_label(f"Apply to {invoice}").fill(f"{amount:.2f}")
    if split["on_account"]:
        form.get_by_label("On account").fill(f"{split['on_account']:.2f}")
    form.get_by_label("Note for the application").fill("checked against the customer's remittance by phone")
    form.get_by_role("button", name="Apply and post").click()
    expect(page.get_by_role("status")).to_contain_text("erp-cash-posting posts it next")


def _currency_refusal(page, item) -> list[str]:
    """A payment whose candidates are in another currency: the server refuses applying it there."""
    if item.kind != "payment" or item.exception_code != "currency" or not item.payload["exception"].get("candidates"):
        return []
    payment = item.payload["payment"]
    form = page.get_by_role("region", name="Apply the payment")
    first = form.get_by_role("table", name="Open items").get_by_role("row").filter(has_text="candidate").first
    invoice = first.get_by_role("cell").nth(0).inner_text().split()[0]
    form.get_by_label(f"Apply to {invoice}").fill(f"{Decimal(payment['total']):.2f}")
    form.get_by_role("button", name="Apply and post").click()
    expect(form.get_by_text(f"{invoice} is in ")).to_contain_text(f"the payment in {payment['currency']}")
    return [invoice]


def _dismiss(page, note: str) -> None:
    actions = page.get_by_role("region", name="Actions")
    actions.get_by_role("textbox", name="Note", exact=True).fill(note)
    actions.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("status")).to_be_visible()
