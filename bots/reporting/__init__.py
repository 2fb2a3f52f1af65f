"""``o2c report``: the order-to-cash numbers, built in or defined by a business user in YAML.

::

    tables = build_report(session, date(2026, 9, 1), date(2026, 11, 30), now, builtin_definitions())
    html = to_html(tables, start, end, now)        # with server-drawn SVG charts
    write_csv(tables, Path("out/"))                # one CSV per table

Definitions and measures: ``measures``. Charts: ``svg``. The scheduled mail of the report:
``mail.run_report_mail`` (``o2c run report-mail``).
"""

import csv
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from bots.reporting.measures import Definition, ReportError, Table, read_facts, run_report

BUILTIN = Path(__file__).resolve().parent / "builtin.yaml"
TEMPLATES = Path(__file__).resolve().parent / "templates"

__all__ = ["BUILTIN", "Definition", "ReportError", "Table", "build_report", "builtin_definitions", "load_definitions",
           "to_html", "write_csv"]


def load_definitions(path: str | Path) -> list[Definition]:
    """The reports of a YAML file: ``reports: [...]``, a list, or one report.

    :raises ReportError: unreadable YAML or a definition that names what to fix.
    """
    path = Path(path)
    if not path.is_file():
        raise ReportError(f"report definitions file {path} not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ReportError(f"{path} is not readable YAML: {error}")
    if isinstance(raw, dict) and "reports" in raw:
        raw = raw["reports"]
    entries = raw if isinstance(raw, list) else [raw]
    return [Definition.from_dict(entry, f"{path.name} report {n}") for n, entry in enumerate(entries, start=1)]


def builtin_definitions() -> list[Definition]:
    return load_definitions(BUILTIN)


def build_report(session, start: date, end: date, now: datetime, definitions: list[Definition]) -> list[Table]:
    if start > end:
        raise ReportError(f"the period starts ({start}) after it ends ({end})")
    facts = read_facts(session, start, end, now)
    return [run_report(definition, facts) for definition in definitions]


def _number(cell):
    try:
        return None if cell is None else Decimal(cell)
    except InvalidOperation:
        return None


def chart_svg(table: Table) -> str | None:
    """The picture of a table: a line per measure over the weeks, or a bar per group."""
    from bots.reporting.svg import bar_chart, line_chart

    if table.chart == "none" or not table.rows or table.group_by == "none":
        return None
    rows, name, skip = table.rows, table.name, 0
    if table.columns[0] == "currency":           # one currency per picture: amounts are never mixed
        skip = 1
        rows = [row for row in table.rows if row[0] == table.rows[0][0]]
        name = f"{table.name} ({table.rows[0][0]})"
    labels = [row[skip] for row in rows]
    measures = table.columns[skip + 1:]
    if table.chart == "line":
        return line_chart(name, labels, {column: [_number(row[skip + 1 + i]) for row in rows]
                                         for i, column in enumerate(measures)})
    return bar_chart(f"{name}: {measures[0]}", labels, [_number(row[skip + 1]) for row in rows])


def to_html(tables: list[Table], start: date, end: date, now: datetime, title: str = "Order-to-cash report") -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True))
    return environment.get_template("report.html.j2").render(
        title=title, start=start.isoformat(), end=end.isoformat(), made=now.strftime("%Y-%m-%d %H:%M UTC"),
        tables=[{"name": t.name, "columns": t.columns, "rows": t.rows, "svg": chart_svg(t)} for t in tables])


def write_csv(tables: list[Table], folder: str | Path) -> list[Path]:
    """One CSV per table, named after it (``receivables_by_week.csv``); return the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = folder / (re.sub(r"[^a-z0-9]+", "_", table.name.lower()).strip("_") + ".csv")
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.columns)
            writer.writerows([["" if cell is None else cell for cell in row] for row in table.rows])
        written.append(path)
    return written
