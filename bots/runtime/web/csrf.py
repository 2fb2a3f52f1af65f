"""A CSRF token on every POST: one random token per session, checked before any view runs.

Forms carry it as a hidden ``csrf_token`` field (``{{ csrf_field() }}`` in a template);
htmx requests carry it in the ``X-CSRF-Token`` header, which the base template sets for
the whole page (``hx-headers`` on ``<body>``). A POST, PUT, PATCH or DELETE without the
session's token is refused with 400 before the view is called.
"""

import hmac
import secrets

from flask import abort, request, session
from markupsafe import Markup, escape

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def csrf_token() -> str:
    """The session's token, made on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_field() -> Markup:
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(csrf_token())}">')


def check_csrf() -> None:
    """``before_request`` hook: refuse a state-changing request without the session's token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(HEADER) or request.form.get(FIELD) or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="This form was out of date or did not come from this site (CSRF check failed). "
                               "Reload the page and try again.")


def install(app) -> None:
    app.before_request(check_csrf)
    app.jinja_env.globals.update(csrf_token=csrf_token, csrf_field=csrf_field)
