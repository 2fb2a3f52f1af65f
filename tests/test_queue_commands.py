"""``o2c items / exceptions / show / retry / resolve / dismiss / runs / audit / db upgrade``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bots.cli.queue  # noqa: F401  (registers the commands)
from bots.cli.main import app
from bots.runtime.errors import BusinessException
from bots.runtime.runs import bot_run
from bots.runtime.store.engine import head_revision
from bots.runtime.workqueue import WorkQueue

runner = CliRunner(env={"COLUMNS": "160"})  # rich folds long cells on an 80-column screen


@pytest.fixture
def store(store_url, monkeypatch, tmp_path):
    """A store with one new order, one done order and one exception; the commands use it."""
    monkeypatch.setenv("O2C_DATABASE_URL", store_url)
    monkeypatch.setenv("O2C_USER", "alice")
    queue = WorkQueue.open(store_url)
    queue.add("order", {"po_number": "PO-1"}, key="k1", source_ref="<m1@example.com>")
    queue.add("order", {"po_number": "PO-2"}, key="k2")
    queue.add("remittance", {"file": "advice.pdf"}, key="k3", evidence={"source_file": "advice.pdf"})
    with bot_run(queue, "erp-entry") as run:
        first = queue.claim("w", kinds=["order"])[0]
        with queue.processing(first, "w", run=run) as work:
            work.audit("create_sales_order", "erp", "Sales Order", document_number="SO-9")
            work.result = {"sales_order": "SO-9"}
    remittance = queue.claim("w", kinds=["remittance"])[0]
    queue.fail(remittance.id, "w", BusinessException("total_mismatch", "Lines add up to 90.00, the advice says 100.00",
                                                     {"screenshot": "shot.png"}))
    queue.close()
    return {"done": first.id, "exception": remittance.id}


def invoke(*args):
    result = runner.invoke(app, list(args))
    # An error must be a message and an exit code, never an exception escaping the command.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def as_json(*args):
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_items_as_json_and_filtered(store):
    everything = as_json("items")
    assert everything["count"] == 3
    assert everything["states"] == {"done": 1, "new": 1, "exception": 1}
    assert [i["state"] for i in as_json("items", "--state", "new")["items"]] == ["new"]
    assert [i["kind"] for i in as_json("items", "--kind", "remittance")["items"]] == ["remittance"]
    assert as_json("items", "--state", "done")["items"][0]["result"] == {"sales_order": "SO-9"}


def test_items_as_a_table(store):
    result = invoke("items")
    assert result.exit_code == 0
    assert "Work items" in result.output and "remittance" in result.output and "exception" in result.output


def test_exceptions_as_json_and_table(store):
    [entry] = as_json("exceptions")["exceptions"]
    assert entry["id"] == store["exception"]
    assert entry["exception_code"] == "total_mismatch"
    assert entry["exception_message"] == "Lines add up to 90.00, the advice says 100.00"
    assert entry["evidence"] == {"source_file": "advice.pdf", "screenshot": "shot.png"}
    assert "traceback" not in entry
    table = invoke("exceptions")
    assert table.exit_code == 0 and "total_mismatch" in table.output


def test_show_gives_evidence_history_audit_and_traceback(store):
    shown = as_json("show", str(store["done"]))
    assert shown["audit"][0]["document_number"] == "SO-9"
    assert [h["action"] for h in shown["item"]["history"]] == ["created", "completed"]
    failed = as_json("show", str(store["exception"]))["item"]
    assert "BusinessException" in failed["traceback"]
    table = invoke("show", str(store["exception"]))
    assert table.exit_code == 0 and "shot.png" in table.output and "History" in table.output


def test_retry_resolve_dismiss(store):
    item = store["exception"]
    retried = as_json("retry", str(item), "--note", "advice re-sent")["item"]
    assert retried["state"] == "retried"
    assert retried["history"][-1]["actor"] == "alice"
    assert retried["history"][-1]["note"] == "advice re-sent"
    assert as_json("exceptions")["count"] == 0


def test_resolve_needs_a_note_and_an_exception(store):
    missing_note = invoke("resolve", str(store["exception"]))
    assert missing_note.exit_code == 2
    wrong_state = invoke("resolve", str(store["done"]), "--note", "x", "--json")
    assert wrong_state.exit_code == 2
    assert "only items in the exception queue" in json.loads(wrong_state.output)["error"]
    no_item = invoke("dismiss", "424242", "--note", "x", "--json")
    assert no_item.exit_code == 2 and json.loads(no_item.output) == {"error": "no work item 424242"}
    resolved = invoke("resolve", str(store["exception"]), "--note", "posted by hand", "--by", "carol")
    assert resolved.exit_code == 0 and "resolved" in resolved.output
    assert as_json("show", str(store["exception"]))["item"]["history"][-1]["actor"] == "carol"


def test_runs_and_audit(store):
    [run] = as_json("runs")["runs"]
    assert (run["bot"], run["outcome"], run["counts"]) == ("erp-entry", "success", {"done": 1})
    [entry] = as_json("audit", "--item", str(store["done"]))["audit"]
    assert entry["document_number"] == "SO-9"
    assert invoke("audit").exit_code == 0


def test_unknown_state_is_a_clear_error(store):
    result = invoke("items", "--state", "failed", "--json")
    assert result.exit_code == 2
    assert "unknown state 'failed'" in json.loads(result.output)["error"]


def test_db_upgrade_on_a_new_store(tmp_path, monkeypatch):
    monkeypatch.delenv("O2C_DATABASE_URL", raising=False)
    monkeypatch.setenv("O2C_HOME", str(tmp_path / "home"))
    upgraded = as_json("db", "upgrade")
    assert upgraded["revision"] == head_revision()
    assert (tmp_path / "home" / "o2c.db").exists()


def test_an_unreachable_store_is_an_error_not_a_traceback(monkeypatch):
    monkeypatch.setenv("O2C_DATABASE_URL", "postgresql://o2c:pw-not-shown@127.0.0.1:1/o2c")
    result = invoke("items", "--json")
    assert result.exit_code == 1
    error = json.loads(result.output)["error"]
    assert error.startswith("the store cannot be used") and "pw-not-shown" not in error


def test_the_installed_command(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "O2C_HOME": str(tmp_path)}
    o2c = Path(sys.executable).parent / "o2c"
    done = subprocess.run([str(o2c), "items", "--json"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["count"] == 0
