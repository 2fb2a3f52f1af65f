"""The work queue and the exception queue from the command line.

``o2c items``, ``o2c exceptions``, ``o2c show ID``, ``o2c retry ID``, ``o2c resolve ID``,
``o2c dismiss ID``, ``o2c runs``, ``o2c audit`` and ``o2c db upgrade``: rich tables on
a terminal, one JSON object with ``--json``. A failure prints ``{"error": ...}`` (with
``--json``) or a one-line message, and exits with code 2 for a wrong request (no such
item, an action the item's state does not allow) or 1 when the store cannot be reached.
"""

import getpass
import os
from contextlib import contextmanager
from datetime import datetime

import typer

from bots.cli.main import app
from bots.cli.output import print_json, print_table

db_app = typer.Typer(help="Manage the store (the database behind the queues).", no_args_is_help=True)
app.add_typer(db_app, name="db")

JSON_HELP = "Print one JSON object instead of a table."


@app.command("items")
def items_command(
    state: str = typer.Option(None, "--state", "-s", help="Only items in this state: new, in_progress, done, exception, retried, resolved, dismissed."),
    kind: str = typer.Option(None, "--kind", "-k", help="Only items of this kind (order, remittance, payment, posting...)."),
    limit: int = typer.Option(200, "--limit", help="Show at most this many items (0: all)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List work items, oldest first."""
    with _queue(as_json) as queue:
        found = queue.items(state=state, kind=kind, limit=limit or None)
        counts = queue.counts()
    if as_json:
        print_json({"items": [item.to_dict(history=False, traceback=False) for item in found],
                    "count": len(found), "states": counts})
        return
    rows = [[i.id, i.kind, i.state, i.attempts, _short(i.source_ref, 40), _when(i.updated_at), i.exception_code or ""]
            for i in found]
    title = "Work items" + (f" ({state})" if state else "") + (f" of kind {kind}" if kind else "")
    print_table(title, ["ID", "Kind", "State", "Tries", "Source", "Updated (UTC)", "Reason"], rows, right={"ID", "Tries"})
    typer.echo("  ".join(f"{name}: {n}" for name, n in sorted(counts.items())) or "The queue is empty.")


@app.command("exceptions")
def exceptions_command(
    kind: str = typer.Option(None, "--kind", "-k", help="Only exceptions of this kind."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the exception queue: items waiting for a supervisor, longest waiting first."""
    with _queue(as_json) as queue:
        found = queue.exceptions(kind=kind)
        now = queue.clock.now()
    if as_json:
        print_json({"exceptions": [_exception_dict(item, now) for item in found], "count": len(found)})
        return
    rows = [[i.id, i.kind, i.exception_code, _short(i.exception_message, 70), _age(now, i.updated_at), i.attempts,
             ", ".join(sorted(i.evidence))] for i in found]
    print_table("Exception queue", ["ID", "Kind", "Reason", "Message", "Waiting", "Attempts", "Evidence"], rows,
                right={"ID", "Attempts"})
    if not found:
        typer.echo("No exceptions: nothing waits for a supervisor.")


@app.command("show")
def show_command(
    item_id: int = typer.Argument(..., help="The work item's id (from o2c items or o2c exceptions)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Show one work item: payload, evidence, history, and the traceback kept for developers."""
    from bots.runtime.runs import audit_entries

    with _queue(as_json) as queue:
        item = queue.get(item_id)
        audit = audit_entries(queue, item_id=item_id)
    if as_json:
        print_json({"item": item.to_dict(), "audit": audit})
        return
    import json

    fields = [["State", item.state], ["Kind", item.kind], ["Attempts", item.attempts], ["Key", item.key],
              ["Source", item.source_ref], ["Created (UTC)", _when(item.created_at)], ["Updated (UTC)", _when(item.updated_at)]]
    if item.lease_owner:
        fields.append(["Leased to", f"{item.lease_owner} until {_when(item.lease_expires_at)}"])
    if item.exception_code:
        fields += [["Reason", f"{item.exception_code} ({item.exception_type})"], ["Message", item.exception_message]]
    fields += [[f"Evidence: {name}", value] for name, value in item.evidence.items()]
    fields += [["Payload", json.dumps(item.payload, ensure_ascii=False, indent=1)]]
    if item.result:
        fields.append(["Result", json.dumps(item.result, ensure_ascii=False)])
    print_table(f"Work item {item.id}", ["Field", "Value"], fields)
    print_table("History", ["When (UTC)", "Who", "Action", "From", "To", "Note"],
                [[_when(e.at), e.actor, e.action, e.from_state, e.to_state, _event_note(e)] for e in item.history])
    if audit:
        print_table("Audit", ["When (UTC)", "Bot", "Action", "System", "Target", "Document"],
                    [[a["at"][:19], a["bot"], a["action"], a["system"], a["target"], a["document_number"]] for a in audit])
    if item.traceback:
        typer.echo("Traceback (for developers):\n" + item.traceback)


@app.command("retry")
def retry_command(
    item_id: int = typer.Argument(..., help="The id of an item in the exception queue."),
    note: str = typer.Option(None, "--note", "-n", help="Why it is retried (e.g. 'customer master fixed')."),
    by: str = typer.Option(None, "--by", help="Who is acting (default: O2C_USER or the login name)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Send an item in the exception queue back to the bots, with a fresh set of attempts."""
    _decide("retry", item_id, note, by, as_json)


@app.command("resolve")
def resolve_command(
    item_id: int = typer.Argument(..., help="The id of an item in the exception queue."),
    note: str = typer.Option(..., "--note", "-n", help="What was done by hand (required)."),
    by: str = typer.Option(None, "--by", help="Who is acting (default: O2C_USER or the login name)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Close an item in the exception queue as handled by hand."""
    _decide("resolve", item_id, note, by, as_json)


@app.command("dismiss")
def dismiss_command(
    item_id: int = typer.Argument(..., help="The id of an item in the exception queue."),
    note: str = typer.Option(..., "--note", "-n", help="Why nothing needs doing (required)."),
    by: str = typer.Option(None, "--by", help="Who is acting (default: O2C_USER or the login name)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Close an item in the exception queue as needing nothing (a duplicate, a test, spam)."""
    _decide("dismiss", item_id, note, by, as_json)


@app.command("runs")
def runs_command(
    limit: int = typer.Option(20, "--limit", help="Show this many of the latest runs."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the latest bot runs, newest first, with their counts and outcome."""
    from bots.runtime.runs import recent_runs

    with _queue(as_json) as queue:
        runs = recent_runs(queue, limit=limit)
    if as_json:
        print_json({"runs": runs, "count": len(runs)})
        return
    rows = [[r["id"], r["bot"], r["started_at"][:19], (r["ended_at"] or "")[:19], r["outcome"],
             " ".join(f"{k}={v}" for k, v in r["counts"].items()), _short(r["error"], 60),
             r.get("artifacts", {}).get("log", "")] for r in runs]
    print_table("Bot runs", ["ID", "Bot", "Started (UTC)", "Ended (UTC)", "Outcome", "Counts", "Error", "Log"], rows,
                right={"ID"})


@app.command("audit")
def audit_command(
    item_id: int = typer.Option(None, "--item", help="Only what was done for this work item."),
    run_id: int = typer.Option(None, "--run", help="Only what this run did."),
    limit: int = typer.Option(200, "--limit", help="Show at most this many entries (0: all)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the audit log: every action bots took on outside systems, oldest first."""
    from bots.runtime.runs import audit_entries

    with _queue(as_json) as queue:
        entries = audit_entries(queue, item_id=item_id, run_id=run_id, limit=limit or None)
    if as_json:
        print_json({"audit": entries, "count": len(entries)})
        return
    rows = [[a["id"], a["at"][:19], a["bot"], a["action"], a["system"], a["target"], a["document_number"] or "",
             a["item_id"] or ""] for a in entries]
    print_table("Audit log", ["ID", "When (UTC)", "Bot", "Action", "System", "Target", "Document", "Item"], rows,
                right={"ID", "Item"})


@db_app.command("upgrade")
def db_upgrade_command(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Create the store or bring its schema to the newest migration."""
    from bots.runtime.store.engine import display_url, make_engine, upgrade

    with _errors(as_json):
        from bots.runtime.config import load_settings

        url = load_settings().database_url
        engine = make_engine(url)
        try:
            revision = upgrade(engine)
        finally:
            engine.dispose()
    if as_json:
        print_json({"database": display_url(url), "revision": revision})
    else:
        typer.echo(f"The store at {display_url(url)} is at revision {revision}.")


# --- helpers ---


def _decide(action: str, item_id: int, note: str | None, by: str | None, as_json: bool) -> None:
    by = by or os.environ.get("O2C_USER") or _login()
    with _queue(as_json) as queue:
        item = getattr(queue, action)(item_id, by=by, note=note)
    if as_json:
        print_json({"item": item.to_dict(traceback=False)})
    else:
        typer.echo(f"Item {item.id} is now {item.state} ({action} by {by}).")


@contextmanager
def _queue(as_json: bool):
    from bots.runtime.workqueue import WorkQueue

    with _errors(as_json):
        queue = WorkQueue.open()
        try:
            yield queue
        finally:
            queue.close()


@contextmanager
def _errors(as_json: bool):
    """Turn the errors a supervisor can meet into a clear message and an exit code."""
    from sqlalchemy.exc import SQLAlchemyError

    from bots.runtime.errors import O2CError
    from bots.runtime.logs import mask

    try:
        yield
    except O2CError as error:
        _fail(str(getattr(error, "message", None) or error), as_json, 2)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        _fail(mask(f"the store cannot be used: {reason}"), as_json, 1)


def _fail(message: str, as_json: bool, code: int) -> None:
    if as_json:
        print_json({"error": message}, indent=None)
    else:
        typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _exception_dict(item, now: datetime) -> dict:
    data = item.to_dict(history=False, traceback=False)
    data["reason"] = item.exception_code
    data["message"] = item.exception_message
    data["waiting_seconds"] = int((now - item.updated_at).total_seconds()) if item.updated_at else None
    return data


def _event_note(event) -> str:
    """A person's note, or for a failure the reason the bot gave."""
    if event.note:
        return event.note
    detail = event.detail or {}
    if detail.get("code"):
        return f"{detail['code']}: {detail.get('message') or ''}".strip()
    return ""


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _age(now: datetime, then: datetime | None) -> str:
    if then is None:
        return ""
    minutes = max(0, int((now - then).total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    return f"{days}d {hours}h" if days else (f"{hours}h {minutes}m" if hours else f"{minutes}m")


def _short(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
