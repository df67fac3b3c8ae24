"""The SQL engine for durable records and its schema migrations; created in the app's lifespan."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
# The revision that matches what the walking skeleton built with create_all before migrations existed.
_FIRST_REVISION = "0001"
# Any fixed number: every API process of a deployment must pick the same PostgreSQL advisory lock.
_MIGRATION_LOCK_ID = 5_020_611


def create_db_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return create_engine(url)
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    event.listen(engine, "connect", _write_ahead_log)
    return engine


def _write_ahead_log(connection: DBAPIConnection, _record: object) -> None:
    """A SQLite file in WAL mode, synced at checkpoints: a commit (a reading kept each turn, a ticket) costs
    no fsync of its own, readers never wait for a writer, and a crash of the process loses nothing; only a
    power cut may lose the last commits (PostgreSQL is the database for production, docs/deploy.md)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def _migration_lock(connection: Connection) -> Iterator[None]:
    """Serialise migrations: API processes started together must not both create the same tables."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
    elif connection.dialect.name == "sqlite":
        # Takes the database's write lock now; a second process waits (busy timeout) and then finds head.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    yield


def upgrade_to_head(engine: Engine) -> None:
    config = Config(ALEMBIC_INI)
    with engine.connect() as connection, _migration_lock(connection):
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "closed_conversations" in tables and "alembic_version" not in tables:
            command.stamp(config, _FIRST_REVISION)
        command.upgrade(config, "head")
        connection.commit()
