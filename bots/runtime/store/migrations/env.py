"""Alembic environment: runs on the connection ``bots.runtime.store.engine.upgrade`` passes in,
or, from the ``alembic`` command line, on the store the settings name."""

from alembic import context

from bots.runtime.store.models import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from bots.runtime.store.engine import make_engine

    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or None)
    with engine.begin() as connection:
        _run(connection)


def _run(connection) -> None:
    # Batch mode lets later migrations alter SQLite tables (which have almost no ALTER).
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
