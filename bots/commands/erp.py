"""`o2c run erp-order-entry` and `o2c run erp-cash-posting`: the ERP bots that key orders and post cash."""

import typer

from bots.cli import run_app


@run_app.command("erp-order-entry")
def erp_order_entry(
    once: bool = typer.Option(False, "--once", help="Key the orders waiting now and exit, instead of polling."),
    limit: int = typer.Option(None, "--limit", min=1, help="Key at most this many orders per round (default: the setting, 50)."),
    headed: bool = typer.Option(False, "--headed", help="Show the browser window (for watching a run)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Key queued orders into the ERP's sales order screen, exactly once each.

    Searches the ERP for the customer PO first (an order saved by a run that crashed is completed, not keyed again), keys header and lines, saves, reads the order back and completes the item with the sales order number. Unclear orders (unknown customer, item or price, duplicate PO) go to the exception queue with a screenshot.
    """
    from bots.commands.intake import _configured, _report, _running, _settings
    from bots.erp.order_entry import load_order_entry_settings, run_order_entry

    settings = _configured(lambda: load_order_entry_settings(_settings()))
    counts = _running(lambda: run_order_entry(settings, once=once, limit=limit, headless=not headed))
    _report("erp-order-entry", counts, as_json)


@run_app.command("erp-cash-posting")
def erp_cash_posting(
    once: bool = typer.Option(False, "--once", help="Post the payments waiting now and exit, instead of polling."),
    limit: int = typer.Option(None, "--limit", min=1, help="Post at most this many payments per round (default: the setting, 50)."),
    headed: bool = typer.Option(False, "--headed", help="Show the browser window (for watching a run)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Post applied payments in the ERP's cash receipt screen (F-28), exactly once each.

    Searches the ERP's payment documents for the payment reference first (a receipt posted by a run that crashed is completed, not posted again), keys header and the applied invoices with discount and deduction, posts, reads the document back and completes the item with the document number. An invoice no longer open, or open for another amount, goes to the exception queue with a screenshot.
    """
    from bots.commands.intake import _configured, _report, _running, _settings
    from bots.erp.cash_posting import load_cash_posting_settings, run_cash_posting

    settings = _configured(lambda: load_cash_posting_settings(_settings()))
    counts = _running(lambda: run_cash_posting(settings, once=once, limit=limit, headless=not headed))
    _report("erp-cash-posting", counts, as_json)
