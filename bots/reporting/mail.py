"""``o2c run report-mail``: the report mailed to a list, exactly once per day (bots/runtime/outgoing_mail.py).

Settings, ``bots.report-mail``: ``to`` (a list of addresses), ``days`` (the period, default 7,
ending on the run's date), ``definitions`` (YAML files of reports; default the built-in ones).
The message's text holds each table; the HTML page with its charts and one CSV per table are
attached.
"""

import io
import zipfile
from datetime import date, timedelta
from pathlib import Path


def text_tables(tables) -> str:
    lines = []
    for table in tables:
        lines += [table.name, "-" * len(table.name), " | ".join(table.columns)]
        lines += [" | ".join("" if cell is None else str(cell) for cell in row) for row in table.rows] or ["(none)"]
        lines.append("")
    return "\n".join(lines)


def run_report_mail(settings, *, end: date | None = None, clock=None) -> dict:
    from sqlalchemy.orm import sessionmaker

    from bots.runtime.clock import SystemClock
    from bots.runtime.outgoing_mail import Attachment, OutgoingMail, compose, mail_settings
    from bots.reporting import build_report, builtin_definitions, load_definitions, to_html, write_csv
    from bots.runtime.runs import bot_run
    from bots.runtime.store.engine import make_engine, upgrade

    own = settings.bot("report-mail")
    unknown = set(own) - {"to", "days", "definitions"}
    if unknown:
        raise ValueError("bots.report-mail has unknown setting(s) " + ", ".join(sorted(unknown)))
    recipients = list(own.get("to") or [])
    if not recipients:
        raise ValueError("the report mail needs bots.report-mail.to: a list of addresses")
    clock = clock or SystemClock()
    now = clock.now()
    end = end or now.date()
    start = end - timedelta(days=int(own.get("days", 7)) - 1)
    definitions = ([d for path in own["definitions"] for d in load_definitions(path)] if own.get("definitions")
                   else builtin_definitions())
    outgoing = mail_settings(settings)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with bot_run(engine, "report-mail", clock=clock) as run:
        with sessionmaker(engine)() as session:
            tables = build_report(session, start, end, now, definitions)
        html = to_html(tables, start, end, now)
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            files = write_csv(tables, folder)
            archive = io.BytesIO()
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
                for path in files:
                    bundle.write(path, Path(path).name)
        subject = f"Order-to-cash report {start.isoformat()} to {end.isoformat()}"
        message = compose(sender=outgoing.sender, to=recipients, subject=subject,
                          text=f"{subject}\n\n" + text_tables(tables),
                          attachments=[Attachment(f"o2c-report-{end.isoformat()}.html", html.encode(), "text/html"),
                                       Attachment(f"o2c-report-{end.isoformat()}-csv.zip", archive.getvalue(),
                                                  "application/zip")])
        outcome = OutgoingMail.open(outgoing, engine=engine, clock=clock).send_once(
            f"report:{end.isoformat()}", message, purpose="report", meta={"to": recipients})
        run.count("sent", int(outcome.sent_now))
    engine.dispose()
    return {"sent": int(outcome.sent_now), "recipients": len(recipients), "tables": len(tables)}
