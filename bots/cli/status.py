"""``o2c status``: the fleet on one screen (workers, queue depth, exceptions by reason, last runs)."""

import typer

from bots.cli.main import app
from bots.cli.output import print_json


@app.command("status")
def status_command(
    runs: int = typer.Option(10, "--runs", min=0, help="How many of the last bot runs to show."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the screen."),
) -> None:
    """Show the workers, the queue depth by state, the exceptions by reason and the last runs."""
    from bots.cli.queue import _queue
    from bots.runtime.config import load_settings
    from bots.runtime.fleet.status import fleet_status

    with _queue(as_json) as queue:
        status = fleet_status(queue, stale_seconds=3 * load_settings().fleet_heartbeat_seconds, runs=runs)
    if as_json:
        print_json(status)
        return
    print_status(status)


def print_status(status: dict) -> None:
    """The status as rich panels and tables on one screen."""
    from rich.columns import Columns
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.table import Table

    from bots.cli.worker import describe_items

    workers = Table(expand=True, box=None)
    for column in ("Host", "PID", "Bots", "Slots", "State", "Current items", "Heartbeat (UTC)"):
        workers.add_column(column)
    for worker in status["workers"]:
        workers.add_row(worker["host"], str(worker["pid"]), ", ".join(worker["bots"]), str(worker["concurrency"]),
                        worker["state"], describe_items(worker["current_items"]), _time(worker["last_heartbeat"]))
    for worker in status["lost_workers"][:5]:
        workers.add_row(worker["host"], str(worker["pid"]), ", ".join(worker["bots"]), str(worker["concurrency"]),
                        "[red]lost[/red]", describe_items(worker["current_items"]), _time(worker["last_heartbeat"]))
    if not status["workers"] and not status["lost_workers"]:
        workers.add_row("no workers", "", "", "", "", "", "")

    queue = Table(box=None)
    queue.add_column("State")
    queue.add_column("Items", justify="right")
    for state, count in status["queue"]["by_state"].items():
        queue.add_row(state, str(count))
    if not status["queue"]["by_state"]:
        queue.add_row("empty", "0")

    reasons = Table(box=None)
    reasons.add_column("Reason")
    reasons.add_column("Items", justify="right")
    reasons.add_column("Oldest (UTC)")
    for row in status["exceptions"]:
        reasons.add_row(row["reason"], str(row["count"]), _time(row["oldest"]))
    if not status["exceptions"]:
        reasons.add_row("none", "0", "")

    runs = Table(expand=True, box=None)
    for column in ("Run", "Bot", "Worker", "Started (UTC)", "Outcome", "Counts"):
        runs.add_column(column)
    for run in status["runs"]:
        counts = ", ".join(f"{name} {n}" for name, n in sorted((run["counts"] or {}).items()))
        runs.add_row(str(run["id"]), run["bot"], run["worker"], _time(run["started_at"]), run["outcome"], counts)

    Console().print(Group(
        Panel(workers, title=f"Workers ({len(status['workers'])} live)", title_align="left"),
        Columns([Panel(queue, title="Queue by state", title_align="left"),
                 Panel(reasons, title="Exceptions by reason", title_align="left")]),
        Panel(runs, title="Last runs", title_align="left"),
    ))


def _time(iso: str | None) -> str:
    return iso[:19].replace("T", " ") if iso else ""
