"""The app factory: a Flask app with sign-in, CSRF, security headers and the shared look."""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, render_template
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.exceptions import HTTPException

from bots.runtime.clock import Clock, SystemClock
from bots.runtime.web import auth, csrf, headers
from bots.runtime.web.sessions import SessionStore
from bots.runtime.web.throttle import SignInThrottle
from bots.runtime.web.users import Realm, UserDirectory

HERE = Path(__file__).resolve().parent


@dataclass
class WebSettings:
    """What ``bots.runtime.web`` keeps per app (``app.extensions["o2c_web"]``)."""

    title: str
    realm: Realm
    directory: UserDirectory
    throttle: SignInThrottle
    sessions: SessionStore
    clock: Clock
    home_endpoint: str
    idle_minutes: int
    max_session_hours: int


def create_web_app(import_name: str, *, title: str, directory: UserDirectory, engine, secret_key: str | bytes,
                   home_endpoint: str, throttle: SignInThrottle | None = None, idle_minutes: int = 30,
                   max_session_hours: int = 12,
                   clock: Clock | None = None, template_folder: str | Path | None = None,
                   static_folder: str | Path | None = None, https_only: bool = False) -> Flask:
    """A Flask app where every page but sign-in and static files needs a signed-in user.

    :param directory: where the users are (``UserStore`` or the app's own ``UserDirectory``).
    :param engine: the store that keeps sessions and sign-in failures (``web_sessions``,
        ``web_sign_in_failures``), whatever the directory.
    :param throttle: how failed sign-ins slow down (default: ``SignInThrottle`` with its defaults).
    :param secret_key: signs the session cookie; ``secret_key_file()`` makes one that lasts.
    :param home_endpoint: where sign-in leads (e.g. ``"console.queue"``).
    :param template_folder: the app's own templates; they extend ``web/base.html``.
    :param https_only: mark cookies Secure even when the request looks like plain HTTP
        (behind a TLS-terminating proxy). Under HTTPS they are Secure anyway.
    """
    app = Flask(import_name, template_folder=str(template_folder) if template_folder else None,
                static_folder=str(static_folder) if static_folder else None)
    app.secret_key = secret_key
    app.config.update(SESSION_COOKIE_SECURE=https_only, MAX_CONTENT_LENGTH=2 * 1024 * 1024,
                      SESSION_COOKIE_NAME=f"o2c_{directory.realm.name}")
    app.jinja_loader = ChoiceLoader([loader for loader in (app.jinja_loader, FileSystemLoader(str(HERE / "templates")))
                                     if loader is not None])
    app.jinja_env.autoescape = True  # every template, whatever its name: everything from outside is escaped
    clock = clock or SystemClock()
    app.extensions["o2c_web"] = WebSettings(title=title, realm=directory.realm, directory=directory,
                                            throttle=throttle or SignInThrottle(engine, directory.realm.name, clock),
                                            sessions=SessionStore(engine, directory.realm.name, clock), clock=clock,
                                            home_endpoint=home_endpoint, idle_minutes=idle_minutes,
                                            max_session_hours=max_session_hours)
    app.jinja_env.globals.update(app_title=title, home_endpoint=home_endpoint)
    app.register_blueprint(Blueprint("web", __name__, static_folder=str(HERE / "static"), static_url_path="/static/web"))
    headers.install(app)
    auth.install(app)
    csrf.install(app)
    app.register_error_handler(HTTPException, _error_page)
    return app


def secret_key_file(path: str | Path) -> bytes:
    """The key in ``path``, made (random, readable by the owner only) the first time.

    Kept in a file so sessions survive a restart; never in a config file.
    """
    path = Path(path)
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


def _error_page(error: HTTPException):
    return render_template("web/error.html", error=error), error.code
