"""``o2c run erp-invoicing``: shipped orders billed in the ERP, exactly once, with their invoice PDFs."""

import typer

from bots.cli.main import run_app


@run_app.command("erp-invoicing")
def erp_invoicing(
    once: bool = typer.Option(False, "--once", help="Bill the orders due now and exit, instead of polling."),
    limit: int = typer.Option(None, "--limit", min=1, help="Bill at most this many orders per round (default: the setting, 50)."),
    headed: bool = typer.Option(False, "--headed", help="Show the browser window (for watching a run)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Bill the shipped orders on the ERP's billing due list (VF04), exactly once each.

    Queues one item per order due, checks the order display for an invoice first (an order billed by a run that crashed is completed, not billed again), bills it, reads the invoice number back, downloads the invoice PDF and completes the item with the invoice's facts and the audit entry.
    """
    from bots.cli.intake import _configured, _report, _running, _settings
    from bots.erp.invoicing import BOT_NAME, load_invoicing_settings, run_invoicing

    settings = _configured(lambda: load_invoicing_settings(_settings()))
    counts = _running(lambda: run_invoicing(settings, once=once, limit=limit, headless=not headed))
    _report(BOT_NAME, counts, as_json)
