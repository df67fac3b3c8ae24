"""SQLAlchemy tables for durable records. Every change here needs an Alembic revision (migrations/)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import TextClause

from handoff_api.domain.nlu_inbox import InboxStatus


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
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[dict[str, Any]]: JSON}


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


def _only(status: InboxStatus) -> TextClause:
    """A partial index's condition; queries must name the status as a literal too (sql/readings.py)."""
    return text(f"status = '{status.value}'")


class NluReading(Base):
    """The bot's reading of one customer message (texts PII-masked), and its life in the trainer's inbox.

    Every typed customer message has one; those with a `reason` are in the inbox (status `waiting` until a
    trainer labels or discards them). Grouping is by `group_key` (domain/nlu_inbox.py).
    """

    __tablename__ = "nlu_readings"
    __table_args__ = (
        UniqueConstraint("conversation_id", "message_id"),  # a retried turn is recorded once
        # Only the waiting readings (a fraction of all), with every column the inbox page groups, counts and
        # filters by: it reads them from this index alone (SQLite's covering index, PostgreSQL's index-only
        # scan), already in group order.
        Index(
            "ix_nlu_readings_waiting",
            "group_key",
            "id",
            "reason",
            "intent",
            "created_at",
            "status",  # the same in every entry, but without it SQLite reads each row to check it
            sqlite_where=_only(InboxStatus.WAITING),
            postgresql_where=_only(InboxStatus.WAITING),
        ),
        # What the next export writes.
        Index(
            "ix_nlu_readings_labelled",
            "id",
            sqlite_where=_only(InboxStatus.LABELLED),
            postgresql_where=_only(InboxStatus.LABELLED),
        ),
        Index("ix_nlu_readings_conversation_created", "conversation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    group_key: Mapped[str] = mapped_column(String(200))
    intent: Mapped[str | None] = mapped_column(String(100))
    confidence: Mapped[float] = mapped_column(Float)
    runner_up: Mapped[str | None] = mapped_column(String(100))
    runner_up_confidence: Mapped[float | None] = mapped_column(Float)
    ranking: Mapped[list[dict[str, Any]]]
    entities: Mapped[list[dict[str, Any]]]
    fallback: Mapped[bool] = mapped_column(Boolean)
    while_agent: Mapped[bool] = mapped_column(Boolean)  # read while an agent owned the conversation
    context_before: Mapped[str | None] = mapped_column(Text)
    context_after: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(12))
    suggested_intent: Mapped[str | None] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(500))
    labelled_by: Mapped[str | None] = mapped_column(String(64))
    labelled_at: Mapped[datetime | None] = mapped_column(index=True)
    exported_at: Mapped[datetime | None]


class HandoffRecord(Base):
    """One handoff request, for the supervisor's bot analytics: filed when the handoff is requested and
    completed from the outcome log (services/analytics_recorder.py) as it is assigned or ends otherwise."""

    __tablename__ = "handoff_records"
    __table_args__ = (Index("ix_handoff_records_conversation", "conversation_id", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    tier: Mapped[str] = mapped_column(String(16))
    group: Mapped[str] = mapped_column(String(32))
    intent: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(index=True)
    target_wait_seconds: Mapped[float] = mapped_column(Float)
    # assigned, no_agent, wait_timeout or cancelled, once known; resolved is kept in resolved_at.
    queue_outcome: Mapped[str | None] = mapped_column(String(16))
    waited_seconds: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[datetime | None]
