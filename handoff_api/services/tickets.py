"""Tickets: filed by the bot through the action server, read by it and by agents, moved on by agents.

Descriptions, details and notes are stored masked: the raw numbers a customer typed into a complaint serve no
one who reads a ticket. The one number a callback needs is kept apart, in `contact_phone`.
"""

from typing import Any

from sqlalchemy.orm import Session

from contract.names import TicketCategory
from contract.pii import find_mobile, mask_pii
from handoff_api.core import metrics
from handoff_api.domain.agents import Agent
from handoff_api.domain.routing import RoutingConfig, choose_group
from handoff_api.domain.states import AgentRole
from handoff_api.domain.ticket_access import TicketViewer
from handoff_api.domain.ticket_policy import TicketPolicy
from handoff_api.schemas import TicketCreate, TicketPublic, TicketStatusUpdate
from handoff_api.services.context import AppContext
from handoff_api.sql import crud

# Tickets filed through the service token come from the bot's conversation flows.
FILED_BY_BOT = "bot"
# The intent the routing rules know each category by, so a ticket lands with the group that would take the
# same conversation live (disputes with 风险专线, complaints with 投诉处理组, callbacks by tier).
_ROUTING_INTENT = {
    TicketCategory.COMPLAINT: "complain",
    TicketCategory.DISPUTE: "dispute_transaction",
    TicketCategory.CALLBACK: "request_callback",
}


def _masked_details(details: dict[str, Any]) -> dict[str, Any]:
    return {key: mask_pii(value) if isinstance(value, str) else value for key, value in details.items()}


def _stored_form(ticket_in: TicketCreate) -> TicketCreate:
    phone = ticket_in.contact_phone
    if phone is None and ticket_in.category is TicketCategory.CALLBACK:
        phone = find_mobile(ticket_in.description)  # "请打13812345678找我" in the callback message
    return ticket_in.model_copy(
        update={
            "description": mask_pii(ticket_in.description),
            "details": _masked_details(ticket_in.details),
            "contact_phone": phone,
        }
    )


def file_ticket(
    session: Session,
    *,
    ticket_in: TicketCreate,
    routing: RoutingConfig,
    policy: TicketPolicy,
    idempotency_key: str | None,
) -> TicketPublic:
    """File a ticket once per idempotency key: a repeated turn gets the ticket its first run filed."""
    group = choose_group(routing, intent=_ROUTING_INTENT[ticket_in.category], reason="", tier=ticket_in.tier)
    ticket, created = crud.create_ticket(
        session,
        ticket_in=_stored_form(ticket_in),
        group=group,
        policy=policy,
        by=FILED_BY_BOT,
        idempotency_key=idempotency_key,
    )
    if created:
        metrics.record_ticket(category=ticket_in.category)
    return TicketPublic.model_validate(ticket)


async def viewer_for(ctx: AppContext, agent: Agent) -> TicketViewer:
    conversations = await ctx.stores.conversations.get_many(
        await ctx.stores.conversations.agent_conversation_ids(agent.username)
    )
    return TicketViewer(
        username=agent.username,
        groups=tuple(agent.groups),
        sees_all=agent.role is AgentRole.SUPERVISOR,
        serving_customers=frozenset(c.customer_id for c in conversations if c.agent == agent.username),
    )


def read_ticket(session: Session, *, ticket_id: str, viewer: TicketViewer | None) -> TicketPublic:
    return TicketPublic.model_validate(crud.get_ticket(session, ticket_id=ticket_id, viewer=viewer))


def customer_tickets(
    session: Session, *, customer_id: str, limit: int, viewer: TicketViewer | None
) -> list[TicketPublic]:
    tickets = crud.list_customer_tickets(session, customer_id=customer_id, limit=limit, viewer=viewer)
    return [TicketPublic.model_validate(ticket) for ticket in tickets]


def change_status(
    session: Session, *, ticket_id: str, change: TicketStatusUpdate, viewer: TicketViewer
) -> TicketPublic:
    masked = change.model_copy(update={"note": mask_pii(change.note)})
    ticket = crud.update_ticket_status(
        session, ticket_id=ticket_id, change=masked, by=viewer.username, viewer=viewer
    )
    return TicketPublic.model_validate(ticket)
