"""`o2c run erp-order-entry` and `o2c run erp-cash-posting`: the ERP bots that key orders and post cash."""

from typing import Annotated

import typer

from bots.cli.main import run_app

# The options both ERP bots take the same way.
Headed = Annotated[bool, typer.Option("--headed", help="Show the browser window (for watching a run).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the run's counts as one JSON object.")]


@run_app.command("erp-order-entry")
def erp_order_entry(
    once: bool = typer.Option(False, "--once", help="Key the orders waiting now and exit, instead of polling."),
    limit: int = typer.Option(None, "--limit", min=1, help="Key at most this many orders per round (default: the setting, 50)."),
    headed: Headed = False,
    as_json: AsJson = False,
) -> None:
    """Key queued orders into the ERP's sales order screen, exactly once each.

    Searches the ERP for the customer PO first (an order saved by a run that crashed is completed, not keyed again), keys header and lines, saves, reads the order back and completes the item with the sales order number. Unclear orders (unknown customer, item or price, duplicate PO) go to the exception queue with a screenshot.
    """
    from bots.erp.order_entry import BOT_NAME, load_order_entry_settings, run_order_entry

    _run_erp_bot(BOT_NAME, load_order_entry_settings, run_order_entry, once, limit, headed, as_json)


@run_app.command("erp-cash-posting")
def erp_cash_posting(
    once: bool = typer.Option(False, "--once", help="Post the payments waiting now and exit, instead of polling."),
    limit: int = typer.Option(None, "--limit", min=1, help="Post at most this many payments per round (default: the setting, 50)."),
    headed: Headed = False,
    as_json: AsJson = False,
) -> None:
    """Post applied payments in the ERP's cash receipt screen (F-28), exactly once each.

    Searches the ERP's payment documents for the payment reference first (a receipt posted by a run that crashed is completed, not posted again), keys header and the applied invoices with discount and deduction, posts, reads the document back and completes the item with the document number. An invoice no longer open, or open for another amount, goes to the exception queue with a screenshot.
    """
    from bots.erp.cash_posting import BOT_NAME, load_cash_posting_settings, run_cash_posting

    _run_erp_bot(BOT_NAME, load_cash_posting_settings, run_cash_posting, once, limit, headed, as_json)


def _run_erp_bot(name: str, load_settings, run, once: bool, limit: int | None, headed: bool, as_json: bool) -> None:
    """Load the bot's settings (a mistake: exit 2), run it (an ERP it cannot use: exit 1), print the counts."""
    from bots.cli.intake import _configured, _report, _running, _settings

    settings = _configured(lambda: load_settings(_settings()))
    counts = _running(lambda: run(settings, once=once, limit=limit, headless=not headed))
    _report(name, counts, as_json)
