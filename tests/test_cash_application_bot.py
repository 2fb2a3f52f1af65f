"""``o2c run cash-application`` against the sandbox bank and ERP in real headless Chromium.

The bank and the ERP run in this process (threads) from the same seeded world; the bot logs
on to the bank with the sandbox one-time code, downloads the day's statement and advices,
exports the ERP's open items, matches and queues. Its applications are compared with the
world's truth (truth.json): not one may be wrong.
"""

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bots.bank.cash_application import CashApplicationSettings, payment_key, run_cash_application
from bots.demo.compare import score_cash
from bots.runtime.runs import audit_entries
from sandbox.scenario import generate_world, truth_json
from tests.fixtures.sandbox import SANDBOX_TODAY

pytestmark = pytest.mark.browser

ERP_USER, ERP_PASSWORD = "bot", "bot-pass-1"
BANK_USER, BANK_PASSWORD = "bot", "bot-pass-3"


@pytest.fixture
def queue(tmp_path):
    from bots.runtime.workqueue import WorkQueue

    with WorkQueue.open(url=f"sqlite:///{tmp_path / 'queue.db'}") as queue:
        yield queue


def settings(erp_url: str, bank_url: str, tmp_path) -> CashApplicationSettings:
    return CashApplicationSettings(bank_url=bank_url, bank_user=BANK_USER, bank_password=BANK_PASSWORD,
                                   erp_url=erp_url, erp_user=ERP_USER, erp_password=ERP_PASSWORD,
                                   evidence_dir=tmp_path / "evidence", otp="sandbox", busy_wait_seconds=0.05,
                                   busy_attempts=8)


def queued_as_contract(queue) -> dict:
    """The payment items' applications and exceptions, in contract 3's shape, for ``score_cash``."""
    items = queue.items(kind="payment", limit=None)
    applications = [a for item in items for a in item.payload["applications"]]
    exceptions = [item.payload["exception"] for item in items if item.payload["exception"]]
    return {"applications": applications, "exceptions": exceptions,
            "summary": {"payments": len(items)}}


def day_payments(day: date, seed: int = 7) -> list[dict]:
    world = generate_world(seed, as_of=SANDBOX_TODAY)
    references = {p.payment_reference for p in world.payments if p.payment_date == day}
    return [p for p in truth_json(world)["payments"] if p["payment_reference"] in references]


def test_queues_each_days_payments_right_and_only_once(start_sandbox, queue, tmp_path, browser):
    # Seed 42 sends one remittance twice on two days: the second must be already_paid although
    # the ERP still shows the invoices open (the first payment is queued, not yet posted).
    sandbox = start_sandbox(systems=("erp", "bank"), seed=42)
    days = generate_world(42, as_of=SANDBOX_TODAY).payment_days()
    bot = settings(sandbox.erp_url, sandbox.url("bank"), tmp_path)

    runs = [run_cash_application(bot, once=True, day=day, queue=queue, browser=browser) for day in days]

    truth = [p for day in days for p in day_payments(day, seed=42)]
    assert sum(counts["payments"] for counts in runs) == len(truth) == sum(c["items_created"] for c in runs)
    items = queue.items(kind="payment", limit=None)
    assert {item.key for item in items} == {payment_key("bank", p["payment_reference"]) for p in truth}
    score = score_cash("bot", queued_as_contract(queue), truth)
    assert score.wrong == []
    assert score.applications > len(truth) // 2, "most payments apply straight through"
    in_exception = [item for item in items if item.state == "exception"]
    assert "already_paid" in {item.exception_code for item in in_exception}
    assert all(item.payload["exception"]["reason"] == item.exception_code for item in in_exception)
    assert all("candidates" in item.payload["exception"] for item in in_exception)
    assert all(item.evidence["file"].endswith(".xml") for item in items)
    # The console shows a person the customer's open items from this file when resolving.
    assert all(Path(item.evidence["open_items"]).is_file() for item in items)
    advices = sum(counts["remittance_advices"] for counts in runs)
    assert advices >= sum(1 for item in items if "remittance" in item.evidence) > 0
    actions = {row["action"] for row in audit_entries(queue, limit=None)}
    assert {"download_statement", "download_remittance", "export_open_items", "add"} <= actions

    # Without a date the bot takes the newest statement: all its payments are queued already.
    again = run_cash_application(bot, once=True, queue=queue, browser=browser)
    assert again.get("items_created", 0) == 0
    assert again["items_already_queued"] == len(day_payments(days[-1], seed=42))
    assert len(queue.items(kind="payment", limit=None)) == len(truth)


def test_survives_a_busy_bank_portal(start_sandbox, queue, tmp_path, browser):
    # Seed 19's fault sequence answers the first code with "System busy" (0.03 < 0.3).
    erp = start_sandbox(systems=("erp",), seed=19)
    bank = start_sandbox(systems=("bank",), seed=19, fault_rate=0.3)
    day = generate_world(19, as_of=SANDBOX_TODAY).payment_days()[0]

    counts = run_cash_application(settings(erp.erp_url, bank.url("bank"), tmp_path), once=True, day=day,
                                  queue=queue, browser=browser)

    assert counts["bank_busy"] >= 1
    truth = day_payments(day, seed=19)
    assert counts["items_created"] == counts["payments"] == len(truth)
    assert score_cash("bot", queued_as_contract(queue), truth).wrong == []


def test_totp_codes_follow_rfc_6238():
    from bots.bank.otp import totp_code

    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # the RFC's key "12345678901234567890", base32
    assert totp_code(secret, at=59, digits=8) == "94287082"
    assert totp_code(secret, at=1111111109, digits=8) == "07081804"
    assert totp_code(secret, at=1111111109) == "081804"


def test_settings_refuse_an_unknown_code_method_and_a_missing_bank(tmp_path):
    with pytest.raises(ValueError, match="otp must be one of sandbox, totp"):
        CashApplicationSettings(bank_url="http://127.0.0.1:1", bank_user="bot", bank_password="x",
                                erp_url="http://127.0.0.1:2", erp_user="bot", erp_password="y",
                                evidence_dir=tmp_path, otp="sms")
    with pytest.raises(ValueError, match="bank_url"):
        CashApplicationSettings(bank_url=None, bank_user="bot", bank_password="x", erp_url="http://127.0.0.1:2",
                                erp_user="bot", erp_password="y", evidence_dir=tmp_path)


def test_a_bad_date_is_one_plain_line_and_exit_code_2():
    o2c = str(Path(sys.executable).with_name("o2c"))
    result = subprocess.run([o2c, "run", "cash-application", "--once", "--date", "25/11/2026"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "use the format YYYY-MM-DD" in result.stderr and "Traceback" not in result.stderr


def test_open_items_less_what_queued_payments_apply(tmp_path):
    from bots.bank.cash_application import less_queued

    export = tmp_path / "open_items.csv"
    export.write_text("customer_id,customer_name,invoice,invoice_date,due_date,currency,amount,open_amount\n"
                      "C1,A,INV-1,2026-10-01,2026-10-31,USD,100.00,100.00\n"
                      "C1,A,INV-2,2026-10-01,2026-10-31,USD,50.00,50.00\n"
                      "C1,A,INV-3,2026-10-01,2026-10-31,USD,70.00,70.00\n", encoding="utf-8")
    target = less_queued(export, {"INV-1": Decimal("100.00"), "INV-2": Decimal("20.00")}, tmp_path / "less.csv")
    rows = target.read_text(encoding="utf-8").splitlines()
    assert [row.rsplit(",", 1)[1] for row in rows[1:]] == ["0.00", "30.00", "70.00"]
