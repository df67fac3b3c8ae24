"""The bot's reading of each customer message (the trainer's inbox over them), and handoff records for the
supervisor's bot analytics

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nlu_readings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("group_key", sa.String(200), nullable=False),
        sa.Column("intent", sa.String(100), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("runner_up", sa.String(100), nullable=True),
        sa.Column("runner_up_confidence", sa.Float(), nullable=True),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("while_agent", sa.Boolean(), nullable=False),
        sa.Column("context_before", sa.Text(), nullable=True),
        sa.Column("context_after", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("status", sa.String(12), nullable=True),
        sa.Column("suggested_intent", sa.String(100), nullable=True),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("labelled_by", sa.String(64), nullable=True),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("conversation_id", "message_id"),
    )
    op.create_index("ix_nlu_readings_inbox", "nlu_readings", ["status", "group_key"])
    op.create_index("ix_nlu_readings_conversation_created", "nlu_readings", ["conversation_id", "created_at"])
    op.create_index("ix_nlu_readings_intent", "nlu_readings", ["intent"])
    op.create_index("ix_nlu_readings_created_at", "nlu_readings", ["created_at"])
    op.create_index("ix_nlu_readings_labelled_at", "nlu_readings", ["labelled_at"])
    op.create_table(
        "handoff_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("group", sa.String(32), nullable=False),
        sa.Column("intent", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("target_wait_seconds", sa.Float(), nullable=False),
        sa.Column("queue_outcome", sa.String(16), nullable=True),
        sa.Column("waited_seconds", sa.Float(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_handoff_records_conversation", "handoff_records", ["conversation_id", "requested_at"])
    op.create_index("ix_handoff_records_requested_at", "handoff_records", ["requested_at"])


def downgrade() -> None:
    op.drop_table("handoff_records")
    op.drop_table("nlu_readings")
