"""``o2c run mail-bounces``: delivery reports about sent mail, into the exception queue."""

import typer

from bots.cli.main import run_app


@run_app.command("mail-bounces")
def mail_bounces(
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Read the sending account's inbox for delivery reports (bounces): each message that did not reach a recipient becomes an exception with the server's reason; an invoice's can be corrected and sent again. Other mail is left unread."""
    from bots.bounces.bot import BOT_NAME, load_bounce_settings, run_bounces
    from bots.cli.intake import _configured, _report, _running, _settings

    settings = _configured(lambda: load_bounce_settings(_settings()))
    counts = _running(lambda: run_bounces(settings))
    _report(BOT_NAME, counts, as_json)
