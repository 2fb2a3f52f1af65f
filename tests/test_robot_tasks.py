"""Robot tasks with the O2C library run by the real ``robot`` runner (``python -m robot``, a subprocess).

The assertions read its output.xml through ``robot.api.ExecutionResult``. The shipped
robots/tasks/enter_orders.robot itself runs in tests/test_robot_run.py, through `o2c run robot`.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from robot.api import ExecutionResult

from bots.runtime.workqueue import WorkQueue, key_for

pytestmark = pytest.mark.browser

CHECKOUT = Path(__file__).resolve().parent.parent
BOT_USER, BOT_PASSWORD = "bot", "bot-pass-1"


def run_robot(robot_file: Path, out: Path, **variables) -> ExecutionResult:
    """Run ``robot_file`` with ``variables``; return the parsed output.xml."""
    command = [sys.executable, "-m", "robot", "--outputdir", str(out), "--log", "log.html", "--report", "NONE",
               "--consolecolors", "off"]
    for name, value in variables.items():
        command += ["--variable", f"{name}:{value}"]
    env = {**os.environ, "O2C_ERP_PASSWORD": BOT_PASSWORD, "O2C_HOME": str(out / "home")}
    if "QUEUE_URL" in variables:
        env["O2C_DATABASE_URL"] = variables["QUEUE_URL"]
    for name in [name for name in variables if name.startswith("O2C_")]:
        env[name] = variables.pop(name)
    finished = subprocess.run([*command, str(robot_file)], env=env, capture_output=True, timeout=300, cwd=CHECKOUT)
    assert (out / "output.xml").is_file(), finished.stdout.decode(errors="replace")[-3000:]
    return ExecutionResult(str(out / "output.xml"))


FAILING_TASK = """\
*** Settings ***
Library           robots.O2C    timeout=2 seconds
Suite Setup       Open Browser To    ${ERP_URL}/start
Suite Teardown    Close Browser

*** Tasks ***
An Unknown Item Is Refused
    Log In    erp/login    user=bot    password=%{O2C_ERP_PASSWORD}
    Open Screen    erp/sales_order
    Fill Field    customer    C1001
    Fill Field    customer_po    PO-R9
    Fill Field    line_item    ZZ-0000    n=1
    Fill Field    line_quantity    2    n=1
    Click    save
    Field Should Be    status_bar    Sales order 1 saved
    Fail    not reached
"""


def test_a_failing_keyword_reports_what_the_screen_shows_and_a_screenshot(erp_sandbox, tmp_path):
    robot_file = tmp_path / "refused.robot"
    robot_file.write_text(FAILING_TASK)
    out = tmp_path / "out"

    result = run_robot(robot_file, out, ERP_URL=erp_sandbox.erp_url)

    (task,) = result.suite.tests
    assert task.status == "FAIL"
    assert task.message == "status_bar should be 'Sales order 1 saved' but is 'Line 1: item ZZ-0000 does not exist.'."
    failed = [kw for kw in task.body if getattr(kw, "status", None) == "FAIL"]
    assert [kw.name for kw in failed] == ["Field Should Be"]
    assert len(list(out.glob("failure-field_should_be-*.png"))) == 1
    assert "ZZ-0000" in next(out.glob("failure-field_should_be-*.html")).read_text()


WORK_ITEM_TASK = """\
*** Settings ***
Library           robots.O2C    queue_url=${QUEUE_URL}    item_kind=order

*** Tasks ***
Work Items One At A Time
    ${count}=    Count Waiting Work Items
    Should Be Equal As Integers    ${count}    3
    ${item}=    Take Next Work Item
    Should Be Equal    ${item}[order][po_number]    PO-W1
    ${sku}=    Get Work Item Field    order.lines.0.sku
    Should Be Equal    ${sku}    NW-4410
    ${none}=    Get Work Item Field    order.ship_to.street    default=${None}
    Should Be Equal    ${none}    ${None}
    Run Keyword And Expect Error    Work item 1 has no field 'order.colour' (at 'colour': po_number, lines).
    ...    Get Work Item Field    order.colour
    Run Keyword And Expect Error    Work item 1 is still in hand: complete or release it first.    Take Next Work Item
    Release Work Item    the ERP is closed
    ${item}=    Take Next Work Item
    Should Be Equal    ${item}[order][po_number]    PO-W1
    Run Keyword And Expect Error    The ERP answered "System busy"
    ...    Raise Application Exception    The ERP answered "System busy"    code=erp_busy
    ${item}=    Take Next Work Item
    Run Keyword And Expect Error    Product ZZ-0000 is not in the ERP
    ...    Raise Business Exception    Product ZZ-0000 is not in the ERP    code=unknown_product
    ${item}=    Take Next Work Item
    Should Be Equal    ${item}[order][po_number]    PO-W2
    Complete Work Item With    sales_order=10000042    found_existing=yes
    ${item}=    Take Next Work Item
    Should Be Equal    ${item}[order][po_number]    PO-W3
    Fail    the ERP crashed

The Item A Failed Task Had Is Given Back
    ${item}=    Take Next Work Item
    Should Be Equal    ${item}[order][po_number]    PO-W3
    Complete Work Item With    sales_order=10000043
    ${item}=    Take Next Work Item
    Should Be Equal    ${item}    ${None}
    Complete Work Item With    sales_order=1
"""


def test_the_work_item_keywords_route_each_item_as_the_bots_do(tmp_path):
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    with WorkQueue.open(url=queue_url, retry_backoff_seconds=0) as queue:
        ids = [queue.add("order", {"order": {"po_number": f"PO-W{n}", "lines": [{"sku": "NW-4410"}]}},
                         key=key_for("w", n))[0].id for n in (1, 2, 3)]
    robot_file = tmp_path / "items.robot"
    robot_file.write_text(WORK_ITEM_TASK)

    result = run_robot(robot_file, tmp_path / "out", QUEUE_URL=queue_url, O2C_RETRY_BACKOFF_SECONDS="0")

    first_task, second_task = result.suite.tests
    assert (first_task.status, first_task.message) == ("FAIL", "the ERP crashed")
    assert (second_task.status, second_task.message) == ("FAIL", "No work item is in hand: use Take Next Work Item first.")
    with WorkQueue.open(url=queue_url) as queue:
        first, second, third = (queue.get(i) for i in ids)
    # PO-W1: released (back to the queue), an application exception (back again), then a business
    # exception: to a person, with the code and message the task gave.
    assert (first.state, first.attempts, first.exception_code, first.exception_message) == (
        "exception", 3, "unknown_product", "Product ZZ-0000 is not in the ERP")
    assert [e.action for e in first.history][-3:] == ["failed_will_retry", "failed_will_retry", "business_exception"]
    assert [e.detail["code"] for e in first.history[-3:]] == ["released", "erp_busy", "unknown_product"]
    assert (second.state, second.result) == ("done", {"sales_order": "10000042", "found_existing": "yes"})
    # PO-W3 was in hand when the first task failed: given back at once (not after its lease), then done.
    assert (third.state, third.attempts, third.result) == ("done", 2, {"sales_order": "10000043"})
    given_back = [e for e in third.history if e.action == "failed_will_retry"]
    assert [(e.detail["code"], e.detail["message"]) for e in given_back] == [
        ("task_ended", "the task ended with the item in hand: the ERP crashed")]
