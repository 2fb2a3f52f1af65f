"""The supervisor console on the demo's store, for ``o2c demo --keep-running``.

A ``supervisor`` account gets a fresh random password each run (printed with the address),
so a newcomer can sign in and clear the demo's real exceptions in the browser.
"""

import secrets

DEMO_USER = "supervisor"


def start_console(demo, port: int = 8480):
    """Serve the console on ``demo.queue`` (waitress, on a thread); return (server, user, password).

    ``port`` 0, or a port already taken, gets a free one.
    """
    from bots.console import CONSOLE, console_secret_key, create_console_app
    from bots.runtime.web import BackgroundServer, UserError, UserStore

    users = UserStore(demo.queue.engine, CONSOLE, demo.queue.clock)
    password = secrets.token_urlsafe(12)
    try:
        users.add(DEMO_USER, "supervisor", password)
    except UserError:  # made by an earlier demo run
        users.set_password(DEMO_USER, password)
        users.set_disabled(DEMO_USER, False)
    app = create_console_app(demo.queue, secret_key=console_secret_key(demo.folder))
    try:
        server = BackgroundServer(app, port=port)
    except OSError:
        server = BackgroundServer(app, port=0)
    return server.start(), DEMO_USER, password
