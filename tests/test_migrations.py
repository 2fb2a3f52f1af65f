"""The migrations build the schema from an empty database, on SQLite and PostgreSQL,
and the ORM models agree with what they build."""

import multiprocessing

from sqlalchemy import inspect, text

from bots.runtime.store.engine import current_revision, head_revision, make_engine, upgrade
from bots.runtime.store.models import Base

TABLES = {"work_items", "item_events", "bot_runs", "audit_log", "alembic_version"}


def test_upgrade_from_an_empty_database(store_url):
    engine = make_engine(store_url)
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    assert TABLES <= set(inspect(engine).get_table_names())
    assert upgrade(engine) == head_revision()  # a second upgrade changes nothing
    engine.dispose()


def test_models_and_migrations_agree(store_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(store_url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    engine.dispose()


def test_downgrade_to_empty_and_up_again(store_url):
    from alembic import command
    from alembic.config import Config

    from bots.runtime.store.engine import MIGRATIONS

    engine = make_engine(store_url)
    upgrade(engine)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert upgrade(engine) == head_revision()
    engine.dispose()


def test_sqlite_store_uses_wal_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'o2c.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    engine.dispose()


def open_queue(url):
    from bots.runtime.workqueue import WorkQueue

    WorkQueue.open(url).close()


def test_workers_starting_together_upgrade_once(store_url):
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=open_queue, args=(store_url,)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    engine = make_engine(store_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
