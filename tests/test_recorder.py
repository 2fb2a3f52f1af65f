"""The recorder: codegen scripts into selectors YAML and Robot tasks (`o2c record`).

The corpus in tests/data/codegen/ holds scripts recorded with codegen on the sandbox ERP and
portal (a person's clicks played under Xvfb with xdotool), scripts written by hand in codegen's
exact shape for screens no one recorded, and the Tryton engineer's recordings in tryton/.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from robot.api import get_model
from robot.libdoc import LibraryDocumentation

from bots.recorder import write_recording
from bots.recorder.codegen import read_actions
from bots.recorder.convert import convert
from bots.runtime.screens import read_screen_file

CHECKOUT = Path(__file__).resolve().parent.parent
CORPUS = CHECKOUT / "tests" / "data" / "codegen"
SCRIPTS = sorted(CORPUS.rglob("*.py"))
O2C = [sys.executable, "-c", "from bots.cli.main import main; main()"]
BUILT_IN = {"Comment", "Log", "Set Variable"}


@pytest.fixture(scope="module")
def keyword_names():
    library = LibraryDocumentation("robots.O2C")
    return {keyword.name for keyword in library.keywords}


def robot_calls(task: Path) -> list[tuple[str, tuple]]:
    """(keyword, arguments) of every keyword call in a .robot file, read with Robot's own parser."""
    from robot.parsing.model.statements import KeywordCall

    calls = []

    def walk(node):
        for child in getattr(node, "body", []) or []:
            if isinstance(child, KeywordCall):
                calls.append((child.keyword, child.args))
            walk(child)

    for section in get_model(str(task)).sections:
        walk(section)
    return calls


@pytest.mark.parametrize("script", SCRIPTS, ids=[str(s.relative_to(CORPUS)) for s in SCRIPTS])
def test_every_recording_converts_into_a_file_that_loads_and_a_task_of_generic_keywords(script, tmp_path, keyword_names):
    written = write_recording(script, "recorded/screen", tmp_path)

    screen = read_screen_file(written.selectors, "recorded/screen")
    calls = robot_calls(written.task)
    assert calls and {name for name, _ in calls} <= keyword_names | BUILT_IN
    used = {args[0] for name, args in calls if args and name not in ("Open Browser To", "Use Screen", "Go To",
                                                                       "Switch To Tab", "Press Keys", "Log")}
    used |= {args[0] for name, args in calls if name == "Press Keys" and args[0] != "NONE"}
    assert used <= set(screen.elements), used - set(screen.elements)
    typed = [args[1] for name, args in calls if name in ("Fill Field", "Select Option", "Choose From Completion")]
    assert all(re.fullmatch(r"\$\{\w+\}", value) for value in typed), typed
    assert written.script.read_text() == script.read_text()


def test_the_erp_recording_becomes_named_elements_a_popup_and_variables(tmp_path):
    written = write_recording(CORPUS / "erp_sales_order_popup.py", "erp/entered", tmp_path)
    conversion = written.conversion
    task = written.task.read_text()

    assert written.selectors == tmp_path / "selectors" / "erp" / "entered.yaml"
    assert list(conversion.elements)[:3] == ["user", "password", "log_on"]
    assert conversion.elements["customer_po"] == {"role": "textbox", "name": "Customer PO"}
    assert conversion.variables["customer_po"] == "PO-REC-7781"
    assert conversion.secrets == {"password"}
    assert "bot-pass-1" not in task and "bot-pass-1" not in written.selectors.read_text()
    assert re.search(r"^\$\{password\} +%\{O2C_ENTERED_PASSWORD=\}$", task, re.M)
    steps = [line.strip() for line in task.split("*** Tasks ***")[1].splitlines()[2:]]
    assert steps[:3] == ["Open Browser To    ${url}", "Use Screen    erp/entered", "Fill Field    user    ${user}"]
    assert "Click    search_customer" in steps
    assert steps[steps.index("Click    search_customer") + 1] == "Switch To Tab    last"
    assert steps[steps.index("Click    choose_c1002_magnolia") + 1] == "Close Tab"
    assert not any(step == "Click    customer_po" for step in steps)  # codegen's click before a fill is dropped


def test_handwritten_shapes_frames_rows_completions_and_checks(tmp_path):
    frames = convert(read_actions((CORPUS / "handwritten_cash_receipt_frames.py").read_text()), "erp/f28").elements
    assert frames["memo"] == {"role": "textbox", "name": "Memo", "frame": "notes_frame"}
    assert frames["notes_frame"] == {"css": "#notes-frame"}
    assert frames["reason_codes"]["frame"] == "help" and frames["help"] == {"css": 'iframe[name="help"]'}
    assert frames["inv_10102_checkbox"] == {"role": "checkbox", "within": "inv_10102"}
    assert frames["discount"] == {"label": "Discount", "within": "tr_inv_10102"}
    assert frames["tr_inv_10102"] == {"css": "tr", "has_text": "INV-10102"}
    assert frames["reason_code_first"] == {"test_id": "reason-code", "nth": "first"}
    assert frames["post"] == {"role": "button", "name": "Post"}  # re.compile("^Post$")
    assert "tr" not in frames  # only what a step uses is kept

    completion = convert(read_actions((CORPUS / "handwritten_autocomplete.py").read_text()), "shop/order")
    assert completion.elements["customer_name"]["completion"] == "customer_name_suggestions"
    assert completion.elements["customer_name_suggestions"] == {"css": "ul.suggestions li"}
    assert completion.elements["product_suggestions"] == {"role": "option"}
    assert ("Choose From Completion", "product", "${product_2}", "choice=NW-1722 Nitrile work gloves") in completion.steps
    assert completion.variables["quantity"] == "24" and "quantity_2" not in completion.variables
    assert ("Go To", "/orders?state=draft") in completion.steps


def test_the_task_can_key_work_items_with_values_from_their_fields(tmp_path):
    written = write_recording(CORPUS / "portal_new_orders.py", "portal/new_orders", tmp_path, work_item_kind="po")
    task = written.task.read_text()
    assert "For Each Work Item    New Orders Steps    kind=po" in task
    assert "${state}=    Get Work Item Field    state    default=${state}" in task
    assert "Get Work Item Field    password" not in task


def test_bad_scripts_and_existing_files_are_refused_with_exit_2(tmp_path):
    (tmp_path / "broken.py").write_text("def run(playwright):\n    page.goto(\n")
    (tmp_path / "empty.py").write_text('page.goto("http://127.0.0.1:8700/")\n')
    broken = subprocess.run([*O2C, "record", "--from-codegen", str(tmp_path / "broken.py"), "x", "--root", str(tmp_path),
                             "--json"], capture_output=True, text=True, timeout=60)
    empty = subprocess.run([*O2C, "record", "--from-codegen", str(tmp_path / "empty.py"), "x", "--root", str(tmp_path),
                            "--json"], capture_output=True, text=True, timeout=60)
    assert broken.returncode == 2 and json.loads(broken.stdout)["error"].startswith("broken.py, line 2: not a Python script")
    assert empty.returncode == 2 and "has no actions on the page" in json.loads(empty.stdout)["error"]
    made = subprocess.run([*O2C, "record", "--from-codegen", str(CORPUS / "portal_new_orders.py"), "portal/po",
                           "--root", str(tmp_path), "--json"], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    again = subprocess.run([*O2C, "record", "--from-codegen", str(CORPUS / "portal_new_orders.py"), "portal/po",
                            "--root", str(tmp_path), "--json"], capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "exist already; choose another name or add --force" in json.loads(again.stdout)["error"]


@pytest.mark.browser
def test_the_recorded_erp_task_replays_on_the_erp_with_other_values(erp_sandbox, tmp_path):
    written = write_recording(CORPUS / "erp_sales_order_popup.py", "erp/replayed", tmp_path)
    env = {**os.environ, "O2C_HOME": str(tmp_path / "home"), "O2C_DATABASE_URL": f"sqlite:///{tmp_path / 'o2c.db'}",
           "O2C_SELECTORS_DIR": str(tmp_path / "selectors"), "O2C_REPLAYED_PASSWORD": "bot-pass-1"}

    done = subprocess.run([*O2C, "run", "robot", str(written.task), "--json",
                           "--variable", f"url:{erp_sandbox.erp_url}/login?next=/start",
                           "--variable", "customer_po:PO-REPLAYED-1", "--variable", "quantity_line:7"],
                          env=env, capture_output=True, text=True, timeout=180, cwd=CHECKOUT)

    assert done.returncode == 0, done.stderr[-3000:]
    conn = erp_sandbox.db()
    (order_no, customer), = conn.execute("SELECT order_no, customer_id FROM sales_orders WHERE customer_po = 'PO-REPLAYED-1'")
    lines = conn.execute("SELECT item_id, quantity FROM order_lines WHERE order_no = ?", (order_no,)).fetchall()
    conn.close()
    assert customer == "C1002" and [(item, float(quantity)) for item, quantity in lines] == [("NW-1722", 7.0)]


@pytest.mark.browser
def test_o2c_record_runs_codegen_under_xvfb_and_converts_what_was_typed_on_sigterm(erp_sandbox, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update(O2C_LOG_FORMAT="json", O2C_HOME=str(tmp_path / "home"))
    log = tmp_path / "record.log"
    recording = subprocess.Popen([*O2C, "record", "erp/login_recorded", "--url", f"{erp_sandbox.erp_url}/start",
                                  "--root", str(tmp_path), "--json"], env=env, stdout=subprocess.PIPE,
                                 stderr=log.open("w"), text=True)
    display = None
    deadline = time.monotonic() + 60
    while display is None and time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if '"recording"' in line:
                display = json.loads(line[line.index("{"):])["display"]
        time.sleep(0.2)
    assert display, "o2c record did not start codegen"
    page_up = time.monotonic() + 60
    while time.monotonic() < page_up:  # wait for codegen's browser window on the private display
        windows = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Log on"],
                                 env={**env, "DISPLAY": display}, capture_output=True, text=True)
        if windows.stdout.strip():
            break
        time.sleep(0.5)
    time.sleep(1.5)
    # A person types a user name into the focused field (the log-on page's first field).
    subprocess.run(["xdotool", "type", "--delay", "80", "clerk"], env={**env, "DISPLAY": display}, check=True)
    time.sleep(1.5)

    recording.send_signal(signal.SIGTERM)
    out, err = recording.communicate(timeout=60)

    assert recording.returncode == 0, out + log.read_text()[-2000:]
    summary = json.loads(out)
    script = Path(summary["script"]).read_text()
    assert f'page.goto("{erp_sandbox.erp_url}/login?next=/start")' in script
    assert '.fill("clerk")' in script
    assert summary["elements"] == ["user"] and summary["variables"] == ["url", "user"]
    assert read_screen_file(Path(summary["selectors"])).elements["user"]["name"] == "User"
    assert "Fill Field    user    ${user}" in Path(summary["task"]).read_text()
