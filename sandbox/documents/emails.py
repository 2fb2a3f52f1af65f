"""The world's order mailbox as RFC 5322 messages (.eml bytes).

Order emails come in the formats buyers really use: a plain-text table, an HTML table,
"key: value" lines, a forwarded order, a CSV attachment (semicolons and decimal commas from
European buyers), an XLSX attachment with a header block above the table, and PDF
attachments (one email carries two orders). The not-orders are an out-of-office
reply and an invoice query, which the intake bot must leave alone.
"""

import hashlib
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from datetime import datetime, time, timezone
from html import escape

from sandbox.documents.purchase_order import po_csv, po_pdf, po_xlsx, printed_date
from sandbox.world import EmailSpec, Order, World

ORDERS_ADDRESS = "orders@northwind-supply.test"


def email_message(spec: EmailSpec, world: World) -> bytes:
    """Build the .eml bytes for one email of the world's mailbox."""
    orders = [world.order(po) for po in spec.po_numbers]
    sender = next((c for c in world.customers if c.buyer_email == spec.sender), None)
    message = EmailMessage()
    message["From"] = formataddr((sender.buyer_name if sender else "", spec.sender))
    message["To"] = ORDERS_ADDRESS
    message["Subject"] = spec.subject
    message["Date"] = format_datetime(datetime.combine(spec.sent, time(9, 30), tzinfo=timezone.utc))
    message["Message-ID"] = spec.message_id
    builder = _BUILDERS[spec.form]
    builder(message, orders, sender)
    # MIME boundaries are random by default; derive them so a seed gives the same bytes.
    stem = hashlib.sha1(spec.message_id.encode()).hexdigest()[:16]
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"==sandbox_{stem}_{number}==")
    return message.as_bytes()


def _signature(order: Order) -> str:
    return f"\n\nThanks,\n{order.buyer_name}\nPurchasing, {order.customer_name}\n{order.buyer_email}\n"


def _text_order(order: Order) -> str:
    rows = [f"{'Item':<10} {'Description':<44} {'Qty':>6} {'Price':>10}"]
    for line in order.lines:
        rows.append(f"{line.sku:<10} {line.description[:44]:<44} {line.quantity:>6} {line.unit_price:>10.2f}")
    deliver = printed_date(order, order.requested_date)
    return (f"Hello,\n\nplease book the following order.\n\nPO Number: {order.po_number}\n"
            + (f"Deliver by: {deliver}\n" if deliver else "")
            + f"Ship to: {order.ship_to}\n\n" + "\n".join(rows) + _signature(order))


def _text(message: EmailMessage, orders: list[Order], sender) -> None:
    message.set_content(_text_order(orders[0]))


def _forwarded(message: EmailMessage, orders: list[Order], sender) -> None:
    # A colleague forwards the buyer's order from the purchasing mailbox.
    order = orders[0]
    original_date = format_datetime(datetime.combine(order.order_date, time(8, 5), tzinfo=timezone.utc))
    message.replace_header("From", formataddr(("Purchasing", "purchasing@" + order.buyer_email.split("@")[1])))
    message.set_content(
        "FYI, please process the order below.\n\n---------- Forwarded message ---------\n"
        f"From: {order.buyer_name} <{order.buyer_email}>\nDate: {original_date}\n"
        f"Subject: PO {order.po_number}\nTo: purchasing@{order.buyer_email.split('@')[1]}\n\n" + _text_order(order))


def _keyvalue(message: EmailMessage, orders: list[Order], sender) -> None:
    order = orders[0]
    parts = [f"PO#: {order.po_number}", f"Customer: {order.customer_name}"]
    if order.requested_date:
        parts.append(f"Required date: {printed_date(order, order.requested_date)}")
    parts.append(f"Ship to: {order.ship_to}")
    for index, line in enumerate(order.lines, start=1):
        parts += ["", f"Line {index}", f"Item: {line.sku}", f"Description: {line.description}",
                  f"Quantity: {line.quantity}", f"Unit price: {line.unit_price:.2f} {order.currency}"]
    message.set_content("Order details below.\n\n" + "\n".join(parts) + _signature(order))


def _html(message: EmailMessage, orders: list[Order], sender) -> None:
    order = orders[0]
    rows = "".join(
        f"<tr><td>{escape(line.buyer_sku)}</td><td>{escape(line.sku)}</td><td>{escape(line.description)}</td>"
        f"<td align=\"right\">{line.quantity}</td><td align=\"right\">{line.unit_price:,.2f}</td></tr>"
        for line in order.lines)
    deliver = printed_date(order, order.requested_date)
    html = (f"<html><body><p>Hi team,</p><p>Please process purchase order <b>{escape(order.po_number)}</b>"
            + (f", needed by <b>{deliver}</b>" if deliver else "") + ".</p>"
            f"<p>Ship to: {escape(order.ship_to)}</p>"
            "<table border=\"1\" cellpadding=\"4\"><tr><th>Our Part #</th><th>Vendor Part #</th><th>Description</th>"
            f"<th>Qty</th><th>Unit Price</th></tr>{rows}</table>"
            f"<p>Thanks,<br>{escape(order.buyer_name)}<br>{escape(order.customer_name)}</p></body></html>")
    message.set_content(f"Purchase order {order.po_number}: please see the HTML version of this email.\n")
    message.add_alternative(html, subtype="html")


def _csv(message: EmailMessage, orders: list[Order], sender) -> None:
    order = orders[0]
    european = order.currency != "USD"
    message.set_content(f"Please find attached our purchase order {order.po_number}." + _signature(order))
    data = po_csv(order, delimiter=";" if european else ",", decimal_comma=european)
    message.add_attachment(data.encode("cp1252" if european else "utf-8"), maintype="text", subtype="csv",
                           filename=f"PO{order.po_number}.csv")


def _xlsx(message: EmailMessage, orders: list[Order], sender) -> None:
    order = orders[0]
    message.set_content(f"Order {order.po_number} attached as a spreadsheet." + _signature(order))
    message.add_attachment(po_xlsx(order), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           filename=f"Order_{order.po_number}.xlsx")


def _pdf(message: EmailMessage, orders: list[Order], sender) -> None:
    numbers = " and ".join(o.po_number for o in orders)
    message.set_content(f"Attached: purchase order{'s' if len(orders) > 1 else ''} {numbers}." + _signature(orders[0]))
    for order in orders:
        message.add_attachment(po_pdf(order), maintype="application", subtype="pdf",
                               filename=f"PO_{order.po_number}.pdf")


def _out_of_office(message: EmailMessage, orders, sender) -> None:
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("I am out of the office until Monday with limited access to email.\n"
                        "For urgent purchasing matters please contact purchasing@example.test.\n")


def _invoice_query(message: EmailMessage, orders, sender) -> None:
    message.set_content("Hello,\n\nwe received invoice INV-10012 but cannot match it to a purchase order.\n"
                        "Could you send a copy of the proof of delivery? We will hold payment until then.\n\n"
                        "Regards,\nAccounts Payable\n")


_BUILDERS = {"text": _text, "keyvalue": _keyvalue, "html": _html, "csv": _csv, "pdf": _pdf, "xlsx": _xlsx,
             "forwarded": _forwarded,
             "out_of_office": _out_of_office, "invoice_query": _invoice_query}
