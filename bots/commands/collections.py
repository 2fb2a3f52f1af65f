"""``o2c run dunning`` and the collections commands (``o2c collections ...``)."""

from datetime import date

import typer

from bots.cli import app, run_app

collections_app = typer.Typer(help="Collections: open items, contacts, promises, cases, the worklist.",
                              no_args_is_help=True)
app.add_typer(collections_app, name="collections")


def _business_date(text: str | None, option: str = "--date") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a date; use the format YYYY-MM-DD") from None


@run_app.command("dunning")
def dunning(
    day: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Business date (default: today, UTC)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Send the day's reminders: one letter per customer with items due for a new stage (friendly
    reminder, second notice, final notice, stop new orders), never for disputed or promised items,
    each stage exactly once, with the statement of account attached; also as print-ready PDFs."""
    from bots.collections.dunning import BOT, run_dunning
    from bots.commands.intake import _configured, _report, _running, _settings

    today = _configured(lambda: _business_date(day))
    settings = _configured(_settings)
    counts = _running(lambda: run_dunning(settings, today=today))
    _report(BOT, counts, as_json)
