"""``o2c schedule``: run the bots on the schedule in config/schedules.yaml (or list it)."""

from pathlib import Path

import typer

from bots.cli import app


@app.command("schedule")
def schedule_command(
    file: Path = typer.Option(None, "--file", "-f", help="The schedule file (default: config/schedules.yaml)."),
    list_jobs: bool = typer.Option(False, "--list", help="Print the jobs and their next run, then exit."),
    as_json: bool = typer.Option(False, "--json", help="With --list: print one JSON object instead of a table."),
) -> None:
    """Run the bots on their schedule until Ctrl-C or SIGTERM (each run is `o2c run BOT --once`).

    The file is checked when it is loaded: a mistake is reported with its line and the fix, and nothing runs. Each run is a child process with the bot's timeout; a run that falls due while the same bot is still running is skipped. One log line per run start and end, with the exit code.
    """
    from bots.commands.output import fail_input, print_json, print_table
    from bots.errors import InputError
    from bots.schedules import ScheduleFileError, describe, load_schedule, run_scheduler

    try:
        plan = load_schedule(file)
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
    run_scheduler(plan)


def _minutes(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"
