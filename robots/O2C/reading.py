"""Keywords that read a screen: a field, a table as rows of dictionaries, a check of what a field shows."""

import time

from robots.O2C.base import LibraryComponent, keyword

# Reads an HTML table or an ARIA grid: the header texts, then one list of cell texts per data
# row (an input in a cell gives its value). Rows without data cells (header rows) are skipped.
READ_TABLE = """
table => {
  const text = cell => {
    const field = cell.querySelector('input:not([type=checkbox]):not([type=radio]), select, textarea');
    const value = field ? (field.tagName === 'SELECT' ? (field.selectedOptions[0] || {}).text || '' : field.value)
                        : cell.innerText;
    return (value || '').replace(/\\s+/g, ' ').trim();
  };
  const rows = Array.from(table.querySelectorAll('tr, [role=row]'))
    .filter(row => row.closest('table, [role=grid], [role=table], [role=treegrid]') === table);
  let header = [];
  const data = [];
  for (const row of rows) {
    const heads = Array.from(row.querySelectorAll('th, [role=columnheader]'));
    const cells = Array.from(row.querySelectorAll('td, [role=cell], [role=gridcell]'));
    if (heads.length && !cells.length && !header.length) { header = heads.map(text); continue; }
    if (cells.length) data.push(cells.map(text));
  }
  return {header, data};
}
"""


class ReadingKeywords(LibraryComponent):
    """Read what a screen shows, and check it."""

    @keyword("Read Field")
    def read_field(self, element: str, **values) -> str:
        """Returns what ``element`` shows: a field's value, a list's chosen option, or an element's text.

        | ${number}= | Read Field | order_number |
        """
        return _shown(self.ctx.find(element, values, reading=True))

    @keyword("Read Table")
    def read_table(self, element: str, **values) -> list[dict]:
        """Returns the data rows of the table ``element`` as dictionaries keyed by the column headers.

        Columns without a header are keyed ``column 1``, ``column 2``... A row with fewer
        cells than headers (a "No data" row spanning the table) is left out.

        | ${rows}= | Read Table | results |
        | FOR | ${row} | IN | @{rows} |
        |     | Log | ${row}[Customer PO] |
        """
        table = self.ctx.find(element, values, reading=True)
        read = table.evaluate(READ_TABLE)
        header = read["header"]
        rows = []
        for cells in read["data"]:
            if header and len(cells) < len(header):
                continue
            keys = [header[i] if i < len(header) and header[i] else f"column {i + 1}" for i in range(len(cells))]
            rows.append(dict(zip(keys, cells)))
        self.info(f"{len(rows)} row(s) in {element}")
        return rows

    @keyword("Field Should Be")
    def field_should_be(self, element: str, expected: str, **values) -> None:
        """Checks that ``element`` shows ``expected`` (spaces at the ends ignored), waiting up to the timeout.

        | Field Should Be | status_bar | Sales order ${number} saved |
        """
        locator = self.ctx.find(element, values, reading=True)
        wanted = " ".join(str(expected).split())
        deadline = time.monotonic() + self.ctx.timeout
        while True:
            shown = " ".join(_shown(locator).split())
            if shown == wanted:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{element} should be {wanted!r} but is {shown!r}.")
            self.ctx._need_page().wait_for_timeout(100)


def _shown(locator) -> str:
    tag = locator.evaluate("e => e.tagName")
    if tag == "SELECT":
        return locator.evaluate("e => (e.selectedOptions[0] || {}).text || ''")
    if tag in ("INPUT", "TEXTAREA"):
        return locator.input_value()
    return " ".join(locator.inner_text().split())
