"""Hand-written emails in the shapes real customers send (tests/data/order_emails/), each
named after what it guards, with the orders a clerk would key from it."""

from pathlib import Path

import pytest

from inbox_parsers.email import parse_email

SAMPLES = Path(__file__).parent / "data" / "order_emails"


def _lines(*rows):
    return [{"sku": sku, "description": description, "quantity": quantity, "unit_price": price}
            for sku, description, quantity, price in rows]


EXPECTED = {
    "plain_aligned_table_us": {
        "po_number": "PO-77812", "requested_date": "2026-12-03", "customer": {"name": "Sun Valley Markets", "email": "mgonzalez@sunvalleymarkets.com"},
        "ship_to": "Sun Valley Markets #14, 2200 W Main St, Boise ID 83702", "source": "body",
        "lines": _lines(("NW-1001", "Napkins white 2-ply 500ct", "12", "24.50"), ("NW-2040", "Foam cups 16oz (case)", "6", "38.00"),
                        ("NW-3312B", "Deli container 32oz", "24", "19.75"))},
    "html_german_qp_latin1": {
        "po_number": "4711-2026", "requested_date": "2026-12-04", "customer": {"name": "Bäckerei Hofmann GmbH", "email": "einkauf@baeckerei-hofmann.de"},
        "ship_to": "Bäckerei Hofmann GmbH, Hauptstraße 5, 80331 München", "source": "body",
        "lines": _lines(("MX-405", "Weizenmehl Type 405, 25 kg", "40", "18.90"), ("ZK-100", "Zucker fein, 25 kg", "12", "21.40"))},
    "typed_lines_no_prices_yearless_date": {
        "po_number": "HC-2291", "requested_date": "2026-12-04", "customer": {"name": "Harbor Cafe Ltd", "email": "tom.reed@harborcafe.co.uk"},
        "ship_to": None, "source": "body",
        "lines": _lines(("CF-220", "espresso beans 1kg", "10", None), ("ML-010", "oat milk 1L case", "4", None), ("SG-77", "sugar sticks box", "2", None))},
    "procurement_system_auto_generated": {
        "po_number": "4500098123", "requested_date": "2026-12-08", "customer": {"name": "Lakeside Foods Inc.", "email": "noreply@coupahost.com"},
        "ship_to": "Lakeside Foods DC, 400 Lake Shore Dr, Chicago, IL 60611", "source": "body",
        "lines": _lines(("NW-4410", "Widget blue", "24", "18.75"), ("AB-100", "Olive oil 5L", "1200", "4.50"))},
    "outlook_html_forward": {
        "po_number": "88123", "requested_date": "2026-12-05", "customer": {"name": "Pinecrest Grocers", "email": "jane.doe@pinecrest-grocers.com"},
        "ship_to": None, "source": "body", "lines": _lines(("NW-4410", "", "24", "18.75"), ("AB-100", "", "10", "4.50"))},
    "csv_semicolon_title_block_austria": {
        "po_number": "B-2026-1187", "requested_date": "2026-12-03", "customer": {"name": "Alpenfrisch Handels GmbH", "email": "dispo@alpenfrisch.at"},
        "ship_to": None, "source": "attachment Bestellung_20261125.csv",
        "lines": _lines(("NW-4410", "Widget blau", "24", "18.75"), ("AB-100", "Olivenöl 5L", "1200", "4.50"))},
    "tab_separated_body": {
        "po_number": "5512", "requested_date": "2026-12-10", "customer": {"name": "Acme Tools Inc", "email": "buyer@acme-tools.com"},
        "ship_to": None, "source": "body", "lines": _lines(("NW-4410", "Widget", "24", "18.75"), ("AB-100", "Oil", "10", "4.50"))},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_order(name):
    result = parse_email((SAMPLES / f"{name}.eml").read_bytes())
    assert result["status"] == "order"
    [order] = result["orders"]
    view = {k: order[k] for k in ("po_number", "requested_date", "customer", "ship_to", "source")}
    view["lines"] = [{k: line[k] for k in ("sku", "description", "quantity", "unit_price")} for line in order["lines"]]
    assert view == EXPECTED[name]


def test_invoice_query_with_a_table_of_lines_is_not_an_order():
    result = parse_email((SAMPLES / "invoice_query_with_lines.eml").read_bytes())
    assert (result["status"], result["reason"], result["orders"]) == ("not_order", "invoice query", [])


def test_every_sample_is_checked():
    assert {p.stem for p in SAMPLES.glob("*.eml")} == set(EXPECTED) | {"invoice_query_with_lines"}
