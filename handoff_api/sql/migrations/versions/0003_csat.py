"""CSAT rating on the closed-conversation summary

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("closed_conversations") as batch:
        batch.add_column(sa.Column("csat_score", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("csat_comment", sa.String(500), nullable=True))
        batch.add_column(sa.Column("csat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("closed_conversations") as batch:
        batch.drop_column("csat_at")
        batch.drop_column("csat_comment")
        batch.drop_column("csat_score")
