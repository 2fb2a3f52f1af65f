"""The ``o2c`` command.

Each group of subcommands lives in its own module under ``bots/cli/`` and adds
itself to ``app`` (or to ``run_app`` for ``o2c run BOT``) when imported. Modules import
their heavy libraries (pandas, playwright, pdfplumber) inside the command functions,
so ``o2c --help`` stays fast.
"""

import importlib

import typer

from bots import __version__

app = typer.Typer(
    name="o2c",
    help="Software bots for the order-to-cash cycle.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
run_app = typer.Typer(help="Run a bot once (or keep it polling).", no_args_is_help=True)
app.add_typer(run_app, name="run")

COMMAND_MODULES = [
    "bots.cli.email",
    "bots.cli.remittance",
    "bots.cli.scenario",
    "bots.cli.queue",
    "bots.cli.intake",
    "bots.cli.match",
    "bots.cli.sandbox",
    "bots.cli.demo",
    "bots.cli.erp",
    "bots.cli.schedule",
    "bots.cli.cash_application",
    "bots.cli.ar_metrics",
    "bots.cli.collections",
    "bots.cli.report",
    "bots.cli.credit",
    "bots.cli.invoicing",
    "bots.cli.worker",
    "bots.cli.robot",
    "bots.cli.record",
    "bots.cli.selectors",
    "bots.cli.status",
    "bots.cli.delivery",
    "bots.cli.console",
    "bots.cli.users",
    "bots.cli.portal",
    "bots.cli.bounces",
]


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"o2c {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Software bots for the order-to-cash cycle."""
    from bots.runtime.config import setup_logging

    setup_logging()


def bot_names() -> list[str]:
    """The bots ``o2c run`` knows (email-intake, portal-intake, erp-order-entry...)."""
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    return sorted(command.name for command in run_app.registered_commands if command.name)


def main() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    app()
