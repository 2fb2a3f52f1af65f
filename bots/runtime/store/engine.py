"""Opening the store and bringing its schema up to date.

``make_engine(url)`` opens SQLite (a file, WAL mode, a busy timeout, foreign keys on,
every transaction a ``BEGIN IMMEDIATE`` so two writers queue up instead of failing
half-way) or PostgreSQL through psycopg 3. ``upgrade(engine)`` runs the Alembic
migrations in ``bots/runtime/store/migrations`` under a lock, so several workers starting at
once upgrade the schema exactly once.
"""

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any fixed number: PostgreSQL's advisory lock that serialises concurrent upgrades.
_UPGRADE_LOCK = 4_202_611


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """Open the store at ``url`` (default: the settings' ``database_url``).

    ``postgresql://`` URLs are sent through psycopg 3. A SQLite file's folder is
    created when missing.
    """
    if url is None:
        from bots.runtime.config import load_settings

        url = load_settings().database_url
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    options = {"json_serializer": _to_json, **kwargs}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
        _prepare_sqlite(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **options)


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Run the migrations up to ``revision``; return the revision the store is at."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        # On SQLite the transaction is BEGIN IMMEDIATE: a second upgrader waits here.
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """The migration the store is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest migration shipped with this version of o2c."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _prepare_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Writers take the write lock up front: a deferred transaction that reads and
        # then writes fails with "database is locked" when another writer got in
        # between. Readers (see reader()) need no lock in WAL mode.
        if connection.get_execution_options().get("o2c_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def reader(engine: Engine) -> Engine:
    """The same store for read-only work: on SQLite its transactions take no write lock."""
    return engine.execution_options(o2c_read_only=True)


def _to_json(value) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in a JSON column")
