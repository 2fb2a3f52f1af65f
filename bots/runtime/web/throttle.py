"""Failed sign-ins slow the next try down, per user name and per address.

After ``free_tries`` failures in a row for one user name (or ``free_tries_per_address``
from one address), each further try must wait: 1 s, then 2, 4, 8... up to ``max_wait``.
A success clears the user name's count (not the address's: one good account must not
reset the count of an address guessing others). Counts older than ``forget_after`` are
forgotten. Counts live in the store (``web_sign_in_failures``), so they hold across the
server's threads, processes and restarts.
"""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bots.runtime.clock import Clock, SystemClock
from bots.runtime.store.models import SignInFailures


class SignInThrottle:
    def __init__(self, engine, realm: str, clock: Clock | None = None, *, free_tries: int = 3,
                 free_tries_per_address: int = 10, max_wait: int = 900, forget_after: int = 3600):
        self.realm = realm
        self.clock = clock or SystemClock()
        self.free = {"user": free_tries, "address": free_tries_per_address}
        self.max_wait = max_wait
        self.forget_after = timedelta(seconds=forget_after)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def wait_seconds(self, name: str, address: str) -> int:
        """How long the next try for ``name`` from ``address`` must still wait (0: it may go ahead)."""
        now = self.clock.now()
        with self._sessions() as session:
            waits = [0]
            for scope, subject in self._subjects(name, address):
                row = session.scalar(self._query(scope, subject))
                if row is not None and row.blocked_until and row.blocked_until > now:
                    waits.append(int((row.blocked_until - now).total_seconds()) + 1)
            return max(waits)

    def failed(self, name: str, address: str) -> None:
        now = self.clock.now()
        for scope, subject in self._subjects(name, address):
            for _attempt in range(2):  # a second try when another thread inserted the same row first
                try:
                    with self._sessions.begin() as session:
                        row = session.scalar(self._query(scope, subject))
                        if row is None:
                            row = SignInFailures(realm=self.realm, scope=scope, subject=subject, failures=0)
                            session.add(row)
                        elif now - row.last_failure_at > self.forget_after:
                            row.failures = 0
                        row.failures += 1
                        row.last_failure_at = now
                        over = row.failures - self.free[scope]
                        row.blocked_until = now + timedelta(seconds=min(2 ** (over - 1), self.max_wait)) if over > 0 else None
                    break
                except IntegrityError:
                    continue

    def succeeded(self, name: str) -> None:
        with self._sessions.begin() as session:
            row = session.scalar(self._query("user", _subject(name)))
            if row is not None:
                session.delete(row)

    def _subjects(self, name: str, address: str):
        return (("user", _subject(name)), ("address", _subject(address)))

    def _query(self, scope: str, subject: str):
        return select(SignInFailures).where(SignInFailures.realm == self.realm, SignInFailures.scope == scope,
                                            SignInFailures.subject == subject)


def _subject(text: str | None) -> str:
    return (text or "").strip().casefold()[:255]
