"""Order lines from text: the one reader every source ends in.

An email body, an HTML table, a CSV or XLSX sheet and a PDF laid out as text all become
a list of text lines here. Three shapes of order line are recognised:

- tables: a header row ("Item  Description  Qty  Price") and rows under it, with cells
  separated by tabs, pipes, or aligned with spaces (then cells go to the header cell
  they sit under);
- "50 x NW-4410 Widget @ 18.75" lines (and "NW-4410 ... qty 50 @ 18.75");
- "key: value" blocks, one field a line ("Item: NW-4410", "Qty: 24", "Price: 18.75").

Each recognised line is a ``RawLine`` (raw.py): the text of each field as printed, still
to be read as numbers by ``build``. Tables are read in tables.py, sentences and key/value
fields in written_lines.py.
"""

from inbox_parsers.purchase_orders.raw import RawLine
from inbox_parsers.purchase_orders.tables import Table, find_tables
from inbox_parsers.purchase_orders.written_lines import inline_lines, key_value_lines


def order_lines(lines: list[str]) -> tuple[list[RawLine], list[Table]]:
    """All order lines in ``lines`` (tables first, then sentence and key/value lines
    outside the tables), and the tables found."""
    tables = find_tables(lines)
    used = {i for t in tables for i in range(t.header_index, t.end_index)}
    raw = [row for t in tables for row in t.rows]
    if not raw:
        raw = inline_lines(lines, used)
        used |= {r.line_index for r in raw}
        raw += key_value_lines(lines, used)
    return sorted(raw, key=lambda r: r.line_index), tables
