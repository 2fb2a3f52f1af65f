"""The supervisor console: the exception queue, its evidence and the bot dashboard, behind sign-in.

``o2c console [--host 127.0.0.1] [--port 8480]`` serves it with waitress; users come from
``o2c users add NAME --role viewer|operator|supervisor``. Built on ``bots.runtime.web`` (sign-in,
roles, CSRF, headers); reads and changes the store only through ``bots.runtime.workqueue`` and
``bots.runtime.runs``::

    from bots.console import create_console_app
    app = create_console_app(WorkQueue.open(), secret_key=secret_key_file(home / "console-secret"))

Pages: ``/`` the exception queue (filters, sort, paging, "mine", bulk retry / dismiss /
assign), ``/items/<id>`` one item with its evidence side by side and the actions,
``/dashboard`` runs, states, aging, auto-match rate and orders keyed with charts, ``/runs``
and ``/runs/<id>`` each run's log and items. The modules: ``views`` (routes), ``queries``
(what the pages read), ``actions`` (what people do, checked and audited), ``evidence``
(emails and PDFs opened up), ``charts`` (server-drawn SVG).
"""

from datetime import datetime, timedelta
from pathlib import Path

from bots.runtime.web import Realm, UserStore, create_web_app

# collector (issue 14): the collections pages; operators and supervisors may use them too.
CONSOLE = Realm("console", roles=("viewer", "collector", "operator", "supervisor"))
HERE = Path(__file__).resolve().parent


class ConsoleContext:
    """What the views share: the queue, the user store, and the filters' choices (kept a little while)."""

    CHOICES_SECONDS = 30  # new kinds and reasons are rare; listing them on every page load is not free

    def __init__(self, queue, users: UserStore):
        self.queue = queue
        self.users = users
        self._choices = (0.0, None)

    def choices(self) -> dict:
        import time

        from bots.console.queries import filter_choices

        taken, choices = self._choices
        if choices is None or time.monotonic() - taken > self.CHOICES_SECONDS:
            choices = filter_choices(self.queue)
            self._choices = (time.monotonic(), choices)
        return choices


def create_console_app(queue, *, secret_key: bytes | str, idle_minutes: int = 30, https_only: bool = False):
    """The console's Flask app on ``queue`` (a ``WorkQueue``; its clock is the app's clock)."""
    from bots.console.views import money, pages

    users = UserStore(queue.engine, CONSOLE, queue.clock)
    app = create_web_app(__name__, title="o2c console", directory=users, engine=queue.engine, secret_key=secret_key,
                         home_endpoint="console.queue", idle_minutes=idle_minutes, clock=queue.clock,
                         template_folder=HERE / "templates", https_only=https_only)
    app.extensions["o2c_console"] = ConsoleContext(queue, users)
    app.register_blueprint(pages)
    from bots.collections.web import register_collections   # the collector's pages, /collections/ (issue 14)

    register_collections(app, queue.engine)
    app.jinja_env.filters.update(money=money, age=age, when=when, duration=duration, json_text=json_text)
    return app


def console_secret_key(home) -> bytes:
    """``O2C_CONSOLE_SECRET_KEY`` (or the keyring's ``console_secret_key``), else a key kept in
    ``<home>/console-secret`` so sessions outlive a restart."""
    from bots.runtime.config import ConfigError, secret
    from bots.runtime.web import secret_key_file

    try:
        return secret("console_secret_key").encode()
    except ConfigError:
        return secret_key_file(Path(home) / "console-secret")


def age(seconds) -> str:
    """How long something has waited, short: 45m, 3h 10m, 2d 4h."""
    minutes = max(0, int(seconds or 0) // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    return f"{days}d {hours}h" if days else (f"{hours}h {minutes}m" if hours else f"{minutes}m")


def json_text(value) -> str:
    """JSON as plain text, escaped by the template like any other text (``tojson`` is not, in attributes)."""
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


def when(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M")


def duration(value) -> str:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    seconds = float(value or 0)
    return f"{seconds:.1f} s" if seconds < 120 else age(seconds)


__all__ = ["CONSOLE", "console_secret_key", "create_console_app"]
