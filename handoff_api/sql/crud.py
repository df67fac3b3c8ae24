"""Keyword-only functions over the SQL records."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contract.names import HandoffOutcome, TicketStatus
from handoff_api.domain.conversation import Conversation
from handoff_api.domain.exceptions import (
    CsatAlreadyGiven,
    CsatCommentAlreadyGiven,
    CsatNotGiven,
    HandoffNotResolved,
    InvalidTicketTransition,
    TicketNotFound,
)
from handoff_api.domain.ticket_access import TicketViewer
from handoff_api.domain.ticket_policy import TicketPolicy
from handoff_api.schemas import CsatCreate, CsatSummary, TicketCreate, TicketStatusUpdate
from handoff_api.sql.models import ClosedConversation, Ticket, TicketSequence, TicketStatusChange

# Forward through the workflow (skipping allowed); a resolved ticket may be reopened, a closed one is final.
_NEXT_STATUSES: dict[TicketStatus, set[TicketStatus]] = {
    TicketStatus.OPEN: {TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.IN_PROGRESS: {TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.RESOLVED: {TicketStatus.IN_PROGRESS, TicketStatus.CLOSED},
    TicketStatus.CLOSED: set(),
}
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def record_closed_conversation(
    engine: Engine,
    *,
    conversation: Conversation,
    outcome: HandoffOutcome,
    wrap_up: str,
    transcript: list[dict[str, Any]],
) -> None:
    packet = conversation.packet or {}
    enqueued_at = conversation.enqueued_at
    row = ClosedConversation(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        tier=conversation.tier.value,
        group=conversation.group or "",
        agent=conversation.agent or "",
        intent=packet.get("intent"),
        reason=packet.get("reason"),
        outcome=outcome.value,
        wrap_up=wrap_up,
        enqueued_at=datetime.fromtimestamp(enqueued_at, UTC) if enqueued_at is not None else None,
        closed_at=datetime.now(UTC),
        transcript=transcript,
    )
    with Session(engine) as session, session.begin():
        session.add(row)


def _next_ticket_id(session: Session, *, created_at: datetime) -> str:
    day = created_at.strftime("%y%m%d")
    # One upsert bumps and returns the day's counter: atomic on both backends, and rolled back with the
    # ticket if the insert fails, so numbers are neither shared nor skipped.
    insert = _INSERTS[session.get_bind().dialect.name](TicketSequence).values(day=day, last=1)
    bump = insert.on_conflict_do_update(
        index_elements=[TicketSequence.day], set_={"last": TicketSequence.last + 1}
    ).returning(TicketSequence.last)
    return f"T{day}{session.execute(bump).scalar_one():04d}"


def create_ticket(
    session: Session,
    *,
    ticket_in: TicketCreate,
    group: str,
    policy: TicketPolicy,
    by: str,
    idempotency_key: str | None,
) -> tuple[Ticket, bool]:
    """The new ticket and True; with an idempotency key already used, that key's ticket and False."""
    if idempotency_key is not None and (filed := _ticket_with_key(session, idempotency_key)) is not None:
        return filed, False
    now = datetime.now(UTC)
    ticket = Ticket(
        id=_next_ticket_id(session, created_at=now),
        status=TicketStatus.OPEN.value,
        group=group,
        sla_due_at=policy.sla_due_at(category=ticket_in.category, tier=ticket_in.tier, created_at=now),
        created_at=now,
        idempotency_key=idempotency_key,
        **ticket_in.model_dump(mode="json"),
    )
    ticket.history.append(TicketStatusChange(status=TicketStatus.OPEN.value, note="", by=by, at=now))
    session.add(ticket)
    try:
        session.commit()
    except IntegrityError:
        # The same filing, concurrently (a retry while the first was still running): the first one wins.
        session.rollback()
        filed = _ticket_with_key(session, idempotency_key) if idempotency_key is not None else None
        if filed is None:
            raise
        return filed, False
    return ticket, True


def _ticket_with_key(session: Session, idempotency_key: str) -> Ticket | None:
    return session.scalars(select(Ticket).where(Ticket.idempotency_key == idempotency_key)).one_or_none()


def _visible_to(viewer: TicketViewer | None) -> ColumnElement[bool]:
    """The ticket rule (docs/contract.md) as a condition; None is the action server, which sees all."""
    if viewer is None or viewer.sees_all:
        return true()
    served = select(ClosedConversation.conversation_id).where(ClosedConversation.agent == viewer.username)
    return or_(
        Ticket.customer_id.in_(viewer.serving_customers),
        Ticket.group.in_(viewer.groups),
        Ticket.conversation_id.in_(served),
    )


def _one_ticket(ticket_id: str, viewer: TicketViewer | None) -> Select[tuple[Ticket]]:
    return select(Ticket).where(Ticket.id == ticket_id, _visible_to(viewer))


def get_ticket(session: Session, *, ticket_id: str, viewer: TicketViewer | None) -> Ticket:
    # A ticket the viewer may not see is "not found": its existence is not theirs to learn either.
    ticket = session.scalars(_one_ticket(ticket_id, viewer)).first()
    if ticket is None:
        raise TicketNotFound
    return ticket


def list_customer_tickets(
    session: Session, *, customer_id: str, limit: int, viewer: TicketViewer | None
) -> Sequence[Ticket]:
    newest_first = (
        select(Ticket)
        .where(Ticket.customer_id == customer_id, _visible_to(viewer))
        .order_by(Ticket.id.desc())
    )
    return session.scalars(newest_first.limit(limit)).all()


def update_ticket_status(
    session: Session, *, ticket_id: str, change: TicketStatusUpdate, by: str, viewer: TicketViewer
) -> Ticket:
    # Row lock on PostgreSQL so two agents changing one ticket apply their checks one after the other.
    ticket = session.scalars(_one_ticket(ticket_id, viewer).with_for_update(of=Ticket)).first()
    if ticket is None:
        raise TicketNotFound
    if change.status not in _NEXT_STATUSES[TicketStatus(ticket.status)]:
        raise InvalidTicketTransition
    ticket.status = change.status.value
    ticket.history.append(
        TicketStatusChange(status=change.status.value, note=change.note, by=by, at=datetime.now(UTC))
    )
    session.commit()
    return ticket


def _latest_resolved(session: Session, conversation_id: str) -> ClosedConversation:
    latest = session.scalars(
        select(ClosedConversation)
        .where(
            ClosedConversation.conversation_id == conversation_id,
            ClosedConversation.outcome == HandoffOutcome.RESOLVED.value,
        )
        .order_by(ClosedConversation.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        raise HandoffNotResolved
    return latest


def record_csat(session: Session, *, conversation_id: str, csat: CsatCreate) -> ClosedConversation:
    """Rate the conversation's latest resolved handoff, once."""
    latest = _latest_resolved(session, conversation_id)
    # Conditional update rather than read-then-write: two racing ratings cannot both land.
    rated = session.execute(
        update(ClosedConversation)
        .where(ClosedConversation.id == latest.id, ClosedConversation.csat_score.is_(None))
        .values(csat_score=csat.score, csat_comment=csat.comment, csat_at=datetime.now(UTC))
    )
    if rated.rowcount == 0:
        raise CsatAlreadyGiven
    session.commit()
    session.refresh(latest)
    return latest


def record_csat_comment(session: Session, *, conversation_id: str, comment: str) -> ClosedConversation:
    """Add the comment to the latest resolved handoff's rating, when it is rated and has none yet."""
    latest = _latest_resolved(session, conversation_id)
    if latest.csat_score is None:
        raise CsatNotGiven
    commented = session.execute(
        update(ClosedConversation)
        .where(
            ClosedConversation.id == latest.id,
            func.coalesce(ClosedConversation.csat_comment, "") == "",
        )
        .values(csat_comment=comment)
    )
    if commented.rowcount == 0:
        raise CsatCommentAlreadyGiven
    session.commit()
    session.refresh(latest)
    return latest


def csat_summary(engine: Engine) -> CsatSummary:
    """Every rating given so far, whichever API process took it."""
    with Session(engine) as session:
        average, count = session.execute(
            select(func.avg(ClosedConversation.csat_score), func.count(ClosedConversation.csat_score))
        ).one()
    return CsatSummary(average=float(average) if average is not None else None, count=count)
