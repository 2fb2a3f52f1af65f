"""``o2c release-hold ID --note``: a supervisor releases an order held for credit.

The release is written into that item's payload (``credit_release``: who, when, why), its
history and the audit log in ONE transaction, and the item goes back to the bots: the
order-entry bot then keys it without the credit check. It applies to that order only.

Only a supervisor of the console releases: the one releasing (``--by``, else ``O2C_USER``,
else the login name) signs in with their console password, from a prompt or, when stdin is
not a terminal, its first line (``o2c users add NAME --role supervisor`` makes one).
"""

import os

import typer

from bots.cli.main import app, run_app
from bots.cli.output import print_json


@app.command("release-hold")
def release_hold_command(
    item_id: int = typer.Argument(..., help="The id of an order held for credit (o2c exceptions, reason credit_hold)."),
    note: str = typer.Option(..., "--note", "-n", help="Why it is released (required), e.g. 'prepayment received'."),
    by: str = typer.Option(None, "--by", help="The console supervisor releasing (default: O2C_USER or the login "
                           "name); their password is asked for, or read from stdin."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a line."),
) -> None:
    """Release an order held for credit: it is keyed without the credit check (this order only, audited)."""
    from bots.cli.queue import _login, _queue
    from bots.cli.users import _password
    from bots.credit.release import release_hold

    by = by or os.environ.get("O2C_USER") or _login()
    password = _password(confirm=False)
    with _queue(as_json) as queue:
        _check_supervisor(queue, by, password)
        item = release_hold(queue, item_id, by, note)
    if as_json:
        print_json({"item": item.to_dict(traceback=False)})
    else:
        typer.echo(f"Item {item.id} released from its credit hold by {by}; the order will be keyed on the next run.")


def _check_supervisor(queue, name: str, password: str) -> None:
    """Refuse (exit 2, nothing released) unless ``name`` signs in to the console as a supervisor."""
    from bots.console import CONSOLE
    from bots.runtime.web import UserStore
    from bots.runtime.workqueue import QueueError

    user = UserStore(queue.engine, CONSOLE, queue.clock).authenticate(name, password)
    if user is None:
        raise QueueError(f"{name!r} could not sign in: unknown user, wrong password or disabled "
                         "(a supervisor is added with: o2c users add NAME --role supervisor)")
    if not CONSOLE.allows(user.role, "supervisor"):
        raise QueueError(f"{name}'s role is {user.role}; only a supervisor releases a credit hold")


@run_app.command("credit-agency")
def credit_agency_command(
    headed: bool = typer.Option(False, "--headed", help="Show the browser window."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Look customers up on the credit agency's website (at most once per interval each, within its daily quota) and cache their reports for the credit gate."""
    from bots.cli.intake import _configured, _report, _running, _settings
    from bots.credit.agency import BOT_NAME, load_agency_settings, run_agency

    settings = _configured(lambda: load_agency_settings(_settings()))
    counts = _running(lambda: run_agency(settings, headless=not headed))
    _report(BOT_NAME, counts, as_json)
