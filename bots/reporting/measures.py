"""Report definitions and the measures they compute from the store.

A report is a small dict (or YAML), the built-in ones (``builtin.yaml``) and a business
user's alike::

    name: Overdue by customer
    source: receivables          # receivables | payments | orders | exceptions | runs
    measures: [ar, past_due, dso, average_days_late]
    group_by: customer           # none | customer | week | bot | reason | kind (what the source allows)
    filters: {customer_id: [C1001, C1002]}     # any dimension: one value or a list
    chart: line                  # line (for week), bar, or none

Receivables tables start with a ``currency`` column: a ledger in several currencies gets
its rows per currency (never added up across currencies); ``filters: {currency: [EUR]}``
keeps one.

``run_report(definition, facts)`` gives a ``Table`` (columns, rows of strings) from the
``Facts`` read once per run (``read_facts``). Receivables figures come from
``bots.receivables.metrics`` (the code behind ``o2c ar-metrics``); the rest counts work
items, their history and bot runs:

- payments: ``payments``, ``auto_applied`` (applied with no exception and no human touch),
  ``auto_match_rate``, ``exceptions``, ``exception_rate``, ``amount``;
- orders: ``orders``, ``touchless`` (keyed with no exception and no human touch),
  ``touchless_rate``, ``exceptions``;
- exceptions (waiting now): ``exceptions``, ``oldest_days``, ``average_age_days`` and the
  age buckets ``age_0_1``, ``age_1_3``, ``age_3_7``, ``age_7_plus`` (days);
- runs: ``runs``, ``succeeded``, ``failed``, ``failure_rate``, ``items_done`` (the items
  the bot completed in the period), ``items_per_run``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots.receivables.ledger import Ledger
from bots.receivables.metrics import AGING_BUCKETS, compute_metrics, past_due, two_places

SOURCES = {
    "receivables": {"groups": ("none", "customer", "week"),
                    "measures": ("ar", *AGING_BUCKETS, "past_due", "sales", "dso", "dso_countback", "cei",
                                 "average_days_to_pay", "average_days_late")},
    "payments": {"groups": ("none", "week", "reason", "customer"),
                 "measures": ("payments", "auto_applied", "auto_match_rate", "exceptions", "exception_rate", "amount")},
    "orders": {"groups": ("none", "week", "reason", "customer"),
               "measures": ("orders", "touchless", "touchless_rate", "exceptions")},
    "exceptions": {"groups": ("none", "reason", "kind", "week"),
                   "measures": ("exceptions", "oldest_days", "average_age_days", "age_0_1", "age_1_3", "age_3_7",
                                "age_7_plus")},
    "runs": {"groups": ("none", "bot", "week"),
             "measures": ("runs", "succeeded", "failed", "failure_rate", "items_done", "items_per_run")},
}
_HUMAN_STATES = ("exception", "retried", "resolved", "dismissed")


class ReportError(ValueError):
    """A report definition that cannot be run; the message names what to fix."""


@dataclass
class Definition:
    name: str
    source: str
    measures: list[str]
    group_by: str = "none"
    filters: dict = field(default_factory=dict)
    chart: str = "none"

    @classmethod
    def from_dict(cls, raw: dict, where: str = "report") -> "Definition":
        if not isinstance(raw, dict):
            raise ReportError(f"{where}: a report is a mapping with name, source and measures")
        unknown = set(raw) - {"name", "source", "measures", "group_by", "filters", "chart"}
        if unknown:
            raise ReportError(f"{where}: unknown key(s) " + ", ".join(sorted(unknown)))
        name = str(raw.get("name") or "").strip()
        source = str(raw.get("source") or "")
        if not name:
            raise ReportError(f"{where}: the report needs a name")
        if source not in SOURCES:
            raise ReportError(f"{where} ({name}): source {source!r} is not one of " + ", ".join(SOURCES))
        measures = [str(m) for m in raw.get("measures") or []]
        bad = [m for m in measures if m not in SOURCES[source]["measures"]]
        if not measures or bad:
            raise ReportError(f"{where} ({name}): measures of {source} are " + ", ".join(SOURCES[source]["measures"])
                              + (f"; not {', '.join(bad)}" if bad else ""))
        group_by = str(raw.get("group_by") or "none")
        if group_by not in SOURCES[source]["groups"]:
            raise ReportError(f"{where} ({name}): {source} can be grouped by " + ", ".join(SOURCES[source]["groups"])
                              + f", not {group_by!r}")
        filters = raw.get("filters") or {}
        if not isinstance(filters, dict):
            raise ReportError(f"{where} ({name}): filters is a mapping of dimension to value(s)")
        chart = str(raw.get("chart") or "none")
        if chart not in ("none", "line", "bar"):
            raise ReportError(f"{where} ({name}): chart is line, bar or none")
        return cls(name, source, measures, group_by, {k: v if isinstance(v, list) else [v] for k, v in filters.items()},
                   chart)


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[list[str | None]]
    chart: str = "none"
    group_by: str = "none"


@dataclass
class Facts:
    """What the reports read, once per run: the period, the ledger, work items with their history, runs."""

    start: date
    end: date
    ledger: Ledger
    items: list[dict]
    runs: list[dict]
    now: datetime


def read_facts(session: Session, start: date, end: date, now: datetime) -> Facts:
    from bots.receivables.store import load_store_ledger
    from bots.runtime.store.models import BotRun, ItemEvent, WorkItem

    low = datetime.combine(start, time.min, tzinfo=timezone.utc)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc)
    touched = defaultdict(bool)
    for item_id, to_state, action in session.execute(select(ItemEvent.item_id, ItemEvent.to_state, ItemEvent.action)):
        if to_state in _HUMAN_STATES or action == "assign":
            touched[item_id] = True
    items = []
    for row in session.scalars(select(WorkItem)):
        items.append({"id": row.id, "kind": row.kind, "state": row.state, "reason": row.exception_code,
                      "created_at": row.created_at, "updated_at": row.updated_at, "touched": touched[row.id],
                      "in_period": low <= row.created_at < high, "payload": row.payload or {}})
    runs = [{"bot": r.bot, "outcome": r.outcome, "started_at": r.started_at}
            for r in session.scalars(select(BotRun).where(BotRun.started_at >= low, BotRun.started_at < high))]
    for item in items:   # items done in the period, by the bot whose worker finished them
        item["done_in_period"] = item["state"] == "done" and low <= item["updated_at"] < high
    return Facts(start, end, load_store_ledger(session), items, runs, now)


def run_report(definition: Definition, facts: Facts) -> Table:
    """The table of ``definition`` over ``facts``."""
    compute = {"receivables": _receivables, "payments": _payments, "orders": _orders, "exceptions": _exceptions,
               "runs": _runs}[definition.source]
    groups = compute(definition, facts)
    label = {"none": "", "customer": "customer", "week": "week", "bot": "bot", "reason": "reason",
             "kind": "kind"}[definition.group_by]
    by_currency = definition.source == "receivables"
    columns = (["currency"] if by_currency else []) + ([label] if label else []) + definition.measures
    rows = []
    for key in sorted(groups):
        currency, group = key if by_currency else (None, key)
        if not _passes(definition, group):
            continue
        values = groups[key]
        rows.append(([currency] if by_currency else []) + ([group] if label else [])
                    + [_text(values.get(m)) for m in definition.measures])
    return Table(definition.name, columns, rows, definition.chart, definition.group_by)


def _passes(definition: Definition, key: str) -> bool:
    # customer_id, reason, kind and bot filters are applied to the facts; a filter named like
    # the grouping (week: [2026-W40]) keeps only those groups.
    wanted = definition.filters.get(definition.group_by)
    return not wanted or key in [str(v) for v in wanted]


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return two_places(value)
    return str(value)


def weeks(start: date, end: date) -> list[tuple[date, date]]:
    """The ISO weeks (Monday to Sunday) of the period, clipped to it."""
    first = start - timedelta(days=start.weekday())
    spans = []
    while first <= end:
        spans.append((max(first, start), min(first + timedelta(days=6), end)))
        first += timedelta(days=7)
    return spans


def _week_of(moment) -> str:
    day = moment.date() if isinstance(moment, datetime) else moment
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _receivables(definition: Definition, facts: Facts) -> dict:
    """Figures keyed (currency, group): a ledger in several currencies gets rows per currency."""
    ledger = facts.ledger
    wanted = definition.filters.get("customer_id")
    if wanted:
        keep = {str(c) for c in wanted}
        ledger = Ledger([i for i in ledger.invoices if i.customer_id in keep],
                        [r for r in ledger.receipts if r.customer_id in keep])
    currencies = [c for c in ledger.currencies() if not definition.filters.get("currency")
                  or c in definition.filters["currency"]] or [None]
    out = {}
    for currency in currencies:
        one = ledger.in_currency(currency) if currency else ledger
        label = currency or ""
        if definition.group_by == "week":
            for low, high in weeks(facts.start, facts.end):
                out[(label, _week_of(low))] = _figures(compute_metrics(one, low, high, per_customer=False))
            continue
        figures = compute_metrics(one, facts.start, facts.end, per_customer=definition.group_by == "customer")
        if definition.group_by == "customer":
            out.update({(label, f"{c.customer_id} {c.customer_name}".strip()): _figures(c) for c in figures.customers})
        else:
            out[(label, "")] = _figures(figures)
    return out


def _figures(figures) -> dict:
    values = {name: getattr(figures, name) for name in ("ar", "sales", "dso", "dso_countback", "cei",
                                                          "average_days_to_pay", "average_days_late")}
    values.update(figures.aging)
    values["past_due"] = past_due(figures.aging)
    return values


def _group_key(definition: Definition, item: dict) -> str:
    by = definition.group_by
    if by == "week":
        return _week_of(item["created_at"])
    if by == "reason":
        return item["reason"] or "(none)"
    if by == "kind":
        return item["kind"]
    if by == "customer":
        return _customer_of(item) or "(unknown)"
    return ""


def _customer_of(item: dict) -> str | None:
    payload = item["payload"]
    if item["kind"] == "payment":
        applications = payload.get("applications") or []
        return (applications[0].get("customer_id") if applications else None) or \
            (payload.get("payment") or {}).get("payer")
    customer = (payload.get("order") or {}).get("customer") or {}
    return customer.get("name") or customer.get("email")


def _rate(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else Decimal(part) * 100 / Decimal(whole)


def _filtered(definition: Definition, items: list[dict]) -> list[dict]:
    reasons = definition.filters.get("reason")
    kinds = definition.filters.get("kind")
    customers = definition.filters.get("customer_id")
    return [i for i in items if (not reasons or (i["reason"] or "(none)") in reasons)
            and (not kinds or i["kind"] in kinds) and (not customers or _customer_of(i) in customers)]


def _payments(definition: Definition, facts: Facts) -> dict:
    groups = defaultdict(list)
    for item in _filtered(definition, [i for i in facts.items if i["kind"] == "payment" and i["in_period"]]):
        groups[_group_key(definition, item)].append(item)
    out = {}
    for key, items in groups.items():
        auto = [i for i in items if not i["touched"] and not i["payload"].get("exception")]
        exceptions = [i for i in items if i["payload"].get("exception") or i["reason"]]
        amount = sum((Decimal(str((i["payload"].get("payment") or {}).get("total") or 0)) for i in items), Decimal(0))
        out[key] = {"payments": len(items), "auto_applied": len(auto), "auto_match_rate": _rate(len(auto), len(items)),
                    "exceptions": len(exceptions), "exception_rate": _rate(len(exceptions), len(items)),
                    "amount": amount}
    return out or ({"": {"payments": 0, "auto_applied": 0, "exceptions": 0}} if definition.group_by == "none" else {})


def _orders(definition: Definition, facts: Facts) -> dict:
    groups = defaultdict(list)
    for item in _filtered(definition, [i for i in facts.items if i["kind"] == "order" and i["in_period"]]):
        groups[_group_key(definition, item)].append(item)
    out = {}
    for key, items in groups.items():
        touchless = [i for i in items if i["state"] == "done" and not i["touched"]]
        exceptions = [i for i in items if i["reason"] or i["state"] == "exception"]
        out[key] = {"orders": len(items), "touchless": len(touchless),
                    "touchless_rate": _rate(len(touchless), len(items)), "exceptions": len(exceptions)}
    return out or ({"": {"orders": 0, "touchless": 0, "exceptions": 0}} if definition.group_by == "none" else {})


def _exceptions(definition: Definition, facts: Facts) -> dict:
    groups = defaultdict(list)
    for item in _filtered(definition, [i for i in facts.items if i["state"] == "exception"]):
        groups[_group_key(definition, item)].append(item)
    out = {}
    for key, items in groups.items():
        ages = [Decimal((facts.now - i["updated_at"]).total_seconds()) / 86400 for i in items]
        out[key] = {"exceptions": len(items), "oldest_days": max(ages), "average_age_days": sum(ages) / len(ages),
                    "age_0_1": sum(a < 1 for a in ages), "age_1_3": sum(1 <= a < 3 for a in ages),
                    "age_3_7": sum(3 <= a < 7 for a in ages), "age_7_plus": sum(a >= 7 for a in ages)}
    return out or ({"": {"exceptions": 0}} if definition.group_by == "none" else {})


def _runs(definition: Definition, facts: Facts) -> dict:
    bots = definition.filters.get("bot")
    groups = defaultdict(list)
    for run in facts.runs:
        if bots and run["bot"] not in bots:
            continue
        key = {"bot": run["bot"], "week": _week_of(run["started_at"])}.get(definition.group_by, "")
        groups[key].append(run)
    done = defaultdict(int)
    kinds_of_bot = {"erp-order-entry": "order", "erp-cash-posting": "payment"}
    for item in facts.items:
        if item["done_in_period"]:
            for bot, kind in kinds_of_bot.items():
                if item["kind"] == kind:
                    key = {"bot": bot, "week": _week_of(item["updated_at"])}.get(definition.group_by, "")
                    done[key] += 1
    out = {}
    for key, runs in groups.items():
        failed = sum(r["outcome"] == "failed" for r in runs)
        out[key] = {"runs": len(runs), "succeeded": sum(r["outcome"] == "success" for r in runs), "failed": failed,
                    "failure_rate": _rate(failed, len(runs)), "items_done": done.get(key, 0),
                    "items_per_run": None if not runs else Decimal(done.get(key, 0)) / len(runs)}
    return out or ({"": {"runs": 0, "failed": 0}} if definition.group_by == "none" else {})
