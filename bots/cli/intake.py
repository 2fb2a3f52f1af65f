"""``o2c run email-intake`` and ``o2c run portal-intake``: orders from mailboxes and portals into the queue."""

from pathlib import Path

import typer

from bots.cli.main import run_app


@run_app.command("email-intake")
def email_intake(
    once: bool = typer.Option(False, "--once", help="Handle what is waiting and exit, instead of polling."),
    mailbox: list[str] = typer.Option(None, "--mailbox", help="Only this configured mailbox (repeatable)."),
    folder: Path = typer.Option(
        None, "--folder", help="Read this folder of .eml files instead of the configured mailboxes."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Read purchase orders from mailboxes (IMAP or a folder of .eml files) into the work queue.

    One work item per order; a message moves to Processed, Exceptions or Not orders only after its items are committed. Without --once the bot keeps polling (IMAP IDLE where the server has it).
    """
    from bots.intake.email_intake import load_email_intake_settings, run_email_intake
    from bots.intake.mailbox import MailboxSettings

    def configure():
        intake = load_email_intake_settings(_settings(), need_passwords=folder is None)
        if folder is not None:
            if not folder.is_dir():
                raise ValueError(f"--folder {folder} is not a folder of .eml files")
            intake.mailboxes = [MailboxSettings(name="folder", kind="folder", path=folder)]
        for name in mailbox or []:
            intake.mailbox(name)  # an unknown name fails here, listing the configured ones
        return intake

    intake = _configured(configure)
    names = None if folder is not None else (list(mailbox or []) or None)
    counts = _running(lambda: run_email_intake(intake, once=once, mailbox_names=names))
    _report("email-intake", counts, as_json)


@run_app.command("portal-intake")
def portal_intake(
    once: bool = typer.Option(False, "--once", help="Take the new POs listed now and exit, instead of polling."),
    headed: bool = typer.Option(False, "--headed", help="Show the browser window (for watching a run)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as one JSON object."),
) -> None:
    """Take new purchase orders from the customer portal into the work queue.

    Logs in, walks the paginated list of new POs, downloads each (CSV, else PDF), parses it, commits a work item, and only then clicks Acknowledge on the portal.
    """
    from bots.intake.portal_intake import load_portal_intake_settings, run_portal_intake

    intake = _configured(lambda: load_portal_intake_settings(_settings()))
    counts = _running(lambda: run_portal_intake(intake, once=once, headless=not headed))
    _report("portal-intake", counts, as_json)


def _settings():
    from bots.runtime.config import load_settings

    return load_settings()


def _configured(load):
    """Load a bot's settings; a mistake in them is one clear line and exit code 2."""
    from bots.runtime.config import ConfigError

    try:
        return load()
    except (ConfigError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)


def _running(run):
    """Run a bot; a system it cannot work with is one clear line and exit code 1."""
    from bots.runtime.errors import ApplicationException

    try:
        return run()
    except ApplicationException as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        raise typer.Exit(130)


def _report(bot: str, counts: dict, as_json: bool) -> None:
    from bots.cli.output import print_json, print_table

    if as_json:
        print_json({"bot": bot, "counts": counts})
    else:
        print_table(f"o2c run {bot}", ["count", "value"], sorted(counts.items()), right={"value"})
