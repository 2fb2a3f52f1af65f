"""The console's pages and actions (blueprint ``console``).

Reading needs a signed-in user (any role); each action names the role it needs with
``@requires``, checked here on the server. Actions answer with a redirect back to the
page (so reloading never repeats them) and a message; invalid input re-shows the form
with what is wrong, and an item someone else changed meanwhile is left alone.
"""

import csv
import io
from decimal import Decimal
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for

from bots.console import actions, charts, evidence, queries
from bots.runtime.web import current_user, requires
from bots.runtime.workqueue import IllegalTransition, ItemChanged, ItemNotFound, QueueError

pages = Blueprint("console", __name__)


def _queue():
    return current_app.extensions["o2c_console"].queue


def _now():
    return _queue().clock.now()


# --- the exception queue ----------------------------------------------------------------


@pages.get("/")
def queue():
    me = current_user().name
    chosen = queries.QueueFilter.from_args(request.args, me=me)
    page = queries.exception_queue(_queue(), chosen, _now())
    view = "mine" if request.args.get("view") == "mine" else "all"
    context = dict(page=page, f=chosen, view=view, choices=current_app.extensions["o2c_console"].choices(),
                   users=_user_names(), states=STATES)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return render_template("console/_queue_table.html", **context)
    return render_template("console/queue.html", **context)


STATES = ("exception", "new", "in_progress", "retried", "done", "resolved", "dismissed", "all")


@pages.post("/bulk")
@requires("operator")
def bulk():
    action = request.form.get("action") or ""
    needed = actions.ROLE_OF.get(action)
    if needed is None:
        abort(400, description=f"unknown bulk action {action!r}")
    if not current_app.extensions["o2c_web"].realm.allows(current_user().role, needed):
        abort(403, description=f"Your role ({current_user().role}) cannot {action}; it needs {needed} or above.")
    note = (request.form.get("note") or "").strip()
    if action == "dismiss" and not note:
        flash("Say why the items are dismissed (the note is required).", "error")
        return redirect(_back())
    done, skipped = [], []
    user = current_user().name
    for value in request.form.getlist("item"):
        item_id, _, version = value.partition(":")
        try:
            item = _queue().get(int(item_id))
            seen = _item_at(item, int(version)) if version else item
            if action == "retry":
                actions.retry(_queue(), seen, user, note)
            elif action == "dismiss":
                actions.dismiss(_queue(), seen, user, note)
            elif action == "assign":
                actions.assign(_queue(), seen, user, request.form.get("assignee") or None)
            done.append(item_id)
        except (ValueError, QueueError, actions.ActionRefused) as error:
            skipped.append(f"item {item_id}: {getattr(error, 'message', None) or error}")
    if done:
        flash(f"{_past(action)} {len(done)} item{'s' if len(done) != 1 else ''}: {', '.join(done)}.", "success")
    for reason in skipped:
        flash(f"Not {_past(action).lower()}: {reason}", "warning")
    if not done and not skipped:
        flash("Tick the items to act on first.", "warning")
    return redirect(_back())


def _item_at(item, version: int):
    """The item as the person saw it: its version from the page, so a change since is noticed."""
    from dataclasses import replace

    return replace(item, version=version)


# --- one item ---------------------------------------------------------------------------------


@pages.get("/items/<int:item_id>")
def item(item_id: int):
    return _item_page(_get(item_id))


def _item_page(item, *, errors: dict | None = None, form: dict | None = None, status: int = 200):
    from bots.runtime.runs import audit_entries

    files = evidence.evidence_files(item.evidence)
    opened = {}
    for file in files:
        try:
            if file.kind == "email":
                opened[file.number] = evidence.open_email(file.path)
            elif file.kind == "pdf":
                data = file.path.read_bytes()
                opened[file.number] = {"pages": evidence.pdf_page_count(data)}
            elif file.kind == "text":
                opened[file.number] = evidence.preview_text(file.path)
        except (OSError, ValueError) as error:
            opened[file.number] = {"error": str(error)}
    email_pdfs = {}
    for number, message in opened.items():
        if isinstance(message, evidence.OpenedEmail):
            for attachment in message.attachments:
                if attachment.content_type == "application/pdf" or attachment.name.lower().endswith(".pdf"):
                    data = evidence.attachment(files[number].path, attachment.number)[2]
                    email_pdfs[(number, attachment.number)] = evidence.pdf_page_count(data)
    cash = _cash_context(item) if item.kind == "payment" and item.state == "exception" else None
    context = dict(item=item, files=files, opened=opened, email_pdfs=email_pdfs, audit=audit_entries(_queue(), item_id=item.id),
                   fields=actions.editable_fields(item.payload), errors=errors or {}, form=form or {}, cash=cash,
                   extra_actions=[a for a in actions.ITEM_ACTIONS.values() if a.applies_to(item)],
                   users=_user_names(), raised_by=_raised_by(item), now=_now())
    return render_template("console/item.html", **context), status


def _raised_by(item) -> str:
    for event in reversed(item.history):
        if event.to_state == "exception":
            return queries.bot_name(event.actor)
    return ""


def _cash_context(item) -> dict:
    """The customer's open items (from the open-items export kept as evidence) for the resolve form."""
    from bots.bank.cash_application import queued_applications

    source = next((f for f in evidence.evidence_files(item.evidence) if f.label.startswith("open_items")), None)
    payment = item.payload.get("payment") or {}
    context = {"payment": payment, "exception": item.payload.get("exception") or {}, "open_items": [], "source": source}
    if source is None:
        return context
    with open(source.path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    context["open_items"] = actions.customer_open_items(item, rows, queued_applications(_queue()))
    return context


@pages.post("/items/<int:item_id>/retry")
@requires("operator")
def retry(item_id: int):
    return _act(item_id, lambda item, user: actions.retry(_queue(), item, user, request.form.get("note")),
                "Item {id} goes back to the bots.")


@pages.post("/items/<int:item_id>/dismiss")
@requires("operator")
def dismiss(item_id: int):
    return _act(item_id, lambda item, user: actions.dismiss(_queue(), item, user, request.form.get("note")),
                "Item {id} dismissed.")


@pages.post("/items/<int:item_id>/resolve")
@requires("supervisor")
def resolve(item_id: int):
    return _act(item_id, lambda item, user: actions.resolve(_queue(), item, user, request.form.get("note")),
                "Item {id} resolved.")


@pages.post("/items/<int:item_id>/correct")
@requires("supervisor")
def correct(item_id: int):
    return _act(item_id, lambda item, user: actions.correct_and_retry(_queue(), item, user, request.form,
                                                                      request.form.get("note")),
                "Item {id} corrected and sent back to the bots.")


@pages.post("/items/<int:item_id>/resolve-cash")
@requires("supervisor")
def resolve_cash(item_id: int):
    def apply(item, user):
        cash = _cash_context(item)
        return actions.resolve_cash(_queue(), item, user, request.form, cash["open_items"], request.form.get("note"))

    return _act(item_id, apply, "Payment of item {id} applied as chosen; erp-cash-posting posts it next.")


@pages.post("/items/<int:item_id>/assign")
@requires("supervisor")
def assign(item_id: int):
    to = request.form.get("assignee") or None
    return _act(item_id, lambda item, user: actions.assign(_queue(), item, user, to),
                "Item {id} assigned to " + (to or "nobody") + ".")


@pages.post("/items/<int:item_id>/actions/<name>")
@requires("viewer")
def item_action(item_id: int, name: str):
    action = actions.ITEM_ACTIONS.get(name)
    if action is None:
        abort(404, description=f"no action {name!r}")
    if not current_app.extensions["o2c_web"].realm.allows(current_user().role, action.role):
        abort(403, description=f"Your role ({current_user().role}) cannot {action.label.lower()}; it needs {action.role}.")
    messages = []

    def run(item, user):
        if not action.applies_to(item):
            raise IllegalTransition(f"{action.label} does not apply to item {item.id}")
        messages.append(action.handler(_queue(), item, user, request.form))

    return _act(item_id, run, lambda: messages[0] if messages else f"{action.label}: done.")


def _act(item_id: int, do, message):
    item = _get(item_id)
    seen = _item_at(item, _int(request.form.get("version"), item.version))
    try:
        do(seen, current_user().name)
    except actions.ActionRefused as refused:
        flash(refused.message, "error")
        return _item_page(item, errors=refused.errors, form=request.form.to_dict(), status=422)
    except ItemChanged as changed:  # someone else acted first: say who, do nothing
        flash(str(changed), "error")
        return redirect(url_for("console.item", item_id=item_id), 303)
    except QueueError as error:
        flash(str(error), "error")
        return redirect(url_for("console.item", item_id=item_id), 303)
    flash((message() if callable(message) else message).format(id=item_id), "success")
    return redirect(url_for("console.item", item_id=item_id), 303)


# --- evidence files, by item id and number --------------------------------------------------


@pages.get("/items/<int:item_id>/evidence/<int:number>")
def evidence_file(item_id: int, number: int):
    file = _file(item_id, number)
    download = request.args.get("download") == "1" or file.kind not in ("image", "pdf")
    return _send(file.path.read_bytes(), file.name, download=download)


@pages.get("/items/<int:item_id>/evidence/<int:number>/pages/<int:page>.png")
def pdf_page(item_id: int, number: int, page: int):
    file = _file(item_id, number)
    if file.kind != "pdf":
        abort(404)
    return _png(evidence.pdf_page_png(file.path.read_bytes(), page))


@pages.get("/items/<int:item_id>/evidence/<int:number>/attachments/<int:part>")
def email_attachment(item_id: int, number: int, part: int):
    name, _type, data = _attachment(item_id, number, part)
    return _send(data, name, download=True)


@pages.get("/items/<int:item_id>/evidence/<int:number>/attachments/<int:part>/pages/<int:page>.png")
def attachment_page(item_id: int, number: int, part: int, page: int):
    _name, _type, data = _attachment(item_id, number, part)
    return _png(evidence.pdf_page_png(data, page))


def _file(item_id: int, number: int):
    files = evidence.evidence_files(_get(item_id).evidence)
    if not 0 <= number < len(files):
        abort(404, description=f"item {item_id} has no evidence file {number}")
    return files[number]


def _attachment(item_id: int, number: int, part: int):
    file = _file(item_id, number)
    found = evidence.attachment(file.path, part) if file.kind == "email" else None
    if found is None:
        abort(404)
    return found


SAFE_INLINE = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".pdf": "application/pdf"}


def _send(data: bytes, name: str, *, download: bool):
    """A file from outside: inline only for images and PDFs, else a download with a neutral type."""
    suffix = Path(name).suffix.lower()
    mimetype = SAFE_INLINE.get(suffix, "application/octet-stream")
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=download or suffix not in SAFE_INLINE,
                         download_name=_safe_name(name))
    # Whatever the file holds, it runs nothing if a browser opens it.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'"
    return response


def _png(data: bytes | None):
    if data is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype="image/png", max_age=300)


def _safe_name(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in Path(name).name).strip() or "evidence"
    return cleaned[:120]


# --- dashboard and runs -------------------------------------------------------------------------


@pages.get("/dashboard")
def dashboard():
    figures = queries.dashboard(_queue(), _now())
    state_colours = {"exception": "bad", "done": "ok", "resolved": "ok", "in_progress": "warn", "new": "", "retried": "",
                     "dismissed": ""}
    by_state = [(state, figures["states"].get(state, 0), state_colours.get(state, ""))
                for state in ("new", "in_progress", "retried", "exception", "done", "resolved", "dismissed")]
    runs = list(reversed(figures["runs"][:20]))
    svg = {
        "states": charts.hbar_chart(by_state, title="Items by state"),
        "aging": charts.bar_chart([(label, n, "bad" if label in ("3-7 d", "> 7 d") else "warn" if label in ("1-3 d",) else "")
                                   for label, n in figures["aging"].items()], title="Exception aging"),
        "orders": charts.bar_chart([(day[5:], n, "ok") for day, n in figures["orders_keyed_per_day"].items()],
                                   title="Orders keyed per day"),
        "runs": charts.bar_chart([(f"#{r['id']}", round(r["seconds"], 1), _run_class(r["outcome"])) for r in runs],
                                 title="Run durations (s)", value_format="{:g}"),
    }
    return render_template("console/dashboard.html", figures=figures, svg=svg)


def _run_class(outcome: str) -> str:
    return {"success": "ok", "failed": "bad", "running": "warn"}.get(outcome, "")


@pages.get("/runs")
def runs():
    page = max(1, _int(request.args.get("page"), 1))
    bot = request.args.get("bot") or ""
    rows, total = queries.runs_page(_queue(), _now(), bot=bot, page=page)
    return render_template("console/runs.html", runs=rows, total=total, page=page, bot=bot,
                           pages=max(1, -(-total // 50)))


@pages.get("/runs/<int:run_id>")
def run(run_id: int):
    detail = queries.run_detail(_queue(), run_id, _now())
    if detail is None:
        abort(404, description=f"no run {run_id}")
    return render_template("console/run.html", **detail)


# --- helpers --------------------------------------------------------------------------------------


def _get(item_id: int):
    try:
        return _queue().get(item_id)
    except ItemNotFound:
        abort(404, description=f"no work item {item_id}")


def _user_names() -> list[str]:
    return [u["name"] for u in current_app.extensions["o2c_console"].users.list() if not u["disabled"]]


def _back() -> str:
    target = request.form.get("back") or ""
    return target if target.startswith("/") and not target.startswith("//") else url_for("console.queue")


def _past(action: str) -> str:
    return {"retry": "Retried", "dismiss": "Dismissed", "assign": "Assigned"}.get(action, action).lower().capitalize()


def _int(text, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def money(value) -> str:
    """A money value as shown: two places, thousands separated (display only)."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except Exception:  # not a number: show what is there
        return "" if value is None else str(value)
