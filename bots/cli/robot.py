"""`o2c run robot robots/tasks/NAME.robot [--variable K:V]`: a Robot Framework task run inside the o2c runtime.

The task runs with the real ``robot`` runner, in this process, as one bot run
(``robot-NAME`` in ``o2c runs``): its work items are taken and completed through the
work queue of the settings' store, its screen actions go to the audit log with the
run's id, and the evidence of a failed item (screenshot and HTML) goes with the item to
the exception queue. The run's output.xml, log.html and report.html are kept in
``$O2C_HOME/robot-runs/<run id>-NAME/`` and listed with the run.

Exit codes: 0 every task passed, 1 a task failed (the run is ``failed``), 2 a task file
that cannot be run (missing, not a .robot file, a syntax error Robot refuses).
"""

import os
import sys
from pathlib import Path

import typer

from bots.cli.main import run_app
from bots.cli.output import fail_input, print_json, print_table
from bots.runtime.errors import InputError, O2CError

# Robot's return codes above this are its own errors (251: help, 252: bad data or options...).
ROBOT_FAILED_TASKS_MAX = 250


class TaskFailed(O2CError):
    """A Robot task ended with failed tasks; the run is recorded as failed."""


@run_app.command("robot")
def robot_command(
    task: Path = typer.Argument(..., help="The Robot task file, e.g. robots/tasks/enter_orders.robot."),
    variable: list[str] = typer.Option([], "--variable", "-v", help="A variable for the task, NAME:VALUE (repeatable)."),
    once: bool = typer.Option(False, "--once", help="Accepted for the scheduler: a task always runs once."),
    as_json: bool = typer.Option(False, "--json", help="Print the run as one JSON object."),
) -> None:
    """Run a Robot Framework task as a bot: work items from the queue, audit log, evidence, kept logs."""
    try:
        summary = run_task(task, variable)
    except InputError as error:
        fail_input(error, as_json)
    if as_json:
        print_json(summary)
    else:
        print_table(f"Robot run {summary['run_id']}: {summary['bot']}", ["", ""], [
            ["Outcome", summary["outcome"]],
            ["Tasks", f"{summary['tasks']['passed']} passed, {summary['tasks']['failed']} failed"],
            ["Work items", " ".join(f"{k}={v}" for k, v in summary["counts"].items()) or "none"],
            *[[name.capitalize(), path] for name, path in summary["artifacts"].items()],
        ])
    if summary["outcome"] != "success":
        raise typer.Exit(1)


def run_task(task: Path, variables: list[str]) -> dict:
    """Run ``task`` as one bot run; return what ``--json`` prints. Raises InputError for a task that cannot run."""
    import robot
    from robot.api import ExecutionResult

    from bots.runtime.config import load_settings
    from bots.runtime.runs import bot_run
    from bots.runtime.workqueue import WorkQueue
    from robots.O2C import workitems

    task = Path(task)
    if not task.is_file():
        raise InputError(f"there is no task file {task}", str(task))
    if task.suffix != ".robot":
        raise InputError(f"{task.name} is not a Robot task file (.robot)", str(task))
    for pair in variables:
        if ":" not in pair:
            raise InputError(f"--variable {pair!r} is not NAME:VALUE", str(task))
    settings = load_settings()
    bot = f"robot-{task.stem}"
    queue = WorkQueue.open(settings=settings)
    summary = {"bot": bot, "task": str(task)}
    try:
        with bot_run(queue, bot) as run:
            folder = (settings.home / "robot-runs" / f"{run.id}-{task.stem}").resolve()
            folder.mkdir(parents=True, exist_ok=True)
            run.artifacts = {"folder": str(folder), "output": str(folder / "output.xml"),
                             "log": str(folder / "log.html"), "report": str(folder / "report.html")}
            summary.update(run_id=run.id, artifacts=run.artifacts)
            workitems.COUNTS.clear()
            environment = {"O2C_RUN_ID": str(run.id), "O2C_ROBOT_BOT": bot, "O2C_DATABASE_URL": settings.database_url}
            saved = {name: os.environ.get(name) for name in environment}
            os.environ.update(environment)
            try:
                code = robot.run(str(task), outputdir=str(folder), variable=list(variables), consolecolors="off",
                                 console="dotted", stdout=sys.stderr, stderr=sys.stderr)
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
            run.counts.update(workitems.COUNTS)
            summary["counts"] = dict(run.counts)
            if code > ROBOT_FAILED_TASKS_MAX or not (folder / "output.xml").is_file():
                raise InputError(f"Robot could not run {task} (return code {code}); see its messages above", str(task))
            stats = ExecutionResult(str(folder / "output.xml")).statistics.total
            summary["tasks"] = {"passed": stats.passed, "failed": stats.failed, "skipped": stats.skipped}
            if stats.failed:
                raise TaskFailed(f"{stats.failed} task(s) of {task.name} failed; see {folder / 'log.html'}")
    except TaskFailed:
        summary["outcome"] = "failed"
    else:
        summary["outcome"] = "success"
    finally:
        queue.close()
    return summary
