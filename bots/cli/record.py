"""`o2c record NAME --url URL` and `o2c record --from-codegen script.py NAME`: a screen recorded into YAML and a task."""

from pathlib import Path

import typer

from bots.cli.main import app
from bots.cli.output import fail_input, print_json, print_table
from bots.runtime.errors import InputError


@app.command("record")
def record_command(
    name: str = typer.Argument(..., help="The screen's name: selectors/NAME.yaml (e.g. erp/sales_order_entry)."),
    url: str = typer.Option(None, "--url", help="The page to start recording on."),
    from_codegen: Path = typer.Option(None, "--from-codegen", help="Convert this codegen script (recorded elsewhere) instead of recording."),
    work_items: str = typer.Option(None, "--work-items", help="Make the task key each waiting work item of this kind, values from its fields."),
    test_id_attribute: str = typer.Option(None, "--test-id-attribute", help="An attribute the screen's developers set, for codegen to prefer."),
    root: Path = typer.Option(Path("."), "--root", help="Where selectors/ and robots/ are (default: here)."),
    force: bool = typer.Option(False, "--force", help="Replace the screen's files when they exist."),
    as_json: bool = typer.Option(False, "--json", help="Print what was written as one JSON object."),
) -> None:
    """Record a screen with Playwright's codegen (close the browser when done), then write its selectors and task.

    The recording becomes selectors/NAME.yaml (one element per field, button or link used,
    named from its label), robots/tasks/NAME.robot (the steps as generic keywords, the typed
    values as ${variables}) and robots/recordings/NAME.py (the script, to convert again).
    """
    from bots.recorder import write_recording

    try:
        if from_codegen is None:
            if not url:
                raise InputError("give --url URL to record, or --from-codegen SCRIPT to convert a recording", None)
            from bots.recorder.convert import _stem
            from bots.recorder.session import record_script

            script = root / "robots" / "recordings" / f"{_stem(name)}.py"
            script.parent.mkdir(parents=True, exist_ok=True)
            if script.exists() and not force:
                raise InputError(f"{script} exists already; choose another name or add --force", str(script))
            script.unlink(missing_ok=True)
            from_codegen = record_script(url, script, test_id_attribute)
        written = write_recording(from_codegen, name, root, force=force, work_item_kind=work_items)
    except InputError as error:
        fail_input(error, as_json)
    summary = {"name": name, "selectors": str(written.selectors), "task": str(written.task),
               "script": str(written.script), "elements": list(written.conversion.elements),
               "variables": sorted(written.conversion.variables), "steps": len(written.conversion.steps)}
    if as_json:
        print_json(summary)
        return
    print_table(f"Recorded {name}", ["", ""], [["Selectors", summary["selectors"]], ["Task", summary["task"]],
                                              ["Script", summary["script"]],
                                              ["Elements", ", ".join(summary["elements"])],
                                              ["Variables", ", ".join("${" + v + "}" for v in summary["variables"])]])
    typer.echo(f"Try it: o2c run robot {written.task}")
