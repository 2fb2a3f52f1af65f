"""``o2c worker`` (a long-running worker of the fleet) and ``o2c workers`` (who is alive).

The runtime (``bots.runtime.fleet``) knows no bot; this module is where bots meet it: each name
in ``--bots`` becomes a ``FleetBot`` (the ERP bots, with a browser per slot), a bot whose
scheduled runs the worker takes (any other bot ``o2c run`` knows), or, for a bot of your
own, ``package.module:ATTRIBUTE`` naming a ``FleetBot``.
"""

import importlib

import typer

from bots.cli.main import app
from bots.cli.output import print_json, print_table

JSON_HELP = "Print one JSON object instead of a table."


@app.command("worker")
def worker_command(
    bots: str = typer.Option(..., "--bots", help="Comma-separated bots to work for, e.g. erp-order-entry,erp-cash-posting."),
    concurrency: int = typer.Option(1, "--concurrency", "-c", help="Slots per bot; for the ERP bots each is a browser with its own ERP session."),
    metrics_port: int = typer.Option(None, "--metrics-port", help="Serve Prometheus metrics on this port (default: fleet.metrics_port; 0: off)."),
    headed: bool = typer.Option(False, "--headed", help="Show the browser windows."),
) -> None:
    """Work on the queue until SIGTERM or Ctrl-C, sharing the PostgreSQL store with the other workers.

    Claims items with a lease that its heartbeat keeps alive; a worker that dies loses its leases and others take its items over. SIGTERM finishes each slot's current item, gives the rest back and exits 0. Refuses to start on SQLite.
    """
    from bots.runtime.config import ConfigError, load_settings
    from bots.runtime.errors import O2CError
    from bots.runtime.fleet.metrics import WorkerMetrics
    from bots.runtime.fleet.scheduled import RunRequests
    from bots.runtime.fleet.worker import FleetSettings, Worker, refuse_sqlite
    from bots.runtime.workqueue import WorkQueue

    names = [name.strip() for name in bots.split(",") if name.strip()]
    try:
        settings = load_settings()
        refuse_sqlite(settings.database_url)
        fleet_bots, run_bots = _resolve(names, settings, headless=not headed)
        fleet = FleetSettings(heartbeat_seconds=settings.fleet_heartbeat_seconds,
                              stop_timeout_seconds=settings.fleet_stop_timeout_seconds,
                              lock_ttl_seconds=settings.fleet_lock_ttl_seconds)
        queue = WorkQueue.open(settings=settings)
        port = settings.fleet_metrics_port if metrics_port is None else metrics_port
        metrics = WorkerMetrics.serve(port) if port else None
        loops = [RunRequests([bot.name for bot in fleet_bots] + run_bots,
                             served_by_slots=[bot.name for bot in fleet_bots])]
        worker = Worker(queue, fleet_bots, concurrency=concurrency, settings=fleet, metrics=metrics, extra_loops=loops)
    except (O2CError, ConfigError, ValueError, OSError) as error:
        typer.echo(f"error: {getattr(error, 'message', None) or error}", err=True)
        raise typer.Exit(2)
    if not fleet_bots and not run_bots:
        typer.echo("error: --bots names no bot", err=True)
        raise typer.Exit(2)
    try:
        code = worker.run()
    finally:
        if metrics is not None:
            metrics.close()
        queue.close()
    raise typer.Exit(code)


@app.command("workers")
def workers_command(
    all_: bool = typer.Option(False, "--all", help="Also the workers that stopped heartbeating (lost) recently."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the live workers of the fleet: host, pid, bots, current items, last heartbeat."""
    from bots.cli.queue import _queue
    from bots.runtime.config import load_settings
    from bots.runtime.fleet.registry import WorkerRegistry

    with _queue(as_json) as queue:
        registry = WorkerRegistry(queue, stale_seconds=3 * load_settings().fleet_heartbeat_seconds)
        live = registry.live()
        lost = registry.lost() if all_ else []
        now = queue.clock.now()
    if as_json:
        print_json({"workers": [w.to_dict() for w in live], "lost": [w.to_dict() for w in lost], "count": len(live)})
        return
    rows = [[w.host, w.pid, ", ".join(w.bots), w.concurrency, w.state, describe_items(w.current_items),
             f"{(now - w.last_heartbeat).total_seconds():.0f} s ago"] for w in live]
    rows += [[w.host, w.pid, ", ".join(w.bots), w.concurrency, "lost", describe_items(w.current_items),
              f"{(now - w.last_heartbeat).total_seconds():.0f} s ago"] for w in lost]
    print_table("Workers", ["Host", "PID", "Bots", "Slots", "State", "Current items", "Last heartbeat"], rows,
                right={"PID", "Slots"})
    if not rows:
        typer.echo("No live workers.")


def describe_items(items) -> str:
    """A worker's current items in a few words: ``#42 (erp-order-entry), #43 (...)``."""
    return ", ".join(f"#{item['item_id']} ({item['bot']})" for item in items) or "idle"


# --- which bots a worker can run ---------------------------------------------------------


def _erp_order_entry(settings, headless: bool):
    from bots.erp.order_entry import ORDER_ENTRY_BOT, load_order_entry_settings
    from bots.erp.runner import fleet_bot

    return fleet_bot(ORDER_ENTRY_BOT, load_order_entry_settings(settings), headless=headless,
                     sessions_per_user=settings.erp_sessions_per_user)


def _erp_cash_posting(settings, headless: bool):
    from bots.erp.cash_posting import CASH_POSTING_BOT, load_cash_posting_settings
    from bots.erp.runner import fleet_bot

    return fleet_bot(CASH_POSTING_BOT, load_cash_posting_settings(settings), headless=headless,
                     sessions_per_user=settings.erp_sessions_per_user)


# The bots whose items a worker's slots do; any other bot `o2c run` knows has scheduled runs only.
ITEM_BOTS = {"erp-order-entry": _erp_order_entry, "erp-cash-posting": _erp_cash_posting}


def _resolve(names: list[str], settings, *, headless: bool):
    """``(fleet bots, scheduled-run bots)`` for the names of ``--bots``; a ValueError names an unknown one."""
    from bots.runtime.fleet.worker import FleetBot
    from bots.cli.main import bot_names

    fleet_bots, run_bots = [], []
    runnable = None
    for name in names:
        if name in ITEM_BOTS:
            fleet_bots.append(ITEM_BOTS[name](settings, headless))
        elif ":" in name:
            module, _, attribute = name.partition(":")
            try:
                found = getattr(importlib.import_module(module), attribute)
            except (ImportError, AttributeError) as error:
                raise ValueError(f"--bots {name}: cannot import it ({error})") from None
            if not isinstance(found, FleetBot):
                raise ValueError(f"--bots {name} is a {type(found).__name__}, not a FleetBot")
            fleet_bots.append(found)
        else:
            runnable = runnable if runnable is not None else bot_names()
            if name not in runnable:
                raise ValueError(f"--bots: no bot {name!r}; the bots are {', '.join(runnable)}")
            run_bots.append(name)
    return fleet_bots, run_bots
