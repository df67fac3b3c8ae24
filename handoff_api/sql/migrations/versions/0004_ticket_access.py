"""tickets: responsible seat group, a structured callback phone, descriptions and notes masked

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from contract.pii import find_mobile, mask_pii

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_tickets = sa.table(
    "tickets",
    sa.column("id", sa.String),
    sa.column("category", sa.String),
    sa.column("description", sa.Text),
    sa.column("contact_phone", sa.String),
)
_changes = sa.table("ticket_status_changes", sa.column("id", sa.Integer), sa.column("note", sa.String))


def _mask_existing_rows() -> None:
    """Tickets filed before this revision kept raw numbers; a callback's phone first moves to its field."""
    connection = op.get_bind()
    for ticket_id, category, description in connection.execute(
        sa.select(_tickets.c.id, _tickets.c.category, _tickets.c.description)
    ):
        phone = find_mobile(description) if category == "callback" else None
        connection.execute(
            _tickets.update()
            .where(_tickets.c.id == ticket_id)
            .values(description=mask_pii(description), contact_phone=phone)
        )
    for change_id, note in connection.execute(sa.select(_changes.c.id, _changes.c.note)):
        connection.execute(_changes.update().where(_changes.c.id == change_id).values(note=mask_pii(note)))


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("group", sa.String(32), nullable=True))
        batch.add_column(sa.Column("contact_phone", sa.String(16), nullable=True))
    op.create_index("ix_tickets_group", "tickets", ["group"])
    _mask_existing_rows()


def downgrade() -> None:
    op.drop_index("ix_tickets_group", "tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("contact_phone")
        batch.drop_column("group")
