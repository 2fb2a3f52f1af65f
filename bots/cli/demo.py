"""``o2c demo``: the bundled world end to end, with the truth beside it."""

from datetime import date

import typer

from bots.cli.main import app


@app.command("demo")
def demo_command(
    seed: int = typer.Option(42, "--seed", help="Seed of the world and the sandbox; the same seed gives the same "
                             "documents and the same answers."),
    keep_running: bool = typer.Option(False, "--keep-running", help="After the report, keep the sandbox ERP, portal "
                                      "and bank, and the supervisor console on the demo's exceptions, running "
                                      "(their URLs and sign-ins are printed) until Ctrl-C."),
    as_of: str = typer.Option("", "--as-of", help="Business date the world is laid out around (YYYY-MM-DD); "
                              "default today."),
    erp_orders: int = typer.Option(5, "--erp-orders", min=0, help="Queued orders the ERP order-entry bot keys in "
                                   "this run (0: none); a handful keeps the demo short."),
    erp_payments: int = typer.Option(5, "--erp-payments", min=0, help="Applied payments the ERP cash-posting bot "
                                     "posts in this run (0: none)."),
    console_port: int = typer.Option(8480, "--console-port", min=0, help="With --keep-running, the port of the "
                                     "supervisor console (0: any free port)."),
    gates: bool = typer.Option(True, "--gates/--no-gates", help="Also hold an order for credit and release it, bill "
                               "and deliver invoices by mail and portal, and let a customer use the self-service portal."),
) -> None:
    """Run the whole order-to-cash demo: generate a world, start the sandbox, take orders in from
    email and the portal, read remittances, apply cash, key a few orders and post a few payments in the
    ERP, and report it all beside the truth."""
    from rich.console import Console

    from bots.runtime.config import ConfigError
    from bots.demo import DemoOptions, run_demo

    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        typer.echo(f"error: --as-of {as_of!r} is not a date; use YYYY-MM-DD", err=True)
        raise typer.Exit(2)
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # tables in a log or a pipe stay readable
    try:
        code = run_demo(DemoOptions(seed=seed, keep_running=keep_running, as_of=day,
                                       erp_orders=erp_orders, erp_payments=erp_payments,
                                       console_port=console_port, gates=gates), console)
    except ConfigError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)
    raise typer.Exit(code)
