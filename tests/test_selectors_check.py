"""`o2c selectors check`: each element of a selectors file, found once, found N times or missing, on the real page."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
O2C = [sys.executable, "-c", "from bots.cli.main import main; main()"]
LOGIN = ["--login", "erp/login", "--field", "user=bot", "--field", "password=env:O2C_ERP_PASSWORD"]

pytestmark = pytest.mark.browser

UPGRADED = """\
screen:
  title: Create sales order
  url: "/va01"
elements:
  customer:     {label: "Customer", exact: true}
  customer_po:  {label: "Customer PO number", exact: true}   # the label the old release had
  cells:        {role: cell}
  line_item:    {label: "Item, line {n}", exact: true}
"""


def check(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "O2C_ERP_PASSWORD": "bot-pass-1", "O2C_HOME": str(tmp_path / "home")}
    return subprocess.run([*O2C, "selectors", "check", *args, "--json"], env=env, capture_output=True, text=True,
                          timeout=120, cwd=CHECKOUT)


def test_a_shipped_file_is_all_there_and_an_upgraded_screen_shows_what_broke(erp_sandbox, tmp_path):
    good = check(["selectors/erp/sales_order.yaml", "--url", f"{erp_sandbox.erp_url}/va01", *LOGIN, "--param", "n=1"],
                 tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr[-2000:]
    report = json.loads(good.stdout)
    found = {e["element"]: e["status"] for e in report["elements"]}
    assert found["customer"] == found["line_item"] == found["save"] == "found once"
    assert report["screen"] == {"ok": True, "status": "this is the screen"}

    folder = tmp_path / "selectors" / "erp"
    folder.mkdir(parents=True)
    shutil.copy(CHECKOUT / "selectors" / "erp" / "login.yaml", folder / "login.yaml")
    (folder / "upgraded.yaml").write_text(UPGRADED)
    broken = check([str(folder / "upgraded.yaml"), "--url", f"{erp_sandbox.erp_url}/va01", *LOGIN], tmp_path)

    assert broken.returncode == 1
    report = json.loads(broken.stdout)
    rows = {e["element"]: (e["line"], e["status"]) for e in report["elements"]}
    assert rows["customer"] == (5, "found once")
    assert rows["customer_po"] == (6, "missing")
    assert rows["cells"][1].startswith("found ") and rows["cells"][1].endswith(" times")
    assert rows["line_item"] == (8, "needs n (give --param n=...)")
    assert report["summary"] == {"found once": 1, "found more than once": 1, "missing": 1, "needs parameters": 1}


def test_a_file_with_a_mistake_names_the_line_and_the_fix(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("elements:\n  save: {role: button, name: Save}\n  total: {lable: Total}\n")
    done = check([str(bad), "--url", "http://127.0.0.1:9/"], tmp_path)
    assert done.returncode == 2
    error = json.loads(done.stdout)
    assert error == {"error": f"{bad}, line 3: element 'total' has an unknown key 'lable'; did you mean 'label'?",
                     "file": str(bad)}
