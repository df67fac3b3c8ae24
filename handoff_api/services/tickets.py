"""Tickets: filed by the bot through the action server, read by it and by agents, moved on by agents."""

from sqlalchemy.orm import Session

from handoff_api.core import metrics
from handoff_api.domain.ticket_policy import TicketPolicy
from handoff_api.schemas import TicketCreate, TicketPublic, TicketStatusUpdate
from handoff_api.sql import crud

# Tickets filed through the service token come from the bot's conversation flows.
FILED_BY_BOT = "bot"


def file_ticket(
    session: Session, *, ticket_in: TicketCreate, policy: TicketPolicy, idempotency_key: str | None
) -> TicketPublic:
    """File a ticket once per idempotency key: a repeated turn gets the ticket its first run filed."""
    ticket, created = crud.create_ticket(
        session, ticket_in=ticket_in, policy=policy, by=FILED_BY_BOT, idempotency_key=idempotency_key
    )
    if created:
        metrics.record_ticket(category=ticket_in.category)
    return TicketPublic.model_validate(ticket)


def read_ticket(session: Session, *, ticket_id: str) -> TicketPublic:
    return TicketPublic.model_validate(crud.get_ticket(session, ticket_id=ticket_id))


def customer_tickets(session: Session, *, customer_id: str, limit: int) -> list[TicketPublic]:
    tickets = crud.list_customer_tickets(session, customer_id=customer_id, limit=limit)
    return [TicketPublic.model_validate(ticket) for ticket in tickets]


def change_status(session: Session, *, ticket_id: str, change: TicketStatusUpdate, by: str) -> TicketPublic:
    return TicketPublic.model_validate(
        crud.update_ticket_status(session, ticket_id=ticket_id, change=change, by=by)
    )
