"""SQLAlchemy tables for durable records. Every change here needs an Alembic revision (migrations/)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, ForeignKey, Integer, SmallInteger, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend; SQLite would otherwise hand back naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class ClosedConversation(Base):
    """One finished handoff: who served whom, how long the customer waited, how it ended, how it was rated,
    and the conversation until then, masked: the record kept once its Redis keys expire."""

    __tablename__ = "closed_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    group: Mapped[str] = mapped_column(String(32))
    agent: Mapped[str] = mapped_column(String(64))
    intent: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(16))
    wrap_up: Mapped[str] = mapped_column(String(64))
    enqueued_at: Mapped[datetime | None]
    closed_at: Mapped[datetime]
    csat_score: Mapped[int | None] = mapped_column(SmallInteger)
    csat_comment: Mapped[str | None] = mapped_column(String(500))
    csat_at: Mapped[datetime | None]
    # [{"role", "text", "ts"}], every text masked (contract/pii.py); None for rows from before revision 0005.
    transcript: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class Ticket(Base):
    """A complaint, dispute or callback request with its SLA due time; status changes go to history."""

    __tablename__ = "tickets"

    # "T" + UTC date (yymmdd) + a per-day sequence, e.g. T2611230001: short enough to read out on the phone.
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    category: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    # The seat group responsible for it (chosen by the routing rules at filing): its agents may work on it.
    group: Mapped[str | None] = mapped_column(String(32), index=True)
    # Stored masked (contract/pii.py): agents see descriptions, and need no card or ID numbers.
    description: Mapped[str] = mapped_column(Text)
    # The mobile number a callback goes to, as 11 digits; only agents allowed to see the ticket read it.
    contact_phone: Mapped[str | None] = mapped_column(String(16))
    details: Mapped[dict[str, Any]]
    sla_due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(index=True)
    # The filer's Idempotency-Key (conversation + message + purpose): a repeated filing finds this ticket.
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True, default=None)
    history: Mapped[list["TicketStatusChange"]] = relationship(
        order_by="TicketStatusChange.id", cascade="all, delete-orphan", lazy="selectin"
    )


class TicketStatusChange(Base):
    """One entry of a ticket's history, the filing included, so the history alone tells the story."""

    __tablename__ = "ticket_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500))
    # Who made the change: an agent's username, or "bot" for tickets filed by the action server.
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class TicketSequence(Base):
    """Last ticket number issued per day; bumped with one upsert so concurrent filings never share an id."""

    __tablename__ = "ticket_sequences"

    day: Mapped[str] = mapped_column(String(6), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
