"""The SQL engine: a SQLite file is opened in WAL mode, synced at checkpoints (handoff_api/sql/db.py)."""

from pathlib import Path

from sqlalchemy import text

from handoff_api.sql.db import create_db_engine


def test_a_sqlite_file_is_written_ahead_and_synced_at_checkpoints(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'handoff.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 1  # NORMAL
    finally:
        engine.dispose()


def test_an_in_memory_database_keeps_its_own_journal() -> None:
    engine = create_db_engine("sqlite://")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "memory"
