"""Alembic revisions build exactly the tables the models describe, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from handoff_api.sql.db import create_db_engine, upgrade_to_head
from handoff_api.sql.models import Base
from tests.handoff_api.conftest import ON_BOTH_DATABASES

pytestmark = ON_BOTH_DATABASES


def _differences(engine: Engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def _version(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_head_matches_the_models_and_upgrading_again_is_a_no_op(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        upgrade_to_head(engine)
        upgrade_to_head(engine)
        assert _differences(engine) == []
        assert _version(engine) == "0008"
    finally:
        engine.dispose()


SKELETON_COLUMNS = {
    "id", "conversation_id", "customer_id", "tier", "group", "agent", "intent", "reason", "outcome",
    "wrap_up", "enqueued_at", "closed_at",
}  # fmt: skip


def test_a_skeleton_database_without_alembic_is_adopted(database_url: str) -> None:
    """The walking skeleton made closed_conversations with create_all; its rows must survive."""
    engine = create_db_engine(database_url)
    try:
        Base.metadata.tables["closed_conversations"].create(engine)
        with engine.begin() as connection:
            # Only the columns the skeleton had (revision 0001's); later revisions add the others.
            for column in set(Base.metadata.tables["closed_conversations"].columns.keys()) - SKELETON_COLUMNS:
                connection.execute(text(f"ALTER TABLE closed_conversations DROP COLUMN {column}"))
            connection.execute(
                text(
                    'INSERT INTO closed_conversations (conversation_id, customer_id, tier, "group", agent,'
                    " outcome, wrap_up, closed_at) VALUES ('c1', 'C1001', 'gold', 'general', 'a', 'resolved',"
                    " 'resolved', CURRENT_TIMESTAMP)"
                )
            )
        upgrade_to_head(engine)
        assert _version(engine) == "0008"
        assert {"tickets", "ticket_status_changes", "ticket_sequences"} <= set(
            inspect(engine).get_table_names()
        )
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM closed_conversations")).scalar_one() == 1
    finally:
        engine.dispose()
