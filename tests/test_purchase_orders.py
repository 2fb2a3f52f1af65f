"""Purchase-order files and text: columns, labels, numbers, and each file kind."""

import io
import random

import pytest

from inbox_parsers.errors import InputError
from inbox_parsers.purchase_orders import orders_from_file, orders_from_html, orders_from_text, price_text, quantity_text
from inbox_parsers.purchase_orders.columns import column_role, pick_sku_column
from inbox_parsers.purchase_orders.labels import find_po_number, find_requested_date, find_ship_to


@pytest.mark.parametrize("header, role", [
    ("Qty", "quantity"), ("Order Qty", "quantity"), ("Menge", "quantity"), ("Unit Price (USD)", "unit_price"),
    ("Price each", "unit_price"), ("Ext. Price", "amount"), ("Line total", "amount"), ("Description of goods", "description"),
    ("Your item", "sku"), ("Supplier Part #", "sku"), ("Vendor part", "sku"), ("Mfr Part", "mfr_sku"), ("Vendor Part (VP)", "sku"), ("Item/Supplier Item", "sku"),
    ("Our item", "buyer_sku"), ("Buyer Part", "buyer_sku"), ("Customer SKU", "buyer_sku"),
    ("Item code", "item"), ("SKU", "item"), ("Part No.", "item"), ("UOM", "uom"), ("PO Number", "po_number"),
    ("Delivery date", "line_date"), ("Thank you for your order", None),
])
def test_column_roles(header, role):
    assert column_role(header) == role


def test_ours_wins_over_the_buyers_item_number():
    assert pick_sku_column(["item", "sku", "description"]) == 1
    assert pick_sku_column(["buyer_sku", "item", "quantity"]) == 1
    assert pick_sku_column(["buyer_sku", "quantity"]) == 0


@pytest.mark.parametrize("line, po", [
    ("PO#: 88123", "88123"), ("Purchase Order No. 4500012345", "4500012345"), ("Order number: PO-2026-0142", "PO-2026-0142"),
    ("Your PO 7781 is late", "7781"), ("P.O. Box 4410, Reno", None), ("Order date: 11/20/2026", None), ("PO-2026-0142", "PO-2026-0142"),
])
def test_po_number_without_its_label(line, po):
    assert find_po_number([line]) == po


def test_requested_date_is_never_the_order_date():
    lines = ["Order date: 11/20/2026", "Payment due date: 12/20/2026", "Please deliver by 12/05/2026."]
    assert find_requested_date(lines) == "12/05/2026"
    assert find_requested_date(["Order date: 11/20/2026", "Date: 11/21/2026"]) is None


def test_ship_to_block_beside_other_fields_is_one_line():
    lines = ["Ship to:                       PO Number: 88123",
             "Dock 4                         Order date: 11/20/2026",
             "88 Harbor Rd                   Deliver by: 12/05/2026",
             "Savannah GA 31401", ""]
    assert find_ship_to(lines) == "Dock 4, 88 Harbor Rd, Savannah GA 31401"


@pytest.mark.parametrize("text, comma, expected", [("1,200", None, "1200"), ("2,5", True, "2.5"), ("24.00", False, "24"),
                                                    ("24 EA", None, "24"), ("1.000", True, "1000")])
def test_quantity_text(text, comma, expected):
    assert quantity_text(text, comma) == expected


@pytest.mark.parametrize("text, comma, expected", [("$1,234.5", None, "1234.50"), ("18,75 €", True, "18.75"),
                                                    ("EUR 1.234,50", True, "1234.50"), ("18.75/ea", None, "18.75")])
def test_price_text(text, comma, expected):
    assert price_text(text, comma) == expected


def test_plain_text_aligned_table_with_header_fields():
    text = """PO Number: 4500012345
Order date: 11/20/2026
Requested delivery: 12/05/2026

Line  Our item  Your item  Description            Qty   Unit Price    Amount
   1  C100234   NW-4410    Widget, blue            24       $18.75    $450.00
   2  C100235   AB-100     Olive oil 5L         1,200        $4.50  $5,400.00
                                                          Total     $5,850.00
"""
    [order] = orders_from_text(text)
    assert order["po_number"] == "4500012345" and order["requested_date"] == "2026-12-05"
    assert [(l["sku"], l["quantity"], l["unit_price"]) for l in order["lines"]] == [("NW-4410", "24", "18.75"), ("AB-100", "1200", "4.50")]


def test_html_table_with_key_value_rows():
    html = """<table><tr><td>PO Number</td><td>77-812</td></tr><tr><td>Needed by</td><td>05.12.2026</td></tr></table>
    <table><tr><th>Article</th><th>Bezeichnung</th><th>Menge</th><th>Preis</th></tr>
    <tr><td>NW-4410</td><td>Widget</td><td>2,5</td><td>1.234,50</td></tr></table>"""
    [order] = orders_from_html(html)
    assert order["po_number"] == "77-812" and order["requested_date"] == "2026-12-05"
    assert order["lines"] == [{"sku": "NW-4410", "description": "Widget", "quantity": "2.5", "unit_price": "1234.50"}]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("charset", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_any_delimiter_and_charset(delimiter, charset):
    rows = [["Vendor part", "Customer SKU", "Désignation", "Qty", "Unit price"],
            ["NW-4410", "C-1", "Crème fraîche", "24", "18.75"], ["AB-100", "C-2", "Olive oil", "2.5", "1234.50"]]
    data = "\r\n".join(delimiter.join(r) for r in rows).encode(charset)
    [order] = orders_from_file("PO4711.csv", data)
    assert order["po_number"] == "4711" and order["source"] == "attachment PO4711.csv"
    assert order["lines"] == [
        {"sku": "NW-4410", "description": "Crème fraîche", "quantity": "24", "unit_price": "18.75"},
        {"sku": "AB-100", "description": "Olive oil", "quantity": "2.5", "unit_price": "1234.50"}]


def test_csv_with_a_po_column_gives_one_order_per_po():
    data = b"PO,Item,Qty,Price,Delivery date\n111,AB-1,1,1.00,2026-12-01\n222,AB-2,2,2.00,2026-12-02\n111,AB-3,3,3.00,2026-12-01\n"
    orders = orders_from_file("export.csv", data)
    assert [(o["po_number"], o["requested_date"], [l["sku"] for l in o["lines"]]) for o in orders] == [
        ("111", "2026-12-01", ["AB-1", "AB-3"]), ("222", "2026-12-02", ["AB-2"])]


def test_xlsx_with_key_value_block_and_excel_dates():
    from tests.generators.order_emails import Customer, _order, _xlsx_bytes

    rng = random.Random(7)
    customer = Customer("Pinecrest Grocers", "pinecrest.com", "Jane Doe", "US", "USD", "Jane Doe", "jane@pinecrest.com")
    order = _order(rng, customer)
    [parsed] = orders_from_file("po.xlsx", _xlsx_bytes(rng, order, customer))
    assert parsed["po_number"] == order.po_number
    assert parsed["requested_date"] == (order.requested_date.isoformat() if order.requested_date else None)
    assert [l["sku"] for l in parsed["lines"]] == [l.sku for l in order.lines]
    assert parsed["customer"]["name"] == "Pinecrest Grocers"


def test_pdf_purchase_order_takes_our_item_number():
    from tests.generators.order_emails import Customer, _order, _pdf_bytes

    for seed in range(6):
        rng = random.Random(seed)
        customer = Customer("Harbor Foods Ltd", "harbor.co.uk", "Tom Baker", "UK", "GBP", "Tom Baker", "tom@harbor.co.uk")
        order = _order(rng, customer)
        [parsed] = orders_from_file("PO.pdf", _pdf_bytes(rng, order, customer, "uk"))
        assert [l["sku"] for l in parsed["lines"]] == [l.sku for l in order.lines]
        assert parsed["po_number"] == order.po_number
        assert parsed["ship_to"] == (", ".join(order.ship_to) if order.ship_to else None)


@pytest.mark.parametrize("name, data, words", [
    ("PO.pdf", b"%PDF-1.4 garbage", "cannot be opened"),
    ("PO.xlsx", b"PK\x03\x04 garbage", "XLSX"),
    ("PO.zip", b"PK\x03\x04 garbage", "zip"),
    ("PO.xls", b"\xd0\xcf\x11\xe0 garbage", "old binary"),
    ("PO.csv", b"", "empty"),
    ("logo.png", b"\x89PNG\r\n", "not a kind"),
])
def test_unreadable_files_are_input_errors(name, data, words):
    with pytest.raises(InputError) as error:
        orders_from_file(name, data)
    assert words in error.value.message


def test_pdf_without_text_layer_is_an_input_error():
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.rect(50, 50, 100, 100)
    c.showPage()
    c.save()
    with pytest.raises(InputError, match="no text layer"):
        orders_from_file("scan.pdf", buffer.getvalue())


def test_column_names_on_two_lines():
    text = """PO 4711
          Our       Your                               Unit
Line      Item      Item      Description     Qty      Price
1         C-100     NW-4410   Widget          24       18.75
"""
    assert orders_from_text(text)[0]["lines"] == [{"sku": "NW-4410", "description": "Widget", "quantity": "24", "unit_price": "18.75"}]


def test_table_typed_with_single_spaces():
    text = "PO 4711\nItem No. Description Qty Unit Price\nNW-4410 Widget blue 24 18.75\nAB-1 Olive oil 5L 1,200 4.50\n"
    assert [(l["sku"], l["description"], l["quantity"]) for l in orders_from_text(text)[0]["lines"]] == [
        ("NW-4410", "Widget blue", "24"), ("AB-1", "Olive oil 5L", "1200")]


def test_description_wrapped_onto_the_next_line_and_blank_lines_between_rows():
    text = """PO 4711
Item      Description                 Qty    Unit Price

NW-4410   Widget, blue with extra      24         18.75
          long name

AB-100    Olive oil 5L               1,200          4.50

Thanks"""
    assert [l["description"] for l in orders_from_text(text)[0]["lines"]] == ["Widget, blue with extra long name", "Olive oil 5L"]


def test_labels_above_values_in_a_header_box():
    text = """Pinecrest Grocers Inc. - Purchase Order
PO Number      Order Date     Delivery Date     Terms
4500012345     11/20/2026     12/05/2026        Net 30
Buyer:    Jane Doe <jane.doe@pinecrest-corp.com>

Item      Qty   Price
NW-4410    24   18.75
"""
    [order] = orders_from_text(text)
    assert (order["po_number"], order["requested_date"]) == ("4500012345", "2026-12-05")
    assert order["customer"] == {"name": "Pinecrest Grocers Inc.", "email": "jane.doe@pinecrest-corp.com"}


def test_excel_sep_hint_line_in_csv():
    [order] = orders_from_file("PO1.csv", b"sep=;\r\nItem;Qty;Price\r\nAB-1;2;3,50\r\n")
    assert order["lines"] == [{"sku": "AB-1", "description": "", "quantity": "2", "unit_price": "3.50"}]


def test_known_skus_flag_unknown_lines_in_files():
    [order] = orders_from_file("PO1.csv", b"Item,Qty,Price\nAB-1,2,3.50\nZZ-9,1,1.00\n", known_skus=frozenset({"AB-1"}))
    assert [l.get("unknown_sku", False) for l in order["lines"]] == [False, True]
    assert order["warnings"] == ["unknown SKU ZZ-9"]


def test_an_address_is_never_taken_for_the_requested_date():
    assert find_requested_date(["Deliver to: 12 May Street, Leeds", "Delivery address: 4 March Road"]) is None
    assert find_requested_date(["Need by: Dec 4th"]) == "Dec 4th"


@pytest.mark.parametrize("line, expected", [
    ("50 x NW-4410 Widget blue @ $18.75 each", ("NW-4410", "Widget blue", "50", "18.75")),
    ("- 12 cases of AB-100 (Olive oil) at 4,50 EUR/case", ("AB-100", "Olive oil", "12", "4.50")),
    ("Please send 24 pcs NW-4410 Widget", ("NW-4410", "Widget", "24", None)),
    ("Line 1: NW-4410 — Widget — Qty 24 — $18.75", ("NW-4410", "Widget", "24", "18.75")),
    ("SKU: NW-4410, Description: Widget, Qty: 24, Price: 18.75", ("NW-4410", "Widget", "24", "18.75")),
    ("KX-77 Big thing, qty 5 @ 12.00", ("KX-77", "Big thing", "5", "12.00")),
])
def test_order_lines_people_type(line, expected):
    [order] = orders_from_text("PO 1\n\n" + line + "\n")
    [parsed] = order["lines"]
    assert (parsed["sku"], parsed["description"], parsed["quantity"], parsed["unit_price"]) == expected


@pytest.mark.parametrize("line", ["We are available 24 x 7 at 555-0100", "Box 40 x 60 cm", "Please deliver by 12/05/2026"])
def test_sentences_that_are_no_order_lines(line):
    assert orders_from_text("PO 1\n\n" + line + "\n") == []


def test_damaged_files_are_input_errors_never_crashes():
    from tests.generators.order_emails import Customer, _csv_bytes, _order, _pdf_bytes, _xlsx_bytes

    rng = random.Random(11)
    customer = Customer("Harbor Foods Ltd", "harbor.co.uk", "Tom Baker", "UK", "GBP", "Tom Baker", "tom@harbor.co.uk")
    files = []
    for _ in range(3):
        order = _order(rng, customer)
        files += [("po.pdf", _pdf_bytes(rng, order, customer, "uk")), ("po.xlsx", _xlsx_bytes(rng, order, customer)),
                  ("po.csv", _csv_bytes(rng, order, customer, "uk")[0])]
    for _ in range(150):
        name, data = rng.choice(files)
        raw = bytearray(data)
        if rng.random() < 0.5:
            raw = raw[: rng.randrange(len(raw))]
        else:
            for _ in range(rng.randint(1, 30)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
        try:
            orders_from_file(name, bytes(raw))
        except InputError:
            pass


def test_pdf_printed_from_a_browser_with_centred_headers_and_wrapped_cells():
    """Chromium's print of an HTML PO: header names centred over left-aligned values and
    split over three lines, cells wrapped and centred vertically, numbers one space apart."""
    from pathlib import Path

    data = (Path(__file__).parent / "data" / "order_emails" / "po_chromium_centred_headers_wrapped_cells.pdf").read_bytes()
    [order] = orders_from_file("PO.pdf", data)
    assert (order["po_number"], order["requested_date"], order["customer"]["name"], order["ship_to"]) == (
        "4500077001", "2026-12-07", "Riverside Hardware Inc.", "Riverside Hardware DC, 77 River Rd, Tulsa OK 74103")
    contract_fields = ("sku", "description", "quantity", "unit_price")  # read as a grid, the UoM column comes along
    assert [{k: line[k] for k in contract_fields} for line in order["lines"]] == [
        {"sku": "NW-4410", "description": "Widget, blue", "quantity": "24", "unit_price": "18.75"},
        {"sku": "AB-100", "description": "Olive oil 5L, case of 4 bottles premium quality", "quantity": "1200", "unit_price": "4.50"},
        {"sku": "KX-77", "description": "Cable ties", "quantity": "2.5", "unit_price": "12.00"}]


def test_pdf_with_a_header_box_of_centred_labels_over_values():
    from pathlib import Path

    data = (Path(__file__).parent / "data" / "order_emails" / "po_chromium_header_box_labels_over_values.pdf").read_bytes()
    [order] = orders_from_file("PO.pdf", data)
    assert (order["po_number"], order["requested_date"], order["customer"]["name"], order["ship_to"]) == (
        "PO-2026-00417", "2026-12-02", "ACME RETAIL GROUP LLC", "Acme Store #112, 55 Elm Ave, Peoria IL 61602")
    assert [(l["sku"], l["quantity"], l["unit_price"]) for l in order["lines"]] == [("NW-4410", "36", "18.75"), ("AB-100", "12", "4.50")]


def test_pdf_table_with_cells_centred_vertically_and_german_labels():
    from pathlib import Path

    data = (Path(__file__).parent / "data" / "order_emails" / "po_reportlab_german_middle_aligned_wrapped_cells.pdf").read_bytes()
    [order] = orders_from_file("Bestellung.pdf", data)
    assert (order["po_number"], order["requested_date"], order["customer"]["name"], order["ship_to"]) == (
        "B-77001", "2026-12-03", "Nordhafen Handel GmbH", "Tor 3, Hafenstr. 1, 20457 Hamburg")
    assert order["lines"] == [
        {"sku": "NW-4410", "description": "Widget blue with a rather long description that wraps over lines", "quantity": "24", "unit_price": "18.75"},
        {"sku": "AB-100", "description": "Olive oil", "quantity": "1200", "unit_price": "4.50"},
        {"sku": "KX-77", "description": "Cable ties black 200mm, bag of 100 pieces, UV resistant", "quantity": "2.5", "unit_price": "12.00"}]


def test_the_suppliers_number_beats_the_manufacturers():
    assert pick_sku_column(["buyer_sku", "sku", "mfr_sku", "quantity"]) == 1
    assert pick_sku_column(["item", "mfr_sku", "quantity"]) == 1


# --- values a narrow PDF cell wrapped onto the next line (inbox_parsers/purchase_orders/pdf_wraps.py) ---

def _narrow_box_pdf(fields: list[list[str]], align: str) -> bytes:
    """A PO whose header box (x 430 to 555) prints each field's lines 12 pt apart, the way a
    narrow cell wraps them, aligned left, right or centred; then a plain item table."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(600, 800))
    page.setFont("Helvetica", 9)
    page.drawString(40, 760, "Pinecrest Grocers")
    draw = {"left": lambda y, text: page.drawString(430, y, text),
            "right": lambda y, text: page.drawRightString(555, y, text),
            "centre": lambda y, text: page.drawCentredString(492.5, y, text)}[align]
    y = 740
    for lines in fields:
        for text in lines:
            draw(y, text)
            y -= 12
    y -= 30
    for x, text in [(40, "Item"), (150, "Description"), (380, "Qty"), (470, "Unit Price")]:
        page.drawString(x, y, text)
    for x, text in [(40, "NW-4410"), (150, "Widget"), (380, "24"), (470, "18.75")]:
        page.drawString(x, y - 14, text)
    page.save()
    return buffer.getvalue()


@pytest.mark.parametrize("align", ["left", "right", "centre"])
@pytest.mark.parametrize("po_lines, po", [
    (["PO Number: PO/2026/", "118"], "PO/2026/118"),
    (["Bestell-Nr.: BE-26-", "00077"], "BE-26-00077"),
    (["Order No.: 2026-", "4471"], "2026-4471"),
    (["PO Number: 4500012345"], "4500012345"),
    (["Purchase Order No.:", "4500012345"], "4500012345"),  # the whole value under its label
])
@pytest.mark.parametrize("date_lines, requested", [
    (["Requested Ship Date: 2027-01-", "13"], "2027-01-13"),
    (["Need By: 01/13/", "2027"], "2027-01-13"),
    (["Deliver By: January 13,", "2027"], "2027-01-13"),
    (["Required Date: 13", "January 2027"], "2027-01-13"),
    (["Delivery Date: 13-Jan-", "2027"], "2027-01-13"),
    (["Need By:", "01/13/2027"], "2027-01-13"),
])
def test_a_value_wrapped_inside_its_cell_is_joined_from_word_positions(align, po_lines, po, date_lines, requested):
    fields = [po_lines, ["Order Date: 2026-11-20"], date_lines, ["Terms: Net 30"], ["Ship To: 88 Harbor Rd,", "Savannah GA 31401"]]
    [order] = orders_from_file("PO.pdf", _narrow_box_pdf(fields, align))
    assert (order["po_number"], order["requested_date"]) == (po, requested)
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in order["lines"]] == [("NW-4410", "24", "18.75")]


@pytest.mark.parametrize("align", ["left", "right", "centre"])
def test_the_next_field_and_an_address_line_are_not_joined_to_a_value(align):
    from inbox_parsers.purchase_orders.pdf_text import pdf_lines

    fields = [["PO Number: 4711"], ["Terms: Net 30"], ["Need By: 2027-01-13"], ["4 pallets max."], ["Ship To: Dock 4"],
              ["Savannah GA 31401"]]
    lines = [" ".join(line.split()) for line in pdf_lines(_narrow_box_pdf(fields, align)) if line.strip()]
    assert lines[1:7] == ["PO Number: 4711", "Terms: Net 30", "Need By: 2027-01-13", "4 pallets max.", "Ship To: Dock 4",
                          "Savannah GA 31401"]


# --- the parsers are a layer of their own: they import nothing of bots -------------------------------

def test_inbox_parsers_imports_nothing_of_bots():
    """No module of inbox_parsers names bots in an import, at the top or inside a function,
    and importing every one of them in a fresh interpreter loads no bots module."""
    import ast
    import subprocess
    import sys
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "inbox_parsers"
    offending = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            offending += [f"{path.relative_to(package)}:{node.lineno} {name}" for name in names
                          if name == "bots" or name.startswith("bots.")]
    assert offending == []
    modules = sorted(".".join(p.relative_to(package.parent).with_suffix("").parts).removesuffix(".__init__")
                     for p in package.rglob("*.py"))
    code = ("import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
            + "print(sorted(m for m in sys.modules if m == 'bots' or m.startswith('bots.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=package.parent).stdout.strip()
    assert loaded == "[]"


def test_the_bots_catch_the_parsers_input_error():
    from bots.runtime.errors import InputError as BotsInputError
    from inbox_parsers.errors import InputError as ParsersInputError

    assert BotsInputError is ParsersInputError
    with pytest.raises(BotsInputError, match="cannot be opened"):
        orders_from_file("PO.pdf", b"%PDF-1.4 garbage")
    from bots.runtime.errors import O2CError

    assert issubclass(ParsersInputError, O2CError)  # caught wherever the bots catch their own errors
