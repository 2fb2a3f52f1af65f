"""PDF item tables without ruling lines (inbox_parsers/purchase_orders/pdf_rows.py), on PDFs
drawn here with reportlab so each layout is exactly the one under test: labels stacked on
two lines, cells wrapped onto a second line with the other cells centred beside them, a
figure wrapped at its thousands space, and rows printed at one spacing that must stay apart."""

import io
from decimal import Decimal

from reportlab.pdfgen import canvas

from inbox_parsers.purchase_orders import orders_from_file
from inbox_parsers.purchase_orders.pdf_text import pdf_lines

# x of each column's left edge; the money columns are right-aligned at their right edge
_X = {"line": 40, "buyer": 70, "sku": 150, "description": 230, "qty": 380, "price_right": 470, "total_right": 550}


def _pdf(rows, header_lines, row_gap=22.0, line_gap=10.0) -> bytes:
    """A one-page PO; each row is {column: [text lines]}, cells centred vertically in the row."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(600, 800))
    page.setFont("Helvetica", 9)
    page.drawString(40, 760, "PURCHASE ORDER")
    page.drawString(40, 745, "PO Number: 7781234")
    page.drawString(40, 730, "Deliver by: 2026-12-09")
    y = 690.0
    for labels in header_lines:
        for column, text in labels.items():
            _draw(page, column, y, text)
        y -= line_gap
    y -= row_gap - line_gap
    for row in rows:
        height = max(len(lines) for lines in row.values())
        for column, lines in row.items():
            top = y - (height - len(lines)) * line_gap / 2
            for k, text in enumerate(lines):
                _draw(page, column, top - k * line_gap, text)
        y -= (height - 1) * line_gap + row_gap
    _draw(page, "price_right", y, "Subtotal")
    page.save()
    return buffer.getvalue()


def _draw(page, column, y, text):
    if column.endswith("_right"):
        page.drawRightString(_X[column], y, text)
    else:
        page.drawString(_X[column], y, text)


def _lines(order):
    return [(line["sku"], line["quantity"], line["unit_price"]) for line in order["lines"]]


def test_wrapped_cells_and_stacked_labels_make_one_row_each():
    header = [{"buyer": "Buyer Part", "sku": "Supplier Part", "price_right": "Unit", "total_right": "Extended"},
              {"line": "Ln", "buyer": "Number", "sku": "#", "description": "Description", "qty": "Qty",
               "price_right": "Price", "total_right": "Amount"}]
    rows = [
        {"line": ["1"], "buyer": ["990012"], "sku": ["AC-30-", "988"], "description": ["Industrial Floor", "Squeegee"],
         "qty": ["197"], "price_right": ["3,335.11"], "total_right": ["657,016.67"]},
        {"line": ["2"], "buyer": ["990013"], "sku": ["PX2674B"], "description": ["Thermal Label"],
         "qty": ["2", "500"], "price_right": ["4.20"], "total_right": ["10,500.00"]},
        {"line": ["3"], "buyer": ["990014"], "sku": ["NW-4410"], "description": ["Nitrile Gloves, box", "of 100"],
         "qty": ["12", "CS"], "price_right": ["18.75", "USD"], "total_right": ["225.00"]},
    ]
    [order] = orders_from_file("PO7781234.pdf", _pdf(rows, header))
    assert order["po_number"] == "7781234"
    assert _lines(order) == [("AC-30-988", "197", "3335.11"), ("PX2674B", "2500", "4.20"), ("NW-4410", "12", "18.75")]
    assert order["lines"][0]["description"] == "Industrial Floor Squeegee"
    assert order["lines"][2]["description"] == "Nitrile Gloves, box of 100"


def test_rows_printed_at_one_spacing_are_not_joined():
    header = [{"line": "Ln", "sku": "Item", "description": "Description", "qty": "Qty",
               "price_right": "Unit Price", "total_right": "Total"}]
    rows = [{"line": [str(n)], "sku": [f"KL-{4000 + n}"], "description": [f"Hex Bolt M{n}"], "qty": [str(10 * n)],
             "price_right": [f"{n}.50"], "total_right": [f"{10 * n * (n + 0.5):,.2f}"]} for n in range(1, 5)]
    data = _pdf(rows, header, row_gap=10.0, line_gap=10.0)
    [order] = orders_from_file("PO7781234.pdf", data)
    assert _lines(order) == [(f"KL-{4000 + n}", str(10 * n), f"{n}.50") for n in range(1, 5)]
    assert sum(Decimal(line["quantity"]) for line in order["lines"]) == 100
    text = "\n".join(pdf_lines(data))
    assert "KL-4001" in text and "Subtotal" in text


def test_labels_printed_close_together_are_told_apart_by_their_gaps():
    """"Buyer Part No" and "Item #" a little more than a space apart: two columns, and ours is "Item #"."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(600, 800))
    page.setFont("Helvetica", 9)
    page.drawString(40, 760, "PO Number: 7781235")
    space = page.stringWidth(" ", "Helvetica", 9)
    x = 40 + page.stringWidth("Buyer Part No", "Helvetica", 9) + 1.8 * space
    page.drawString(40, 700, "Buyer Part No")
    page.drawString(x, 700, "Item #")
    page.drawString(220, 700, "Description")
    page.drawString(380, 700, "Qty")
    page.drawString(430, 700, "Price")
    for k, (buyer, sku, qty) in enumerate([("778899", "BR-2638", "230"), ("778900", "HX-5199", "15")]):
        y = 680 - 30 * k
        page.drawString(40, y + 5, buyer)
        page.drawString(x, y + 5, sku)
        page.drawString(220, y + 10, "Ball Valve")
        page.drawString(220, y, "1/2in brass")
        page.drawString(380, y + 5, qty)
        page.drawString(430, y + 5, "466.53")
    page.save()
    [order] = orders_from_file("PO7781235.pdf", buffer.getvalue())
    assert _lines(order) == [("BR-2638", "230", "466.53"), ("HX-5199", "15", "466.53")]
    assert order["lines"][0]["description"] == "Ball Valve 1/2in brass"
