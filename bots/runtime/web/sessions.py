"""Signed-in sessions kept on the server (``web_sessions``), so that ending one is final.

The cookie holds only a random token; the store holds its hash, who it belongs to, when it
was last used and whether it ended. A cookie that comes back after sign-out (an old copy,
a slow answer that set it again) finds its session ended and is refused.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from bots.runtime.store.models import WebSession

TOUCH_EVERY = timedelta(seconds=30)  # last use is written at most this often, not on every request


class SessionStore:
    def __init__(self, engine, realm: str, clock):
        from bots.runtime.store.engine import reader

        self.realm = realm
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._reads = sessionmaker(reader(engine))  # most requests only read: no write lock on SQLite

    def start(self, user_id: str) -> str:
        """A new session for ``user_id``; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        with self._sessions.begin() as db:
            db.add(WebSession(token_hash=_hash(token), realm=self.realm, user_id=user_id, created_at=now,
                              last_seen_at=now))
        return token

    def check(self, token: str | None, idle: timedelta, longest: timedelta) -> tuple[str | None, str]:
        """(user id, "") for a live session, or (None, why): "none", "ended", "idle" or "too_old".

        A live session's last use moves to now; an idle or too old one is ended.
        """
        if not token:
            return None, "none"
        now = self.clock.now()
        with self._reads() as db:
            row = db.scalar(select(WebSession).where(WebSession.token_hash == _hash(token),
                                                     WebSession.realm == self.realm))
        if row is None or row.ended_at is not None:
            return None, "ended"
        if now - row.last_seen_at > idle or now - row.created_at > longest:
            self._set(row.id, ended_at=now)
            return None, "idle"
        if now - row.last_seen_at >= TOUCH_EVERY:
            self._set(row.id, last_seen_at=now)
        return row.user_id, ""

    def _set(self, session_id: int, **values) -> None:
        with self._sessions.begin() as db:
            db.execute(update(WebSession).where(WebSession.id == session_id).values(**values))

    def end(self, token: str | None) -> None:
        if not token:
            return
        with self._sessions.begin() as db:
            db.execute(update(WebSession).where(WebSession.token_hash == _hash(token), WebSession.ended_at.is_(None))
                       .values(ended_at=self.clock.now()))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
