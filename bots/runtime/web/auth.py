"""Sign-in, sign-out, idle expiry, and the checks every view gets.

``install(app, directory, throttle)`` adds ``/sign-in`` and ``/sign-out`` (blueprint
``auth``) and a ``before_request`` hook that, on every request:

1. loads the signed-in user (``g.user``) from the session kept on the server
   (``bots.runtime.web.sessions``; the cookie holds only its token), ending it when it has been idle
   longer than ``idle_minutes``, is older than ``max_session_hours``, was signed out, the
   user was disabled, or their password changed since they signed in;
2. sends anyone not signed in to the sign-in page -- every endpoint but those in
   ``PUBLIC_ENDPOINTS`` (sign-in and static files), so a route added later is covered
   without anyone remembering to.

Views that need more than a signed-in user say so with ``@requires("operator")``: the role
is checked on the server, whatever buttons the page showed.
"""

import secrets
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from bots.runtime.logs import get_logger

log = get_logger(__name__)
blueprint = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = {"auth.sign_in", "static", "web.static"}


def current_user():
    """The signed-in ``User`` of this request, or None."""
    return g.get("user")


def requires(role: str | None = None):
    """Decorator: the view needs a signed-in user, with ``role`` or a higher one when given."""

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            user = current_user()
            if user is None:
                return _to_sign_in()
            if role is not None and not current_app.extensions["o2c_web"].realm.allows(user.role, role):
                log.warning("refused: role too low", user=user.name, role=user.role, needed=role, path=request.path)
                abort(403, description=f"Your role ({user.role}) cannot do this; it needs {role} or above.")
            return view(*args, **kwargs)

        checked.required_role = role
        return checked

    return decorate


login_required = requires(None)


def may(role: str) -> bool:
    """For templates: may the signed-in user act with ``role``? (Only hides buttons; views check again.)"""
    user = current_user()
    return user is not None and current_app.extensions["o2c_web"].realm.allows(user.role, role)


def load_user() -> None:
    """``before_request`` hook: ``g.user`` from the session, or None after it ended."""
    web = current_app.extensions["o2c_web"]
    g.user = None
    token = session.get("sid")
    if not token:
        return
    uid, why = web.sessions.check(token, timedelta(minutes=web.idle_minutes), timedelta(hours=web.max_session_hours))
    if uid is None:
        _end_session("Your session ended after a while without use. Please sign in again." if why == "idle"
                     else "Your session has ended. Please sign in again.")
        return
    user = web.directory.load(uid)
    if user is None or user.session_stamp != session.get("stamp"):
        web.sessions.end(token)
        _end_session("Your session ended (your account or password changed). Please sign in again.")
        return
    g.user = user


def require_sign_in():
    """``before_request`` hook: every endpoint but the public ones needs a signed-in user."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user() is not None:
        return None
    return _to_sign_in()


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    web = current_app.extensions["o2c_web"]
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target or url_for(web.home_endpoint))
        return render_template("web/sign_in.html", next=target, message=session.pop("signed_out", None))
    name = (request.form.get("name") or "").strip()
    password = request.form.get("password") or ""
    address = request.remote_addr or "unknown"
    wait = web.throttle.wait_seconds(name, address)
    if wait:
        log.warning("sign-in throttled", realm=web.realm.name, user=name, address=address, wait=wait)
        error = f"Too many failed sign-ins for this name or from this address. Try again in {wait} seconds."
        return render_template("web/sign_in.html", next=target, error=error, name=name), 429
    user = web.directory.authenticate(name, password)
    if user is None:
        web.throttle.failed(name, address)
        log.warning("sign-in failed", realm=web.realm.name, user=name, address=address)
        return render_template("web/sign_in.html", next=target, error="Wrong name or password.", name=name), 401
    web.throttle.succeeded(name)
    session.clear()  # nothing of the anonymous session carries over (a new CSRF token too)
    session.update(sid=web.sessions.start(user.id), stamp=user.session_stamp, csrf=secrets.token_urlsafe(32))
    session.permanent = False
    log.info("signed in", realm=web.realm.name, user=user.name, address=address)
    return redirect(target or url_for(web.home_endpoint))


@blueprint.route("/sign-out", methods=["POST"])
def sign_out():
    user = current_user()
    if user is not None:
        log.info("signed out", user=user.name)
    current_app.extensions["o2c_web"].sessions.end(session.get("sid"))
    _end_session("You are signed out.")
    return redirect(url_for("auth.sign_in"))


def install(app) -> None:
    app.before_request(load_user)
    app.before_request(require_sign_in)
    app.register_blueprint(blueprint)
    app.jinja_env.globals.update(current_user=current_user, may=may)


def _end_session(message: str) -> None:
    session.clear()
    session["signed_out"] = message
    g.user = None


def _to_sign_in():
    target = request.full_path if request.method == "GET" else None
    location = url_for("auth.sign_in", next=_safe_next(target)) if target else url_for("auth.sign_in")
    if request.headers.get("HX-Request"):
        # htmx would swap the sign-in page into a fragment; make it load the whole page instead.
        return "", 401, {"HX-Redirect": location}
    return redirect(location)


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never another host) may follow sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target.rstrip("?")
