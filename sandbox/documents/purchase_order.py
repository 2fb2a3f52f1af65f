"""A purchase order as the customer sends it: a PDF (reportlab), a CSV, and an XLSX.

Both show the buyer's item number beside ours (the seller's sku), the quantity, unit price,
the requested delivery date and the ship-to, the way retailers' systems print them.
US buyers print dates month first; European buyers day first, with decimal commas in CSV.
"""

import csv
import io
import re
import zipfile

from sandbox.world import Order

VENDOR = "Northwind Supply Co., 400 Commerce Way, Charleston SC 29401"
CSV_COLUMNS = ["po_number", "line", "buyer_item", "supplier_item", "description", "quantity", "uom",
               "unit_price", "amount", "currency", "requested_date", "ship_to"]


def printed_date(order: Order, day) -> str:
    """A date the way this order's buyer prints it (US month first, Europe day first)."""
    if day is None:
        return ""
    return day.strftime("%m/%d/%Y") if order.currency == "USD" else day.strftime("%d.%m.%Y")


def po_csv(order: Order, *, delimiter: str = ",", decimal_comma: bool = False) -> str:
    """The order as CSV: a header row, then one row per line."""
    def number(value) -> str:
        text = f"{value:.2f}" if not isinstance(value, str) else value
        return text.replace(".", ",") if decimal_comma else text

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for index, line in enumerate(order.lines, start=1):
        writer.writerow([order.po_number, index, line.buyer_sku, line.sku, line.description,
                         number(str(line.quantity)), line.uom, number(line.unit_price), number(line.amount),
                         order.currency,
                         printed_date(order, order.requested_date), order.ship_to])
    return out.getvalue()


def po_pdf(order: Order) -> bytes:
    """The order as a one- or multi-page PDF with a ruled line table."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8, leading=10)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=letter, title=f"Purchase Order {order.po_number}", invariant=1,
                            leftMargin=0.6 * inch, rightMargin=0.6 * inch, topMargin=0.6 * inch)
    header = [
        ["PO Number:", order.po_number, "Order Date:", printed_date(order, order.order_date)],
        ["Buyer:", f"{order.buyer_name} <{order.buyer_email}>", "Deliver By:",
         printed_date(order, order.requested_date) or "ASAP"],
        ["Ship To:", order.ship_to, "Currency:", order.currency],
        ["Vendor:", VENDOR, "", ""],
    ]
    rows = [["Line", "Buyer Item", "Supplier Item", "Description", "Qty", "UOM", "Unit Price", "Amount"]]
    for index, line in enumerate(order.lines, start=1):
        rows.append([str(index), line.buyer_sku, line.sku, Paragraph(line.description, cell),
                     str(line.quantity), line.uom, f"{line.unit_price:,.2f}", f"{line.amount:,.2f}"])
    rows.append(["", "", "", "", "", "", "Total", f"{order.total:,.2f}"])
    table = Table(rows, colWidths=[0.4 * inch, 0.9 * inch, 0.9 * inch, 2.4 * inch, 0.5 * inch, 0.45 * inch,
                                   0.8 * inch, 0.9 * inch], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -2), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
        ("FONTNAME", (-2, -1), (-1, -1), "Helvetica-Bold"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    head = Table(header, colWidths=[0.9 * inch, 3.6 * inch, 0.9 * inch, 1.5 * inch])
    head.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9), ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                              ("FONTNAME", (2, 0), (2, -1), "Helvetica-Bold")]))
    story = [Paragraph(f"{order.customer_name}", styles["Title"]), Paragraph("PURCHASE ORDER", styles["Heading2"]),
             head, Spacer(1, 0.25 * inch), table, Spacer(1, 0.3 * inch),
             Paragraph("Please confirm this order within 24 hours. Reference the PO number on every invoice.",
                       styles["BodyText"])]
    doc.build(story)
    return buffer.getvalue()


def po_xlsx(order: Order) -> bytes:
    """The order as a spreadsheet: a header block above the line table, as buyers' ERPs export it.

    From the buyer's side, "Our Item" is the buyer's number and "Your Item" is ours.
    """
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Purchase Order"
    sheet.append([f"{order.customer_name} - Purchase Order"])
    sheet.append([])
    sheet.append(["PO Number", order.po_number])
    sheet.append(["Order Date", order.order_date])
    sheet.append(["Delivery Date", order.requested_date])
    sheet.append(["Ship To", order.ship_to])
    sheet.append(["Currency", order.currency])
    sheet.append([])
    sheet.append(["Line", "Our Item", "Your Item", "Description", "Qty", "UOM", "Unit Price", "Amount"])
    for index, line in enumerate(order.lines, start=1):
        sheet.append([index, line.buyer_sku, line.sku, line.description, line.quantity, line.uom,
                      line.unit_price, line.amount])
    for row in sheet.iter_rows(min_row=4, max_row=5, min_col=2, max_col=2):
        row[0].number_format = "mm/dd/yyyy" if order.currency == "USD" else "dd.mm.yyyy"
    # Fixed document times, so the same order gives the same bytes.
    book.properties.created = datetime.combine(order.order_date, datetime.min.time())
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_times(buffer.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """Rewrite an XLSX with fixed times: openpyxl stamps the current time on every zip member
    and on the "modified" property whatever the workbook says."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                created = re.search(rb"<dcterms:created[^>]*>([^<]*)", content).group(1)
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", lambda m: m.group(1) + created, content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()
