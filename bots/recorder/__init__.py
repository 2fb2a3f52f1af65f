"""The recorder: a screen recorded with Playwright's codegen becomes a selectors file and a Robot task.

::

    o2c record erp/sales_order_entry --url http://127.0.0.1:8700/va01    # record, then convert
    o2c record --from-codegen recorded.py erp/sales_order_entry          # convert a script recorded elsewhere

Three modules, each with one job: ``session`` runs codegen (headed, under Xvfb when there
is no display), ``codegen`` reads the script it wrote into actions (``ast``, nothing is
executed), ``convert`` turns the actions into the selectors YAML and the .robot task.
``write_recording`` puts the files in place: ``selectors/NAME.yaml``,
``robots/tasks/STEM.robot`` and the script itself in ``robots/recordings/STEM.py``.
"""

from dataclasses import dataclass
from pathlib import Path

from bots.runtime.errors import InputError
from bots.recorder.codegen import CodegenError, read_actions
from bots.recorder.convert import Conversion, convert


@dataclass
class Written:
    """The files one recording became."""

    selectors: Path
    task: Path
    script: Path
    conversion: Conversion


def write_recording(script: Path, name: str, root: Path = Path("."), *, force: bool = False,
                    work_item_kind: str | None = None) -> Written:
    """Convert the codegen ``script`` into the files of screen ``name`` under ``root``.

    :raises InputError: the script cannot be read or records nothing, or the files exist (without ``force``).
    """
    from bots.recorder.convert import _stem
    from bots.runtime.screens import SelectorError, read_screen_file

    script = Path(script)
    try:
        source = script.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read the recorded script: {error.strerror or error}", str(script)) from None
    try:
        actions = read_actions(source, script.name)
    except CodegenError as error:
        raise InputError(str(error), str(script)) from None
    conversion = convert(actions, name)
    if not conversion.elements:
        raise InputError("the recording has no actions on the page (only opening it); record again and click, "
                         "type or choose something", str(script))
    stem = _stem(name)
    selectors = root / "selectors" / f"{name}.yaml"
    task = root / "robots" / "tasks" / f"{stem}.robot"
    kept = root / "robots" / "recordings" / f"{stem}.py"
    existing = [str(path) for path in (selectors, task) if path.exists()]
    if existing and not force:
        raise InputError(f"{' and '.join(existing)} exist already; choose another name or add --force", existing[0])
    for path in (selectors, task, kept):
        path.parent.mkdir(parents=True, exist_ok=True)
    selectors.write_text(conversion.selectors_yaml(), encoding="utf-8")
    try:
        read_screen_file(selectors, name)  # what we wrote must load like any hand-written file
    except SelectorError as error:
        raise InputError(f"the recording made a selectors file that does not load: {error}", str(selectors)) from None
    task.write_text(conversion.robot_task(work_item_kind), encoding="utf-8")
    if kept.resolve() != script.resolve():
        kept.write_text(source, encoding="utf-8")
    return Written(selectors, task, kept, conversion)


__all__ = ["Written", "write_recording", "read_actions", "convert", "CodegenError"]
