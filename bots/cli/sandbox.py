"""``o2c sandbox``: run the legacy ERP, the customer portal and the bank portal on localhost."""

from pathlib import Path

import typer

from bots.cli.main import app


@app.command("sandbox")
def sandbox_command(
    port_base: int = typer.Option(8700, "--port-base", help="ERP on this port, the portal on +1, the bank on +2."),
    fault_rate: float = typer.Option(0.0, "--fault-rate", help="Share of form posts answered with 'System busy, try again' (0 to 1)."),
    latency_ms: int = typer.Option(0, "--latency-ms", help="Extra delay on every screen, in milliseconds."),
    seed: int = typer.Option(42, "--seed", help="Seed of the master data, documents and faults."),
    theme: int = typer.Option(1, "--theme", help="1, or 2 for renamed element ids and CSS classes (same labels and roles)."),
    reset: bool = typer.Option(False, "--reset", help="Re-create the databases from the seed, dropping what was done."),
    data_dir: Path = typer.Option(None, "--data-dir", help="Folder of the SQLite files (default $O2C_HOME/sandbox)."),
    idle_timeout: int = typer.Option(600, "--idle-timeout", help="Seconds of inactivity after which a session ends."),
    maintenance: bool = typer.Option(False, "--maintenance", help="Show the maintenance-window page on every screen."),
    run_billing: bool = typer.Option(False, "--run-billing", help="Run the ERP billing job (ship and invoice every open sales order), then exit."),
) -> None:
    """Run the sandbox systems until Ctrl-C, printing their URLs, users and databases."""
    import threading

    from sandbox.common import SandboxOptions
    from sandbox.server import SYSTEMS, start_all

    try:
        options = SandboxOptions(seed=seed, fault_rate=fault_rate, latency_ms=latency_ms, theme=theme,
                                 idle_timeout_seconds=idle_timeout, maintenance=maintenance,
                                 data_dir=data_dir, reset=reset)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)

    if run_billing:
        _run_billing(options)
        return

    try:
        running = start_all(options, port_base)
    except OSError as error:
        typer.echo(f"error: cannot serve on ports {port_base}-{port_base + 2}: {error.strerror or error}. "
                   "Choose others with --port-base.", err=True)
        raise typer.Exit(1)

    if not running.servers:
        for name, reason in running.skipped.items():
            typer.echo(f"error: {name}: {reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"o2c sandbox: seed {seed}, theme {theme}, fault rate {fault_rate}, latency {latency_ms} ms, "
               f"idle timeout {idle_timeout} s" + (", MAINTENANCE" if maintenance else ""))
    for name, _module, _offset, title in SYSTEMS:
        if name in running.servers:
            users = ", ".join(f"{user} / {password}" for user, password in running.users(name).items())
            typer.echo(f"  {title:<22} {running.url(name)}/   users: {users}")
            typer.echo(f"  {'':<22} database: {running.db_path(name)}")
        else:
            typer.echo(f"  {title:<22} not running: {running.skipped.get(name, '')}")
    typer.echo("Press Ctrl-C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
        typer.echo("Sandbox stopped.")


def _run_billing(options) -> None:
    """Ship and invoice every open ERP order as of today, and say which invoices it raised."""
    from sandbox.common import open_db, prepare_database
    from sandbox.erp.documents import invoice_due_orders
    from sandbox.erp.schema import SCHEMA
    from sandbox.erp.seed import seed_erp

    try:
        prepare_database(options.db_path("erp"), SCHEMA, seed_erp, options)
        conn = open_db(options.db_path("erp"))
    except OSError as error:
        typer.echo(f"error: cannot open the ERP database in {options.data_dir}: {error}", err=True)
        raise typer.Exit(1)
    try:
        invoices = invoice_due_orders(conn, options.business_date())
    finally:
        conn.close()
    typer.echo(f"{len(invoices)} invoice(s) created" + (f": {', '.join(invoices)}" if invoices else ""))
