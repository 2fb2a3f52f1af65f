"""What the console's pages read from the store: the exception queue with its filters, and the figures.

Every query runs in a read-only session (``WorkQueue.reading()``), so on SQLite the console
never holds the write lock the bots need.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import Numeric, and_, case, cast, exists, func, or_, select

from bots.runtime.store.models import AuditEntry, BotRun, ItemEvent, WorkItem

PAGE_SIZES = (25, 50, 100, 200)
AGES = {"": None, "1h": timedelta(hours=1), "1d": timedelta(days=1), "3d": timedelta(days=3), "7d": timedelta(days=7)}

# Where the customer and the amount sit in the payloads the bots write (order, payment, email).
CUSTOMER = func.coalesce(
    WorkItem.payload[("order", "customer", "name")].as_string(),
    WorkItem.payload[("payment", "payer")].as_string(),
    WorkItem.payload[("payer",)].as_string(),
    WorkItem.payload[("from",)].as_string(),
)
AMOUNT = cast(WorkItem.payload[("payment", "total")].as_string(), Numeric(18, 2))

SORTS = {
    "id": WorkItem.id, "kind": WorkItem.kind, "state": WorkItem.state, "reason": WorkItem.exception_code,
    "customer": CUSTOMER, "amount": AMOUNT, "waiting": WorkItem.updated_at, "attempts": WorkItem.attempts,
    "assigned": WorkItem.assigned_to,
}


@dataclass
class QueueFilter:
    """The exception queue's filters, sort and page, as the query string gives them."""

    state: str = "exception"
    kind: str = ""
    bot: str = ""
    reason: str = ""
    customer: str = ""
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    older_than: str = ""
    assigned: str = ""          # a user name, "-" for nobody
    search: str = ""
    sort: str = "waiting"
    descending: bool = False    # longest waiting first by default
    page: int = 1
    per_page: int = 50
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args, me: str | None = None) -> "QueueFilter":
        chosen = cls()
        for name in ("state", "kind", "bot", "reason", "customer", "older_than", "assigned", "search"):
            setattr(chosen, name, (args.get(name) or getattr(cls, name)).strip())
        if args.get("view") == "mine" and me:
            chosen.assigned = me
        if chosen.older_than not in AGES:
            chosen.older_than = ""
        for name in ("min_amount", "max_amount"):
            text = (args.get(name) or "").strip()
            if text:
                try:
                    setattr(chosen, name, Decimal(text))
                except InvalidOperation:
                    chosen.errors.append(f"{name.replace('_', ' ')} {text!r} is not an amount")
        sort = args.get("sort") or "waiting"
        chosen.sort = sort if sort in SORTS else "waiting"
        chosen.descending = args.get("dir") == "desc"
        chosen.page = max(1, _int(args.get("page"), 1))
        per_page = _int(args.get("per_page"), 50)
        chosen.per_page = per_page if per_page in PAGE_SIZES else 50
        return chosen

    def args(self, **changes) -> dict:
        """The query string for this filter with ``changes`` (for sort links and the pager)."""
        values = {"state": self.state, "kind": self.kind, "bot": self.bot, "reason": self.reason,
                  "customer": self.customer, "older_than": self.older_than, "assigned": self.assigned,
                  "search": self.search, "min_amount": self.min_amount, "max_amount": self.max_amount,
                  "sort": self.sort, "dir": "desc" if self.descending else "asc", "page": self.page,
                  "per_page": self.per_page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass
class QueuePage:
    rows: list[dict]
    total: int
    filter: QueueFilter

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filter.per_page))


def raised_by(item_id_column=WorkItem.id):
    """The bot that last sent the item to the exception queue (the worker name without @host:pid)."""
    actor = (select(ItemEvent.actor).where(ItemEvent.item_id == item_id_column, ItemEvent.to_state == "exception")
             .order_by(ItemEvent.id.desc()).limit(1).correlate(WorkItem).scalar_subquery())
    return actor


def exception_queue(queue, chosen: QueueFilter, now: datetime) -> QueuePage:
    """One page of work items matching ``chosen``, sorted, with the total count."""
    conditions = []
    if chosen.state and chosen.state != "all":
        conditions.append(WorkItem.state == chosen.state)
    if chosen.kind:
        conditions.append(WorkItem.kind == chosen.kind)
    if chosen.reason:
        conditions.append(WorkItem.exception_code == chosen.reason)
    if chosen.bot:
        conditions.append(exists().where(ItemEvent.item_id == WorkItem.id, ItemEvent.to_state == "exception",
                                         or_(ItemEvent.actor == chosen.bot, ItemEvent.actor.like(f"{_like(chosen.bot)}@%", escape="\\"))))
    if chosen.customer:
        conditions.append(func.lower(CUSTOMER).like(f"%{_like(chosen.customer.lower())}%", escape="\\"))
    if chosen.min_amount is not None:
        conditions.append(AMOUNT >= chosen.min_amount)
    if chosen.max_amount is not None:
        conditions.append(AMOUNT <= chosen.max_amount)
    if AGES.get(chosen.older_than):
        conditions.append(WorkItem.updated_at <= now - AGES[chosen.older_than])
    if chosen.assigned == "-":
        conditions.append(WorkItem.assigned_to.is_(None))
    elif chosen.assigned:
        conditions.append(WorkItem.assigned_to == chosen.assigned)
    if chosen.search:
        text = f"%{_like(chosen.search.lower())}%"
        matches = [func.lower(WorkItem.exception_message).like(text, escape="\\"),
                   func.lower(WorkItem.source_ref).like(text, escape="\\")]
        if chosen.search.isdigit():
            matches.append(WorkItem.id == int(chosen.search))
        conditions.append(or_(*matches))
    where = and_(*conditions) if conditions else True
    order = SORTS[chosen.sort]
    order = order.desc() if chosen.descending else order.asc()
    tie = WorkItem.id.desc() if chosen.descending else WorkItem.id.asc()
    columns = [WorkItem.id, WorkItem.kind, WorkItem.state, WorkItem.exception_code, WorkItem.exception_message,
               WorkItem.updated_at, WorkItem.attempts, WorkItem.assigned_to, WorkItem.version, WorkItem.source_ref,
               CUSTOMER.label("customer"), WorkItem.payload[("payment", "total")].as_string().label("amount"),
               WorkItem.payload[("payment", "currency")].as_string().label("currency"),
               raised_by().label("raised_by")]
    with queue.reading() as session:
        # First the page's ids with the number of matches (one pass over the matches, where
        # only the filters and the sort key are computed), then the rows of those ids.
        def page_ids():
            query = (select(WorkItem.id, func.count().over()).where(where).order_by(order, tie)
                     .offset((chosen.page - 1) * chosen.per_page).limit(chosen.per_page))
            found = session.execute(query).all()
            return [row[0] for row in found], (found[0][1] if found else None)

        ids, total = page_ids()
        if total is None:  # no match, or a page past the end: count, and show the last page
            total = session.scalar(select(func.count()).select_from(WorkItem).where(where))
            chosen.page = max(1, -(-total // chosen.per_page))
            ids, _ = page_ids() if total else ([], 0)
        found = {row.id: dict(row._mapping) for row in session.execute(select(*columns).where(WorkItem.id.in_(ids)))}
        rows = [found[item_id] for item_id in ids if item_id in found]
    for row in rows:
        row["raised_by"] = bot_name(row["raised_by"])
        row["waiting_seconds"] = int((now - row["updated_at"]).total_seconds()) if row["updated_at"] else 0
    return QueuePage(rows, total, chosen)


def filter_choices(queue) -> dict:
    """The values the filters offer: kinds, reasons, states, bots and assignees there are."""
    with queue.reading() as session:
        kinds = session.scalars(select(WorkItem.kind).distinct().order_by(WorkItem.kind)).all()
        reasons = session.scalars(select(WorkItem.exception_code).where(WorkItem.state == "exception")
                                  .distinct().order_by(WorkItem.exception_code)).all()
        assignees = session.scalars(select(WorkItem.assigned_to).where(WorkItem.assigned_to.is_not(None))
                                    .distinct().order_by(WorkItem.assigned_to)).all()
        actors = session.scalars(select(ItemEvent.actor).where(ItemEvent.to_state == "exception").distinct()).all()
    return {"kinds": kinds, "reasons": [r for r in reasons if r], "assignees": assignees,
            "bots": sorted({bot_name(a) for a in actors if a})}


def bot_name(actor: str | None) -> str:
    """``erp-cash-posting@host:123`` -> ``erp-cash-posting``."""
    return (actor or "").split("@", 1)[0]


# --- the dashboard ----------------------------------------------------------------------

# Applications the ERP would not take as matched: the error rate beside the auto-match rate.
POSTING_FAILURES = ("invoice_not_open", "open_amount_changed", "posted_differs", "already_posted")
AGING_BUCKETS = [("< 1 h", timedelta(hours=1)), ("1-4 h", timedelta(hours=4)), ("4-24 h", timedelta(days=1)),
                 ("1-3 d", timedelta(days=3)), ("3-7 d", timedelta(days=7)), ("> 7 d", None)]


def dashboard(queue, now: datetime, days: int = 14) -> dict:
    """The figures of the dashboard, all from the store."""
    since = now - timedelta(days=days)
    with queue.reading() as session:
        states = dict(session.execute(select(WorkItem.state, func.count()).group_by(WorkItem.state)).all())
        waiting = session.scalars(select(WorkItem.updated_at).where(WorkItem.state == "exception")).all()
        payments = session.execute(select(
            func.count(), func.sum(case((WorkItem.exception_code.is_(None), 1), else_=0)),
            func.sum(case((WorkItem.exception_code.in_(POSTING_FAILURES), 1), else_=0)),
        ).where(WorkItem.kind == "payment")).one()
        keyed = session.scalars(select(AuditEntry.at).where(AuditEntry.action.in_(("create_sales_order", "found_existing")),
                                                            AuditEntry.target == "Sales Order", AuditEntry.at >= since)).all()
        runs = session.scalars(select(BotRun).order_by(BotRun.id.desc()).limit(30)).all()
        running = [r for r in runs if r.outcome == "running"]
        recent = [_run_row(r, now) for r in runs]
    aging = {label: 0 for label, _ in AGING_BUCKETS}
    for at in waiting:
        age = now - at
        for label, limit in AGING_BUCKETS:
            if limit is None or age < limit:
                aging[label] += 1
                break
    per_day = {(now - timedelta(days=n)).date().isoformat(): 0 for n in range(days - 1, -1, -1)}
    for at in keyed:
        day = at.date().isoformat()
        if day in per_day:
            per_day[day] += 1
    total, automatic, refused = payments[0] or 0, payments[1] or 0, payments[2] or 0
    return {
        "now": now, "states": states, "open_exceptions": states.get("exception", 0),
        "oldest_waiting": max((now - at for at in waiting), default=None),
        "aging": aging, "orders_keyed_per_day": per_day,
        "payments": total, "payments_automatic": automatic,
        "auto_match_rate": (Decimal(automatic) * 100 / total).quantize(Decimal("0.1")) if total else None,
        "payments_refused_by_erp": refused,
        "posting_error_rate": (Decimal(refused) * 100 / total).quantize(Decimal("0.1")) if total else None,
        "runs": recent, "running": [_run_row(r, now) for r in running],
    }


def runs_page(queue, now: datetime, bot: str = "", page: int = 1, per_page: int = 50) -> tuple[list[dict], int]:
    with queue.reading() as session:
        query = select(BotRun)
        if bot:
            query = query.where(BotRun.bot == bot)
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(query.order_by(BotRun.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
        return [_run_row(r, now) for r in rows], total


def run_detail(queue, run_id: int, now: datetime) -> dict | None:
    """One run, its log (what it did, in order) and the items it worked on."""
    with queue.reading() as session:
        run = session.get(BotRun, run_id)
        if run is None:
            return None
        end = run.ended_at or now
        audit = session.scalars(select(AuditEntry).where(AuditEntry.run_id == run_id).order_by(AuditEntry.id)).all()
        events = session.execute(
            select(ItemEvent, WorkItem.kind).join(WorkItem, WorkItem.id == ItemEvent.item_id)
            .where(ItemEvent.actor == run.worker, ItemEvent.at >= run.started_at, ItemEvent.at <= end)
            .order_by(ItemEvent.id).limit(2000)).all()
        log = [{"at": run.started_at, "what": "run started", "detail": f"worker {run.worker}", "item_id": None}]
        log += [{"at": a.at, "what": f"{a.action} on {a.system}", "item_id": a.item_id,
                 "detail": " ".join(filter(None, [a.target, a.document_number and f"→ {a.document_number}"]))}
                for a in audit]
        log += [{"at": e.at, "what": f"item {e.action}", "item_id": e.item_id,
                 "detail": f"{kind}: {e.from_state or ''} → {e.to_state}" + _event_reason(e.detail)} for e, kind in events]
        if run.ended_at:
            log.append({"at": run.ended_at, "what": f"run ended: {run.outcome}", "detail": run.error or "", "item_id": None})
        log.sort(key=lambda line: line["at"])
        items = {}
        for event, kind in events:
            items.setdefault(event.item_id, {"id": event.item_id, "kind": kind, "last": event.action, "state": event.to_state})
            items[event.item_id].update(last=event.action, state=event.to_state)
        for entry in audit:
            if entry.item_id and entry.item_id not in items:
                items[entry.item_id] = {"id": entry.item_id, "kind": "", "last": entry.action, "state": ""}
        return {"run": _run_row(run, now), "log": log, "items": list(items.values())}


def _run_row(run: BotRun, now: datetime) -> dict:
    end = run.ended_at or now
    counts = run.counts or {}
    return {"id": run.id, "bot": run.bot, "worker": run.worker, "started_at": run.started_at, "ended_at": run.ended_at,
            "outcome": run.outcome, "error": run.error, "counts": counts,
            "seconds": max(0.0, (end - run.started_at).total_seconds()),
            "done": counts.get("done", 0), "failed": counts.get("exception", 0) + counts.get("retry", 0)}


def _event_reason(detail: dict | None) -> str:
    if detail and detail.get("code"):
        return f" ({detail['code']})"
    return ""


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _int(text, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default
