"""The sandbox world's order mailbox and portal PO files (written by sandbox/documents, a
different writer than tests/generators) parse to exactly the world's orders."""

from decimal import Decimal

import pytest

from inbox_parsers.email import parse_email
from inbox_parsers.purchase_orders import orders_from_file
from sandbox.documents.emails import email_message
from sandbox.documents.purchase_order import po_csv, po_pdf, po_xlsx
from sandbox.scenario import generate_world


def _truth(order) -> dict:
    return {"po_number": order.po_number, "requested_date": order.requested_date.isoformat() if order.requested_date else None,
            "ship_to": order.ship_to,
            "lines": [(l.sku, l.description, format(Decimal(l.quantity).normalize(), "f"), f"{l.unit_price:.2f}") for l in order.lines]}


def _view(order: dict) -> dict:
    return {"po_number": order["po_number"], "requested_date": order["requested_date"], "ship_to": order["ship_to"],
            "lines": [(l["sku"], l["description"], l["quantity"], l["unit_price"]) for l in order["lines"]]}


@pytest.fixture(scope="module")
def worlds():
    return [generate_world(seed) for seed in (11, 12)]


def test_mailbox_emails(worlds):
    checked = 0
    for world in worlds:
        for spec in world.emails:
            result = parse_email(email_message(spec, world))
            expected = [world.order(po) for po in spec.po_numbers]
            assert result["status"] == ("order" if expected else "not_order"), spec.form
            assert [_view(o) for o in result["orders"]] == [_truth(o) for o in expected], spec.form
            for order, truth in zip(result["orders"], expected):
                assert order["customer"] == {"name": truth.customer_name, "email": truth.buyer_email}, spec.form
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("kind", ["csv", "csv_european", "pdf", "xlsx"])
def test_portal_files(worlds, kind):
    for world in worlds:
        for order in world.portal_orders()[:6]:
            data = {"csv": lambda: po_csv(order).encode(), "csv_european": lambda: po_csv(order, delimiter=";", decimal_comma=True).encode("cp1252"),
                    "pdf": lambda: po_pdf(order), "xlsx": lambda: po_xlsx(order)}[kind]()
            parsed = orders_from_file(f"PO{order.po_number}.{kind.split('_')[0]}", data)
            assert [_view(o) for o in parsed] == [_truth(order)]
