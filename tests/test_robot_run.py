"""`o2c run robot`: a Robot task as a bot run, on the sandbox ERP, through the real `robot` runner.

The command runs as a user or the scheduler runs it (a subprocess of the installed o2c);
the assertions read the store (items, runs, audit log) and the ERP's own database.
"""

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from bots.cli.robot import run_task
from bots.runtime.errors import InputError
from bots.runtime.runs import audit_entries, recent_runs
from bots.runtime.workqueue import WorkQueue, key_for
from sandbox import masterdata

pytestmark = pytest.mark.browser

CHECKOUT = Path(__file__).resolve().parent.parent
TASK = CHECKOUT / "robots" / "tasks" / "enter_orders.robot"
BOT_USER, BOT_PASSWORD = "bot", "bot-pass-1"
CUSTOMERS = masterdata.customers(42)
ITEMS = masterdata.items(42)
O2C = [sys.executable, "-c", "from bots.cli.main import main; main()"]


def order(po: str, n: int, sku: str | None = None) -> dict:
    customer = CUSTOMERS[n % 5]
    item = ITEMS[n % 7]
    return {"po_number": po, "requested_date": None, "ship_to": None,
            "customer": {"name": customer.name, "email": customer.buyer_email},
            "lines": [{"sku": sku or item.sku, "quantity": str(1 + n), "unit_price": str(item.price)}]}


def environment(tmp_path: Path, **extra) -> dict:
    return {**os.environ, "O2C_HOME": str(tmp_path / "home"), "O2C_DATABASE_URL": f"sqlite:///{tmp_path / 'o2c.db'}",
            "O2C_ERP_PASSWORD": BOT_PASSWORD, "O2C_LOG_FORMAT": "json", **extra}


def o2c(args: list[str], env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*O2C, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=CHECKOUT)


def queue_orders(env: dict, orders: list[dict]) -> list[int]:
    with WorkQueue.open(url=env["O2C_DATABASE_URL"]) as queue:
        return [queue.add("order", {"order": o}, key=key_for("robot-run", o["po_number"]))[0].id for o in orders]


def erp_orders(erp_sandbox, prefix: str) -> dict[str, list[str]]:
    conn = erp_sandbox.db()
    found: dict[str, list[str]] = {}
    for number, po in conn.execute("SELECT order_no, customer_po FROM sales_orders WHERE customer_po LIKE ?", (prefix + "%",)):
        found.setdefault(po, []).append(str(number))
    conn.close()
    return found


def test_a_robot_task_runs_as_a_bot_with_items_audit_evidence_and_kept_logs(erp_sandbox, tmp_path):
    env = environment(tmp_path)
    two_lines = {**order("PO-RUN1", 1), "ship_to": "Gate 2, 9 Quay St", "requested_date": "2026-12-15"}
    two_lines["lines"].append({"sku": ITEMS[3].sku, "quantity": "1", "unit_price": None})  # the ERP's price
    ids = queue_orders(env, [two_lines, order("PO-RUN2", 2, sku="ZZ-0404")])

    done = o2c(["run", "robot", str(TASK), "--variable", f"ERP_URL:{erp_sandbox.erp_url}",
                "--variable", f"ERP_USER:{BOT_USER}", "--json"], env)

    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["outcome"] == "success" and summary["tasks"] == {"passed": 1, "failed": 0, "skipped": 0}
    assert summary["counts"] == {"done": 1, "exception": 1}
    saved = erp_orders(erp_sandbox, "PO-RUN")
    assert list(saved) == ["PO-RUN1"] and len(saved["PO-RUN1"]) == 1
    conn = erp_sandbox.db()
    header = conn.execute("SELECT customer_id, ship_to, requested_date FROM sales_orders WHERE customer_po = 'PO-RUN1'").fetchone()
    lines = conn.execute("SELECT item_id, quantity, unit_price FROM order_lines WHERE order_no = ? ORDER BY line_no",
                         (saved["PO-RUN1"][0],)).fetchall()
    conn.close()
    assert tuple(header) == (CUSTOMERS[1].customer_id, "Gate 2, 9 Quay St", "2026-12-15")
    assert [(i, Decimal(str(q)), Decimal(str(p))) for i, q, p in lines] == [
        (ITEMS[1].sku, Decimal(2), ITEMS[1].price), (ITEMS[3].sku, Decimal(1), ITEMS[3].price)]
    with WorkQueue.open(url=env["O2C_DATABASE_URL"]) as queue:
        first, second = queue.get(ids[0]), queue.get(ids[1])
        (run,) = recent_runs(queue)
        audit = audit_entries(queue, run_id=run["id"])
    assert (first.state, first.result) == ("done", {"sales_order": saved["PO-RUN1"][0]})
    assert second.state == "exception" and second.exception_code == "erp_rejected"
    assert second.exception_message == "the ERP did not save the sales order: Line 1: item ZZ-0404 does not exist."
    assert Path(second.evidence["screenshot"]).read_bytes()[:4] == b"\x89PNG"
    assert "ZZ-0404" in Path(second.evidence["html"]).read_text()
    # The run: its row, its kept logs, and what it did on the ERP's screens.
    assert (run["bot"], run["outcome"], run["counts"]) == ("robot-enter_orders", "success", {"done": 1, "exception": 1})
    assert run["id"] == summary["run_id"]
    for name in ("output", "log", "report"):
        assert Path(run["artifacts"][name]).is_file(), name
    keyed = [(a["action"], a["target"], (a["detail"] or {}).get("value")) for a in audit if a["item_id"] == ids[0]]
    assert ("fill", "erp/sales_order.customer_po", "PO-RUN1") in keyed
    assert ("click", "erp/sales_order.save", None) in keyed
    assert keyed[-1][0] == "complete"
    assert [a["document_number"] for a in audit if a["action"] == "complete"] == [saved["PO-RUN1"][0]]
    assert any(a["item_id"] == ids[1] and a["target"] == "erp/sales_order.save" for a in audit)
    # `o2c runs` shows the run with its log.
    listed = json.loads(o2c(["runs", "--json"], env).stdout)["runs"][0]
    assert listed["artifacts"]["log"] == run["artifacts"]["log"]


def test_a_run_killed_mid_task_keys_nothing_twice_when_started_again(start_sandbox, tmp_path):
    # Each ERP screen answers slowly, so the kill lands between "Save" and completing the item.
    erp_sandbox = start_sandbox(latency_ms=250)
    env = environment(tmp_path, O2C_LEASE_SECONDS="1")
    orders = [order(f"PO-KILL{n}", n) for n in range(1, 3)]
    ids = queue_orders(env, orders)
    command = [*O2C, "run", "robot", str(TASK), "--variable", f"ERP_URL:{erp_sandbox.erp_url}",
               "--variable", f"ERP_USER:{BOT_USER}", "--json"]

    first = subprocess.Popen(command, env=env, cwd=CHECKOUT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    deadline = time.monotonic() + 120
    while not erp_orders(erp_sandbox, "PO-KILL") and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.02)
    os.killpg(first.pid, signal.SIGKILL)  # the runner, its Playwright driver and Chromium, all at once
    first.wait(10)
    saved_before = erp_orders(erp_sandbox, "PO-KILL")
    assert list(saved_before) == ["PO-KILL1"]
    with WorkQueue.open(url=env["O2C_DATABASE_URL"]) as queue:
        assert queue.get(ids[0]).state == "in_progress"  # saved in the ERP, not yet completed: the crash window
    time.sleep(1.5)  # the dead run's lease runs out

    again = o2c(command[len(O2C):], env)

    assert again.returncode == 0, again.stderr[-3000:]
    saved = erp_orders(erp_sandbox, "PO-KILL")
    assert sorted(saved) == ["PO-KILL1", "PO-KILL2"]
    assert all(len(numbers) == 1 for numbers in saved.values()), saved
    with WorkQueue.open(url=env["O2C_DATABASE_URL"]) as queue:
        items = [queue.get(i) for i in ids]
    assert [item.state for item in items] == ["done", "done"]
    assert items[0].result == {"sales_order": saved["PO-KILL1"][0], "found_existing": "yes"}
    assert [item.result["sales_order"] for item in items] == [saved[o["po_number"]][0] for o in orders]


def test_a_task_file_that_cannot_run_is_refused_with_exit_2(tmp_path):
    env = environment(tmp_path)
    broken = tmp_path / "broken.robot"
    broken.write_text("*** Tasks ***\nA\n    No Such Keyword At All\n")
    (tmp_path / "task.txt").write_text("*** Tasks ***\n")

    missing = o2c(["run", "robot", str(tmp_path / "nope.robot"), "--json"], env, timeout=60)
    failing = o2c(["run", "robot", str(broken), "--json"], env, timeout=120)

    assert missing.returncode == 2
    assert json.loads(missing.stdout) == {"error": f"there is no task file {tmp_path / 'nope.robot'}",
                                          "file": str(tmp_path / "nope.robot")}
    assert failing.returncode == 1 and json.loads(failing.stdout)["outcome"] == "failed"
    with pytest.raises(InputError, match="task.txt is not a Robot task file"):
        run_task(tmp_path / "task.txt", [])
    with pytest.raises(InputError, match="--variable 'ERP_URL=x' is not NAME:VALUE"):
        run_task(broken, ["ERP_URL=x"])
