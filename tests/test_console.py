"""The supervisor console in real headless Chromium: sign-in, the queue, evidence, actions, security.

The console runs on waitress on a free loopback port over a store of its own
(tests/fixtures/console.py), with one user per role. Every check is what a person (or an
attacker with a browser) would see or do.
"""

import re

import pytest
from playwright.sync_api import expect

from bots.runtime.runs import audit_entries
from tests.fixtures.console import PASSWORD, XSS_ATTACHMENT, XSS_MEMO, XSS_PDF_TEXT, XSS_SUBJECT, sign_in

pytestmark = pytest.mark.browser


def csrf_of(page) -> str:
    """The page's CSRF token, as htmx sends it (the hx-headers of <body>)."""
    headers = page.locator("body").get_attribute("hx-headers")
    return re.search(r'"X-CSRF-Token": "([^"]+)"', headers).group(1)


def test_every_route_sends_an_anonymous_request_to_sign_in(console, page):
    public = {"auth.sign_in", "static", "web.static"}
    checked = 0
    for rule in console.app.url_map.iter_rules():
        if rule.endpoint in public:
            continue
        path = rule.build({name: 1 for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answer = page.request.fetch(console.url + path, method=method, max_redirects=0)
            assert answer.status == 302, (method, path, answer.status)
            assert answer.headers["location"].startswith("/sign-in"), (method, path)
            checked += 1
    assert checked >= 15  # the queue, items, actions, evidence, dashboard, runs...


def test_sign_in_lands_on_the_queue_and_sign_out_ends_the_session(console, page):
    page.goto(console.url + "/items/1")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/items/1"))
    page.get_by_label("User name").fill("sam")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong name or password.")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(console.url + "/items/1")
    expect(page.get_by_role("heading", name="Item 1 · order")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto(console.url + "/")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_filter_sort_and_page_the_queue(console, page):
    queue = console.queue
    queue.add_many([{"kind": "payment", "key": f"bulk:{n}", "payload": {"payment": {
        "payment_reference": f"P{n:03}", "payer": f"Payer {n % 3}", "total": f"{100 + n}.00", "currency": "USD"}},
        "exception": ("unmatched" if n % 2 else "underpayment", f"payment {n} matches no open item")}
        for n in range(60)])
    sign_in(page, console, "otto")
    page.get_by_label("Reason").select_option("unmatched")
    expect(page.get_by_text("Page 1 of 1")).to_be_visible()
    rows = page.get_by_role("table", name="Work items").locator("tbody tr")
    expect(rows).to_have_count(30)
    page.get_by_label("Customer").fill("payer 1")
    page.get_by_label("Amount from").fill("120")
    page.get_by_label("to", exact=True).fill("140.00")
    # htmx (vendored, under the strict CSP) sends the filters and swaps in only the table.
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as answer:
        page.get_by_role("button", name="Filter").click()
    assert answer.value.status == 200 and "<html" not in answer.value.text()
    expect(page).to_have_url(re.compile(r"customer=payer%201"))  # the address can be bookmarked
    # odd n, n % 3 == 1, 20 <= n <= 40: 25, 31, 37
    expect(rows).to_have_count(3)
    page.get_by_role("link", name="Amount").click()
    expect(rows.first).to_contain_text("125.00")
    page.get_by_role("link", name=re.compile("^Amount")).click()  # again: descending
    expect(rows.first).to_contain_text("137.00")
    page.goto(console.url + "/?per_page=25&sort=id")
    expect(page.get_by_text("Page 1 of 3")).to_be_visible()
    page.get_by_role("link", name="Next ›").click()
    expect(page.get_by_text("Page 2 of 3")).to_be_visible()
    expect(rows).to_have_count(25)
    expect(rows.first.get_by_role("link").first).to_have_text("26")


def test_open_an_exception_with_a_pdf_and_see_its_page_image(console, console_world, page):
    sign_in(page, console, "vera")
    page.get_by_role("link", name="the lines do not add up to the total").click()
    image = page.get_by_role("img", name="remittance.pdf page 1")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 800  # a real page rendered, not a broken image
    shot = page.request.get(console.url + image.get_attribute("src"))
    assert shot.status == 200 and shot.headers["content-type"] == "image/png" and shot.body()[:4] == b"\x89PNG"
    evidence = page.get_by_role("region", name="Extracted fields")
    expect(evidence).to_contain_text("ACH946420030")
    # The email's PDF attachment is shown as a page too, beside the order's fields.
    page.goto(f"{console.url}/items/{console_world.ids['order']}")
    expect(page.get_by_role("img", name=re.compile(r"page 1$"))).to_be_visible()


def test_the_failure_screenshot_and_page_html_are_evidence(console, console_world, page):
    sign_in(page, console, "vera", path=f"/items/{console_world.ids['erp']}")
    shot = page.get_by_role("img", name="screenshot")
    expect(shot).to_be_visible()
    expect(shot).to_have_js_property("complete", True)
    assert shot.evaluate("img => img.naturalWidth") == 320
    expect(page.get_by_role("region", name="Evidence")).to_contain_text("Customer not found")
    download = page.request.get(console.url + page.get_by_role("link", name="Download erp-page.html").get_attribute("href"))
    assert download.headers["content-type"] == "application/octet-stream"
    assert "attachment" in download.headers["content-disposition"]
    assert "sandbox" in download.headers["content-security-policy"]
    expect(page.get_by_role("region", name="Evidence")).to_contain_text("playwright show-trace erp-trace.zip")
    trace = page.request.get(console.url + page.get_by_role("link", name="Download erp-trace.zip").get_attribute("href"))
    assert trace.body()[:2] == b"PK"


def test_email_headers_text_and_attachments_are_shown_and_downloadable(console, console_world, page):
    sign_in(page, console, "vera", path=f"/items/{console_world.ids['order']}")
    evidence = page.get_by_role("region", name="Evidence")
    expect(evidence).to_contain_text("buyer@pinecrest.example")
    expect(evidence.get_by_label("Email text")).to_contain_text("Please find our order attached.")
    with page.expect_download() as info:
        evidence.get_by_role("link", name=XSS_ATTACHMENT).click()
    data = open(info.value.path(), "rb").read()
    assert data.startswith(b"%PDF")
    assert "<" not in info.value.suggested_filename and ">" not in info.value.suggested_filename


def test_evidence_is_served_by_item_and_number_only(console, console_world, page):
    sign_in(page, console, "vera")
    for path in ("/items/1/evidence/5", "/items/1/evidence/..%2f..%2fetc%2fpasswd", "/items/999/evidence/0",
                 "/items/1/evidence/0/attachments/7"):
        assert page.request.get(console.url + path).status == 404, path


def test_xss_payloads_from_an_email_a_pdf_and_a_bank_memo_stay_inert(console, console_world, page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, console, "sam")
    expect(page.get_by_role("table", name="Work items")).to_contain_text("Harbor Freight " + XSS_PDF_TEXT)
    page.goto(f"{console.url}/items/{console_world.ids['order']}")
    expect(page.get_by_role("region", name="Evidence").get_by_text(XSS_SUBJECT, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=XSS_ATTACHMENT)).to_be_visible()
    page.goto(f"{console.url}/items/{console_world.ids['remittance']}")
    expect(page.get_by_label("payer")).to_have_value("Harbor Freight " + XSS_PDF_TEXT)
    page.goto(f"{console.url}/items/{console_world.ids['payment']}")
    expect(page.get_by_role("region", name="Apply the payment")).to_contain_text(XSS_MEMO)
    page.goto(f"{console.url}/items/{console_world.ids['erp']}")
    expect(page.get_by_role("region", name="Evidence")).to_contain_text("alert('page')")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("script:not([src])").count() == 0


def test_a_viewers_forged_post_to_retry_is_refused(console, console_world, page):
    item_id = console_world.ids["order"]
    sign_in(page, console, "vera", path=f"/items/{item_id}")
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)  # not offered...
    answer = page.request.post(f"{console.url}/items/{item_id}/retry", form={"csrf_token": csrf_of(page), "version": "1"})
    assert answer.status == 403  # ...and refused by the server when forged
    answer = page.request.post(f"{console.url}/bulk", form={"csrf_token": csrf_of(page), "action": "retry",
                                                            "item": f"{item_id}:1"})
    assert answer.status == 403
    assert console.queue.get(item_id).state == "exception"


def test_a_post_without_its_csrf_token_is_refused(console, console_world, page):
    item_id = console_world.ids["order"]
    sign_in(page, console, "sam", path=f"/items/{item_id}")
    for form in ({"version": "1"}, {"version": "1", "csrf_token": "guessed"}):
        answer = page.request.post(f"{console.url}/items/{item_id}/retry", form=form)
        assert answer.status == 400
    assert console.queue.get(item_id).state == "exception"
    assert page.request.post(f"{console.url}/items/{item_id}/retry",
                             form={"version": "1", "csrf_token": csrf_of(page)}, max_redirects=0).status == 303


def test_correct_a_field_and_retry(console, console_world, page):
    item_id = console_world.ids["order"]
    sign_in(page, console, "sam", path=f"/items/{item_id}")
    fields = page.get_by_role("region", name="Extracted fields")
    fields.get_by_label("order.lines.0.unit_price").fill("18,75")
    fields.get_by_label("order.requested_date").fill("05/12/2026")
    fields.get_by_role("button", name="Save corrections and retry").click()
    expect(page.get_by_text("'18,75' is not a number")).to_be_visible()
    expect(page.get_by_text("'05/12/2026' is not a date: write YYYY-MM-DD")).to_be_visible()
    assert console.queue.get(item_id).state == "exception"
    fields.get_by_label("order.lines.0.unit_price").fill("19.5")
    fields.get_by_label("order.requested_date").fill("2026-12-05")
    fields.get_by_label("order.lines.0.sku").fill("NW-4411")
    fields.get_by_label("Note for the correction").fill("SKU typo in the email")
    fields.get_by_role("button", name="Save corrections and retry").click()
    expect(page.get_by_role("status")).to_contain_text("corrected and sent back to the bots")
    item = console.queue.get(item_id)
    assert item.state == "retried"
    assert item.payload["order"]["lines"][0] == {"sku": "NW-4411", "description": "Widget", "quantity": "24",
                                                 "unit_price": "19.50"}
    assert item.history[-1].actor == "sam" and item.history[-1].action == "correct"
    [entry] = audit_entries(console.queue, item_id=item_id)
    assert entry["bot"] == "console:sam" and entry["action"] == "correct_fields"
    assert entry["detail"]["changes"]["order.lines.0.unit_price"] == {"from": "18.75", "to": "19.50"}


def test_two_people_acting_at_once_the_second_is_told_who_handled_it(console, console_world, browser, page):
    item_id = console_world.ids["remittance"]
    sign_in(page, console, "otto", path=f"/items/{item_id}")
    other = browser.new_context().new_page()
    other.on("dialog", lambda dialog: dialog.accept())
    sign_in(other, console, "sam", path=f"/items/{item_id}")
    other.get_by_label("Note", exact=True).fill("duplicate advice")
    other.get_by_role("button", name="Dismiss").click()
    expect(other.get_by_role("status")).to_contain_text("dismissed")
    page.get_by_label("Note", exact=True).fill("try again")
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("status")).to_contain_text("was changed by sam (dismiss")
    item = console.queue.get(item_id)
    assert item.state == "dismissed"
    assert [e.action for e in item.history].count("dismiss") == 1 and "retry" not in [e.action for e in item.history]
    other.context.close()


@pytest.fixture(autouse=True)
def _accept_confirmations(page):
    page.on("dialog", lambda dialog: dialog.accept() if dialog.type == "confirm" else None)


def test_bulk_retry_dismiss_and_assign_and_the_mine_view(console, console_world, page):
    ids = console_world.ids
    sign_in(page, console, "sue")
    table = page.get_by_role("table", name="Work items")
    table.get_by_label(f"Tick item {ids['order']}").check()
    table.get_by_label(f"Tick item {ids['erp']}").check()
    page.get_by_label("Assign to").select_option("sue")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Assigned 2 items")
    page.get_by_role("navigation").get_by_role("link", name="Mine").click()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Tick all on this page").check()
    page.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("status").first).to_contain_text("Say why")
    page.get_by_label("Note for the ticked items").fill("test orders, not real")
    page.get_by_label("Tick all on this page").check()
    page.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("status").first).to_contain_text("Dismissed 2 items")
    page.goto(console.url + "/")
    table.get_by_label(f"Tick item {ids['remittance']}").check()
    page.get_by_role("button", name="Retry").click()
    states = {name: console.queue.get(item_id).state for name, item_id in ids.items()}
    assert states == {"order": "dismissed", "erp": "dismissed", "remittance": "retried", "payment": "exception"}
    assert console.queue.get(ids["order"]).assigned_to == "sue"
    assert {e["bot"] for e in audit_entries(console.queue)} == {"console:sue"}


def test_operators_cannot_assign_or_resolve(console, console_world, page):
    item_id = console_world.ids["order"]
    sign_in(page, console, "otto", path=f"/items/{item_id}")
    expect(page.get_by_role("button", name="Resolved by hand")).to_have_count(0)
    token = csrf_of(page)
    for path, form in (("assign", {"assignee": "otto"}), ("resolve", {"note": "done"}), ("correct", {})):
        answer = page.request.post(f"{console.url}/items/{item_id}/{path}", form={"csrf_token": token, **form})
        assert answer.status == 403, path
    answer = page.request.post(f"{console.url}/bulk", form={"csrf_token": token, "action": "assign", "item": f"{item_id}:1"})
    assert answer.status == 403
    assert console.queue.get(item_id).assigned_to is None


def test_release_credit_hold_is_offered_on_credit_hold_exceptions(console, page):
    item, _ = console.queue.add("order", {"order": {"po_number": "9"}}, key="hold:9")
    console.queue.to_exception(item.id, "credit_hold", "customer C1001 is over its credit limit")
    sign_in(page, console, "sam", path=f"/items/{item.id}")
    page.get_by_label("Note", exact=True).fill("limit raised by credit manager")
    page.get_by_role("button", name="Release credit hold").click()
    expect(page.get_by_role("status")).to_contain_text("Credit hold on item")
    released = console.queue.get(item.id)
    assert released.state == "retried"
    assert released.payload["credit_release"]["by"] == "sam"  # what the credit gate honours
    assert (released.history[-1].actor, released.history[-1].action) == ("sam", "credit_release")
    [entry] = audit_entries(console.queue, item_id=item.id)
    assert entry["bot"] == "sam" and entry["action"] == "credit_release"


def test_dashboard_and_runs_pages(console, console_world, page):
    from bots.runtime.runs import bot_run

    with bot_run(console.queue, "erp-order-entry") as run:
        run.count("done", 2)
        run.audit("create_sales_order", "erp", "Sales Order", document_number="SO-1", item_id=console_world.ids["order"])
    sign_in(page, console, "vera")
    page.get_by_role("link", name="Dashboard").click()
    for chart in ("Items by state", "Exception aging", "Orders keyed per day", "Run durations (s)"):
        expect(page.get_by_role("img", name=chart)).to_be_visible()
    expect(page.get_by_text("open exceptions")).to_be_visible()
    runs = page.get_by_role("table", name="Runs")
    expect(runs).to_contain_text("erp-order-entry")
    page.get_by_role("navigation").get_by_role("link", name="Runs").click()
    page.get_by_role("table", name="Runs").get_by_role("link", name="1", exact=True).click()
    expect(page.get_by_role("table", name="Run log")).to_contain_text("create_sales_order on erp")
    expect(page.get_by_role("table", name="Run items")).to_contain_text(str(console_world.ids["order"]))


def test_pages_have_no_inline_script_and_send_the_security_headers(console, console_world, page):
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    sign_in(page, console, "sam")
    for path in ("/", f"/items/{console_world.ids['payment']}", f"/items/{console_world.ids['order']}", "/dashboard", "/runs"):
        answer = page.goto(console.url + path)
        headers = answer.all_headers()
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"]
        assert page.locator("script:not([src])").count() == 0
        assert page.locator("[style]").count() == 0
    assert violations == []
