"""A consistent sandbox world with a known truth, for the demo and the end-to-end tests.

    world = generate_world(7)
    write_world(world, Path("/tmp/world-7"))

``generate_world`` builds, from the seed alone, the customer and item masters
(``sandbox.masterdata``, the same the ERP seeds), purchase orders arriving by email and on
the large retailer's portal, the ERP's open items, and the incoming payments with their
remittance advices. Each payment carries the answer a careful clerk would give
(``Payment.expected``): which invoices it pays and how much, discount and deduction, or the
exception it must raise (duplicate remittance -> already_paid, overpayment, unmatched...).

``write_world`` puts it all in a folder:

    truth.json                    orders, emails and payments with their expected outcome
    open_items.csv                contract 3's open items (customer_id,customer_name,invoice,...)
    payments.json                 contract 3's payments, with the remittance lines
    payments.camt053.xml          the same payments as the bank's camt.053 statement(s)
    payments.bai2                 ... and as BAI2
    remittances/<reference>.pdf   the remittance advices, in several layouts
    emails/*.eml                  the order mailbox: orders in several formats, and not-orders
    portal/purchase_orders.json   what the customer portal is seeded with
    terms.csv                     per-customer discount terms (``o2c match --terms``)
    masterdata/customers.csv, masterdata/items.csv
"""

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, ROUND_HALF_UP
from pathlib import Path

from sandbox.masterdata import Customer, Item, buyer_item_number, customers, items
from sandbox.world import (ZERO, Application, EmailSpec, Expected, OpenItem, Order, OrderLine,
                           Payment, RemittanceLine, World)

DEFAULT_AS_OF = date(2026, 11, 24)
CENT = Decimal("0.01")

# The order payment cases repeat in; "duplicate" resends an earlier remittance.
PAYMENT_CASES = [
    "single", "multi", "discount", "deduction", "credit_memo", "mangled", "memo_only",
    "overpayment", "duplicate", "amount_only", "unmatched", "ambiguous", "unknown_invoice",
    "structured_ref", "currency", "underpayment", "unearned_discount", "multi", "discount", "single",
    "deduction", "single", "memo_only",
]
DEDUCTION_REASONS = ["PRICING", "SHORTAGE", "DAMAGE", "PROMO", "FREIGHT"]
EMAIL_FORMATS = ["text", "html", "csv", "pdf", "keyvalue", "xlsx", "forwarded"]
UNKNOWN_PAYERS = ["Acme Holdings Corp", "Westfield Property Mgmt", "J. R. Simmons", "Tri-County Schools"]
# Portal orders ship to the retailer's distribution centres.
RETAIL_DCS = ["DC 14, 2200 Logistics Dr, Macon GA 31216", "DC 22, 18 Freight Way, Joliet IL 60436",
              "DC 31, 901 Distribution Pkwy, Reno NV 89502", "DC 07, 45 Terminal Rd, Allentown PA 18109"]


def generate_world(seed: int, *, as_of: date = DEFAULT_AS_OF, email_orders: int = 12,
                   portal_orders: int = 45, payments: int = 24, days: int = 3) -> World:
    """Build the world for ``seed``; the same arguments always give the same world.

    :param as_of: the last business day of the world (payments are booked up to it).
    :param email_orders: purchase orders sent by email (one email carries two of them).
    :param portal_orders: purchase orders on the retailer's portal (20 per inbox page).
    :param payments: incoming payments, cycling through ``PAYMENT_CASES``.
    :param days: business days over which the payments are booked.
    """
    for name, value, least in (("email_orders", email_orders, 0), ("portal_orders", portal_orders, 0),
                               ("payments", payments, 0), ("days", days, 1)):
        if value < least:
            raise ValueError(f"{name} must be at least {least}, got {value}")
    rng = random.Random(f"world-{seed}")
    masters = customers(seed)
    catalogue = items(seed)
    retailer = next(c for c in masters if c.currency == "USD")
    builder = _Builder(rng, masters, catalogue, as_of)
    orders = builder.portal_orders(retailer, portal_orders) + builder.email_orders(
        [c for c in masters if c is not retailer], email_orders)
    emails = builder.emails(orders)
    builder.payments(payments, days)
    return World(seed=seed, as_of=as_of, customers=masters, items=catalogue,
                 portal_customer_id=retailer.customer_id, orders=orders,
                 open_items=builder.open_items(), payments=builder.built_payments, emails=emails)


def write_world(world: World, folder: Path) -> dict[str, Path]:
    """Write ``world`` and its truth into ``folder`` (created if needed); return the main files."""
    from sandbox.bank.statements import bai2, camt053, default_accounts
    from sandbox.documents.emails import email_message
    from sandbox.documents.remittance import remittance_pdf

    folder = Path(folder)
    for sub in ("emails", "remittances", "portal", "masterdata"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    created = datetime.combine(world.as_of + timedelta(days=1), datetime.min.time()).replace(hour=6)
    files = {
        "truth": folder / "truth.json",
        "open_items": folder / "open_items.csv",
        "payments": folder / "payments.json",
        "camt053": folder / "payments.camt053.xml",
        "bai2": folder / "payments.bai2",
    }
    write_open_items(world.open_items, files["open_items"])
    files["payments"].write_text(json.dumps(payments_json(world.payments), indent=2) + "\n")
    files["camt053"].write_text(camt053(default_accounts(), world.payments, created=created))
    files["bai2"].write_text(bai2(default_accounts(), world.payments, created=created))
    for payment in world.payments:
        if payment.remittance_layout:
            path = folder / "remittances" / remittance_filename(payment)
            path.write_bytes(remittance_pdf(payment, world.customer(payment.customer_id)))
    for spec in world.emails:
        (folder / "emails" / spec.filename).write_bytes(email_message(spec, world))
    (folder / "portal" / "purchase_orders.json").write_text(
        json.dumps([order_json(order) for order in world.portal_orders()], indent=2) + "\n")
    _write_masters(world, folder / "masterdata")
    files["terms"] = folder / "terms.csv"
    _write_terms(world, files["terms"])
    files["truth"].write_text(json.dumps(truth_json(world), indent=2) + "\n")
    return files


# --- JSON and CSV shapes -------------------------------------------------------------------

def remittance_filename(payment: Payment) -> str:
    """The file name of a payment's remittance advice PDF."""
    return f"remittance-{payment.payment_reference}.pdf"


def write_open_items(open_items: list[OpenItem], path: Path) -> None:
    """Write contract 3's open-items CSV."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "customer_name", "invoice", "invoice_date", "due_date",
                         "currency", "amount", "open_amount"])
        for item in open_items:
            writer.writerow([item.customer_id, item.customer_name, item.invoice, item.invoice_date.isoformat(),
                             item.due_date.isoformat(), item.currency, f"{item.amount:.2f}", f"{item.open_amount:.2f}"])


def payments_json(payments: list[Payment]) -> list[dict]:
    """Contract 3's payments list (the remittance lines included), in booking order."""
    return [{
        "payment_reference": p.payment_reference,
        "payer": p.payer,
        "payment_date": p.payment_date.isoformat(),
        "currency": p.currency,
        "total": f"{p.total:.2f}",
        "memo": p.memo,
        "method": p.method,
        "bank_reference": p.bank_reference,
        "remittance_file": remittance_filename(p) if p.remittance_layout else None,
        "lines": [{"invoice": line.invoice, "invoice_date": line.invoice_date.isoformat(),
                   "gross": f"{line.gross:.2f}", "discount": f"{line.discount:.2f}",
                   "deduction": f"{line.deduction:.2f}", "paid": f"{line.paid:.2f}"} for line in p.lines],
    } for p in payments]


def order_json(order: Order) -> dict:
    """One order as truth.json and the portal seed file show it (contract 2's order shape)."""
    return {
        "po_number": order.po_number,
        "customer_id": order.customer_id,
        "customer": {"name": order.customer_name, "email": order.buyer_email},
        "order_date": order.order_date.isoformat(),
        "requested_date": order.requested_date.isoformat() if order.requested_date else None,
        "ship_to": order.ship_to,
        "currency": order.currency,
        "channel": order.channel,
        "state": order.portal_state if order.channel == "portal" else None,
        "lines": [{"sku": line.sku, "buyer_sku": line.buyer_sku, "description": line.description,
                   "quantity": str(line.quantity), "uom": line.uom, "unit_price": f"{line.unit_price:.2f}"}
                  for line in order.lines],
        "total": f"{order.total:.2f}",
    }


def truth_json(world: World) -> dict:
    """What the bots should end up with, for the tests and the demo to compare against."""
    payments = []
    for p in world.payments:
        e = p.expected
        payments.append({
            "payment_reference": p.payment_reference,
            "customer_id": p.customer_id,
            "case": e.case,
            "total": f"{p.total:.2f}",
            "applications": [{"invoice": a.invoice, "amount": f"{a.amount:.2f}", "discount": f"{a.discount:.2f}",
                              "deduction": f"{a.deduction:.2f}"} for a in e.applications],
            "exception": None if e.exception is None else {
                "reason": e.exception, "unapplied": f"{e.unapplied:.2f}", "candidates": e.candidates},
        })
    email_source = {po: spec.filename for spec in world.emails for po in spec.po_numbers}
    return {
        "seed": world.seed,
        "as_of": world.as_of.isoformat(),
        "note": "payments truth is for payments.json with its remittance lines; the bank files carry only payer, amount and memo",
        "orders": [dict(order_json(o), source=email_source.get(o.po_number, "portal")) for o in world.orders],
        "emails": [{"file": s.filename, "status": s.kind, "format": s.form, "po_numbers": s.po_numbers}
                   for s in world.emails],
        "payments": payments,
        "summary": {
            "orders": len(world.orders),
            "payments": len(payments),
            "exceptions": sum(1 for p in world.payments if p.expected.exception),
            "amount_applied": f"{sum((a.amount for p in world.payments for a in p.expected.applications), ZERO):.2f}",
            "amount_unapplied": f"{sum((p.expected.unapplied for p in world.payments), ZERO):.2f}",
        },
    }


def _write_terms(world: World, path: Path) -> None:
    """Per-customer discount terms, as ``o2c match --terms`` reads them."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "discount_rate", "discount_days"])
        for c in world.customers:
            writer.writerow([c.customer_id, f"{c.terms.discount_percent / 100:.4f}", c.terms.discount_days])


def _write_masters(world: World, folder: Path) -> None:
    with open(folder / "customers.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "name", "legal_name", "country", "currency", "terms", "credit_limit",
                         "buyer_email", "ship_to"])
        for c in world.customers:
            writer.writerow([c.customer_id, c.name, c.legal_name, c.country, c.currency, c.terms.label,
                             f"{c.credit_limit:.2f}", c.buyer_email, c.ship_to])
    with open(folder / "items.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "description", "uom", "price"])
        for item in world.items:
            writer.writerow([item.sku, item.description, item.uom, f"{item.price:.2f}"])


# --- building ------------------------------------------------------------------------------

@dataclass
class _Plan:
    """A payment before invoice numbers exist: its case, payer and the invoices it concerns."""

    case: str
    customer: Customer | None
    day: date
    invoices: list[OpenItem] = field(default_factory=list)
    original: "_Plan | None" = None       # for a duplicate: the payment it repeats
    payment: Payment | None = None


class _Builder:
    """Draws orders, invoices and payments from one random stream, in a fixed order."""

    def __init__(self, rng: random.Random, masters: list[Customer], catalogue: list[Item], as_of: date):
        self.rng = rng
        self.masters = masters
        self.catalogue = catalogue
        self.as_of = as_of
        self.invoices: list[OpenItem] = []
        self.credit_memos: list[OpenItem] = []
        self.plans: list[_Plan] = []
        self.built_payments: list[Payment] = []
        self.po_numbers: set[str] = set()

    # orders

    def portal_orders(self, retailer: Customer, count: int) -> list[Order]:
        orders = []
        for _ in range(count):
            order_date = self.as_of - timedelta(days=self.rng.randint(0, 40))
            order = self._order(retailer, order_date, "portal", self._po_number("sap"))
            order.ship_to = self.rng.choice(RETAIL_DCS)
            # Older orders have mostly been acknowledged already; the recent ones are new.
            old = (self.as_of - order_date).days > 7
            order.portal_state = "acknowledged" if old and self.rng.random() < 0.75 else "new"
            orders.append(order)
        orders.sort(key=lambda o: (o.order_date, o.po_number), reverse=True)
        return orders

    def email_orders(self, senders: list[Customer], count: int) -> list[Order]:
        styles = ["sap", "dash", "digits", "year"]
        orders = []
        for index in range(count):
            customer = senders[index % len(senders)]
            style = styles[int(customer.customer_id[1:]) % len(styles)]
            order_date = self.as_of - timedelta(days=self.rng.randint(0, 3))
            order = self._order(customer, order_date, "email", self._po_number(style))
            order.email_format = EMAIL_FORMATS[index % len(EMAIL_FORMATS)]
            if index % 9 == 8:
                order.requested_date = None     # some buyers give no delivery date
            orders.append(order)
        return orders

    def _order(self, customer: Customer, order_date: date, channel: str, po_number: str) -> Order:
        lines = []
        for item in self.rng.sample(self.catalogue, self.rng.randint(1, 5)):
            quantity = Decimal(self.rng.choice([1, 2, 4, 6, 10, 12, 24, 36, 48, 60, 100]))
            lines.append(OrderLine(item.sku, buyer_item_number(customer, item), item.description,
                                   quantity, item.uom, item.price))
        requested = order_date + timedelta(days=self.rng.randint(7, 24))
        return Order(po_number, customer.customer_id, customer.name, customer.buyer_name, customer.buyer_email,
                     order_date, requested, customer.ship_to, customer.currency, lines, channel)

    def _po_number(self, style: str) -> str:
        while True:
            n = self.rng.randint(10000, 99999)
            number = {"sap": f"45000{n}", "dash": f"PO-{n}", "digits": f"{n}{self.rng.randint(0, 9)}",
                      "year": f"PO{self.as_of.year}{n % 10000:04d}"}[style]
            if number not in self.po_numbers:
                self.po_numbers.add(number)
                return number

    def emails(self, orders: list[Order]) -> list[EmailSpec]:
        specs = []
        email_orders = [o for o in orders if o.channel == "email"]
        # The last two pdf orders travel together in one email (buyers batch their POs).
        pdf_orders = [o for o in email_orders if o.email_format == "pdf"]
        batch = pdf_orders[-2:] if len(pdf_orders) >= 2 else []
        for index, order in enumerate(email_orders, start=1):
            if batch and order is batch[1]:
                continue
            carried = batch if batch and order is batch[0] else [order]
            subject = (f"Purchase orders {' and '.join(o.po_number for o in carried)}" if len(carried) > 1
                       else self.rng.choice(["PO {}", "Purchase Order {}", "New order {}", "Order #{} attached"])
                       .format(order.po_number))
            specs.append(EmailSpec(f"{index:03d}-order-{order.email_format}.eml", "order", order.email_format,
                                   order.buyer_email, subject, self._message_id(), order.order_date,
                                   [o.po_number for o in carried]))
        if email_orders:
            sender = self.masters[1]
            specs.append(EmailSpec(f"{len(email_orders) + 1:03d}-not-order-out-of-office.eml", "not_order",
                                   "out_of_office", sender.buyer_email, "Automatic reply: Order confirmation",
                                   self._message_id(), self.as_of))
            sender = self.masters[2]
            specs.append(EmailSpec(f"{len(email_orders) + 2:03d}-not-order-invoice-query.eml", "not_order",
                                   "invoice_query", sender.buyer_email, "Question about your invoice",
                                   self._message_id(), self.as_of))
        return specs

    def _message_id(self) -> str:
        return f"<{self.rng.getrandbits(64):016x}@mail.sandbox.test>"

    # invoices and payments

    def payments(self, count: int, days: int) -> None:
        business_days = _business_days_ending(self.as_of, days)
        for index in range(count):
            case = PAYMENT_CASES[index % len(PAYMENT_CASES)]
            day = business_days[index * days // max(count, 1)]
            self.plans.append(self._plan(case, day))
        for customer in self.masters:          # invoices nobody pays today
            for _ in range(self.rng.randint(1, 3)):
                self._invoice(customer, self.as_of - timedelta(days=self.rng.randint(3, 60)))
        self._number_invoices()
        self._keep_amounts_telling()
        for plan in self.plans:
            plan.payment = self._payment(plan, len(self.built_payments) + 1)
            self.built_payments.append(plan.payment)

    def _plan(self, case: str, day: date) -> _Plan:
        rng = self.rng
        usd = [c for c in self.masters if c.currency == "USD"]
        if case == "duplicate":
            earlier = [p for p in self.plans if p.case in ("single", "multi")]
            if earlier:
                return _Plan(case, earlier[-1].customer, day, earlier[-1].invoices, original=earlier[-1])
            case = "single"
        if case == "unmatched":
            return _Plan(case, None, day)
        if case in ("discount", "unearned_discount"):
            customer = rng.choice([c for c in self.masters if c.terms.discount_days])
            window = customer.terms.discount_days
            if case == "discount":
                dates = [day - timedelta(days=rng.randint(1, window - 1)) for _ in range(rng.randint(1, 3))]
            else:    # taken well after the discount period, beyond any grace days
                dates = [day - timedelta(days=rng.randint(window + 12, window + 25))]
            return _Plan(case, customer, day, [self._invoice(customer, d) for d in dates])
        if case == "structured_ref":
            customer = rng.choice([c for c in self.masters if c.currency == "EUR"] or usd)
        elif case in ("memo_only", "amount_only", "ambiguous", "overpayment", "currency", "underpayment"):
            customer = rng.choice(usd)
        else:
            customer = rng.choice(self.masters)
        count = {"multi": rng.randint(2, 4), "mangled": 3, "credit_memo": rng.randint(1, 2),
                 "memo_only": rng.randint(1, 2), "unknown_invoice": 0}.get(case, 1)
        invoices = [self._invoice(customer, day - timedelta(days=rng.randint(12, 55))) for _ in range(count)]
        if case == "ambiguous":
            twin = self._invoice(customer, day - timedelta(days=rng.randint(12, 55)))
            twin.amount = twin.open_amount = invoices[0].amount
            invoices.append(twin)
        if case == "credit_memo":
            memo = OpenItem(customer.customer_id, customer.name, "", day - timedelta(days=rng.randint(5, 30)),
                            day, customer.currency, ZERO, ZERO)
            credit = -(invoices[0].amount * Decimal(rng.randint(5, 30)) / 100).quantize(CENT)
            memo.amount = memo.open_amount = credit
            memo.due_date = memo.invoice_date
            self.credit_memos.append(memo)
            invoices.append(memo)
        return _Plan(case, customer, day, invoices)

    def _invoice(self, customer: Customer, invoice_date: date) -> OpenItem:
        amount = sum((item.price * self.rng.choice([6, 12, 24, 48, 96, 120])
                      for item in self.rng.sample(self.catalogue, self.rng.randint(1, 4))), ZERO)
        amount += Decimal(self.rng.randint(0, 99)) / 100      # freight and tax make the cents vary
        item = OpenItem(customer.customer_id, customer.name, "", invoice_date,
                        invoice_date + timedelta(days=customer.terms.net_days), customer.currency,
                        amount.quantize(CENT), amount.quantize(CENT))
        self.invoices.append(item)
        return item

    def _number_invoices(self) -> None:
        # An ERP numbers invoices as they are issued, so numbers follow the dates.
        for number, item in enumerate(sorted(self.invoices, key=lambda i: (i.invoice_date, i.customer_id)), start=10001):
            item.invoice = f"INV-{number}"
        for number, memo in enumerate(sorted(self.credit_memos, key=lambda i: i.invoice_date), start=50001):
            memo.invoice = f"CM-{number}"

    def _keep_amounts_telling(self) -> None:
        """Make the amount-only and ambiguous cases mean what they say.

        An amount-only payment is sure only when no other open item of that customer has its
        amount; the ambiguous pair must be the only two. Other invoices move by a cent.
        """
        for plan in self.plans:
            if plan.case not in ("amount_only", "ambiguous"):
                continue
            target = plan.invoices[0].amount
            for item in self.invoices:
                if item.customer_id == plan.customer.customer_id and item.amount == target and item not in plan.invoices:
                    item.amount += CENT
                    item.open_amount += CENT

    def open_items(self) -> list[OpenItem]:
        return sorted(self.invoices + self.credit_memos, key=lambda i: (i.customer_id, i.invoice_date, i.invoice))

    def _payment(self, plan: _Plan, sequence: int) -> Payment:
        rng = self.rng
        customer = plan.customer
        case = plan.case
        method = "SEPA" if customer and customer.currency == "EUR" else ["ACH", "WIRE", "CHECK", "ACH"][sequence % 4]
        currency = customer.currency if customer else "USD"
        if case == "currency":       # a dollar customer pays its dollar invoice in euros
            method, currency = "SEPA", "EUR"
        payer = customer.legal_name if customer else rng.choice(UNKNOWN_PAYERS)
        if rng.random() < 0.3:
            payer = payer.upper()                 # banks often print the payer in capitals
        iban = customer.iban if customer else f"US{rng.randint(10, 99)}{rng.getrandbits(60):018d}"[:22]
        lines: list[RemittanceLine] = []
        expected = Expected(case)
        memo = ""
        creditor_reference = None
        layout = None

        if case == "duplicate":
            original = plan.original.payment
            lines, total, memo, method = list(original.lines), original.total, original.memo, original.method
            expected.exception, expected.unapplied = "already_paid", total
            expected.candidates = [a.invoice for a in original.expected.applications]
            layout = original.remittance_layout
        elif case == "unmatched":
            total = Decimal(rng.randint(20000, 900000)) / 100
            while any(item.amount == total for item in self.invoices):   # must match nothing
                total += CENT
            memo = rng.choice(["INVOICE PAYMENT", "PAYMENT", "SETTLEMENT"])
            expected.exception, expected.unapplied = "unmatched", total
        elif case == "currency":
            item = plan.invoices[0]
            lines = [RemittanceLine(item.invoice, item.invoice_date, item.amount)]
            total, memo = item.amount, f"REMIT {item.invoice}"
            expected.exception, expected.unapplied, expected.candidates = "currency", total, [item.invoice]
        elif case == "underpayment":
            item = plan.invoices[0]
            # Short by more than any discount, with no remittance to say why.
            total = item.amount - (item.amount * Decimal(rng.randint(10, 30)) / 100).quantize(CENT)
            memo = f"PAYMENT {item.invoice}"
            # Policy (DOMAIN.md): apply what was paid, keep the rest open, and tell a person.
            expected.applications = [Application(item.invoice, total)]
            expected.exception, expected.candidates = "underpayment", [item.invoice]
        elif case == "unknown_invoice":
            gross = Decimal(rng.randint(50000, 900000)) / 100
            lines = [RemittanceLine(f"INV-{rng.randint(90000, 99999)}", plan.day - timedelta(days=20), gross)]
            total, memo = gross, f"REMIT {lines[0].invoice}"
            expected.exception, expected.unapplied = "unknown_invoice", total
        elif case in ("memo_only", "amount_only", "ambiguous", "overpayment", "structured_ref"):
            total = sum((i.amount for i in plan.invoices), ZERO)
            if case == "memo_only":
                memo = "PMT " + " ".join(i.invoice.replace("-", "") for i in plan.invoices)
            elif case == "overpayment":
                memo = f"PAYMENT {plan.invoices[0].invoice}"
            elif case == "structured_ref":
                creditor_reference = creditor_reference_for(plan.invoices[0].invoice)
                memo = creditor_reference
            else:
                memo = rng.choice(["PAYMENT THANK YOU", "ACH PMT", "VENDOR PAYMENT"])
            if case == "ambiguous":
                total = plan.invoices[0].amount
                expected.exception, expected.unapplied = "ambiguous", total
                expected.candidates = [i.invoice for i in plan.invoices]
            else:
                expected.applications = [Application(i.invoice, i.amount) for i in plan.invoices]
            if case == "overpayment":
                extra = Decimal(rng.randint(1000, 50000)) / 100
                total += extra
                expected.exception, expected.unapplied = "overpayment", extra
        else:   # with a remittance advice: single, multi, discount, unearned_discount, deduction, credit_memo, mangled
            for item in plan.invoices:
                line = RemittanceLine(self._printed_number(item.invoice, case), item.invoice_date, item.amount)
                if case in ("discount", "unearned_discount"):
                    line.discount = (item.amount * customer.terms.discount_percent / 100).quantize(CENT, ROUND_HALF_UP)
                if case == "deduction":
                    line.deduction = (item.amount * Decimal(rng.randint(3, 15)) / 100).quantize(CENT)
                    line.reason = rng.choice(DEDUCTION_REASONS)
                lines.append(line)
                if case == "unearned_discount":
                    # Apply what was paid; the discount is not granted and stays open for a person.
                    expected.applications.append(Application(item.invoice, line.paid))
                    expected.exception, expected.candidates = "underpayment", [item.invoice]
                else:
                    expected.applications.append(Application(item.invoice, line.paid, line.discount, line.deduction))
            total = sum((line.paid for line in lines), ZERO)
            memo = f"REMIT {lines[0].invoice}" + (" ET AL" if len(lines) > 1 else "")
        if lines and layout is None:
            layout = "stub" if method == "CHECK" else rng.choice(["ruled", "aligned"])
        reference = self._payment_reference(method, sequence)
        return Payment(reference, f"SB{plan.day:%y%m%d}{sequence:05d}", payer, iban,
                       customer.customer_id if customer else None, plan.day, method, currency,
                       total.quantize(CENT), memo, lines, layout, expected, creditor_reference)

    def _printed_number(self, invoice: str, case: str) -> str:
        """The invoice number as the payer prints it; mangled on purpose in the "mangled" case."""
        if case != "mangled":
            return invoice
        prefix, digits = invoice.split("-")
        return self.rng.choice([digits, f"{prefix}000{digits}", f"{invoice}/1", f"{prefix} {digits}"])

    def _payment_reference(self, method: str, sequence: int) -> str:
        n = self.rng.randint(100000, 999999)
        return {"ACH": f"ACH{n}{sequence:03d}", "WIRE": f"FT{self.as_of:%y}{n}{sequence:02d}",
                "CHECK": f"{n // 10 + sequence}", "SEPA": f"E2E{n}{sequence:03d}"}[method]


def creditor_reference_for(invoice: str) -> str:
    """An ISO 11649 creditor reference ("RF" + check digits + reference) for an invoice number."""
    body = "".join(ch for ch in invoice.upper() if ch.isalnum())
    numeric = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(numeric) % 97:02d}{body}"


def _business_days_ending(last: date, count: int) -> list[date]:
    days = []
    day = last
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)
