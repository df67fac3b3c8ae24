"""Tickets: filed and read by the action server (service token), read and moved on by the agents the ticket
rule allows (docs/contract.md, "Who sees a ticket")."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, status

from contract.names import IDEMPOTENCY_HEADER
from handoff_api.api.deps import ContextDep, ServiceAuth, SessionDep, TicketViewerDep
from handoff_api.schemas import TicketCreate, TicketPublic, TicketStatusUpdate
from handoff_api.services import tickets

internal = APIRouter(prefix="/api/internal", tags=["tickets"], dependencies=[ServiceAuth])
agent = APIRouter(prefix="/api/agent", tags=["tickets"])
router = APIRouter()

Limit = Annotated[int, Query(ge=1, le=50)]
# A filing sent again with the same key (a repeated bot turn) answers the first ticket instead of a new one.
IdempotencyKey = Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER, min_length=1, max_length=128)]


@internal.post("/tickets", status_code=status.HTTP_201_CREATED)
def create_ticket(
    body: TicketCreate, ctx: ContextDep, session: SessionDep, idempotency_key: IdempotencyKey = None
) -> TicketPublic:
    return tickets.file_ticket(
        session,
        ticket_in=body,
        routing=ctx.directory.routing,
        policy=ctx.directory.tickets,
        idempotency_key=idempotency_key,
    )


@internal.get("/tickets/{ticket_id}")
def read_ticket(ticket_id: str, session: SessionDep) -> TicketPublic:
    return tickets.read_ticket(session, ticket_id=ticket_id, viewer=None)


@internal.get("/customers/{customer_id}/tickets")
def customer_tickets(customer_id: str, session: SessionDep, limit: Limit = 5) -> list[TicketPublic]:
    return tickets.customer_tickets(session, customer_id=customer_id, limit=limit, viewer=None)


@agent.get("/customers/{customer_id}/tickets")
def customer_tickets_for_agent(
    customer_id: str, session: SessionDep, viewer: TicketViewerDep, limit: Limit = 20
) -> list[TicketPublic]:
    """The customer's tickets this agent may see."""
    return tickets.customer_tickets(session, customer_id=customer_id, limit=limit, viewer=viewer)


@agent.get("/tickets/{ticket_id}")
def read_ticket_for_agent(ticket_id: str, session: SessionDep, viewer: TicketViewerDep) -> TicketPublic:
    return tickets.read_ticket(session, ticket_id=ticket_id, viewer=viewer)


@agent.patch("/tickets/{ticket_id}")
def update_ticket(
    ticket_id: str, body: TicketStatusUpdate, session: SessionDep, viewer: TicketViewerDep
) -> TicketPublic:
    return tickets.change_status(session, ticket_id=ticket_id, change=body, viewer=viewer)


router.include_router(internal)
router.include_router(agent)
