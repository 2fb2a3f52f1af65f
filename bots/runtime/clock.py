"""The time the runtime sees, as an object tests can set.

Leases, backoff and run timestamps all read ``clock.now()``; production uses
``SystemClock`` and tests pass a ``FixedClock`` they move by hand, so lease expiry is
a plain scenario with no sleeping::

    clock = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))
    queue = WorkQueue.open(url, clock=clock)
    ...
    clock.advance(seconds=301)      # the lease of 300 s has run out
"""

from datetime import datetime, timedelta, timezone


class Clock:
    """Tells the time, always as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        raise NotImplementedError


class SystemClock(Clock):
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime | None = None):
        self.current = _utc(start or datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))

    def now(self) -> datetime:
        return self.current

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (naive datetimes are taken as UTC)."""
        self.current = _utc(when)

    def advance(self, **delta) -> datetime:
        """Move forward by a ``timedelta(**delta)``, e.g. ``advance(seconds=301)``; return the new time."""
        self.current += timedelta(**delta)
        return self.current

    def __repr__(self) -> str:
        return f"FixedClock({self.current.isoformat()})"


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
