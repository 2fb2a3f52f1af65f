"""Seed data of the ERP: master data and a few months of history, all from the seed.

The customers and items of ``sandbox.masterdata`` (which the portal, the bank and the
scenario generator share) come first, with the same numbers; the ERP adds more of its own
so that it has the size of a real customer and item master (60 customers, 240 items).
``master_data(options)`` gives both lists.

``seed_erp(conn, options)`` writes them and the documents, laid out around
``options.business_date()``:
- paid history: orders, invoices (up to INV-10000) and the payments that cleared them;
- the open items of the scenario world for the seed (``sandbox.scenario``), with the world's
  numbers, dates and amounts, so the bank portal's payments pay exactly the ERP's open items
  and the open-items export equals the world's;
- a few recent orders not yet invoiced, for the billing run.
The same seed and business date always give the same database.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from inbox_parsers.amounts import CENT, money

from sandbox import masterdata
from sandbox.common import SandboxOptions
from sandbox.erp import documents
from sandbox.erp.documents import OrderDraft, OrderLine, ReceiptLine

CUSTOMER_COUNT = 60
ITEM_COUNT = 240
HISTORY_DAYS = 150       # paid history before the first open item
PAID_ORDER_COUNT = 80
OPEN_ORDER_COUNT = 6     # shipped, waiting for the billing run

# The ERP's own extra customers: country -> (currency, legal forms, city lines).
_COUNTRIES = {
    "US": ("USD", ["Inc.", "LLC", "Corp.", "Co."], [
        "Columbus OH 43215", "Denver CO 80202", "Richmond VA 23219", "Fresno CA 93721",
        "Omaha NE 68102", "Raleigh NC 27601", "Madison WI 53703", "Mobile AL 36602"]),
    "CA": ("CAD", ["Ltd.", "Inc."], ["Halifax NS B3H 1A1", "Calgary AB T2P 1J9", "Hamilton ON L8P 4R5"]),
    "GB": ("GBP", ["Ltd", "PLC"], ["Leeds LS1 4AP", "Bristol BS1 5TR", "Norwich NR2 1NT"]),
    "DE": ("EUR", ["GmbH", "AG", "GmbH & Co. KG"], ["28195 Bremen", "34117 Kassel", "89073 Ulm"]),
    "FR": ("EUR", ["SARL", "SAS"], ["59000 Lille", "44000 Nantes"]),
    "NL": ("EUR", ["B.V."], ["3511 AB Utrecht", "5611 AZ Eindhoven"]),
}
_COUNTRY_WEIGHTS = {"US": 30, "CA": 5, "GB": 6, "DE": 6, "FR": 3, "NL": 3}
_NAME_FIRST = [
    "Summit", "Bluewater", "Redwood", "Lakeside", "Northgate", "Silverline", "Oakridge",
    "Riverbend", "Cedar Point", "Maplewood", "Ironwood", "Sunrise", "Evergreen", "Highland",
    "Coastal", "Meridian", "Keystone", "Atlas", "Beacon", "Crescent", "Falcon", "Copperfield",
    "Westbrook", "Stonebridge", "Fairhaven", "Brightwater",
]
_NAME_SECOND = ["Grocers", "Supply", "Hardware", "Distribution", "Foods", "Trading", "Wholesale",
                "Markets", "Industrial", "Building Supply", "Home Centers", "Marine", "Farm Stores"]
_STREETS = ["Harbor Rd", "Main St", "Industrial Pkwy", "Commerce Dr", "Mill Lane", "Station Rd",
            "Riverside Ave", "Market St", "Dock Street", "Canal Way"]
_TERMS = [masterdata.TERMS[code] for code in sorted(masterdata.TERMS)]

# The ERP's own extra items.
_ITEM_PREFIXES = ["KT", "PL", "HX", "TG", "MX", "FS"]
_MATERIALS = ["Stainless", "Galvanized", "Brass", "Nylon", "Oak", "Aluminium", "Copper", "PVC", "Cast iron"]
_PRODUCTS = [("hinge", "EA"), ("bracket", "EA"), ("hose clamp", "BX"), ("pipe fitting", "EA"),
             ("cable tie", "BX"), ("shelf", "EA"), ("anchor bolt", "BX"), ("gasket", "EA"),
             ("valve", "EA"), ("rope", "KG"), ("fastener kit", "CS"), ("handle", "EA"),
             ("rivet", "BX"), ("chain", "KG"), ("washer", "BX")]
_SIZES = ["10mm", "12mm", "20mm", "25mm", "40mm", "1/2in", "3/4in", "1in", "2in", "small", "medium", "large"]

USERS = {"clerk": "clerk123", "supervisor": "super123", "bot": "bot-pass-1"}


@dataclass
class Customer:
    """A customer master record as the ERP holds it."""

    customer_id: str
    name: str                 # with its legal form
    street: str
    city: str                 # city line with postcode, as printed
    country: str
    currency: str
    credit_limit: Decimal
    terms: masterdata.PaymentTerms
    email: str
    ship_to: str


@dataclass
class Item:
    """An item master record with its list price."""

    item_id: str
    description: str
    unit: str
    price: Decimal


def master_data(options: SandboxOptions) -> tuple[list[Customer], list[Item]]:
    """The ERP's customer and item master for the seed: the shared masters, then the ERP's own."""
    customers = [_from_shared(c) for c in masterdata.customers(options.seed)]
    items = [Item(i.sku, i.description, i.uom, i.price) for i in masterdata.items(options.seed)]
    rng = options.rng("erp-master")

    taken = {c.name.rsplit(" ", 1)[0] for c in customers}
    names = [n for n in (f"{a} {b}" for a in _NAME_FIRST for b in _NAME_SECOND) if n not in taken]
    for n, base in enumerate(rng.sample(names, CUSTOMER_COUNT - len(customers)), start=1001 + len(customers)):
        country = rng.choices(list(_COUNTRY_WEIGHTS), list(_COUNTRY_WEIGHTS.values()))[0]
        currency, forms, cities = _COUNTRIES[country]
        street, city = f"{rng.randint(1, 980)} {rng.choice(_STREETS)}", rng.choice(cities)
        slug = "".join(ch for ch in base.lower() if ch.isalpha())[:14]
        customers.append(Customer(
            customer_id=f"C{n}", name=f"{base} {rng.choice(forms)}", street=street, city=city,
            country=country, currency=currency,
            credit_limit=Decimal(rng.choice([10, 25, 50, 75, 100, 150, 250, 500]) * 1000),
            terms=rng.choice(_TERMS), email=f"ap@{slug}.example.com",
            ship_to=f"Dock {rng.randint(1, 9)}, {street}, {city}",
        ))

    used = {int(i.item_id.split("-")[1]) for i in items}
    numbers = rng.sample([n for n in range(1000, 9999) if n not in used], ITEM_COUNT - len(items))
    for number in numbers:
        product, unit = rng.choice(_PRODUCTS)
        description = f"{rng.choice(_MATERIALS)} {product} {rng.choice(_SIZES)}"
        price = (Decimal(rng.randint(150, 95000)) / 100).quantize(CENT)
        items.append(Item(f"{rng.choice(_ITEM_PREFIXES)}-{number}", description, unit, price))
    items.sort(key=lambda item: item.item_id)
    return customers, items


def _from_shared(c: masterdata.Customer) -> Customer:
    street, _, city = c.bill_to.removeprefix("Accounts Payable, ").partition(", ")
    return Customer(c.customer_id, c.legal_name, street, city, c.country, c.currency, c.credit_limit,
                    c.terms, c.buyer_email, c.ship_to)


def seed_erp(conn: sqlite3.Connection, options: SandboxOptions) -> None:
    """Fill a fresh ERP schema: master data, paid history, the world's open items, orders to bill."""
    from sandbox.scenario import generate_world  # the world the portal and the bank are seeded from

    customers, items = master_data(options)
    for c in customers:
        conn.execute(
            "INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (c.customer_id, c.name, c.street, c.city, c.country, c.currency, money(c.credit_limit),
             c.terms.label, money(c.terms.discount_percent), c.terms.discount_days, c.terms.net_days,
             c.email, c.ship_to),
        )
    for item in items:
        conn.execute("INSERT INTO items VALUES (?, ?, ?, ?)", (item.item_id, item.description, item.unit, money(item.price)))

    world = generate_world(options.seed, as_of=options.business_date())
    rng = options.rng("erp-history")
    taken_pos = {order.po_number for order in world.orders}  # the bots key these; no false duplicates
    first_open = min((i.invoice_date for i in world.open_items), default=options.business_date())
    _seed_paid_history(conn, rng, customers, items, taken_pos, first_open, options.business_date())
    _seed_open_items(conn, rng, items, world.open_items, taken_pos)
    _seed_orders_to_bill(conn, rng, customers, items, taken_pos, options.business_date())
    conn.commit()


def _seed_paid_history(conn, rng, customers, items, taken_pos, before: date, today: date) -> None:
    """Orders of the months before the first open item, all invoiced and paid.

    Invoice numbers run up to INV-10000, so that the world's open items (INV-10001...) follow
    them in number as in date, the way an ERP's number range does.
    """
    days = sorted(rng.randint(5, 5 + HISTORY_DAYS) for _ in range(PAID_ORDER_COUNT))
    conn.execute("UPDATE number_ranges SET next_value = ? WHERE name = 'invoice'", (10001 - len(days),))
    for back in reversed(days):
        cust = rng.choice(customers)
        invoice_date = before - timedelta(days=back)
        order_date = invoice_date - timedelta(days=rng.randint(1, 4))
        order_no = documents.save_order(conn, _random_order(rng, cust, items, taken_pos, order_date),
                                        user="clerk", confirm_duplicate=True)
        invoice = documents.ship_and_invoice(conn, order_no, invoice_date, commit=False)
        _seed_payment(conn, rng, cust, invoice, invoice_date, today)


def _seed_open_items(conn, rng, items, open_items, taken_pos) -> None:
    """The world's open items, with the numbers, dates and amounts the world gives them.

    Each invoice gets the sales order it was billed from (one line at the invoiced price);
    a credit memo has none.
    """
    for item in sorted(open_items, key=lambda i: (i.invoice_date, i.invoice)):
        cust = conn.execute("SELECT * FROM customers WHERE customer_id = ?", (item.customer_id,)).fetchone()
        due, discount_until = documents.billing_terms(cust, item.invoice_date)
        order_no = None
        if item.amount > 0:
            product = rng.choice(items)
            order_date = item.invoice_date - timedelta(days=rng.randint(1, 4))
            draft = OrderDraft(cust["customer_id"], _history_po(rng, taken_pos), order_date, None, cust["ship_to"],
                               [OrderLine(product.item_id, Decimal("1"), item.amount)])
            order_no = documents.save_order(conn, draft, user="clerk", confirm_duplicate=True)
            conn.execute("UPDATE sales_orders SET status = 'invoiced', delivery_no = ?, shipped_on = ? WHERE order_no = ?",
                         (documents.next_number(conn, "delivery"), item.invoice_date.isoformat(), order_no))
        conn.execute(
            "INSERT INTO invoices (invoice, kind, order_no, customer_id, invoice_date, due_date, discount_date,"
            " discount_pct, currency, amount, open_amount, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (item.invoice, "invoice" if item.amount > 0 else "credit_memo", order_no, item.customer_id,
             item.invoice_date.isoformat(), item.due_date.isoformat(),
             discount_until.isoformat() if discount_until and item.amount > 0 else None,
             cust["discount_pct"] if item.amount > 0 else "0.00", item.currency,
             money(item.amount), money(item.open_amount), "open" if item.open_amount else "paid"),
        )
    numbers = [int(i.invoice.split("-")[1]) for i in open_items if i.invoice.startswith("INV-")]
    if numbers:
        conn.execute("UPDATE number_ranges SET next_value = ? WHERE name = 'invoice'", (max(numbers) + 1,))


def _seed_orders_to_bill(conn, rng, customers, items, taken_pos, today: date) -> None:
    """The last days' orders, shipped but not invoiced yet: work for the billing run (VF04)."""
    for _ in range(OPEN_ORDER_COUNT):
        order_date = today - timedelta(days=rng.randint(0, 3))
        order_no = documents.save_order(conn, _random_order(rng, rng.choice(customers), items, taken_pos, order_date),
                                        user="clerk", confirm_duplicate=True)
        documents.ship_order(conn, order_no, order_date, commit=False)


def _random_order(rng, cust: Customer, items, taken_pos, order_date: date) -> OrderDraft:
    lines = [OrderLine(item.item_id, Decimal(rng.choice([1, 2, 4, 6, 10, 12, 24, 48])))
             for item in rng.sample(items, rng.randint(1, 5))]
    return OrderDraft(cust.customer_id, _history_po(rng, taken_pos), order_date,
                      order_date + timedelta(days=rng.randint(5, 30)), cust.ship_to, lines)


def _history_po(rng, taken_pos) -> str:
    """A customer PO number as buyers write them, never one of the world's orders."""
    while True:
        po = f"{rng.choice(['PO', '45000', 'P-', 'ORD'])}{rng.randint(10000, 99999)}"
        if po not in taken_pos:
            taken_pos.add(po)
            return po


def _seed_payment(conn, rng, cust: Customer, invoice: str, invoice_date: date, today: date) -> None:
    """A past payment of one invoice in full: in the discount period with the discount, or later."""
    amount = Decimal(conn.execute("SELECT amount FROM invoices WHERE invoice = ?", (invoice,)).fetchone()[0])
    discount = Decimal("0")
    if cust.terms.discount_days and rng.random() < 0.6:
        paid_on = invoice_date + timedelta(days=rng.randint(3, cust.terms.discount_days))
        discount = (amount * cust.terms.discount_percent / 100).quantize(CENT)
    else:
        paid_on = invoice_date + timedelta(days=rng.randint(15, cust.terms.net_days + 10))
    paid_on = min(paid_on, today)
    reference = f"{rng.choice(['ACH', 'WIRE', 'CHK', 'EFT'])}{rng.randint(10**8, 10**9 - 1)}"
    documents.post_receipt(conn, cust.customer_id, reference, paid_on, amount - discount, cust.currency,
                           [ReceiptLine(invoice, amount - discount, discount)], user="clerk")
