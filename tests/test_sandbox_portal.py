"""The customer order portal through Flask's test client: seeding, reset, CSRF, acknowledge, quirks."""

import csv
import io
import re
import sqlite3
import time

import pdfplumber
import pytest

from sandbox.common import SandboxOptions
from sandbox.portal.app import PAGE_SIZE, create_app, reset_portal
from sandbox.scenario import generate_world
from tests.fixtures.sandbox_portals import SANDBOX_TODAY

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def options(tmp_path, **changes) -> SandboxOptions:
    return SandboxOptions(seed=changes.pop("seed", 7), data_dir=tmp_path, today=SANDBOX_TODAY, **changes)


def logged_in(app):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"user": "supplier", "password": "supplier123", "csrf_token": token})
    assert response.status_code == 302
    return client


def token_of(client, url: str) -> str:
    return TOKEN.search(client.get(url).text).group(1)


def rows(path, sql="SELECT * FROM purchase_orders ORDER BY position"):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def states(path) -> dict[str, str]:
    return dict(rows(path, "SELECT po_number, state FROM purchase_orders"))


def new_po(path) -> str:
    return rows(path, "SELECT po_number FROM purchase_orders WHERE state = 'new' ORDER BY position")[0][0]


def test_seeding_is_deterministic_and_matches_the_world(tmp_path):
    first, second, other = options(tmp_path / "a"), options(tmp_path / "b"), options(tmp_path / "c", seed=8)
    for each in (first, second, other):
        create_app(each)
    assert rows(first.db_path("portal")) == rows(second.db_path("portal"))
    assert rows(first.db_path("portal")) != rows(other.db_path("portal"))
    world = generate_world(7, as_of=SANDBOX_TODAY)
    assert [r[0] for r in rows(first.db_path("portal"))] == [o.po_number for o in world.portal_orders()]
    assert states(first.db_path("portal")) == {o.po_number: o.portal_state for o in world.portal_orders()}


def test_login_is_required(tmp_path):
    client = create_app(options(tmp_path)).test_client()
    response = client.get("/orders")
    assert response.status_code == 302 and "/login" in response.location


def test_inbox_pages_by_twenty_and_filters_by_state(tmp_path):
    opts = options(tmp_path)
    client = logged_in(create_app(opts))
    total = len(rows(opts.db_path("portal")))
    seen = []
    page = 1
    while True:
        html = client.get(f"/orders?page={page}").text
        found = re.findall(r'<a href="/orders/([^"]+)">', html)
        assert len(found) <= PAGE_SIZE
        seen += found
        if "Next page" not in html:
            break
        page += 1
    assert page == -(-total // PAGE_SIZE) and seen == [r[0] for r in rows(opts.db_path("portal"))]
    html = client.get("/orders?state=new").text
    new = re.findall(r'<a href="/orders/([^"]+)">', html)
    assert new and all(states(opts.db_path("portal"))[po] == "new" for po in new)


def test_detail_shows_both_item_numbers(tmp_path):
    opts = options(tmp_path)
    client = logged_in(create_app(opts))
    po = new_po(opts.db_path("portal"))
    html = client.get(f"/orders/{po}").text
    for buyer_item, supplier_item, quantity, price in rows(
            opts.db_path("portal"), f"SELECT buyer_item, supplier_item, quantity, unit_price FROM po_lines WHERE po_number = '{po}'"):
        assert f"<td>{buyer_item}</td><td>{supplier_item}</td>" in html
    assert "Download PDF" in html and "Download CSV" in html and ">Acknowledge</button>" in html
    assert client.get("/orders/NO-SUCH-PO").status_code == 404


def test_downloads_are_real_files(tmp_path):
    opts = options(tmp_path)
    client = logged_in(create_app(opts))
    po = new_po(opts.db_path("portal"))
    lines = rows(opts.db_path("portal"), f"SELECT supplier_item, quantity, unit_price FROM po_lines WHERE po_number = '{po}'")
    response = client.get(f"/orders/{po}/download.csv")
    assert response.headers["Content-Disposition"] == f'attachment; filename="PO_{po}.csv"'
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["supplier_item"], r["quantity"], r["unit_price"]) for r in table] == lines
    response = client.get(f"/orders/{po}/download.pdf")
    assert response.data.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(response.data)) as pdf:
        text = pdf.pages[0].extract_text()
    assert po in text and all(sku in text for sku, _, _ in lines)


def test_acknowledge_changes_the_state_once(tmp_path):
    opts = options(tmp_path)
    client = logged_in(create_app(opts))
    po = new_po(opts.db_path("portal"))
    token = token_of(client, f"/orders/{po}")
    response = client.post(f"/orders/{po}/acknowledge", data={"csrf_token": token}, follow_redirects=True)
    assert f"Purchase order {po} acknowledged." in response.text
    assert states(opts.db_path("portal"))[po] == "acknowledged"
    (by,) = rows(opts.db_path("portal"), f"SELECT acknowledged_by FROM purchase_orders WHERE po_number = '{po}'")[0]
    assert by == "supplier"
    response = client.post(f"/orders/{po}/acknowledge", data={"csrf_token": token}, follow_redirects=True)
    assert "was already acknowledged" in response.text


def test_acknowledge_without_csrf_token_is_refused(tmp_path):
    opts = options(tmp_path)
    client = logged_in(create_app(opts))
    po = new_po(opts.db_path("portal"))
    response = client.post(f"/orders/{po}/acknowledge", data={})
    assert response.status_code == 400 and "Form expired" in response.text
    response = client.post(f"/orders/{po}/acknowledge", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert states(opts.db_path("portal"))[po] == "new"


def test_reset_restores_the_initial_state(tmp_path):
    opts = options(tmp_path)
    app = create_app(opts)
    before = rows(opts.db_path("portal"))
    client = logged_in(app)
    po = new_po(opts.db_path("portal"))
    client.post(f"/orders/{po}/acknowledge", data={"csrf_token": token_of(client, f"/orders/{po}")})
    assert rows(opts.db_path("portal")) != before
    response = client.post("/sandbox/reset", data={"csrf_token": token_of(client, "/orders")}, follow_redirects=True)
    assert "reset to its initial state" in response.text
    assert rows(opts.db_path("portal")) == before
    client.post(f"/orders/{po}/acknowledge", data={"csrf_token": token_of(client, f"/orders/{po}")})
    reset_portal(opts)
    assert rows(opts.db_path("portal")) == before
    # A restart without reset keeps what was done; with reset it starts over.
    client.post(f"/orders/{po}/acknowledge", data={"csrf_token": token_of(client, f"/orders/{po}")})
    create_app(opts)
    assert states(opts.db_path("portal"))[po] == "acknowledged"
    create_app(opts.with_(reset=True))
    assert rows(opts.db_path("portal")) == before


def test_busy_faults_appear_at_about_the_configured_rate_and_change_nothing(tmp_path):
    opts = options(tmp_path, fault_rate=0.3)
    client = logged_in(create_app(opts))
    pos = [r[0] for r in rows(opts.db_path("portal"), "SELECT po_number FROM purchase_orders")]
    busy = 0
    attempts = 200
    for attempt in range(attempts):
        po = pos[attempt % len(pos)]
        before = states(opts.db_path("portal"))[po]
        response = client.post(f"/orders/{po}/acknowledge", data={"csrf_token": token_of(client, "/orders")})
        if response.status_code == 503:
            busy += 1
            assert "System busy, try again" in response.text and 'role="dialog"' in response.text
            assert states(opts.db_path("portal"))[po] == before
        else:
            assert response.status_code == 302
    assert 0.2 <= busy / attempts <= 0.4, busy


def test_latency_slows_every_screen(tmp_path):
    client = logged_in(create_app(options(tmp_path, latency_ms=150)))
    started = time.monotonic()
    assert client.get("/orders").status_code == 200
    assert time.monotonic() - started >= 0.15


def test_theme_two_renames_ids_but_keeps_labels_and_roles(tmp_path):
    one = logged_in(create_app(options(tmp_path / "1"))).get("/orders").text
    two = logged_in(create_app(options(tmp_path / "2", theme=2))).get("/orders").text
    assert 'id="state"' in one and 'id="state"' not in two
    for same in ('<label for="', ">State</label>", ">Filter</button>", 'aria-label="Purchase orders"',
                 'role="status"', "Next page"):
        assert same in one and same in two


def test_maintenance_page(tmp_path):
    client = create_app(options(tmp_path, maintenance=True)).test_client()
    response = client.get("/orders")
    assert response.status_code == 503 and "scheduled maintenance" in response.text
