"""The records of a sandbox world: orders, open items, payments, and what a bot must make of them.

``sandbox.scenario.generate_world`` builds a ``World``; the portal, the bank and the
document writers read these records. Money is ``Decimal``, dates are ``datetime.date``.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sandbox.masterdata import Customer, Item

ZERO = Decimal("0.00")


@dataclass
class OrderLine:
    """One purchase-order line: our sku and the buyer's number for the same item."""

    sku: str
    buyer_sku: str
    description: str
    quantity: Decimal
    uom: str
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


@dataclass
class Order:
    """A customer purchase order, arriving by email or on the customer's portal."""

    po_number: str
    customer_id: str
    customer_name: str
    buyer_name: str
    buyer_email: str
    order_date: date
    requested_date: date | None
    ship_to: str
    currency: str
    lines: list[OrderLine]
    channel: str                 # "email" or "portal"
    email_format: str | None = None   # text, html, csv, pdf, keyvalue (email orders only)
    portal_state: str = "new"    # new or acknowledged (portal orders only)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass
class OpenItem:
    """One open receivable as the ERP lists it (contract 3's open-items CSV row)."""

    customer_id: str
    customer_name: str
    invoice: str
    invoice_date: date
    due_date: date
    currency: str
    amount: Decimal
    open_amount: Decimal


@dataclass
class RemittanceLine:
    """One line of a remittance advice (contract 1), the invoice number as the payer printed it."""

    invoice: str
    invoice_date: date
    gross: Decimal
    discount: Decimal = ZERO
    deduction: Decimal = ZERO
    reason: str = ""             # deduction reason code, printed on some layouts

    @property
    def paid(self) -> Decimal:
        return self.gross - self.discount - self.deduction


@dataclass
class Application:
    """Part of the truth: a payment applied to one open item."""

    invoice: str
    amount: Decimal
    discount: Decimal = ZERO
    deduction: Decimal = ZERO


@dataclass
class Expected:
    """What a careful clerk does with a payment: applications, and the exception if any."""

    case: str                            # which scenario case produced the payment
    applications: list[Application] = field(default_factory=list)
    exception: str | None = None         # unmatched, ambiguous, overpayment, already_paid, ...
    unapplied: Decimal = ZERO
    candidates: list[str] = field(default_factory=list)


@dataclass
class Payment:
    """One incoming payment as the bank books it, with the remittance advice the payer sent."""

    payment_reference: str
    bank_reference: str
    payer: str
    payer_iban: str
    customer_id: str | None      # None when the payer is no customer of ours
    payment_date: date
    method: str                  # ACH, WIRE, SEPA, CHECK
    currency: str
    total: Decimal
    memo: str
    lines: list[RemittanceLine]
    remittance_layout: str | None        # ruled, aligned, stub; None when no advice PDF exists
    expected: Expected
    creditor_reference: str | None = None


@dataclass
class EmailSpec:
    """One email of the world's mailbox: an order email in some format, or a not-order."""

    filename: str
    kind: str                    # order or not_order
    form: str                    # text, html, csv, pdf, keyvalue, out_of_office, invoice_query
    sender: str
    subject: str
    message_id: str
    sent: date
    po_numbers: list[str] = field(default_factory=list)


@dataclass
class World:
    """Everything one seed gives: masters, orders, open items, payments and mailbox."""

    seed: int
    as_of: date
    customers: list[Customer]
    items: list[Item]
    portal_customer_id: str
    orders: list[Order]
    open_items: list[OpenItem]
    payments: list[Payment]
    emails: list[EmailSpec]

    def customer(self, customer_id: str) -> Customer:
        return next(c for c in self.customers if c.customer_id == customer_id)

    def portal_orders(self) -> list[Order]:
        return [order for order in self.orders if order.channel == "portal"]

    def email_orders(self) -> list[Order]:
        return [order for order in self.orders if order.channel == "email"]

    def order(self, po_number: str) -> Order:
        return next(order for order in self.orders if order.po_number == po_number)

    def payment_days(self) -> list[date]:
        return sorted({payment.payment_date for payment in self.payments})
