"""``o2c portal``: the customer self-service portal, served by waitress; ``o2c portal-contact``: its accounts."""

import typer

from bots.cli.main import app


def _secret_key(home) -> bytes:
    """``O2C_PORTAL_SECRET_KEY`` (or the keyring), else a key kept in ``$O2C_HOME/portal-secret``."""
    from bots.runtime.config import ConfigError, secret
    from bots.runtime.web import secret_key_file

    try:
        return secret("portal_secret_key").encode()
    except ConfigError:
        return secret_key_file(home / "portal-secret")


@app.command("portal")
def portal_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (behind an HTTPS proxy for customers)."),
    port: int = typer.Option(8490, "--port", help="Port to listen on."),
    https_only: bool = typer.Option(False, "--https-only", help="Mark cookies Secure (behind an HTTPS proxy)."),
) -> None:
    """Serve the customer self-service portal: open invoices, PDFs, statement, payments, disputes, promises, remittances."""
    from bots.collections.language import configured_languages
    from bots.runtime.config import load_settings
    from bots.customer_portal import create_portal_app
    from bots.runtime.web import serve
    from bots.runtime.workqueue import WorkQueue

    settings = load_settings()
    try:
        languages = configured_languages(settings)  # the statement in the language of the dunning letters
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)
    queue = WorkQueue.open(settings=settings)
    portal = create_portal_app(queue, secret_key=_secret_key(settings.home), https_only=https_only,
                               remittance_dir=settings.home / "portal" / "remittances", languages=languages)
    typer.echo(f"Customer portal on http://{host}:{port}/ (Ctrl-C stops it); add contacts with "
               "o2c portal-contact NAME --customer C1001")
    try:
        serve(portal, host=host, port=port)
    except OSError as error:
        typer.echo(f"error: cannot listen on {host}:{port}: {error.strerror or error}", err=True)
        raise typer.Exit(2)
    finally:
        queue.close()


@app.command("portal-contact")
def portal_contact_command(
    name: str = typer.Argument(..., help="The contact's sign-in name (e.g. their email address)."),
    customer: str = typer.Option(..., "--customer", help="The customer number they see (e.g. C1001)."),
) -> None:
    """Give a customer contact a portal account (the password is asked, or O2C_NEW_PASSWORD)."""
    import os

    from bots.customer_portal import add_contact
    from bots.runtime.web import UserError
    from bots.runtime.workqueue import WorkQueue

    password = os.environ.get("O2C_NEW_PASSWORD") or typer.prompt("Password", hide_input=True,
                                                                  confirmation_prompt=True)
    with WorkQueue.open() as queue:
        try:
            add_contact(queue, name, password, customer)
        except UserError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2)
    typer.echo(f"{name} can now sign in to the customer portal and sees customer {customer.upper()}.")
