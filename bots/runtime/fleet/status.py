"""What ``o2c status`` shows, as one plain dict: workers, queue depth, exceptions, last runs.

::

    status = fleet_status(queue)
    status["workers"]                 # live workers (and "lost" ones that stopped heartbeating)
    status["queue"]                   # {"new": 12, "in_progress": 2, ...} and by kind
    status["exceptions"]              # [{"reason": "price_mismatch", "count": 3, "oldest": ...}]
    status["runs"]                    # the last bot runs, newest first
"""

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bots.runtime.fleet.registry import WorkerRegistry
from bots.runtime.runs import recent_runs
from bots.runtime.store.models import BotLock, WorkItem


def fleet_status(queue, *, stale_seconds: float = 30.0, runs: int = 10) -> dict:
    """Everything ``o2c status`` prints, read in a few queries (times as ISO strings)."""
    registry = WorkerRegistry(queue, stale_seconds=stale_seconds)
    with sessionmaker(queue.engine)() as session:
        by_kind = session.execute(select(WorkItem.kind, WorkItem.state, func.count())
                                  .group_by(WorkItem.kind, WorkItem.state)).all()
        reasons = session.execute(
            select(WorkItem.exception_code, func.count(), func.min(WorkItem.updated_at))
            .where(WorkItem.state == "exception").group_by(WorkItem.exception_code)
            .order_by(func.count().desc(), WorkItem.exception_code)).all()
        locks = session.execute(select(BotLock.bot, BotLock.holder, BotLock.expires_at)
                                .where(BotLock.expires_at >= queue.clock.now()).order_by(BotLock.bot)).all()
    states: dict[str, int] = {}
    kinds: dict[str, dict[str, int]] = {}
    for kind, state, count in by_kind:
        states[state] = states.get(state, 0) + count
        kinds.setdefault(kind, {})[state] = count
    return {
        "at": queue.clock.now().isoformat(timespec="seconds"),
        "workers": [worker.to_dict() for worker in registry.live()],
        "lost_workers": [worker.to_dict() for worker in registry.lost()],
        "queue": {"by_state": dict(sorted(states.items())), "by_kind": dict(sorted(kinds.items()))},
        "exceptions": [{"reason": code or "(none)", "count": count,
                        "oldest": _iso(oldest)} for code, count, oldest in reasons],
        "locks": [{"bot": bot, "holder": holder, "expires_at": _iso(expires)} for bot, holder, expires in locks],
        "runs": recent_runs(queue, limit=runs),
    }


def _iso(value) -> str | None:
    if value is None:
        return None
    from datetime import timezone

    # Aggregates (min) skip the column's type and come back naive: the store keeps UTC.
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat(timespec="seconds")
