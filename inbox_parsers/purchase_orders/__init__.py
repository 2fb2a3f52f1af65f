"""Customer purchase orders from any document they come in.

Usage::

    from inbox_parsers.purchase_orders import orders_from_file, orders_from_text

    orders = orders_from_file("PO4500012345.csv", data)       # CSV, XLSX, PDF, HTML, text
    orders = orders_from_text(body, source="body")             # a plain-text email body

Each order is a contract-2 order dict (``po_number``, ``requested_date``, ``customer``,
``ship_to``, ``source``, ``lines`` of ``sku``/``description``/``quantity``/``unit_price``)
plus ``warnings``. Every format becomes text lines first (``file_lines``); one reader
(``build.orders_from_lines``) then finds header fields and order lines in them.
With ``known_skus`` (the item master), lines whose SKU is not in it get
``"unknown_sku": true`` and a warning; parsing itself never depends on it.
"""

from inbox_parsers.purchase_orders.build import Hints, orders_from_lines, price_text, quantity_text
from inbox_parsers.purchase_orders.files import MAX_FILE_BYTES, file_lines, orders_from_file
from inbox_parsers.purchase_orders.html_text import html_lines


def orders_from_text(text: str, source: str = "body", known_skus: set[str] | None = None,
                     hints: Hints | None = None) -> list[dict]:
    """Orders written in plain text (aligned tables, "50 x SKU @ price" lines, key: value lines)."""
    return orders_from_lines(text.splitlines(), source, hints, known_skus)


def orders_from_html(html: str, source: str = "body", known_skus: set[str] | None = None,
                     hints: Hints | None = None) -> list[dict]:
    """Orders in an HTML document (tables, and text around them)."""
    return orders_from_lines(html_lines(html), source, hints, known_skus)


__all__ = [
    "Hints", "MAX_FILE_BYTES", "file_lines", "html_lines", "orders_from_file", "orders_from_html",
    "orders_from_lines", "orders_from_text", "price_text", "quantity_text",
]
