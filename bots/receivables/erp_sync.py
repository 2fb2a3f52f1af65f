"""``o2c run ar-ledger``: the ERP's open items (FBL5N export) folded into the receivables ledger.

The bot logs on to the ERP in headless Chromium with the ERP account (``erp:`` section,
password ``secret("erp_password")`` or the section's ``password_secret``), exports every open
item as contract 3's CSV (``bots.erp.open_items``), keeps the file as evidence and folds it into
``ar_items`` / ``ar_receipts`` (``bots.receivables.store.sync_open_items``) in one transaction
with its audit entry. Scheduled each morning before the collections bots, which all read the
ledger from the store. Run twice on a day, the second export changes only what changed.

Settings, ``bots.ar-ledger``: ``password_secret``, ``evidence_dir``, ``timeout_seconds``.
"""

from datetime import date
from pathlib import Path

BOT = "ar-ledger"


def run_ar_ledger(settings, *, today: date | None = None, clock=None, browser=None) -> dict:
    from sqlalchemy.orm import sessionmaker

    from bots.runtime.bot_settings import check_account, evidence_folder, own_section, system_account
    from bots.runtime.clock import SystemClock
    from bots.erp.open_items import download_open_items
    from bots.runtime.errors import ApplicationException, InputError
    from bots.receivables.store import read_open_items, sync_open_items
    from bots.runtime.runs import bot_run
    from bots.runtime.store.engine import make_engine, upgrade
    from bots.runtime.store.models import AuditEntry

    own = own_section(settings, BOT, {"password_secret", "evidence_dir", "timeout_seconds"})
    account = system_account(settings, own, "erp", need_password=False)
    check_account(BOT, "erp", account["url"], account["user"])
    account = system_account(settings, own, "erp", need_password=True)
    clock = clock or SystemClock()
    now = clock.now()
    today = today or now.date()
    target = Path(evidence_folder(settings, own)) / f"open_items-ar-{now.strftime('%Y%m%dT%H%M%S')}.csv"
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with bot_run(engine, BOT, clock=clock) as run:
        download_open_items(account["url"], account["user"], account["password"] or "", target, browser=browser,
                            timeout_seconds=float(own.get("timeout_seconds", 20)))
        try:
            rows = read_open_items(target)
        except InputError as error:
            raise ApplicationException("erp_export", f"the ERP's open-items export cannot be read: {error.message}")
        with sessionmaker(engine).begin() as session:
            counts = sync_open_items(session, rows, today, now, f"ERP FBL5N export {target.name}")
            session.add(AuditEntry(run_id=run.id, at=now, bot=BOT, action="export_open_items", system="erp",
                                   target=f"{account['url']} FBL5N", detail={"file": str(target), **counts}))
        for name, value in counts.items():
            run.count(name, value)
    engine.dispose()
    return {"items": len(rows), **counts}
