"""The collector's pages in headless Chromium, served by waitress with the console's sign-in:
the worklist in priority order, the customer page (open items, score factors, contacts), and
the actions (send a reminder now, log a call, record a promise, open and close a dispute)."""

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bots.runtime.clock import FixedClock
from bots.collections.risk import recompute_scores
from bots.collections.worklist import assign
from bots.runtime.config import load_settings
from bots.runtime.store.models import ContactLog, DisputeCase, PromiseToPay
from bots.console import CONSOLE, create_console_app
from bots.runtime.web import BackgroundServer, UserStore
from bots.runtime.workqueue import WorkQueue
from tests.test_dunning import NOW, TODAY, world  # noqa: F401  (the book of receivables and the mail servers)

PASSWORD = "correct horse battery"


@pytest.fixture
def site(world):  # noqa: F811
    clock = FixedClock(NOW)
    users = UserStore(world["engine"], CONSOLE, clock)
    users.add("kim", "collector", PASSWORD)
    users.add("vera", "viewer", PASSWORD)
    with world["sessions"].begin() as session:
        assign(session, "C1", "kim", "lead", NOW)
        assign(session, "C5", "kim", "lead", NOW)
        recompute_scores(session, TODAY, NOW)
    # The console as it is served: its app factory registers the collector's pages (the business
    # date is the clock's, 2026-12-03).
    app = create_console_app(WorkQueue(world["engine"], clock=clock), secret_key=b"k" * 32)
    with BackgroundServer(app) as server:
        yield {**world, "url": server.url}


def sign_in(page, site, name):
    page.goto(site["url"] + "/collections/")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_collector_works_a_customer_from_the_worklist(site, page, tmp_path):
    sign_in(page, site, "kim")
    rows = page.get_by_role("table", name="Worklist").get_by_role("row")
    # Kim's customers: C5's E1 (400 x 32 days, promise broken later) and C1's A2, A1; A3 is disputed.
    expect(rows).to_have_count(4)
    invoices = [rows.nth(i).get_by_role("cell").nth(1).inner_text() for i in range(1, 4)]
    assert invoices == ["E1", "A2", "A1"]
    page.get_by_role("link", name="Alpha Foods").first.click()
    expect(page.get_by_role("heading", name="Alpha Foods")).to_be_visible()
    items = page.get_by_role("table", name="Open items")
    expect(items.get_by_role("row", name="A3")).to_contain_text("disputed")
    expect(page.get_by_role("table", name="Score factors")).to_contain_text("days late")
    expect(page.get_by_text("ap@alpha.example")).to_be_visible()
    page.screenshot(path=str(tmp_path / "customer.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Statement of account (PDF)").click()
    assert download.value.suggested_filename == "statement-C1-2026-12-03.pdf"
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")

    page.once("dialog", lambda dialog: dialog.accept())              # data-confirm asks first
    page.get_by_role("button", name="Send reminder now").click()
    expect(page.get_by_role("status")).to_contain_text("Reminder sent by email")
    [mail] = site["smtp"].messages
    assert mail.recipients == ["ap@alpha.example"] and mail.message["Subject"].startswith("Second notice: 300.00")

    page.get_by_label("What was said").fill("Spoke to Ann: payment run on Friday")
    page.get_by_role("button", name="Log call").click()
    expect(page.get_by_role("table", name="Contact history")).to_contain_text("Spoke to Ann: payment run on Friday")

    page.get_by_role("checkbox", name="A1").check()
    page.get_by_label("Amount").fill("100.00")
    page.get_by_label("Promised for").fill("2026-12-11")
    page.get_by_role("button", name="Record promise").click()
    expect(page.get_by_role("status")).to_contain_text("Promise of 100.00 by 2026-12-11 recorded")
    expect(items.get_by_role("row", name="A1")).to_contain_text("promised")

    dispute = page.get_by_role("region", name="Open a dispute")
    dispute.get_by_label("Invoice").select_option("A2")
    dispute.get_by_label("Reason").select_option("shortage")
    dispute.get_by_role("button", name="Open dispute").click()
    expect(page.get_by_role("status")).to_contain_text("opened for A2: logistics")
    cases = page.get_by_role("table", name="Cases")
    expect(cases.get_by_role("row", name="A2")).to_contain_text("open")
    case_row = cases.get_by_role("row", name="pricing")
    case_row.get_by_label("Resolution").fill("price confirmed with sales")
    case_row.get_by_role("button", name="Close case").click()
    expect(page.get_by_role("table", name="Cases").get_by_role("row", name="pricing")).to_contain_text(
        "closed: price confirmed with sales")

    page.get_by_role("link", name="My worklist").click()
    # A1 promised and A2 disputed now; A3's dispute closed: it is back.
    expect(page.get_by_role("table", name="Worklist").get_by_role("row")).to_have_count(3)
    with site["sessions"]() as session:
        assert session.scalars(select(PromiseToPay.invoices).where(PromiseToPay.customer_id == "C1")).all() == [["A1"]]
        assert {(c.invoice, c.state) for c in session.scalars(select(DisputeCase))} == {("A3", "closed"),
                                                                                       ("A2", "open")}
        kinds = session.scalars(select(ContactLog.kind).where(ContactLog.customer_id == "C1")).all()
        assert {"call", "promise", "dispute", "reminder", "case_closed"} <= set(kinds)


def test_viewer_may_not_see_collections_and_reminder_keys_send_once(site, page):
    sign_in(page, site, "vera")
    response = page.goto(site["url"] + "/collections/")
    assert response.status == 403
    from bots.collections.dunning import make_dunning

    with_key = make_dunning(load_settings(), site["engine"], clock=FixedClock(NOW), today=TODAY)
    assert with_key.remind_now("C5", TODAY, NOW, "reminder-now:C5:abc")["emails"] == 1
    assert with_key.remind_now("C5", TODAY, NOW, "reminder-now:C5:abc")["emails"] == 0     # the same click again
    assert [m.recipients for m in site["smtp"].messages] == [["eve@epsilon.example"]]


def test_roles_and_csrf_on_the_actions(world):  # noqa: F811
    import re

    from bots.runtime.store.models import CollectorAssignment

    clock = FixedClock(NOW)
    users = UserStore(world["engine"], CONSOLE, clock)
    users.add("kim", "collector", PASSWORD)
    users.add("otto", "operator", PASSWORD)
    app = create_console_app(WorkQueue(world["engine"], clock=clock), secret_key=b"k" * 32)

    def signed_in(name):
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/sign-in", data={"name": name, "password": PASSWORD, "csrf_token": token})
        page = client.get("/collections/customers/C1").get_data(as_text=True)
        return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1), page

    kim, token, page = signed_in("kim")
    assert "Assign to" not in page                                      # the button is not shown...
    assert kim.post("/collections/customers/C1/assignment", data={"collector": "kim", "csrf_token": token}
                    ).status_code == 403                                # ...and the server refuses it
    assert kim.post("/collections/customers/C1/calls", data={"note": "no token"}).status_code in (400, 403)
    assert kim.post("/collections/customers/C1/calls", data={"note": "<b>hi</b>", "csrf_token": token}
                    ).status_code == 302
    assert "&lt;b&gt;hi&lt;/b&gt;" in kim.get("/collections/customers/C1").get_data(as_text=True)
    otto, token, page = signed_in("otto")
    assert "Assign to" in page
    assert otto.post("/collections/customers/C1/assignment", data={"collector": "kim", "csrf_token": token}
                     ).status_code == 302
    with world["sessions"]() as session:
        assert session.get(CollectorAssignment, "C1").collector == "kim"
    assert otto.get("/collections/customers/NOPE").status_code == 404


def test_a_mistake_in_the_dunning_settings_is_named_not_a_server_error(world, tmp_path, monkeypatch):  # noqa: F811
    import copy
    import re

    import yaml

    config = copy.deepcopy(world["config"])
    config.setdefault("bots", {}).setdefault("dunning", {})["language"] = "klingon"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("O2C_CONFIG", str(bad))
    clock = FixedClock(NOW)
    UserStore(world["engine"], CONSOLE, clock).add("kim", "collector", PASSWORD)
    app = create_console_app(WorkQueue(world["engine"], clock=clock), secret_key=b"k" * 32)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").get_data(as_text=True)).group(1)
    client.post("/sign-in", data={"name": "kim", "password": PASSWORD, "csrf_token": token})
    page = client.get("/collections/customers/C1")
    assert page.status_code == 200                       # the page itself still works
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    statement = client.get("/collections/customers/C1/statement.pdf")
    reminder = client.post("/collections/customers/C1/reminders", data={"reminder_key": "abc123", "csrf_token": token})
    for answer in (statement, reminder):
        assert answer.status_code == 503
        assert "dunning settings cannot be used" in answer.get_data(as_text=True)
        assert "klingon" in answer.get_data(as_text=True)
