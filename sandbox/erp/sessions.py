"""The ERP's limit of open sessions per user, as real ERPs have (a licence counts logons).

``limit_sessions(app)`` wraps the shared log-on and log-off screens of the sandbox ERP:

- a log-on of a user who already has ``app.config["ERP_SESSIONS_PER_USER"]`` sessions open
  is refused with ``TOO_MANY`` on the log-on page (status 429), so a fleet of bots must keep
  within the limit;
- each session carries its own id; log-off frees it at once, and a session idle for longer
  than the idle timeout no longer counts (a bot killed mid-run frees its session that late,
  as on a real ERP).

The open sessions are kept in memory, per app: a restarted sandbox starts with none.
"""

from __future__ import annotations

import secrets
import threading

from flask import Response, flash, render_template, request, session

SESSIONS_PER_USER = 4
TOO_MANY = ("User {user} already has {limit} open sessions, the most allowed. "
            "Log off in another window first, or wait until an idle session expires.")


class OpenSessions:
    """Who has which sessions open, and when each was last used."""

    def __init__(self, idle_seconds: float, clock):
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.lock = threading.Lock()
        self.by_user: dict[str, dict[str, float]] = {}

    def count(self, user: str, besides: str | None = None) -> int:
        """Sessions of ``user`` open now, not counting the one with id ``besides``."""
        with self.lock:
            self._prune(user)
            return sum(1 for sid in self.by_user.get(user, {}) if sid != besides)

    def open(self, user: str) -> str:
        sid = secrets.token_urlsafe(12)
        with self.lock:
            self.by_user.setdefault(user, {})[sid] = self.clock()
        return sid

    def touch(self, user: str, sid: str) -> None:
        with self.lock:
            self.by_user.setdefault(user, {})[sid] = self.clock()

    def close(self, user: str, sid: str) -> None:
        with self.lock:
            self.by_user.get(user, {}).pop(sid, None)

    def _prune(self, user: str) -> None:
        now = self.clock()
        sessions = self.by_user.get(user, {})
        for sid, seen in list(sessions.items()):
            if now - seen > self.idle_seconds:
                del sessions[sid]


def limit_sessions(app) -> OpenSessions:
    """Put the per-user session limit on ``app`` (the sandbox ERP); return the open sessions."""
    app.config.setdefault("ERP_SESSIONS_PER_USER", SESSIONS_PER_USER)
    options = app.config["SANDBOX_OPTIONS"]
    opened = OpenSessions(options.idle_timeout_seconds, lambda: app.config["SANDBOX_CLOCK"]())
    app.extensions["erp_sessions"] = opened
    log_on, log_off = app.view_functions["sandbox_login"], app.view_functions["sandbox_logout"]

    def limited_log_on():
        if request.method != "POST":
            return log_on()
        user = request.form.get("user", "").strip()
        limit = int(app.config["ERP_SESSIONS_PER_USER"] or 0)
        if limit and user in app.config["SANDBOX_USERS"] and opened.count(user, besides=session.get("sid")) >= limit:
            flash(TOO_MANY.format(user=user, limit=limit), "error")
            return render_template("sandbox/login.html", next=None, user=user), 429
        answer = log_on()
        if session.get("user") == user and isinstance(answer, Response) and answer.status_code in (301, 302, 303):
            session["sid"] = opened.open(user)
        return answer

    def limited_log_off():
        if session.get("user") and session.get("sid"):
            opened.close(session["user"], session["sid"])
        return log_off()

    @app.before_request
    def _count_use():
        # Runs after the shared guard, which has already ended an idle session.
        if session.get("user") and session.get("sid"):
            opened.touch(session["user"], session["sid"])

    app.view_functions["sandbox_login"] = limited_log_on
    app.view_functions["sandbox_logout"] = limited_log_off
    return opened
