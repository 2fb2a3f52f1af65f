"""The ERP's printed invoice: one PDF per invoice, as the invoice display (VF03) downloads it.

``invoice_pdf(conn, invoice)`` renders the invoice from the ERP's tables: seller, bill-to,
invoice and order numbers, the customer PO, dates and terms, the order's lines and the
total. The same invoice always gives the same bytes (reportlab's invariant mode), so a
test can compare what a bot downloaded with what the ERP holds.
"""

import io
import sqlite3

SELLER = ("Northwind Supply Co.", "1200 Commerce Dr", "Columbus OH 43215", "billing@northwind.example.com")


def invoice_pdf(conn: sqlite3.Connection, invoice: str) -> bytes | None:
    """The PDF of ``invoice``, or None when the ERP has no such invoice."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    head = conn.execute(
        "SELECT i.*, c.name, c.street, c.city, c.payment_terms, o.customer_po, o.ship_to FROM invoices i"
        " JOIN customers c ON c.customer_id = i.customer_id LEFT JOIN sales_orders o ON o.order_no = i.order_no"
        " WHERE i.invoice = ?", (invoice,)).fetchone()
    if head is None:
        return None
    lines = conn.execute("SELECT * FROM order_lines WHERE order_no = ? ORDER BY line_no", (head["order_no"],)).fetchall()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, pageCompression=0, invariant=1)
    canvas.setTitle(f"Invoice {invoice}")
    y = 740
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(50, y, SELLER[0])
    canvas.setFont("Helvetica", 9)
    for text in SELLER[1:]:
        y -= 12
        canvas.drawString(50, y, text)
    canvas.setFont("Helvetica-Bold", 20)
    canvas.drawRightString(560, 740, "INVOICE")
    canvas.setFont("Helvetica", 10)
    facts = [("Invoice No.", head["invoice"]), ("Invoice date", head["invoice_date"]),
             ("Sales order", str(head["order_no"] or "")), ("Customer PO", head["customer_po"] or ""),
             ("Customer", head["customer_id"]), ("Terms", head["payment_terms"]), ("Due date", head["due_date"])]
    if head["discount_date"]:
        facts.append(("Discount until", f"{head['discount_date']} ({head['discount_pct']}%)"))
    fy = 715
    for label, value in facts:
        canvas.drawRightString(470, fy, label + ":")
        canvas.drawString(476, fy, value)
        fy -= 13
    y = 660
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(50, y, "Bill to")
    canvas.setFont("Helvetica", 10)
    for text in (head["name"], head["street"], head["city"]):
        y -= 13
        canvas.drawString(50, y, text)
    y = min(y, fy) - 30
    canvas.setFont("Helvetica-Bold", 9)
    for x, title, right in ((50, "Item", False), (130, "Description", False), (400, "Qty", True),
                            (480, "Unit price", True), (560, "Amount", True)):
        (canvas.drawRightString if right else canvas.drawString)(x, y, title)
    canvas.line(50, y - 4, 560, y - 4)
    canvas.setFont("Helvetica", 9)
    for line in lines:
        y -= 15
        canvas.drawString(50, y, line["item_id"])
        canvas.drawString(130, y, line["description"][:48])
        canvas.drawRightString(400, y, line["quantity"])
        canvas.drawRightString(480, y, line["unit_price"])
        canvas.drawRightString(560, y, line["amount"])
    y -= 10
    canvas.line(350, y, 560, y)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawRightString(480, y - 16, f"Total {head['currency']}")
    canvas.drawRightString(560, y - 16, head["amount"])
    canvas.setFont("Helvetica", 8)
    canvas.drawString(50, 60, f"Please quote invoice {head['invoice']} with your payment.")
    canvas.save()
    return buffer.getvalue()
