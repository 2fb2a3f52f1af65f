"""Collections on known examples: the worklist order, the risk score and its factors, promises
kept and broken, dispute and deduction cases opened from what the other bots set aside."""

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bots.collections.cases import open_case, routing_rules
from bots.collections.promises import record_promise, review_promises
from bots.collections.risk import recompute_scores, score_customer
from bots.collections.worklist import assign, order_worklist, worklist
from bots.receivables.ledger import Invoice, Ledger, Receipt
from bots.receivables.store import sync_open_items
from bots.runtime.store.engine import make_engine, upgrade
from bots.runtime.store.models import CustomerRiskScore, DisputeCase, PromiseToPay
from tests.test_dunning import NOW, TODAY, book_rows


def invoice(customer, number, invoice_date, due_date, amount, name=None):
    return Invoice(customer, name or customer, number, invoice_date, due_date, "USD", Decimal(amount))


@pytest.fixture
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        sync_open_items(session, book_rows(), TODAY, NOW, "test export")
    yield sessions
    engine.dispose()


def test_worklist_order_on_a_known_example():
    ledger = Ledger([invoice("C1", "A1", date(2026, 11, 1), date(2026, 12, 1), "100.00"),
                     invoice("C1", "A2", date(2026, 10, 11), date(2026, 11, 10), "200.00"),
                     invoice("C1", "A3", date(2026, 10, 2), date(2026, 11, 1), "300.00"),
                     invoice("C2", "B1", date(2026, 9, 15), date(2026, 10, 15), "500.00"),
                     invoice("C3", "G1", date(2026, 10, 26), date(2026, 11, 25), "80.00"),
                     invoice("C4", "D1", date(2026, 11, 20), date(2026, 12, 20), "999.00")], [])
    rows = order_worklist(ledger, TODAY, {"C1": Decimal(50), "C3": Decimal(80)}, held={("C1", "A3")},
                          collectors={"C1": "kim"})
    # A2: 50 x 200 x 23 = 230000; G1: 80 x 80 x 8 = 51200; B1: score 0 counts as 1: 500 x 49 = 24500;
    # A1: 50 x 100 x 2 = 10000. A3 is disputed, D1 not yet due.
    assert [(r.invoice, r.priority) for r in rows] == [("A2", Decimal("230000.00")), ("G1", Decimal("51200.00")),
                                                        ("B1", Decimal("24500.00")), ("A1", Decimal("10000.00"))]
    assert rows[0].collector == "kim" and rows[1].collector is None


def test_risk_score_factors_on_a_known_history():
    ledger = Ledger(
        [invoice("C9", "I1", date(2026, 9, 1), date(2026, 10, 1), "1000.00"),
         invoice("C9", "I2", date(2026, 7, 1), date(2026, 7, 31), "500.00"),
         invoice("C9", "I3", date(2026, 11, 1), date(2026, 12, 1), "600.00"),
         invoice("C9", "I4", date(2026, 11, 20), date(2026, 12, 20), "400.00")],
        [Receipt("C9", "I1", date(2026, 10, 11), Decimal("1000.00")),   # 40 days to pay, 10 late
         Receipt("C9", "I2", date(2026, 7, 31), Decimal("500.00"))])    # 30 days to pay, on time
    score, factors = score_customer(ledger, TODAY, open_disputes=1, broken_promises=1, credit_limit=Decimal(1000))
    points = {f.factor: f.points for f in factors}
    assert points == {
        "days_late": Decimal("6.67"),         # (1000 x 10 + 500 x 0) / 1500
        "trend": Decimal("5.00"),             # last 90 days 40 days to pay, the 90 before 30: +10 / 2
        "share_paid_late": Decimal("13.33"),  # 20 x 1000 / 1500
        "past_due_share": Decimal("6.00"),    # 10 x 600 / 1000 open
        "open_disputes": Decimal("5.00"),
        "credit_used": Decimal("10.00"),      # 1000 open of a 1000 limit: (1.0 - 0.5) x 20
        "broken_promises": Decimal("5.00"),
    }
    assert score == Decimal("51.00")
    assert "from 30.0 to 40.0" in next(f.explanation for f in factors if f.factor == "trend")


def test_broken_promise_puts_items_back_and_counts_in_the_score(store):
    later, later_at = date(2026, 12, 11), NOW + timedelta(days=8)
    with store.begin() as session:
        record_promise(session, "C2", ["B1"], Decimal("500.00"), date(2026, 12, 10), "kim", NOW)
        open_case(session, customer_id="C1", invoice="A3", kind="dispute", reason="pricing", source="console",
                  by="kim", at=NOW, rules=routing_rules(None))
        assign(session, "C1", "kim", "lead", NOW)
    with store() as session:
        assert {row.invoice for row in worklist(session, TODAY)} == {"A1", "A2", "B2", "G1", "E1"}   # B1 promised
    with store.begin() as session:
        assert review_promises(session, TODAY, NOW) == {"kept": 0, "broken": 0}        # it still stands
        assert review_promises(session, later, later_at) == {"kept": 0, "broken": 1}   # 12-10 passed, unpaid
        recompute_scores(session, later, later_at)
    with store() as session:
        assert "B1" in {row.invoice for row in worklist(session, later)}
        assert [row.invoice for row in worklist(session, later, "kim")] == ["A2", "A1"]
        beta = session.get(CustomerRiskScore, "C2")
        broken = next(f for f in beta.factors if f["factor"] == "broken_promises")
        assert broken["points"] == "5.00" and broken["value"] == "1"
        assert session.scalars(select(PromiseToPay.state)).all() == ["broken"]


def test_promise_kept_when_its_items_are_paid(store):
    with store.begin() as session:
        record_promise(session, "C5", ["E1"], Decimal("400.00"), date(2026, 12, 10), "kim", NOW)
        sync_open_items(session, [r for r in book_rows() if r["invoice"] != "E1"], date(2026, 12, 5),
                        NOW + timedelta(days=2), "next export")
        assert review_promises(session, date(2026, 12, 5), NOW) == {"kept": 1, "broken": 0}


def test_cases_are_routed_with_due_dates_and_opened_once(store):
    rules = routing_rules({"shortage": {"team": "warehouse", "days": 2}})
    with store.begin() as session:
        case, new = open_case(session, customer_id="C1", invoice="A1", kind="deduction", reason="Shortage",
                              source="cash-application", by="bot", at=NOW, rules=rules, amount=Decimal("12.50"),
                              source_ref="deduction:P1:A1")
        again, second = open_case(session, customer_id="C1", invoice="A1", kind="deduction", reason="shortage",
                                  source="cash-application", by="bot", at=NOW, rules=rules, source_ref="deduction:P1:A1")
        other, _ = open_case(session, customer_id="C1", invoice="A2", kind="dispute", reason="tax", source="console",
                             by="kim", at=NOW, rules=rules)
        assert new and not second and again.id == case.id
        assert (case.team, case.due_date) == ("warehouse", date(2026, 12, 5))
        assert (other.team, other.due_date) == ("tax", date(2026, 12, 13))


def test_case_intake_from_invoice_queries_and_deductions(tmp_path, monkeypatch):
    import yaml

    from bots.collections.case_intake import run_case_intake
    from bots.runtime.config import load_settings
    from bots.runtime.workqueue import WorkQueue

    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    (tmp_path / "o2c.yaml").write_text(yaml.safe_dump({"home": str(tmp_path), "database_url": database_url}))
    monkeypatch.setenv("O2C_CONFIG", str(tmp_path / "o2c.yaml"))
    queue = WorkQueue.open(database_url)
    with sessionmaker(queue.engine).begin() as session:
        sync_open_items(session, book_rows([("C1", "Alpha Foods", "INV-10042", date(2026, 11, 10), "200.00"),
                                            ("C2", "Beta", "INV-10077", date(2026, 11, 10), "90.00")]),
                        TODAY, NOW, "export")
    eml = tmp_path / "query.eml"
    eml.write_bytes(b"From: ap@alpha.example\r\nSubject: Invoice 10042\r\nMessage-ID: <q1@alpha>\r\n\r\n"
                    b"Hello, we were charged the wrong price on invoice 10042: the agreed price was 12.00.\r\n")
    item, _ = queue.add("email_message", {"reason": "not_order", "from": "ap@alpha.example",
                                          "subject": "Invoice 10042"}, key="email-message:q1")
    queue.to_exception(item.id, "not_order", "not a purchase order (invoice query): Invoice 10042",
                       {"file": str(eml)})
    noise, _ = queue.add("email_message", {"reason": "not_order", "subject": "Out of office"}, key="email-message:q2")
    queue.to_exception(noise.id, "not_order", "not a purchase order (auto-reply): Out of office", {})
    queue.add("payment", {"payment": {"payment_reference": "P77", "payer": "Beta"},
                          "applications": [{"customer_id": "C2", "invoice": "INV-10077", "amount": "80.00",
                                            "discount": "0.00", "deduction": "10.00", "reason_code": "freight"}]},
              key="payment:bank:P77")
    counts = run_case_intake(load_settings())
    assert counts == {"email_cases": 1, "deduction_cases": 1, "email_items_resolved": 1}
    assert run_case_intake(load_settings()) == {"email_cases": 0, "deduction_cases": 0, "email_items_resolved": 0}
    with sessionmaker(queue.engine)() as session:
        cases = {c.invoice: c for c in session.scalars(select(DisputeCase))}
    assert (cases["INV-10042"].kind, cases["INV-10042"].reason, cases["INV-10042"].team) == ("dispute", "pricing",
                                                                                             "pricing")
    assert (cases["INV-10077"].kind, cases["INV-10077"].reason, cases["INV-10077"].amount) == ("deduction", "freight",
                                                                                               Decimal("10.00"))
    assert queue.get(item.id).state == "resolved" and queue.get(noise.id).state == "exception"
    queue.close()


def test_worklist_and_score_commands(store, tmp_path, monkeypatch):
    import yaml

    import bots.cli.collections  # noqa: F401
    from bots.cli.main import app

    url = str(store.kw["bind"].url)
    (tmp_path / "o2c.yaml").write_text(yaml.safe_dump({"home": str(tmp_path), "database_url": url}))
    monkeypatch.setenv("O2C_CONFIG", str(tmp_path / "o2c.yaml"))
    runner = CliRunner()
    assert runner.invoke(app, ["run", "risk-scores", "--date", "2026-12-03", "--json"]).exit_code == 0
    result = runner.invoke(app, ["collections", "worklist", "--date", "2026-12-03", "--json"])
    assert result.exit_code == 0, result.stdout
    items = json.loads(result.stdout)["items"]
    assert [i["invoice"] for i in items][:1] == ["B1"] and {"A1", "A2", "A3", "G1", "E1"} <= {i["invoice"] for i in items}
    result = runner.invoke(app, ["collections", "score", "C2", "--json"])
    factors = {f["factor"] for f in json.loads(result.stdout)["factors"]}
    assert {"days_late", "trend", "share_paid_late", "past_due_share", "open_disputes", "credit_used",
            "broken_promises"} == factors


def test_import_contacts_command(store, tmp_path, monkeypatch):
    import yaml

    import bots.cli.collections  # noqa: F401
    from bots.cli.main import app
    from bots.runtime.store.models import CustomerContact

    url = str(store.kw["bind"].url)
    (tmp_path / "o2c.yaml").write_text(yaml.safe_dump({"home": str(tmp_path), "database_url": url}))
    monkeypatch.setenv("O2C_CONFIG", str(tmp_path / "o2c.yaml"))
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("customer_id,name,email,phone,language,receives_dunning\n"
                        "C1,Ann Payables,ap@alpha.example,,en,yes\nC2,Bernd,kreditoren@beta.example,+4930111,de,no\n")
    result = CliRunner().invoke(app, ["collections", "import-contacts", str(contacts), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == {"added": 2, "updated": 0}
    contacts.write_text("customer_id,name,email\nC1,Ann Payables,ann@alpha.example\nC3,Gus,not-an-address\n")
    result = CliRunner().invoke(app, ["collections", "import-contacts", str(contacts), "--json"])
    assert result.exit_code == 2 and "contacts row 2 (line 3): email 'not-an-address'" in json.loads(result.stdout)["error"]
    with store() as session:      # the bad file changed nothing: one transaction
        rows = {c.name: c for c in session.scalars(select(CustomerContact))}
    assert rows["Ann Payables"].email == "ap@alpha.example" and rows["Bernd"].receives_dunning is False
    assert rows["Bernd"].language == "de" and "Gus" not in rows
