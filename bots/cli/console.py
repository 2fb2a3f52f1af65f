"""``o2c console``: the supervisor console in the browser, served by waitress."""

import typer

from bots.cli.main import app


@app.command("console")
def console_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface; put "
                             "it behind an HTTPS proxy then)."),
    port: int = typer.Option(8480, "--port", help="Port to listen on."),
    https_only: bool = typer.Option(False, "--https-only", help="Mark cookies Secure even when a proxy in front "
                                    "speaks HTTPS and this server sees plain HTTP."),
) -> None:
    """Serve the supervisor console: the exception queue, its evidence, the dashboard and the runs."""
    from bots.runtime.config import load_settings
    from bots.console import console_secret_key, create_console_app
    from bots.runtime.web import serve
    from bots.runtime.workqueue import WorkQueue

    settings = load_settings()
    queue = WorkQueue.open(settings=settings)
    console = create_console_app(queue, secret_key=console_secret_key(settings.home), https_only=https_only)
    users = console.extensions["o2c_console"].users.list()
    typer.echo(f"Supervisor console on http://{host}:{port}/ (Ctrl-C stops it)")
    if not users:
        typer.echo("No users yet: add one with  o2c users add NAME --role supervisor")
    try:
        serve(console, host=host, port=port)
    except OSError as error:
        typer.echo(f"error: cannot listen on {host}:{port}: {error.strerror or error}", err=True)
        raise typer.Exit(2)
    finally:
        queue.close()
