"""``o2c report``: aging, DSO, CEI, auto-match and touchless rates, exception aging, bot throughput;
and ``o2c run report-mail``, the report mailed to a list."""

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import typer

from bots.cli.main import app, run_app


@app.command("report")
def report(
    start: str = typer.Option(None, "--from", metavar="YYYY-MM-DD", help="First day (default: 29 days before --to)."),
    end: str = typer.Option(None, "--to", metavar="YYYY-MM-DD", help="Last day (default: today, UTC)."),
    html: Path = typer.Option(None, "--html", help="Also write the report as an HTML page with charts."),
    csv_dir: Path = typer.Option(None, "--csv", help="Also write one CSV per table into this folder."),
    definitions: list[Path] = typer.Option(None, "--definition", help="A YAML file of your own reports "
                                           "(instead of the built-in ones; repeat for several)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """The order-to-cash numbers for a period: receivables (aging, DSO, count-back DSO, CEI, days to
    pay), cash auto-match rate, touchless order rate, exception aging, bot throughput and failure rates.

    Business users' own reports (measures, grouping by customer, bot, reason, week, filters) are
    YAML files given with --definition, run like the built-in ones.
    """
    from bots.cli.output import print_json, print_table
    from bots.reporting import ReportError, build_report, builtin_definitions, load_definitions, to_html, write_csv

    now = datetime.now(timezone.utc)
    try:
        last = _day(end, "--to") or now.date()
        first = _day(start, "--from") or last - timedelta(days=29)
        chosen = [d for path in definitions for d in load_definitions(path)] if definitions else builtin_definitions()
        with _sessions()() as session:
            tables = build_report(session, first, last, now, chosen)
    except (ReportError, ValueError) as error:
        if as_json:
            print_json({"error": str(error), "file": None}, indent=None)
        else:
            typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(to_html(tables, first, last, now), encoding="utf-8")
    if csv_dir is not None:
        write_csv(tables, csv_dir)
    if as_json:
        print_json({"from": first.isoformat(), "to": last.isoformat(),
                    "reports": [{"name": t.name, "columns": t.columns, "rows": t.rows} for t in tables]})
        return
    for table in tables:
        title = f"{table.name} ({first.isoformat()} to {last.isoformat()})"
        shown = [[("n/a" if cell is None else cell) for cell in row] for row in table.rows]
        if table.group_by == "none":
            # One row of many measures reads better turned on its side: a measure per line.
            heads = [row[0] for row in shown] if table.columns[0] == "currency" else ["value"]
            skip = 1 if table.columns[0] == "currency" else 0
            print_table(title, ["measure", *heads], [[name, *[row[skip + i] for row in shown]]
                                                     for i, name in enumerate(table.columns[skip:])], right=set(heads))
        else:
            print_table(title, table.columns, shown, right=set(table.columns[1:]))


@run_app.command("report-mail")
def report_mail(
    once: bool = typer.Option(True, "--once", help="One run (always; for the scheduler)."),
    day: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Last day of the report (default today)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Mail the report (HTML page attached, CSVs too) to the list in bots.report-mail, once per day."""
    from bots.cli.intake import _configured, _report, _running, _settings
    from bots.reporting.mail import run_report_mail

    last = _configured(lambda: _day(day, "--date"))
    settings = _configured(_settings)
    _report("report-mail", _running(lambda: run_report_mail(settings, end=last)), as_json)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a date; use the format YYYY-MM-DD") from None


def _sessions():
    from sqlalchemy.orm import sessionmaker

    from bots.runtime.config import load_settings
    from bots.runtime.store.engine import make_engine, upgrade

    engine = make_engine(load_settings().database_url)
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)
