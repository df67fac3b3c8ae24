"""Partial indexes of the waiting readings (with every column the trainer's inbox groups, counts and filters
by) and of the labelled ones (the export's), instead of indexes over every reading's status and intent

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_WAITING_ONLY = sa.text("status = 'waiting'")
_LABELLED_ONLY = sa.text("status = 'labelled'")


def upgrade() -> None:
    op.create_index(
        "ix_nlu_readings_waiting",
        "nlu_readings",
        ["group_key", "id", "reason", "intent", "created_at", "status"],
        sqlite_where=_WAITING_ONLY,
        postgresql_where=_WAITING_ONLY,
    )
    op.create_index(
        "ix_nlu_readings_labelled",
        "nlu_readings",
        ["id"],
        sqlite_where=_LABELLED_ONLY,
        postgresql_where=_LABELLED_ONLY,
    )
    op.drop_index("ix_nlu_readings_inbox", table_name="nlu_readings")
    op.drop_index("ix_nlu_readings_intent", table_name="nlu_readings")


def downgrade() -> None:
    op.create_index("ix_nlu_readings_intent", "nlu_readings", ["intent"])
    op.create_index("ix_nlu_readings_inbox", "nlu_readings", ["status", "group_key"])
    op.drop_index("ix_nlu_readings_labelled", table_name="nlu_readings")
    op.drop_index("ix_nlu_readings_waiting", table_name="nlu_readings")
