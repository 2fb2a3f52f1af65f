"""The store: tables for work items, their history, bot runs and the audit log.

SQLite by default (one file under ``O2C_HOME``, WAL mode), PostgreSQL when
``O2C_DATABASE_URL`` says so. ``engine.make_engine`` opens either; ``engine.upgrade``
brings the schema to the newest Alembic migration (the migrations ship inside this
package, in ``migrations/``). ``models`` holds the ORM classes.
"""

from bots.runtime.store.engine import make_engine, upgrade

__all__ = ["make_engine", "upgrade"]
