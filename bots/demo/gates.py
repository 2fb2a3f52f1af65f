"""The demo's steps around keying (issue 13): a credit hold released, invoices billed and
delivered by mail and by portal, and a customer using the self-service portal.

Each step takes the ``Demo`` and returns its one-line summary, like those in ``steps.py``.
Run again, each does nothing twice: the held order is keyed once, invoices are billed and
delivered once, the portal contact, dispute and remittance are made once.
"""

import secrets
from decimal import Decimal

DEMO_CONTACT = "ap@demo-customer.example"
SUPERVISOR = "demo-supervisor"


def hold_and_release_credit(demo) -> str:
    """An order over its customer's credit limit is held, a supervisor releases it, and it is keyed."""
    from sqlalchemy import update

    from bots.credit.release import release_hold
    from bots.credit.rules import CreditRules
    from bots.erp.order_entry import OrderEntrySettings, run_order_entry
    from bots.runtime.store.models import WorkItem
    from sandbox import masterdata
    from sandbox.common import open_db
    from sandbox.erp import documents

    customer = _customer_to_hold(open_db(demo.sandbox.db_path("erp")), demo.as_of, documents, demo.portal_customer_id)
    item = masterdata.items(demo.options.seed)[0]
    shop = next(c for c in masterdata.customers(demo.options.seed) if c.customer_id == customer["customer_id"])
    quantity = max(1, int(Decimal(customer["room"]) // item.price) + 1)
    po = f"CREDIT-{demo.options.seed}-{demo.as_of:%Y%m%d}"
    order = {"po_number": po, "requested_date": None, "ship_to": shop.ship_to, "source": "demo",
             "customer": {"name": shop.name, "email": shop.buyer_email},
             "lines": [{"sku": item.sku, "quantity": str(quantity), "unit_price": str(item.price)}]}
    queued, created = demo.queue.add("order", {"channel": "demo", "order": order}, key=f"demo-credit:{po}")
    demo.credit_order = queued.id
    if not created and demo.queue.get(queued.id).state == "done":
        return f"order {po} was held and released in an earlier run (sales order {demo.queue.get(queued.id).result['sales_order']})"
    with demo.queue.session() as session, session.begin():  # an urgent order: the bot takes it first
        session.execute(update(WorkItem).where(WorkItem.id == queued.id).values(priority=10_000))
    user, password = _account(demo.sandbox, "erp")
    settings = OrderEntrySettings(url=demo.sandbox.url("erp"), user=user, password=password,
                                  evidence_dir=demo.evidence, busy_wait_seconds=0.2, credit_rules=CreditRules())
    run_order_entry(settings, once=True, limit=1, queue=demo.queue)
    held = demo.queue.get(queued.id)
    if held.exception_code != "credit_hold":
        return f"order {po} was not held ({held.state}, {held.exception_code or 'no exception'})"
    release_hold(demo.queue, queued.id, SUPERVISOR, "prepayment received (demo)")
    run_order_entry(settings, once=True, limit=1, queue=demo.queue)
    keyed = demo.queue.get(queued.id)
    outcome = f"keyed as sales order {keyed.result['sales_order']}" if keyed.state == "done" else keyed.state
    return (f"order {po} of {shop.name} held ({held.evidence.get('credit_rule')}, over by {held.evidence.get('over_by')}),"
            f" released by {SUPERVISOR}, {outcome}")


def bill_and_deliver(demo) -> str:
    """The warehouse ships the released order; erp-invoicing bills what shipped; invoices go out by
    email (a local SMTP server) and to the customer portal."""
    from bots.delivery.bot import DeliverySettings, run_delivery
    from bots.erp.invoicing import InvoicingSettings, run_invoicing
    from bots.runtime.outgoing_mail import MailSettings, ServerSettings
    from sandbox.common import open_db
    from sandbox.erp import documents

    keyed = demo.queue.get(demo.credit_order) if getattr(demo, "credit_order", None) else None
    if keyed is not None and keyed.state == "done":
        conn = open_db(demo.sandbox.db_path("erp"))
        try:
            number = int(keyed.result["sales_order"])
            row = conn.execute("SELECT status, delivery_no FROM sales_orders WHERE order_no = ?", (number,)).fetchone()
            if row and row["status"] == "open" and not row["delivery_no"]:
                documents.ship_order(conn, number, demo.as_of)  # the warehouse's goods issue
        finally:
            conn.close()
    user, password = _account(demo.sandbox, "erp")
    billed = run_invoicing(InvoicingSettings(url=demo.sandbox.url("erp"), user=user, password=password,
                                             evidence_dir=demo.evidence, invoice_dir=demo.folder / "invoices",
                                             busy_wait_seconds=0.2), once=True, queue=demo.queue)
    mail_server = _local_smtp()
    try:
        portal_user, portal_password = _account(demo.sandbox, "portal")
        settings = DeliverySettings(
            channels={"default": "email", demo.portal_customer_id: "portal"}, sender="billing@northwind.example.com",
            mail=MailSettings(sender="billing@northwind.example.com",
                              smtp=ServerSettings(host="127.0.0.1", port=mail_server.port, security="plain")),
            url=demo.sandbox.url("portal"), user=portal_user, password=portal_password,
            evidence_dir=demo.evidence, busy_wait_seconds=0.2)
        delivered = run_delivery(settings, queue=demo.queue)
    finally:
        mail_server.controller.stop()
    return (f"{billed.get('invoices_created', 0)} invoice(s) billed with their PDFs; {delivered.get('emails_sent', 0)} "
            f"emailed (the local mail server took {len(mail_server.messages)}), {delivered.get('uploads', 0)} uploaded "
            f"to the customer portal, {delivered.get('exception', 0)} to the exception queue")


def customer_uses_portal(demo) -> str:
    """A customer contact signs in to the self-service portal (Chromium), sees their invoices,
    disputes one and sends a remittance advice for another."""
    from bots.runtime.browser import open_browser
    from bots.customer_portal import add_contact, create_portal_app
    from bots.receivables.store import read_open_items, sync_open_items
    from bots.runtime.web import BackgroundServer, UserError

    rows = read_open_items(demo.open_items_csv)
    with demo.queue.session() as session, session.begin():
        sync_open_items(session, rows, demo.as_of, demo.queue.clock.now(), str(demo.open_items_csv))
    customer = rows[0]["customer_id"]
    password = secrets.token_urlsafe(12)
    try:
        add_contact(demo.queue, DEMO_CONTACT, password, customer)
    except UserError:  # made in an earlier run: give it a fresh password
        from bots.customer_portal.contacts import CUSTOMER_REALM
        from bots.runtime.web import UserStore

        UserStore(demo.queue.engine, CUSTOMER_REALM, demo.queue.clock).set_password(DEMO_CONTACT, password)
    app = create_portal_app(demo.queue, secret_key=secrets.token_bytes(32), remittance_dir=demo.folder / "remittances")
    server = BackgroundServer(app).start()
    demo.portal_server = server  # stopped with the sandbox (run_demo), or kept with --keep-running
    mine = [row for row in rows if row["customer_id"] == customer and row["open_amount"] > 0]
    with open_browser(headless=True) as browser:
        page = browser.new_context().new_page()
        page.goto(server.url + "/")
        page.get_by_label("User name").fill(DEMO_CONTACT)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        shown = page.get_by_role("table", name="Open invoices").get_by_role("link").count()
        if mine:
            page.goto(server.url + f"/invoices/{mine[0]['invoice']}")
            page.get_by_label("Reason").select_option("pricing")
            page.get_by_label("What is wrong").fill("Price differs from our contract (demo)")
            page.get_by_role("button", name="Send the dispute").click()
        if len(mine) > 1:
            page.goto(server.url + "/remittance")
            page.get_by_label("Payment reference").fill(f"DEMO-{customer}-{demo.as_of:%Y%m%d}")
            page.get_by_label(f"Amount paid on {mine[1]['invoice']}").fill(f"{mine[1]['open_amount']:.2f}")
            page.get_by_role("button", name="Send the remittance advice").click()
    return (f"{DEMO_CONTACT} (customer {customer}, password {password}) saw {shown} open invoice(s), disputed "
            f"{mine[0]['invoice'] if mine else 'none'}, sent a remittance for {mine[1]['invoice'] if len(mine) > 1 else 'none'}; "
            f"portal at {server.url}")


class _SmtpSink:
    """A local SMTP server that keeps what it receives (the demo's mail server)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        from sandbox.common import free_port

        self.messages = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


def _local_smtp() -> _SmtpSink:
    return _SmtpSink()


def _account(sandbox, system: str) -> tuple[str, str]:
    """The sandbox system's account for bots ("bot"), else its first user (as the other demo steps log on)."""
    users = sandbox.users(system)
    user = "bot" if "bot" in users else next(iter(users))
    return user, users[user]


def _customer_to_hold(conn, today, documents, preferred: str | None = None) -> dict:
    """The customer to hold: ``preferred`` (the retailer, whose invoices then go to its supplier
    portal) unless it is blocked or long overdue, else the one of the shared masters (C1001...)
    with the least room under its credit limit."""
    try:
        best = None
        for (customer_id,) in conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 12"):
            standing = documents.credit_standing(conn, customer_id, today)
            if standing["blocked"] or standing["oldest_overdue_days"] > 30:
                continue
            room = (Decimal(standing["credit_limit"]) - Decimal(standing["open_receivables"])
                    - Decimal(standing["open_orders"]))
            if customer_id == preferred:
                return {"customer_id": customer_id, "room": room}
            if room > 0 and (best is None or room < best["room"]):
                best = {"customer_id": customer_id, "room": room}
        return best
    finally:
        conn.close()
