"""What the three sandbox systems (ERP, customer portal, bank portal) share.

Each system is a small Flask app with server-rendered pages and its own SQLite file.
This module gives them the same plumbing and the same field quirks:

- ``SandboxOptions``: seed, fault rate, latency, theme, idle timeout, maintenance, data dir.
- ``create_sandbox_app(system, options, ...)``: a Flask app with login (session cookie,
  idle timeout), a CSRF token checked on every POST, the "System busy, try again" fault on
  POSTs, slow screens, the maintenance-window page and theme switching.
- ``create_seeded_app(system, options, schema, seed, ...)``: the same, for a system with its
  own seeded database: creates it first, sends ``/`` to the home screen and adds
  ``POST /sandbox/reset`` (``reset_database``: back to the seed's initial state).
- ``prepare_database`` / ``db()``: the system's SQLite file, created and seeded
  deterministically from the seed (again on ``reset``), one connection per request.
- ``serve_in_thread(app)`` / ``free_port()``: run an app on a loopback port in the
  background, for tests and for ``o2c sandbox``.

Usage, in a system's ``app.py``::

    from sandbox.common import SandboxOptions, create_sandbox_app, prepare_database, db

    def create_app(options: SandboxOptions):
        app = create_seeded_app("portal", options, SCHEMA, seed_portal, import_name=__name__,
                                title="Customer Portal", users={"buyer": "buyer123"},
                                home_endpoint="home", layout="portal/layout.html",
                                reset_message="The portal was reset to its initial state.")
        @app.route("/home")
        def home(): ...
        return app

Templates, in the system's own ``templates/`` folder:
- The layout named by ``layout`` must define the blocks ``title`` and ``content``, and show
  the flashed messages (``get_flashed_messages(with_categories=true)``) in an element with
  ``role="status"``; the shared pages (``sandbox/login.html``, ``sandbox/busy.html``,
  ``sandbox/maintenance.html``, ``sandbox/error.html``) extend it. Without one,
  ``sandbox/base.html`` is used.
- Every form that POSTs includes ``{{ csrf_field() }}``.
- Element ids and CSS classes go through ``{{ ident("customer") }}``: "customer" in theme 1,
  a stable "f_7a2c"-style name in theme 2. Labels, roles and texts never change by theme.
- Stylesheets are Jinja templates under ``templates/css/``; link them with
  ``{{ url_for("sandbox_stylesheet", name="erp") }}`` so their class names follow the theme.
- ``{{ theme }}`` (1 or 2) and ``{{ system_title }}`` are available in every template.

Quirks, all per app and all switchable through the options:
- The busy fault replaces the answer to a POST, *before* the view runs: when the dialog
  shows, the action did not happen, so a bot may safely retry. It is decided by a
  ``random.Random`` seeded from the seed and the system name, so a run is repeatable.
  Login and logout never fault; mark other views with ``@no_fault``.
- The idle timeout sends the user back to the login page, also in the middle of a flow
  (the POST that arrives too late is not carried out).
- ``set_maintenance(app, True)`` switches the maintenance page on at run time.
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape

__all__ = [
    "SandboxOptions",
    "default_data_dir",
    "create_sandbox_app",
    "create_seeded_app",
    "reset_database",
    "no_fault",
    "set_maintenance",
    "prepare_database",
    "open_db",
    "db",
    "ident",
    "serve_in_thread",
    "RunningServer",
    "free_port",
    "BUSY_MESSAGE",
    "EXPIRED_MESSAGE",
]

BUSY_MESSAGE = "System busy, try again"
EXPIRED_MESSAGE = "Your session has expired. Please log in again."
MAINTENANCE_MESSAGE = "The system is down for scheduled maintenance."

_COMMON_TEMPLATES = Path(__file__).resolve().parent / "common_templates"
# Endpoints a user may reach without logging in, and that never fault or wait.
_PUBLIC_ENDPOINTS = {"static", "sandbox_stylesheet", "sandbox_login", "sandbox_logout"}


def default_data_dir() -> Path:
    """Where the sandbox databases live unless told: ``$O2C_HOME/sandbox`` (``~/.o2c/sandbox``)."""
    home = os.environ.get("O2C_HOME")
    return (Path(home) if home else Path.home() / ".o2c") / "sandbox"


@dataclass
class SandboxOptions:
    """How a sandbox system behaves. One instance is shared by the three systems.

    :param seed: seeds the master data, the documents and the fault sequence.
    :param fault_rate: share of POSTs answered with "System busy, try again" (0 to 1).
    :param latency_ms: extra delay on every screen, in milliseconds.
    :param theme: 1 (plain ids) or 2 (different element ids and CSS classes, same labels and roles).
    :param idle_timeout_seconds: idle time after which the session ends (default 10 minutes).
    :param maintenance: show the maintenance-window page instead of every screen.
    :param data_dir: folder of the SQLite files (default ``default_data_dir()``).
    :param reset: re-create the databases from the seed on start, dropping what was done.
    :param today: business date the seed data is laid out around (default: the real date).
    """

    seed: int = 42
    fault_rate: float = 0.0
    latency_ms: int = 0
    theme: int = 1
    idle_timeout_seconds: int = 600
    maintenance: bool = False
    data_dir: Path | None = None
    reset: bool = False
    today: date | None = None

    def __post_init__(self):
        if not 0 <= self.fault_rate <= 1:
            raise ValueError(f"fault_rate must be between 0 and 1, not {self.fault_rate}")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must be 0 or more, not {self.latency_ms}")
        if self.theme not in (1, 2):
            raise ValueError(f"theme must be 1 or 2, not {self.theme}")
        if self.idle_timeout_seconds <= 0:
            raise ValueError(f"idle_timeout_seconds must be positive, not {self.idle_timeout_seconds}")
        self.data_dir = Path(self.data_dir) if self.data_dir else default_data_dir()

    def db_path(self, system: str) -> Path:
        """The SQLite file of ``system`` ("erp", "portal", "bank")."""
        return self.data_dir / f"{system}.sqlite"

    def business_date(self) -> date:
        """The date seed data is laid out around: ``today`` when set, else the real date."""
        return self.today or date.today()

    def rng(self, purpose: str) -> random.Random:
        """A ``random.Random`` seeded from the seed and ``purpose`` (e.g. "erp-seed")."""
        return random.Random(f"{self.seed}:{purpose}")

    def with_(self, **changes) -> "SandboxOptions":
        """A copy with some options changed."""
        return replace(self, **changes)


# ---------------------------------------------------------------------------
# The app factory
# ---------------------------------------------------------------------------

def create_sandbox_app(
    system: str,
    options: SandboxOptions,
    *,
    import_name: str,
    title: str,
    users: Mapping[str, str],
    home_endpoint: str,
    layout: str = "sandbox/base.html",
    template_folder: str | Path | None = "templates",
    static_folder: str | Path | None = "static",
) -> Flask:
    """Build the Flask app of one sandbox system with the shared login and quirks.

    :param system: short name ("erp", "portal", "bank"): names the database, the session
        cookie (systems on one host must not share it) and the fault sequence.
    :param import_name: the system module's ``__name__`` (finds its templates/ and static/).
    :param title: shown in the title bar and on the login page.
    :param users: user name to password.
    :param home_endpoint: where a fresh login lands.
    :param layout: the system's layout template that the shared pages extend.
    """
    app = Flask(import_name, template_folder=template_folder, static_folder=static_folder)
    own = [app.jinja_loader] if app.jinja_loader is not None else []
    app.jinja_loader = ChoiceLoader(own + [FileSystemLoader(str(_COMMON_TEMPLATES))])
    # Deterministic per seed and system, so a restarted sandbox keeps its users logged in.
    app.secret_key = hashlib.sha256(f"o2c-sandbox:{system}:{options.seed}".encode()).hexdigest()
    app.config.update(
        SESSION_COOKIE_NAME=f"o2c_{system}_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SANDBOX_SYSTEM=system,
        SANDBOX_OPTIONS=options,
        SANDBOX_TITLE=title,
        SANDBOX_USERS=dict(users),
        SANDBOX_HOME=home_endpoint,
        SANDBOX_LAYOUT=layout,
        SANDBOX_DB=options.db_path(system),
        SANDBOX_MAINTENANCE=options.maintenance,
        SANDBOX_CLOCK=time.time,
    )
    state = _FaultState(options.rng(f"{system}-faults"), options.fault_rate)
    app.extensions["sandbox_faults"] = state

    app.jinja_env.globals.update(
        ident=ident,
        csrf_field=_csrf_field,
        csrf_token=_csrf_token,
        system_title=title,
        layout=layout,
    )

    @app.context_processor
    def _theme_context():
        return {"theme": options.theme, "current_user": session.get("user")}

    app.before_request(_guard)
    app.teardown_appcontext(_close_db)

    @app.route("/login", methods=["GET", "POST"], endpoint="sandbox_login")
    def login():
        next_url = _safe_next(request.values.get("next"))
        if request.method == "POST":
            user = request.form.get("user", "").strip()
            password = request.form.get("password", "")
            known = app.config["SANDBOX_USERS"]
            if user in known and secrets.compare_digest(known[user], password):
                session.clear()
                session["user"] = user
                session["last_seen"] = _now()
                session["csrf"] = secrets.token_urlsafe(24)
                return redirect(next_url or url_for(app.config["SANDBOX_HOME"]))
            flash("Wrong user or password.", "error")
            return render_template("sandbox/login.html", next=next_url, user=user), 401
        return render_template("sandbox/login.html", next=next_url, user="")

    @app.route("/logout", methods=["POST"], endpoint="sandbox_logout")
    def logout():
        session.clear()
        flash("You have logged off.", "info")
        return redirect(url_for("sandbox_login"))

    @app.route("/theme/<name>.css", endpoint="sandbox_stylesheet")
    def stylesheet(name):
        body = render_template(f"css/{name}.css")
        return Response(body, mimetype="text/css", headers={"Cache-Control": "no-store"})

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("sandbox/error.html", heading="Not found",
                               message="There is no such screen or document."), 404

    @app.errorhandler(405)
    def not_allowed(_error):
        return render_template("sandbox/error.html", heading="Not allowed",
                               message="This screen cannot be used that way."), 405

    return app


def create_seeded_app(
    system: str,
    options: SandboxOptions,
    schema_sql: str,
    seed: Callable[[sqlite3.Connection, SandboxOptions], None],
    *,
    reset_message: str,
    **app_arguments,
) -> Flask:
    """``create_sandbox_app`` for a system with its own seeded database (``options.db_path(system)``).

    Creates and seeds the database first unless it exists (``prepare_database``), sends ``/``
    to the home screen, and adds ``POST /sandbox/reset`` (endpoint ``sandbox_reset``), which
    puts the database back to its initial state, says ``reset_message`` and goes home.

    :param app_arguments: the keyword arguments of ``create_sandbox_app`` (``import_name``,
        ``title``, ``users``, ``home_endpoint``, ``layout``...).
    """
    prepare_database(options.db_path(system), schema_sql, seed, options)
    app = create_sandbox_app(system, options, **app_arguments)
    home = app_arguments["home_endpoint"]

    @app.route("/", endpoint="index")
    def index():
        return redirect(url_for(home))

    @app.route("/sandbox/reset", methods=["POST"], endpoint="sandbox_reset")
    @no_fault
    def sandbox_reset():
        reset_database(system, schema_sql, seed, options)
        flash(reset_message, "info")
        return redirect(url_for(home))

    return app


def reset_database(
    system: str,
    schema_sql: str,
    seed: Callable[[sqlite3.Connection, SandboxOptions], None],
    options: SandboxOptions,
) -> None:
    """Re-create the database of ``system`` from the seed, dropping what was done since."""
    prepare_database(options.db_path(system), schema_sql, seed, options.with_(reset=True))


def no_fault(view: Callable) -> Callable:
    """Mark a view whose POSTs never get the busy fault (e.g. a harmless search form)."""
    view._sandbox_no_fault = True
    return view


def set_maintenance(app: Flask, on: bool) -> None:
    """Switch the maintenance-window page on or off while the app runs."""
    app.config["SANDBOX_MAINTENANCE"] = bool(on)


def ident(name: str) -> str:
    """An element id or CSS class for ``name`` in the current theme.

    Theme 1 gives ``name`` itself; theme 2 a short stable name such as ``f_7a2c``, the way a
    new release of an ERP renames its elements while labels and roles stay.
    """
    options = _current_options()
    if options is None or options.theme == 1:
        return name
    return "f_" + hashlib.sha1(f"theme2:{name}".encode()).hexdigest()[:4]


# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------

def open_db(path: str | Path) -> sqlite3.Connection:
    """Open a sandbox SQLite file: rows by column name, foreign keys on, waits on locks."""
    conn = sqlite3.connect(str(path), timeout=15, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def prepare_database(
    path: str | Path,
    schema_sql: str,
    seed: Callable[[sqlite3.Connection, SandboxOptions], None],
    options: SandboxOptions,
) -> bool:
    """Create and seed the database at ``path`` unless it exists; with ``options.reset``, always.

    ``seed(conn, options)`` fills the fresh schema; it must draw its randomness only from
    ``options.rng(...)`` and its dates from ``options.business_date()``, so that the same
    seed gives the same database. Returns True when the database was (re)created.
    """
    path = Path(path)
    if path.exists() and not options.reset:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and swap in, so a reader never sees a half-seeded file.
    building = path.with_name(path.name + ".building")
    for stale in (building, Path(str(building) + "-journal")):
        stale.unlink(missing_ok=True)
    conn = open_db(building)
    # The file is swapped in only when complete, so seeding need not wait for the disk.
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = MEMORY")
    try:
        conn.executescript(schema_sql)
        seed(conn, options)
        conn.commit()
    finally:
        conn.close()
    for old in (Path(str(path) + "-wal"), Path(str(path) + "-shm"), Path(str(path) + "-journal")):
        old.unlink(missing_ok=True)
    os.replace(building, path)
    return True


def db() -> sqlite3.Connection:
    """The current request's connection to the app's database (closed after the request)."""
    if "sandbox_db" not in g:
        from flask import current_app

        g.sandbox_db = open_db(current_app.config["SANDBOX_DB"])
    return g.sandbox_db


def _close_db(_exc):
    conn = g.pop("sandbox_db", None)
    if conn is not None:
        conn.close()


# ---------------------------------------------------------------------------
# Running an app in the background
# ---------------------------------------------------------------------------

def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_port_run(count: int, host: str = "127.0.0.1") -> int:
    """The first of ``count`` consecutive TCP ports on ``host`` that are all free right now.

    Searched below Linux's ephemeral range (32768 and up), where outgoing connections
    of other programs take ports at random and could take one of the run's.
    """
    for base in random.SystemRandom().sample(range(20000, 32768 - count), 200):
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sockets.append(s)
                s.bind((host, port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise OSError(f"no {count} consecutive free ports on {host}")


@dataclass
class RunningServer:
    """A sandbox app serving in a background thread; ``shutdown()`` stops it."""

    name: str
    app: Flask
    host: str
    port: int
    _server: object = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def shutdown(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def serve_in_thread(app: Flask, port: int = 0, host: str = "127.0.0.1", name: str | None = None) -> RunningServer:
    """Serve ``app`` on ``host:port`` (0: any free port) in a daemon thread, threaded per request."""
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    actual_port = server.socket.getsockname()[1]
    thread = threading.Thread(target=server.serve_forever, name=f"sandbox-{name or app.name}", daemon=True)
    thread.start()
    return RunningServer(name or app.config.get("SANDBOX_SYSTEM", app.name), app, host, actual_port, server, thread)


# ---------------------------------------------------------------------------
# Private helpers: the request guard and its parts
# ---------------------------------------------------------------------------

class _FaultState:
    """The seeded sequence that decides which POSTs get the busy dialog."""

    def __init__(self, rng: random.Random, rate: float):
        self.rng = rng
        self.rate = rate
        self.lock = threading.Lock()
        self.posts = 0
        self.faults = 0

    def next_is_fault(self) -> bool:
        with self.lock:
            self.posts += 1
            hit = self.rng.random() < self.rate
            self.faults += hit
            return hit


def _guard():
    """Runs before every request: latency, maintenance, session, CSRF, busy fault, in that order."""
    from flask import current_app as app

    endpoint = request.endpoint or ""
    if endpoint in ("static", "sandbox_stylesheet"):
        return None
    if request.path == "/favicon.ico":
        return Response(status=404)  # browsers ask on every page; not worth a login redirect
    options: SandboxOptions = app.config["SANDBOX_OPTIONS"]
    if options.latency_ms:
        time.sleep(options.latency_ms / 1000)
    if app.config["SANDBOX_MAINTENANCE"]:
        return render_template("sandbox/maintenance.html", message=MAINTENANCE_MESSAGE), 503

    now = _now()
    if "user" in session:
        if now - session.get("last_seen", 0) > options.idle_timeout_seconds:
            session.clear()
            flash(EXPIRED_MESSAGE, "error")
            # Send a GET back to where it was; a late POST is dropped, as real ERPs do.
            target = request.full_path if request.method == "GET" else request.referrer
            return redirect(url_for("sandbox_login", next=_safe_next(target)))
        session["last_seen"] = now
    elif endpoint not in _PUBLIC_ENDPOINTS:
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("sandbox_login", next=_safe_next(target)))

    if request.method == "POST":
        if not session.get("csrf"):
            session["csrf"] = secrets.token_urlsafe(24)
        sent = request.form.get("csrf_token", "")
        if not sent or not secrets.compare_digest(sent, session["csrf"]):
            return render_template("sandbox/error.html", heading="Form expired",
                                   message="The form was not accepted (missing or stale security token). "
                                           "Open the screen again and repeat the entry."), 400
        view = app.view_functions.get(endpoint)
        exempt = endpoint in _PUBLIC_ENDPOINTS or getattr(view, "_sandbox_no_fault", False)
        if not exempt and app.extensions["sandbox_faults"].next_is_fault():
            back = _safe_next(request.referrer) or url_for(app.config["SANDBOX_HOME"])
            return render_template("sandbox/busy.html", message=BUSY_MESSAGE, back=back), 503
    return None


def _csrf_token() -> str:
    if not session.get("csrf"):
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _csrf_field() -> Markup:
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(_csrf_token())}">')


def _now() -> float:
    from flask import current_app

    return current_app.config["SANDBOX_CLOCK"]()


def _current_options() -> SandboxOptions | None:
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    return current_app.config.get("SANDBOX_OPTIONS")


def _safe_next(target: str | None) -> str | None:
    """Keep only a local path (never an outside URL) to return to after login."""
    if not target:
        return None
    parts = urlsplit(target)
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or path in ("/login", "/logout"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")
