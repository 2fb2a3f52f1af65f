"""The web layer the o2c apps share: sign-in, roles, CSRF, security headers, serving, the look.

The supervisor console (``bots.console``) is built on it, and so can any other app (a
customer self-service portal, a collector's worklist). An app is a Flask app made by
``create_web_app``, with its own blueprint, templates and users::

    from flask import Blueprint, render_template
    from bots.runtime.web import (BackgroundServer, Realm, SignInThrottle, UserStore, create_web_app,
                          requires, secret_key_file, serve)

    PORTAL = Realm("portal", roles=("contact", "admin"))     # its own users and roles, lowest first

    def create_portal_app(engine, home):
        users = UserStore(engine, PORTAL)                      # rows of web_users with realm "portal"
        app = create_web_app(__name__, title="Customer portal", directory=users, engine=engine,
                             secret_key=secret_key_file(home / "portal-secret"),
                             home_endpoint="portal.invoices", template_folder="templates")
        pages = Blueprint("portal", __name__)

        @pages.get("/")
        def invoices():                    # signed-in users only: every route is, unless public
            return render_template("portal/invoices.html")

        @pages.post("/disputes")
        @requires("admin")                 # and the role is checked here, on the server
        def open_dispute(): ...

        app.register_blueprint(pages)
        return app

    serve(create_portal_app(engine, home), host="127.0.0.1", port=8481)    # waitress

What every app gets, without asking:

- **Sign-in on every route.** ``/sign-in`` and ``/sign-out`` (a POST); every other endpoint
  except static files sends an anonymous request to sign-in (``auth.PUBLIC_ENDPOINTS``).
  Sessions live on the server (``web_sessions``; the cookie holds a token) and end at
  sign-out, after ``idle_minutes`` without use, after ``max_session_hours``, when the user
  is disabled and when their password changes. Failed sign-ins slow the next try
  down per user name and per address (``SignInThrottle``, counts in the store).
- **Roles checked on the server**: ``@requires("operator")`` on a view; ``may("operator")``
  in a template only decides which buttons to show.
- **CSRF**: every POST/PUT/PATCH/DELETE needs the session's token: ``{{ csrf_field() }}`` in
  a form; htmx requests send it as a header (set once on ``<body>`` by the base template).
- **Headers**: a Content-Security-Policy with no inline script or style and
  ``frame-ancestors 'none'``, X-Frame-Options DENY, nosniff, Referrer-Policy, no caching of
  signed-in pages; session cookies HttpOnly, SameSite=Lax, and Secure under HTTPS.
- **Escaping**: Jinja2 autoescape is on for every template. Never mark outside text safe.
- **The look**: templates extend ``web/base.html`` (blocks ``title``, ``nav``, ``content``)
  and use the classes in ``static/style.css`` (tables ``.grid``, badges ``.badge``,
  ``.state-*``, panels ``.panel``, buttons ``.button``); htmx is ``static/htmx.min.js``
  (vendored from npm htmx.org 2); small shared behaviours are in ``static/web.js``
  (``data-select-all``, ``data-confirm``, ``data-autosubmit``). No inline script.

Own users elsewhere (customer contacts in the ERP, say): pass any object with ``realm``,
``authenticate(name, password) -> User | None`` and ``load(user_id) -> User | None``
(``UserDirectory``) instead of a ``UserStore``.
"""

from bots.runtime.web.app import create_web_app, secret_key_file
from bots.runtime.web.auth import current_user, login_required, may, requires
from bots.runtime.web.serve import BackgroundServer, serve
from bots.runtime.web.sessions import SessionStore
from bots.runtime.web.throttle import SignInThrottle
from bots.runtime.web.users import Realm, User, UserDirectory, UserError, UserStore, hash_password, verify_password

__all__ = [
    "BackgroundServer", "Realm", "SessionStore", "SignInThrottle", "User", "UserDirectory", "UserError", "UserStore",
    "create_web_app", "current_user", "hash_password", "login_required", "may", "requires", "secret_key_file",
    "serve", "verify_password",
]
