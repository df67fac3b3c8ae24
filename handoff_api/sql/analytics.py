"""Keyword-only functions behind the bot analytics: handoff records and the rows the figures come from."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, Row, select
from sqlalchemy.orm import Session

from contract.names import HandoffOutcome
from handoff_api.sql.models import ClosedConversation, HandoffRecord, NluReading


def insert_handoff(engine: Engine, *, record: HandoffRecord) -> None:
    with Session(engine) as session, session.begin():
        session.add(record)


def complete_handoff(
    engine: Engine, *, conversation_id: str, outcome: HandoffOutcome, at: datetime
) -> HandoffRecord | None:
    """Apply an ending to the conversation's latest handoff record; None when it is not filed yet."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        latest = session.scalars(
            select(HandoffRecord)
            .where(HandoffRecord.conversation_id == conversation_id, HandoffRecord.requested_at <= at)
            .order_by(HandoffRecord.requested_at.desc(), HandoffRecord.id.desc())
            .limit(1)
        ).first()
        if latest is None:
            return None
        if outcome is HandoffOutcome.RESOLVED:
            latest.resolved_at = at
        else:
            latest.queue_outcome = outcome.value
            latest.waited_seconds = max(0.0, (at - latest.requested_at).total_seconds())
    return latest


def readings_between(session: Session, *, since: datetime, until: datetime) -> Sequence[Row]:
    return session.execute(
        select(
            NluReading.conversation_id, NluReading.created_at, NluReading.intent, NluReading.fallback
        ).where(
            NluReading.created_at >= since, NluReading.created_at < until, NluReading.while_agent.is_(False)
        )
    ).all()


def handoffs_between(session: Session, *, since: datetime, until: datetime) -> Sequence[HandoffRecord]:
    query = select(HandoffRecord).where(
        HandoffRecord.requested_at >= since, HandoffRecord.requested_at < until
    )
    return session.scalars(query).all()


def ratings_between(session: Session, *, since: datetime, until: datetime) -> Sequence[Row]:
    return session.execute(
        select(ClosedConversation.csat_at, ClosedConversation.csat_score).where(
            ClosedConversation.csat_at >= since, ClosedConversation.csat_at < until
        )
    ).all()
