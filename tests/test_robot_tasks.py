"""robots/tasks/enter_orders.robot run by the real ``robot`` runner against the sandbox ERP.

The runner is a subprocess (``python -m robot``), as a business user or a scheduler runs
it; the assertions read its output.xml through ``robot.api.ExecutionResult``.
"""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from robot.api import ExecutionResult

from bots.workqueue import WorkQueue, key_for
from sandbox import masterdata

pytestmark = pytest.mark.browser

CHECKOUT = Path(__file__).resolve().parent.parent
TASK = CHECKOUT / "robots" / "tasks" / "enter_orders.robot"
BOT_USER, BOT_PASSWORD = "bot", "bot-pass-1"
CUSTOMERS = masterdata.customers(42)
ITEMS = masterdata.items(42)


def run_robot(robot_file: Path, out: Path, **variables) -> ExecutionResult:
    """Run ``robot_file`` with ``variables``; return the parsed output.xml."""
    command = [sys.executable, "-m", "robot", "--outputdir", str(out), "--log", "log.html", "--report", "NONE",
               "--consolecolors", "off"]
    for name, value in variables.items():
        command += ["--variable", f"{name}:{value}"]
    env = {**os.environ, "O2C_ERP_PASSWORD": BOT_PASSWORD, "O2C_HOME": str(out / "home")}
    if "QUEUE_URL" in variables:
        env["O2C_DATABASE_URL"] = variables["QUEUE_URL"]
    finished = subprocess.run([*command, str(robot_file)], env=env, capture_output=True, timeout=300, cwd=CHECKOUT)
    assert (out / "output.xml").is_file(), finished.stdout.decode(errors="replace")[-3000:]
    return ExecutionResult(str(out / "output.xml"))


def test_the_enter_orders_task_keys_the_queued_orders(erp_sandbox, tmp_path):
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    good = [
        {"po_number": "PO-R1", "requested_date": "2026-12-15", "ship_to": None,
         "customer": {"name": CUSTOMERS[0].name, "email": CUSTOMERS[0].buyer_email},
         "lines": [{"sku": ITEMS[0].sku, "quantity": "4", "unit_price": str(ITEMS[0].price)},
                   {"sku": ITEMS[1].sku, "quantity": "1", "unit_price": None}]},
        {"po_number": "PO-R2", "requested_date": None, "ship_to": "Gate 2, 9 Quay St",
         "customer": {"name": CUSTOMERS[2].name, "email": None},
         "lines": [{"sku": ITEMS[2].sku, "quantity": "10", "unit_price": str(ITEMS[2].price)}]},
    ]
    bad = {**good[0], "po_number": "PO-R3", "lines": [{"sku": "ZZ-0000", "quantity": "1", "unit_price": "1.00"}]}
    with WorkQueue.open(url=queue_url) as queue:
        items = [queue.add("order", {"order": o}, key=key_for("robot", o["po_number"]))[0] for o in [*good, bad]]

    result = run_robot(TASK, tmp_path / "out", ERP_URL=erp_sandbox.erp_url, ERP_USER=BOT_USER, QUEUE_URL=queue_url)

    assert result.statistics.total.failed == 0 and result.statistics.total.passed == 1
    conn = erp_sandbox.db()
    saved = {po: (str(number), customer) for number, customer, po in conn.execute(
        "SELECT order_no, customer_id, customer_po FROM sales_orders WHERE customer_po LIKE 'PO-R%'")}
    lines = conn.execute("SELECT item_id, quantity, unit_price FROM order_lines WHERE order_no = ? ORDER BY line_no",
                         (saved["PO-R1"][0],)).fetchall()
    ship_to = conn.execute("SELECT ship_to FROM sales_orders WHERE customer_po = 'PO-R2'").fetchone()[0]
    conn.close()
    assert sorted(saved) == ["PO-R1", "PO-R2"]
    assert (saved["PO-R1"][1], saved["PO-R2"][1]) == (CUSTOMERS[0].customer_id, CUSTOMERS[2].customer_id)
    assert [(i, Decimal(q), Decimal(p)) for i, q, p in lines] == [(ITEMS[0].sku, 4, ITEMS[0].price),
                                                                  (ITEMS[1].sku, 1, ITEMS[1].price)]
    assert ship_to == "Gate 2, 9 Quay St"
    with WorkQueue.open(url=queue_url) as queue:
        done = [queue.get(item.id) for item in items]
    assert [item.state for item in done] == ["done", "done", "exception"]
    assert [item.result["sales_order"] for item in done[:2]] == [saved["PO-R1"][0], saved["PO-R2"][0]]
    assert done[2].exception_message == "the ERP did not save the sales order: Line 1: item ZZ-0000 does not exist."
    assert Path(done[2].evidence["screenshot"]).is_file()

    # Run again: nothing is waiting, nothing is keyed twice.
    again = run_robot(TASK, tmp_path / "again", ERP_URL=erp_sandbox.erp_url, ERP_USER=BOT_USER, QUEUE_URL=queue_url)
    assert again.statistics.total.failed == 0
    conn = erp_sandbox.db()
    assert conn.execute("SELECT count(*) FROM sales_orders WHERE customer_po LIKE 'PO-R%'").fetchone()[0] == 2
    conn.close()


FAILING_TASK = """\
*** Settings ***
Resource          ${CHECKOUT}/robots/resources/erp.resource
Suite Setup       Log In To The ERP    ${ERP_URL}    bot    %{O2C_ERP_PASSWORD}
Suite Teardown    Close Browser

*** Tasks ***
An Unknown Item Is Refused
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

    result = run_robot(robot_file, out, ERP_URL=erp_sandbox.erp_url, CHECKOUT=CHECKOUT)

    (task,) = result.suite.tests
    assert task.status == "FAIL"
    assert task.message == "status_bar should be 'Sales order 1 saved' but is 'Line 1: item ZZ-0000 does not exist.'."
    failed = [kw for kw in task.body if getattr(kw, "status", None) == "FAIL"]
    assert [kw.name for kw in failed] == ["Field Should Be"]
    assert len(list(out.glob("failure-field_should_be-*.png"))) == 1
    assert "ZZ-0000" in next(out.glob("failure-field_should_be-*.html")).read_text()


EMPTY_QUEUE_TASK = """\
*** Settings ***
Library           robots.O2C    queue_url=${QUEUE_URL}

*** Tasks ***
Nothing Is Waiting
    ${count}=    Count Waiting Work Items    kind=order
    Should Be Equal As Integers    ${count}    0
    ${item}=    Take Next Work Item    kind=order
    Should Be Equal    ${item}    ${None}
    Complete Work Item With    sales_order=1
"""


def test_taking_from_an_empty_queue_gives_none_and_completing_nothing_says_so(tmp_path):
    robot_file = tmp_path / "empty.robot"
    robot_file.write_text(EMPTY_QUEUE_TASK)

    result = run_robot(robot_file, tmp_path / "out", QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}")

    (task,) = result.suite.tests
    assert (task.status, task.message) == ("FAIL", "No work item is in hand: use Take Next Work Item first.")
