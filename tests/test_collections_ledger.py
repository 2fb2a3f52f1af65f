"""``o2c run ar-ledger`` against the sandbox ERP in headless Chromium: the open items of its FBL5N
export land in the receivables ledger, and a second export changes nothing twice."""

import csv
from datetime import datetime, timezone
from decimal import Decimal

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bots.runtime.clock import FixedClock
from bots.runtime.config import load_settings
from bots.receivables.erp_sync import run_ar_ledger
from bots.runtime.store.engine import make_engine
from bots.runtime.store.models import ArItem, ArReceipt, AuditEntry


def test_open_items_from_the_erp_into_the_ledger(erp_sandbox, browser, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    (tmp_path / "o2c.yaml").write_text(yaml.safe_dump({"home": str(tmp_path), "database_url": url,
                                                       "erp": {"url": erp_sandbox.erp_url, "user": "clerk"}}))
    monkeypatch.setenv("O2C_CONFIG", str(tmp_path / "o2c.yaml"))
    monkeypatch.setenv("O2C_ERP_PASSWORD", "clerk123")
    clock = FixedClock(datetime(2026, 11, 25, 6, 40, tzinfo=timezone.utc))
    counts = run_ar_ledger(load_settings(), clock=clock, browser=browser)
    [export] = list((tmp_path / "evidence").glob("open_items-ar-*.csv"))
    with open(export, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert counts["items"] == len(rows) > 0 and counts["added"] == len(rows)
    engine = make_engine(url)
    with sessionmaker(engine)() as session:
        stored = {(i.customer_id, i.invoice): i for i in session.scalars(select(ArItem))}
        first = rows[0]
        item = stored[(first["customer_id"], first["invoice"])]
        assert item.open_amount == Decimal(first["open_amount"]) and item.due_date.isoformat() == first["due_date"]
        partly_paid = sum(Decimal(r["amount"]) != Decimal(r["open_amount"]) for r in rows)
        assert session.scalar(select(func.count()).select_from(ArReceipt)) == partly_paid
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.bot == "ar-ledger")).all() == [
            "export_open_items"]
    clock.advance(seconds=3600)
    again = run_ar_ledger(load_settings(), clock=clock, browser=browser)
    assert (again["added"], again["paid_in_part"], again["closed"]) == (0, 0, 0)
    engine.dispose()
