"""Robot tasks in config/schedules.yaml, like the Python bots: `- every 10 minutes: robot robots/tasks/NAME.robot`."""

import json
import sys
from pathlib import Path

import pytest

from bots.runtime.schedules import BotRunner, ScheduleFileError, load_schedule

CHECKOUT = Path(__file__).resolve().parent.parent
BOTS = ["email-intake", "robot"]


def test_a_robot_task_is_scheduled_and_started_as_o2c_run_robot(tmp_path, monkeypatch):
    monkeypatch.chdir(CHECKOUT)
    plan_file = tmp_path / "schedules.yaml"
    plan_file.write_text("schedule:\n  - every 10 minutes on weekdays: robot robots/tasks/enter_orders.robot\n"
                         "timeouts:\n  robot robots/tasks/enter_orders.robot: 20 minutes\n")
    plan = load_schedule(plan_file, bots=BOTS)
    (job,) = plan.jobs
    assert job.bot == "robot robots/tasks/enter_orders.robot"
    assert plan.timeout(job.bot) == 20 * 60

    # The runner starts `o2c run robot FILE --once --json`: here a stand-in that keeps its arguments.
    seen = tmp_path / "argv.json"
    runner = BotRunner(command=[sys.executable, "-c",
                                f"import json, sys; open({str(seen)!r}, 'w').write(json.dumps(sys.argv[1:]))"])
    assert runner.start(job.bot)
    assert runner.wait_idle(30)
    assert json.loads(seen.read_text()) == ["robot", "robots/tasks/enter_orders.robot", "--once", "--json"]


@pytest.mark.parametrize("entry, message", [
    ("robot robots/tasks/no_such_task.robot", "line 2: 'robot robots/tasks/no_such_task.robot': there is no task file"),
    ("robot", "line 2: 'robot': write 'robot robots/tasks/NAME.robot'"),
    ("robot a.robot b.robot", "write 'robot robots/tasks/NAME.robot' (one task file)"),
])
def test_a_wrong_robot_entry_is_refused_with_its_line(tmp_path, monkeypatch, entry, message):
    monkeypatch.chdir(CHECKOUT)
    plan_file = tmp_path / "schedules.yaml"
    plan_file.write_text(f"schedule:\n  - every 10 minutes: {entry}\n")
    with pytest.raises(ScheduleFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_schedule(plan_file, bots=BOTS)
