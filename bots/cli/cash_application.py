"""``o2c run cash-application``: the bank's payments of a day matched to the ERP's open items, into the queue."""

from datetime import date

import typer

from bots.cli.main import run_app


@run_app.command("cash-application")
def cash_application(
    once: bool = typer.Option(False, "--once", help="Handle one statement and exit, instead of polling."),
    day: str = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                            help="Booking date of the statement (default: the newest the bank offers)."),
    headed: bool = typer.Option(False, "--headed", help="Show the browser window (for watching a run)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Queue the day's bank payments, matched to the ERP's open items, for erp-cash-posting.

    Logs on to the bank portal (password and one-time code), downloads the camt.053 statement and the remittance advice PDFs, exports the open items from the ERP (FBL5N), matches, and queues one payment item per payment (exactly once); the unclear ones go to the exception queue with their reason and candidates.
    """
    from bots.bank.cash_application import BOT_NAME, load_cash_application_settings, run_cash_application
    from bots.cli.intake import _configured, _report, _running, _settings

    booking_date = _configured(lambda: _booking_date(day))
    settings = _configured(lambda: load_cash_application_settings(_settings()))
    counts = _running(lambda: run_cash_application(settings, once=once, day=booking_date, headless=not headed))
    _report(BOT_NAME, counts, as_json)


def _booking_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--date {text!r} is not a date; use the format YYYY-MM-DD") from None
