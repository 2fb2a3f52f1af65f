"""How urgent each queued order is, so the order-entry bot keys the most urgent first.

``prioritize_orders(queue, rules, today)`` gives every waiting order item (kind ``order``,
new or retried, no priority yet) a ``priority`` from three things, added up:

- the requested delivery date: ``date_points`` for each day it is closer than
  ``horizon_days`` (an order wanted tomorrow beats one wanted next month; none: 0);
- the customer's tier (``tiers``: customer number or name -> tier; ``tier_points``);
- the order's value: one point per ``value_step`` of the lines' quantity x unit price,
  at most ``max_value_points``.

The queue's claim hands out the highest priority first (then the oldest), so several
workers keep the same order. Run it before the order-entry bot claims (``run_order_entry``
does).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from bots.runtime.store.models import WorkItem

WAITING = ("new", "retried")


@dataclass(frozen=True)
class PriorityRules:
    """The weights (``bots.erp-order-entry.priority`` in config/o2c.yaml)."""

    horizon_days: int = 30
    date_points: int = 10
    tiers: dict = field(default_factory=dict)
    tier_points: dict = field(default_factory=lambda: {"platinum": 300, "gold": 200, "silver": 100})
    value_step: Decimal = Decimal("1000")
    max_value_points: int = 100

    @classmethod
    def from_settings(cls, own: dict | None) -> "PriorityRules":
        own = dict(own or {})
        unknown = set(own) - {"horizon_days", "date_points", "tiers", "tier_points", "value_step", "max_value_points"}
        if unknown:
            raise ValueError(f"erp-order-entry priority has unknown settings {', '.join(sorted(unknown))}")
        defaults = cls()
        return cls(horizon_days=int(own.get("horizon_days", defaults.horizon_days)),
                   date_points=int(own.get("date_points", defaults.date_points)),
                   tiers={str(k).upper(): str(v).lower() for k, v in (own.get("tiers") or {}).items()},
                   tier_points={str(k).lower(): int(v) for k, v in
                                (own.get("tier_points") or defaults.tier_points).items()},
                   value_step=Decimal(str(own.get("value_step", defaults.value_step))),
                   max_value_points=int(own.get("max_value_points", defaults.max_value_points)))


def order_priority(order: dict, rules: PriorityRules, today: date) -> int:
    """The priority of one contract-2 order (higher: keyed sooner)."""
    points = 0
    requested = _date(order.get("requested_date"))
    if requested is not None:
        points += max(0, rules.horizon_days - max(0, (requested - today).days)) * rules.date_points
    customer = order.get("customer") or {}
    if isinstance(customer, str):
        customer = {"name": customer}
    for key in (customer.get("customer_id"), customer.get("name")):
        tier = rules.tiers.get(str(key or "").upper())
        if tier:
            points += rules.tier_points.get(tier, 0)
            break
    value = sum((_number(line.get("quantity")) * _number(line.get("unit_price")) for line in order.get("lines") or []),
                Decimal("0"))
    points += min(rules.max_value_points, int(value / rules.value_step)) if rules.value_step > 0 else 0
    return points


def prioritize_orders(queue, rules: PriorityRules, today: date | None = None) -> int:
    """Set the priority of every waiting order item that has none; return how many were set."""
    today = today or queue.clock.now().date()
    count = 0
    with queue.session() as session, session.begin():
        query = select(WorkItem).where(WorkItem.kind == "order", WorkItem.state.in_(WAITING),
                                       WorkItem.priority.is_(None))
        for row in session.scalars(query):
            payload = row.payload or {}
            order = payload.get("order") if isinstance(payload.get("order"), dict) else payload  # as intake queues it
            row.priority = order_priority(order, rules, today)
            count += 1
    return count


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _number(value) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal("0")
    except InvalidOperation:
        return Decimal("0")
