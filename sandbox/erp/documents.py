"""The ERP's business rules: sales orders, shipping and invoicing, cash receipts and reversals.

Plain functions over an open ``sqlite3.Connection``; the screens in ``app.py`` call them,
and so may tests and the scenario generator. Each function that changes data commits
once at its end, so a document is saved whole or not at all. Rule violations raise
``DocumentError`` with the message the status bar shows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from inbox_parsers.amounts import CENT, money

from sandbox.erp.schema import CURRENCIES, REASON_CODES


class DocumentError(Exception):
    """A document breaks a rule; ``message`` is what the status bar says."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DuplicatePO(DocumentError):
    """The customer PO is already on an order of this customer; saving needs confirmation."""

    def __init__(self, customer_po: str, customer_id: str, order_nos: list[int]):
        orders = ", ".join(str(n) for n in order_nos)
        super().__init__(f"Customer PO {customer_po} already exists for customer {customer_id} "
                         f"(sales order {orders}). Save anyway?")
        self.order_nos = order_nos


@dataclass
class OrderLine:
    """One row of the line grid, as entered (price None: take it from the price list)."""

    item_id: str
    quantity: Decimal
    unit_price: Decimal | None = None


@dataclass
class OrderDraft:
    """A sales order as entered on the screen, before it is saved."""

    customer_id: str
    customer_po: str
    order_date: date
    requested_date: date | None
    ship_to: str
    lines: list[OrderLine] = field(default_factory=list)


@dataclass
class ReceiptLine:
    """How much of a payment goes to one invoice."""

    invoice: str
    amount: Decimal
    discount: Decimal = Decimal("0")
    deduction: Decimal = Decimal("0")
    reason_code: str | None = None


# ---------------------------------------------------------------------------
# Look-ups
# ---------------------------------------------------------------------------

def next_number(conn: sqlite3.Connection, name: str) -> int:
    """Draw the next number of a number range ("sales_order", "invoice", "receipt", "delivery")."""
    # Update first: that opens the write transaction, so two screens never draw the same number.
    conn.execute("UPDATE number_ranges SET next_value = next_value + 1 WHERE name = ?", (name,))
    return conn.execute("SELECT next_value - 1 FROM number_ranges WHERE name = ?", (name,)).fetchone()[0]


def customer(conn: sqlite3.Connection, customer_id: str) -> sqlite3.Row | None:
    """The customer master record, or None."""
    return conn.execute("SELECT * FROM customers WHERE customer_id = ?", (customer_id.strip().upper(),)).fetchone()


def list_price(conn: sqlite3.Connection, item_id: str) -> Decimal | None:
    """The item's list price, or None for an unknown item."""
    row = conn.execute("SELECT price FROM items WHERE item_id = ?", (item_id,)).fetchone()
    return Decimal(row["price"]) if row else None


def orders_with_po(conn: sqlite3.Connection, customer_id: str, customer_po: str) -> list[int]:
    """Sales orders of ``customer_id`` that carry ``customer_po`` (compared without case)."""
    rows = conn.execute(
        "SELECT order_no FROM sales_orders WHERE customer_id = ? AND upper(customer_po) = upper(?) ORDER BY order_no",
        (customer_id, customer_po.strip()),
    ).fetchall()
    return [r["order_no"] for r in rows]


def billing_terms(cust: sqlite3.Row, invoice_date: date) -> tuple[date, date | None]:
    """Due date and last cash-discount date of an invoice dated ``invoice_date``."""
    due = invoice_date + timedelta(days=cust["net_days"])
    discount_until = invoice_date + timedelta(days=cust["discount_days"]) if cust["discount_days"] else None
    return due, discount_until


# ---------------------------------------------------------------------------
# Sales orders
# ---------------------------------------------------------------------------

def check_order(conn: sqlite3.Connection, draft: OrderDraft) -> list[str]:
    """Every rule the draft breaks, as status-bar messages (empty when it may be saved)."""
    errors = []
    if not draft.customer_id.strip():
        errors.append("Enter a customer.")
    elif customer(conn, draft.customer_id) is None:
        errors.append(f"Customer {draft.customer_id} does not exist.")
    if not draft.customer_po.strip():
        errors.append("Customer PO is missing.")
    if draft.requested_date and draft.requested_date < draft.order_date:
        errors.append("Requested delivery date is before the order date.")
    if not draft.ship_to.strip():
        errors.append("Enter a ship-to address.")
    if not draft.lines:
        errors.append("Enter at least one line.")
    for number, line in enumerate(draft.lines, start=1):
        if conn.execute("SELECT 1 FROM items WHERE item_id = ?", (line.item_id,)).fetchone() is None:
            errors.append(f"Line {number}: item {line.item_id or '(blank)'} does not exist.")
        if line.quantity is None or line.quantity <= 0:
            errors.append(f"Line {number}: quantity must be greater than zero.")
        if line.unit_price is not None and line.unit_price < 0:
            errors.append(f"Line {number}: price cannot be negative.")
    return errors


def save_order(conn: sqlite3.Connection, draft: OrderDraft, user: str, confirm_duplicate: bool = False) -> int:
    """Save a sales order and return its number.

    Prices left empty come from the item master. Raises ``DocumentError`` for a
    rule broken, and ``DuplicatePO`` when the customer PO is already on one of the
    customer's orders and ``confirm_duplicate`` is not set.
    """
    errors = check_order(conn, draft)
    if errors:
        raise DocumentError(" ".join(errors))
    cust = customer(conn, draft.customer_id)
    existing = orders_with_po(conn, cust["customer_id"], draft.customer_po)
    if existing and not confirm_duplicate:
        raise DuplicatePO(draft.customer_po.strip(), cust["customer_id"], existing)

    order_no = next_number(conn, "sales_order")
    conn.execute(
        "INSERT INTO sales_orders (order_no, customer_id, customer_po, order_date, requested_date, ship_to,"
        " currency, net_value, status, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, '0.00', 'open', ?)",
        (order_no, cust["customer_id"], draft.customer_po.strip(), draft.order_date.isoformat(),
         draft.requested_date.isoformat() if draft.requested_date else None, draft.ship_to.strip(),
         cust["currency"], user),
    )
    total = Decimal("0")
    for number, line in enumerate(draft.lines, start=1):
        price = line.unit_price if line.unit_price is not None else list_price(conn, line.item_id)
        amount = (line.quantity * price).quantize(CENT)
        total += amount
        description = conn.execute("SELECT description FROM items WHERE item_id = ?", (line.item_id,)).fetchone()[0]
        conn.execute(
            "INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?)",
            (order_no, number, line.item_id, description, _quantity(line.quantity), money(price), money(amount)),
        )
    conn.execute("UPDATE sales_orders SET net_value = ? WHERE order_no = ?", (money(total), order_no))
    conn.commit()
    return order_no


# ---------------------------------------------------------------------------
# Fulfilment and invoicing
# ---------------------------------------------------------------------------

def ship_order(conn: sqlite3.Connection, order_no: int, on_date: date, commit: bool = True) -> int:
    """Post the goods issue of an open order in full (VL02N); return the delivery number.

    The order stays open, now due for billing (VF04).
    """
    order = conn.execute("SELECT * FROM sales_orders WHERE order_no = ?", (order_no,)).fetchone()
    if order is None:
        raise DocumentError(f"Sales order {order_no} does not exist.")
    if order["status"] != "open":
        raise DocumentError(f"Sales order {order_no} is already invoiced.")
    if order["delivery_no"]:
        raise DocumentError(f"Sales order {order_no} was already shipped with delivery {order['delivery_no']}.")
    delivery = next_number(conn, "delivery")
    conn.execute("UPDATE sales_orders SET delivery_no = ?, shipped_on = ? WHERE order_no = ?",
                 (delivery, on_date.isoformat(), order_no))
    if commit:
        conn.commit()
    return delivery


def ship_and_invoice(conn: sqlite3.Connection, order_no: int, on_date: date, commit: bool = True) -> str:
    """Ship an open order in full (unless shipped already) and raise its invoice; return the invoice number."""
    order = conn.execute("SELECT * FROM sales_orders WHERE order_no = ?", (order_no,)).fetchone()
    if order is None:
        raise DocumentError(f"Sales order {order_no} does not exist.")
    if order["status"] != "open":
        raise DocumentError(f"Sales order {order_no} is already invoiced.")
    cust = customer(conn, order["customer_id"])
    due, discount_until = billing_terms(cust, on_date)
    invoice = f"INV-{next_number(conn, 'invoice')}"
    conn.execute(
        "UPDATE sales_orders SET status = 'invoiced', delivery_no = ?, shipped_on = ? WHERE order_no = ?",
        (order["delivery_no"] or next_number(conn, "delivery"), order["shipped_on"] or on_date.isoformat(), order_no),
    )
    conn.execute(
        "INSERT INTO invoices (invoice, kind, order_no, customer_id, invoice_date, due_date, discount_date,"
        " discount_pct, currency, amount, open_amount, status) VALUES (?, 'invoice', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
        (invoice, order_no, cust["customer_id"], on_date.isoformat(), due.isoformat(),
         discount_until.isoformat() if discount_until else None, cust["discount_pct"],
         order["currency"], order["net_value"], order["net_value"]),
    )
    if commit:
        conn.commit()
    return invoice


def invoice_due_orders(conn: sqlite3.Connection, on_date: date, order_nos: list[int] | None = None) -> list[str]:
    """The billing run: ship and invoice the given open orders (all open ones when None)."""
    if order_nos is None:
        order_nos = [r[0] for r in conn.execute(
            "SELECT order_no FROM sales_orders WHERE status = 'open' ORDER BY order_no")]
    invoices = [ship_and_invoice(conn, n, on_date, commit=False) for n in order_nos]
    conn.commit()
    return invoices


# ---------------------------------------------------------------------------
# Cash receipts
# ---------------------------------------------------------------------------

def post_receipt(
    conn: sqlite3.Connection,
    customer_id: str,
    reference: str,
    payment_date: date,
    amount: Decimal,
    currency: str,
    lines: list[ReceiptLine],
    user: str,
) -> int:
    """Post an incoming payment and return its document number.

    Each line applies cash to one open invoice; its discount closes that much of the
    invoice, its deduction (with a reason code) stays open as a disputed short payment.
    A line on a credit memo has a negative amount and uses it up. What the lines do not
    use goes on account.
    """
    cust = customer(conn, customer_id) if customer_id.strip() else None
    errors = []
    if cust is None:
        errors.append(f"Customer {customer_id} does not exist." if customer_id.strip() else "Enter a customer.")
    if not reference.strip():
        errors.append("Enter the payment reference.")
    if amount is None or amount <= 0:
        errors.append("Payment amount must be greater than zero.")
    if currency not in CURRENCIES:
        errors.append(f"Currency {currency} is not allowed.")
    if errors:
        raise DocumentError(" ".join(errors))

    applied = Decimal("0")
    seen = set()
    for line in lines:
        invoice = conn.execute("SELECT * FROM invoices WHERE invoice = ?", (line.invoice,)).fetchone()
        where = f"Invoice {line.invoice}:"
        if invoice is None or invoice["customer_id"] != cust["customer_id"]:
            errors.append(f"{where} not an item of customer {cust['customer_id']}.")
            continue
        if line.invoice in seen:
            errors.append(f"{where} selected twice.")
        seen.add(line.invoice)
        if invoice["status"] != "open":
            errors.append(f"{where} already cleared.")
        if invoice["currency"] != currency:
            errors.append(f"{where} is in {invoice['currency']}, the payment in {currency}.")
        open_amount = Decimal(invoice["open_amount"])
        if open_amount < 0:
            # A credit memo reduces the payment: a negative amount, no discount or deduction.
            if line.discount or line.deduction:
                errors.append(f"{where} a credit memo takes no discount or deduction.")
            if not open_amount <= line.amount < 0:
                errors.append(f"{where} enter between {invoice['open_amount']} and 0.00 for the credit memo.")
        else:
            if min(line.amount, line.discount, line.deduction) < 0:
                errors.append(f"{where} amounts cannot be negative.")
            if line.amount + line.discount + line.deduction == 0:
                errors.append(f"{where} enter an amount, a discount or a deduction.")
            if line.amount + line.discount + line.deduction > open_amount:
                errors.append(f"{where} amount, discount and deduction exceed the open amount {invoice['open_amount']}.")
            if line.deduction > 0 and line.reason_code not in REASON_CODES:
                errors.append(f"{where} a deduction needs a reason code.")
        applied += line.amount
    if not errors and applied < 0:
        errors.append("Credit memos exceed the invoices they are applied with.")
    if not errors and applied > amount:
        errors.append(f"Amounts applied ({money(applied)}) exceed the payment ({money(amount)}).")
    if errors:
        raise DocumentError(" ".join(errors))

    doc_no = next_number(conn, "receipt")
    conn.execute(
        "INSERT INTO receipts (doc_no, customer_id, reference, payment_date, currency, amount, applied,"
        " on_account, status, posted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'posted', ?)",
        (doc_no, cust["customer_id"], reference.strip(), payment_date.isoformat(), currency,
         money(amount), money(applied), money(amount - applied), user),
    )
    for line in lines:
        conn.execute(
            "INSERT INTO receipt_lines VALUES (?, ?, ?, ?, ?, ?)",
            (doc_no, line.invoice, money(line.amount), money(line.discount), money(line.deduction),
             line.reason_code if line.deduction > 0 else None),
        )
        _change_open_amount(conn, line.invoice, -(line.amount + line.discount))
    conn.commit()
    return doc_no


def reverse_receipt(conn: sqlite3.Connection, doc_no: int, reason: str, user: str) -> int:
    """Reverse a posted receipt: reopen what it cleared; return the reversal document number."""
    receipt = conn.execute("SELECT * FROM receipts WHERE doc_no = ?", (doc_no,)).fetchone()
    if receipt is None:
        raise DocumentError(f"Document {doc_no} does not exist.")
    if receipt["status"] == "reversed":
        raise DocumentError(f"Document {doc_no} was already reversed with {receipt['reversal_doc']}.")
    if not reason.strip():
        raise DocumentError("Enter a reversal reason.")
    reversal = next_number(conn, "receipt")
    for line in conn.execute("SELECT * FROM receipt_lines WHERE doc_no = ?", (doc_no,)).fetchall():
        _change_open_amount(conn, line["invoice"], Decimal(line["amount"]) + Decimal(line["discount"]))
    conn.execute(
        "UPDATE receipts SET status = 'reversed', reversal_doc = ?, reversal_reason = ? WHERE doc_no = ?",
        (reversal, f"{reason.strip()} ({user})", doc_no),
    )
    conn.commit()
    return reversal


# ---------------------------------------------------------------------------
# Credit management
# ---------------------------------------------------------------------------

def credit_standing(conn: sqlite3.Connection, customer_id: str, today: date) -> dict | None:
    """What the credit screen (FD32) shows of a customer, or None for an unknown customer.

    ``open_receivables``: the open amounts of its open items (credit memos reduce them);
    ``open_orders``: the net value of its orders not invoiced yet; ``oldest_overdue_days``:
    days past due of its oldest open invoice (0 when none is overdue).
    """
    cust = customer(conn, customer_id)
    if cust is None:
        return None
    receivables = sum((Decimal(r[0]) for r in conn.execute(
        "SELECT open_amount FROM invoices WHERE customer_id = ? AND status = 'open'", (cust["customer_id"],))),
        Decimal("0"))
    orders = sum((Decimal(r[0]) for r in conn.execute(
        "SELECT net_value FROM sales_orders WHERE customer_id = ? AND status = 'open'", (cust["customer_id"],))),
        Decimal("0"))
    oldest = conn.execute("SELECT min(due_date) FROM invoices WHERE customer_id = ? AND status = 'open'"
                          " AND kind = 'invoice' AND due_date < ?", (cust["customer_id"], today.isoformat())).fetchone()[0]
    block = conn.execute("SELECT * FROM credit_blocks WHERE customer_id = ?", (cust["customer_id"],)).fetchone()
    return {
        "customer_id": cust["customer_id"], "name": cust["name"], "currency": cust["currency"],
        "credit_limit": cust["credit_limit"], "open_receivables": money(receivables), "open_orders": money(orders),
        "oldest_overdue_days": (today - date.fromisoformat(oldest)).days if oldest else 0,
        "blocked": block is not None, "block_reason": block["reason"] if block else "",
    }


def set_credit_block(conn: sqlite3.Connection, customer_id: str, blocked: bool, reason: str, user: str,
                     on_date: date) -> None:
    """Block a customer's orders for credit reasons (with a reason), or lift the block."""
    cust = customer(conn, customer_id)
    if cust is None:
        raise DocumentError(f"Customer {customer_id} does not exist.")
    if blocked:
        if not reason.strip():
            raise DocumentError("Enter the reason for the credit block.")
        conn.execute("INSERT OR REPLACE INTO credit_blocks VALUES (?, ?, ?, ?)",
                     (cust["customer_id"], reason.strip(), on_date.isoformat(), user))
    else:
        conn.execute("DELETE FROM credit_blocks WHERE customer_id = ?", (cust["customer_id"],))
    conn.commit()


def set_credit_limit(conn: sqlite3.Connection, customer_id: str, limit: Decimal) -> None:
    """Change a customer's credit limit."""
    conn.execute("UPDATE customers SET credit_limit = ? WHERE customer_id = ?", (money(limit), customer_id.upper()))
    conn.commit()


def disputed_amount(conn: sqlite3.Connection, invoice: str) -> Decimal:
    """Deductions taken on ``invoice`` by receipts still posted (the open dispute)."""
    rows = conn.execute(
        "SELECT l.deduction FROM receipt_lines l JOIN receipts r ON r.doc_no = l.doc_no"
        " WHERE l.invoice = ? AND r.status = 'posted'", (invoice,)).fetchall()
    return sum((Decimal(r[0]) for r in rows), Decimal("0"))


def _change_open_amount(conn: sqlite3.Connection, invoice: str, change: Decimal) -> None:
    row = conn.execute("SELECT open_amount FROM invoices WHERE invoice = ?", (invoice,)).fetchone()
    open_amount = Decimal(row[0]) + change
    conn.execute("UPDATE invoices SET open_amount = ?, status = ? WHERE invoice = ?",
                 (money(open_amount), "open" if open_amount != 0 else "paid", invoice))


def _quantity(value: Decimal) -> str:
    """A quantity as a plain decimal string ("24", "2.5")."""
    text = format(value.normalize(), "f")
    return text
