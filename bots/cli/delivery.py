"""``o2c run invoice-delivery``: invoices to the customers, by email or their supplier portal, exactly once."""

import typer

from bots.cli.main import run_app


@run_app.command("invoice-delivery")
def invoice_delivery(
    limit: int = typer.Option(None, "--limit", min=1, help="Deliver at most this many invoices (default: the setting, 100)."),
    headed: bool = typer.Option(False, "--headed", help="Show the browser window for portal uploads."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Deliver the invoices erp-invoicing raised: by email (PDF attached, body in the customer's language) or uploaded to the customer's supplier portal, once per invoice and channel; refusals go to the exception queue with the reason."""
    from bots.cli.intake import _configured, _report, _running, _settings
    from bots.delivery.bot import BOT_NAME, load_delivery_settings, run_delivery

    settings = _configured(lambda: load_delivery_settings(_settings()))
    counts = _running(lambda: run_delivery(settings, limit=limit, headless=not headed))
    _report(BOT_NAME, counts, as_json)
