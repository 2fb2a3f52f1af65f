"""``o2c report`` on a known store: receivables figures equal contract 4's hand-computed ones,
auto-match and touchless rates, exception aging, bot failure rates; the HTML page with its
charts, the CSV export, a user-defined YAML report, and the report mailed once to a list."""

import csv
import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import yaml
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

import bots.cli.report  # noqa: F401
from bots.cli.main import app
from bots.runtime.clock import FixedClock
from bots.reporting import build_report, builtin_definitions, load_definitions, to_html
from bots.reporting.measures import ReportError
from bots.runtime.runs import bot_run
from bots.runtime.store.models import ArItem, ArReceipt
from bots.runtime.workqueue import WorkQueue
from tests.test_ar_metrics import LEDGER_A_INVOICES, LEDGER_A_RECEIPTS

NOW = datetime(2026, 9, 30, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    (tmp_path / "o2c.yaml").write_text(yaml.safe_dump({"home": str(tmp_path), "database_url": url}))
    monkeypatch.setenv("O2C_CONFIG", str(tmp_path / "o2c.yaml"))
    clock = FixedClock(datetime(2026, 9, 10, 9, 0, tzinfo=timezone.utc))
    queue = WorkQueue.open(url, clock=clock)
    sessions = sessionmaker(queue.engine, expire_on_commit=False)
    with sessions.begin() as session:     # contract 4's ledger A, as the ledger in the store
        for line in LEDGER_A_INVOICES:
            customer, name, number, invoice_date, due_date, currency, amount = line.split(",")
            session.add(ArItem(customer_id=customer, customer_name=name, invoice=number,
                               invoice_date=date.fromisoformat(invoice_date), due_date=date.fromisoformat(due_date),
                               currency=currency, amount=Decimal(amount), open_amount=Decimal(amount), seen_at=NOW))
        for line in LEDGER_A_RECEIPTS:
            customer, number, receipt_date, amount = line.split(",")
            session.add(ArReceipt(customer_id=customer, invoice=number, receipt_date=date.fromisoformat(receipt_date),
                                  amount=Decimal(amount), source="test"))
    # Four payments: two applied untouched, one retried by a supervisor, one an exception.
    payments = []
    for n in range(4):
        payments.append(queue.add("payment", {"payment": {"payment_reference": f"P{n}", "total": "100.00"},
                              "applications": [{"customer_id": "C1"}], "exception": None}, key=f"payment:{n}")[0].id)
    queue.to_exception(payments[3], "unmatched", "no open item")
    queue.to_exception(payments[2], "erp_changed", "open amount changed")
    queue.retry(payments[2], "anna", "try again")
    # Three orders: two keyed untouched, one via the exception queue (resolved by a person).
    for n in range(3):
        queue.add("order", {"order": {"customer": {"name": "Alpha Foods"}}}, key=f"order:{n}")
    for item in queue.claim("erp-order-entry@test", kinds=["order"], limit=3):
        if item.key == "order:2":
            queue.to_exception(item.id, "unknown_sku", "SKU X")
            queue.resolve(item.id, "anna", "keyed by hand")
        else:
            queue.complete(item.id, "erp-order-entry@test", {"sales_order": "SO1"})
    # Two exceptions waiting: one from 09-10 (20 days old at NOW), one from 09-28 (2 days).
    queue.to_exception(queue.add("email_message", {}, key="email:1")[0].id, "not_order", "auto-reply")
    clock.set(datetime(2026, 9, 28, 12, 0, tzinfo=timezone.utc))
    queue.to_exception(queue.add("email_message", {}, key="email:2")[0].id, "not_order", "newsletter")
    # Three runs of the order-entry bot, one failed.
    for fails in (False, False, True):
        try:
            with bot_run(queue, "erp-order-entry"):
                if fails:
                    raise RuntimeError("ERP down")
        except RuntimeError:
            pass
    yield sessions, url
    queue.close()


def tables_by_name(sessions, definitions=None):
    with sessions() as session:
        tables = build_report(session, date(2026, 7, 1), date(2026, 9, 30), NOW, definitions or builtin_definitions())
    return {t.name: t for t in tables}


def as_dicts(table):
    return [dict(zip(table.columns, row)) for row in table.rows]


def test_builtin_report_figures(store):
    tables = tables_by_name(store[0])
    [receivables] = as_dicts(tables["Receivables"])
    # Contract 4's figures of ledger A, worked out by hand in tests/test_ar_metrics.py.
    assert receivables == {"currency": "USD", "ar": "1100.00", "current": "300.00", "1-30": "500.00", "31-60": "-100.00",
                           "61-90": "400.00", "91+": "0.00", "dso": "67.47", "dso_countback": "67.20",
                           "cei": "63.64", "average_days_to_pay": "35.36", "average_days_late": "5.36"}
    [cash] = as_dicts(tables["Cash application"])
    assert cash == {"payments": "4", "auto_applied": "2", "auto_match_rate": "50.00", "exceptions": "2",
                    "exception_rate": "50.00", "amount": "400.00"}
    [orders] = as_dicts(tables["Orders"])
    assert orders == {"orders": "3", "touchless": "2", "touchless_rate": "66.67", "exceptions": "1"}
    aging = {row["reason"]: row for row in as_dicts(tables["Exception aging"])}
    assert aging["not_order"]["exceptions"] == "2" and aging["not_order"]["age_1_3"] == "1"
    # 09-10 09:00 to 09-30 12:00: 20 days and 3 hours = 20.125 days
    assert aging["not_order"]["age_7_plus"] == "1" and aging["not_order"]["oldest_days"] == "20.13"
    assert aging["unmatched"]["exceptions"] == "1"
    [bots] = as_dicts(tables["Bots"])
    assert bots == {"bot": "erp-order-entry", "runs": "3", "succeeded": "2", "failed": "1", "failure_rate": "33.33",
                    "items_done": "2", "items_per_run": "0.67"}
    weeks = as_dicts(tables["Receivables by week"])
    assert weeks[0]["week"] == "2026-W27" and weeks[-1]["week"] == "2026-W40"
    assert weeks[-1]["ar"] == "1100.00"


def test_user_defined_report_by_customer_with_a_filter(store, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"reports": [
        {"name": "Overdue of Beta", "source": "receivables", "group_by": "customer",
         "measures": ["ar", "past_due", "dso"], "filters": {"customer_id": ["C2"]}},
        {"name": "Exceptions by kind", "source": "exceptions", "group_by": "kind", "measures": ["exceptions"],
         "chart": "bar"}]}))
    tables = tables_by_name(store[0], load_definitions(path))
    assert as_dicts(tables["Overdue of Beta"]) == [{"currency": "USD", "customer": "C2 Beta Stores", "ar": "500.00", "past_due": "500.00",
                                                    "dso": "57.50"}]
    assert as_dicts(tables["Exceptions by kind"]) == [{"kind": "email_message", "exceptions": "2"},
                                                      {"kind": "payment", "exceptions": "1"}]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "x", "source": "runs", "measures": ["runs"], "group_by": "customer"}))
    with pytest.raises(ReportError, match="runs can be grouped by none, bot, week"):
        load_definitions(bad)


def test_command_writes_html_with_charts_and_csv(store, tmp_path):
    html, folder = tmp_path / "report.html", tmp_path / "csv"
    result = CliRunner().invoke(app, ["report", "--from", "2026-07-01", "--to", "2026-09-30", "--html", str(html),
                                      "--csv", str(folder), "--json"])
    assert result.exit_code == 0, result.stdout
    output = json.loads(result.stdout)
    assert [r["name"] for r in output["reports"]][:2] == ["Receivables", "Receivables by week"]
    page = html.read_text()
    assert page.count("<svg") == 4 and "<script" not in page and "Exception aging" in page
    with open(folder / "receivables.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["dso_countback"] == "67.20"
    assert sorted(p.name for p in folder.iterdir())[:2] == ["bots.csv", "cash_application.csv"]
    table = CliRunner().invoke(app, ["report", "--from", "2026-07-01", "--to", "2026-09-30"])
    assert table.exit_code == 0 and "67.20" in table.stdout
    bad = CliRunner().invoke(app, ["report", "--from", "2026-10-01", "--to", "2026-09-30", "--json"])
    assert bad.exit_code == 2 and "after it ends" in json.loads(bad.stdout)["error"]


def test_receivables_in_two_currencies_are_reported_apart(store):
    sessions, _ = store
    with sessions.begin() as session:
        session.add(ArItem(customer_id="C7", customer_name="Euro GmbH", invoice="E-1", invoice_date=date(2026, 9, 1),
                           due_date=date(2026, 10, 1), currency="EUR", amount=Decimal("250.00"),
                           open_amount=Decimal("250.00"), seen_at=NOW))
    rows = as_dicts(tables_by_name(sessions)["Receivables"])
    assert [(r["currency"], r["ar"], r["dso"]) for r in rows] == [("EUR", "250.00", "92.00"), ("USD", "1100.00", "67.47")]


def test_html_escapes_what_comes_from_outside(store):
    with store[0]() as session:
        tables = build_report(session, date(2026, 7, 1), date(2026, 9, 30), NOW, builtin_definitions())
    tables[0].rows.append(["<script>alert(1)</script>"] * len(tables[0].columns))
    page = to_html(tables, date(2026, 7, 1), date(2026, 9, 30), NOW)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_report_mailed_once_to_the_list(store, tmp_path, smtp_server, monkeypatch):
    from bots.runtime.config import load_settings
    from bots.reporting.mail import run_report_mail

    _, url = store
    (tmp_path / "o2c.yaml").write_text(yaml.safe_dump({"home": str(tmp_path), "database_url": url, "bots": {
        "outgoing-mail": {"sender": "o2c@northwind.example",
                          "smtp": {"host": smtp_server.host, "port": smtp_server.port, "security": "starttls",
                                   "user": smtp_server.user, "ca_file": str(smtp_server.ca_file)}},
        "report-mail": {"to": ["cfo@northwind.example", "ar-lead@northwind.example"], "days": 92}}}))
    monkeypatch.setenv("O2C_SMTP_PASSWORD", smtp_server.password)
    assert run_report_mail(load_settings(), end=date(2026, 9, 30))["sent"] == 1
    assert run_report_mail(load_settings(), end=date(2026, 9, 30))["sent"] == 0
    [mail] = smtp_server.messages
    assert mail.recipients == ["cfo@northwind.example", "ar-lead@northwind.example"]
    assert mail.message["Subject"] == "Order-to-cash report 2026-07-01 to 2026-09-30"
    assert "1100.00" in mail.message.get_body(("plain",)).get_content()
    names = [a.get_filename() for a in mail.message.iter_attachments()]
    assert names == ["o2c-report-2026-09-30.html", "o2c-report-2026-09-30-csv.zip"]
