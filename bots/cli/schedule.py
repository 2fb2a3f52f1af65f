"""``o2c schedule``: run the bots on the schedule in config/schedules.yaml (or list it)."""

import datetime
from pathlib import Path

import typer

from bots.cli.main import app


@app.command("schedule")
def schedule_command(
    file: Path = typer.Option(None, "--file", "-f", help="The schedule file (default: config/schedules.yaml)."),
    list_jobs: bool = typer.Option(False, "--list", help="Print the jobs and their next run, then exit."),
    as_json: bool = typer.Option(False, "--json", help="With --list: print one JSON object instead of a table."),
    now: str = typer.Option(None, "--now", help="With --list: the next runs as of this local time "
                                                "(YYYY-MM-DDTHH:MM), e.g. to check Monday's runs; default now."),
) -> None:
    """Run the bots on their schedule until Ctrl-C or SIGTERM (each run is `o2c run BOT --once`).

    The file is checked when it is loaded: a mistake is reported with its line and the fix, and nothing runs. Each run is a child process with the bot's timeout; a run that falls due while the same bot is still running is skipped. One log line per run start and end, with the exit code.
    """
    from bots.cli.output import fail_input, print_json, print_table
    from bots.runtime.errors import InputError
    from bots.cli.main import bot_names
    from bots.runtime.schedules import ScheduleFileError, describe, load_schedule, run_scheduler

    as_of = _local_time(now, as_json) if now is not None else None
    try:
        plan = load_schedule(file, bots=bot_names(), now=as_of)
    except ScheduleFileError as error:
        fail_input(InputError(error.message, str(error.file) if error.file else None), as_json)
    if list_jobs:
        jobs = [describe(job, plan) for job in plan.jobs]
        if as_json:
            print_json({"file": str(plan.file), "jobs": jobs})
        else:
            rows = [[job["bot"], job["schedule"], job["next_run"].replace("T", " "), _minutes(job["timeout_seconds"]),
                     job["line"]] for job in jobs]
            print_table(f"Schedule ({plan.file})", ["Bot", "Runs", "Next run (local)", "Timeout", "Line"], rows,
                        right={"Line"})
        return
    from bots.runtime.errors import O2CError
    from bots.runtime.fleet.scheduled import scheduler_runner

    try:
        runner = scheduler_runner()  # with fleet.enabled: runs queued for the workers, not started here
    except O2CError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)
    run_scheduler(plan, runner)


def _local_time(text: str, as_json: bool) -> datetime.datetime:
    """``--now`` as a naive local datetime, or exit 2 naming the format."""
    from bots.cli.output import fail_input
    from bots.runtime.errors import InputError

    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        fail_input(InputError(f"--now {text!r} is not a local time; use YYYY-MM-DDTHH:MM, e.g. 2026-11-30T07:00"),
                   as_json)
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _minutes(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"
