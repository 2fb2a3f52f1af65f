"""``o2c users add|list|passwd|disable``: the people who sign in to the supervisor console.

Passwords come from a prompt (typed twice) or, when stdin is not a terminal, from its first
line -- never from the command line, where other users of the machine could see them.
"""

import sys

import typer

from bots.cli.main import app
from bots.cli.output import print_json, print_table
from bots.cli.queue import JSON_HELP, _errors

users_app = typer.Typer(help="Manage the users of the supervisor console (o2c console).", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _store():
    from bots.console import CONSOLE
    from bots.runtime.store.engine import make_engine, upgrade
    from bots.runtime.config import load_settings
    from bots.runtime.web import UserStore

    engine = make_engine(load_settings().database_url)
    upgrade(engine)
    return UserStore(engine, CONSOLE), engine


def _password(confirm: bool = True) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=confirm)


@users_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="The user name people sign in with."),
    role: str = typer.Option(..., "--role", "-r", help="viewer (reads), operator (also retries and dismisses) or "
                             "supervisor (also corrects, resolves, releases holds and assigns)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Add a user; the password is asked for (or read from stdin)."""
    with _errors(as_json):
        store, engine = _store()
        try:
            user = store.add(name, role, _password())
        finally:
            engine.dispose()
    if as_json:
        print_json({"user": {"name": user.name, "role": user.role}})
    else:
        typer.echo(f"User {user.name} added as {user.role}.")


@users_app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the users, their roles and when they last signed in."""
    with _errors(as_json):
        store, engine = _store()
        try:
            users = store.list()
        finally:
            engine.dispose()
    if as_json:
        print_json({"users": users, "count": len(users)})
        return
    print_table("Console users", ["Name", "Role", "Disabled", "Last sign-in (UTC)"],
                [[u["name"], u["role"], "yes" if u["disabled"] else "", (u["last_sign_in_at"] or "")[:16]] for u in users])
    if not users:
        typer.echo("No users yet: o2c users add NAME --role supervisor")


@users_app.command("passwd")
def passwd_command(
    name: str = typer.Argument(..., help="The user whose password changes."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Set a new password (asked for, or read from stdin); the user's open sessions end."""
    with _errors(as_json):
        store, engine = _store()
        try:
            store.set_password(name, _password())
        finally:
            engine.dispose()
    if as_json:
        print_json({"user": {"name": name}, "password_changed": True})
    else:
        typer.echo(f"Password of {name} changed; their open sessions have ended.")


@users_app.command("disable")
def disable_command(
    name: str = typer.Argument(..., help="The user who may no longer sign in."),
    enable: bool = typer.Option(False, "--enable", help="Let a disabled user sign in again."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Stop a user signing in (their open sessions end at once); --enable undoes it."""
    with _errors(as_json):
        store, engine = _store()
        try:
            store.set_disabled(name, not enable)
        finally:
            engine.dispose()
    if as_json:
        print_json({"user": {"name": name, "disabled": not enable}})
    else:
        typer.echo(f"User {name} {'enabled' if enable else 'disabled'}.")
