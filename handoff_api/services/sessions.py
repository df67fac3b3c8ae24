"""Starting a customer's conversation, whoever vouched for the customer (the portal or the demo picker)."""

import uuid

from contract.names import CustomerTier
from handoff_api.schemas import CustomerPublic, SessionPublic
from handoff_api.services.auth import issue_customer_token
from handoff_api.services.context import AppContext


def public(ctx: AppContext, *, customer_id: str, name: str, tier: CustomerTier) -> CustomerPublic:
    return CustomerPublic(
        id=customer_id, name=name, tier=tier, tier_label=ctx.directory.routing.tiers[tier].label
    )


async def start(ctx: AppContext, *, customer_id: str, name: str, tier: CustomerTier) -> SessionPublic:
    conversation_id = uuid.uuid4().hex
    await ctx.stores.conversations.create(conversation_id, customer_id=customer_id, tier=tier)
    token = issue_customer_token(ctx, conversation_id=conversation_id, customer_id=customer_id)
    customer = public(ctx, customer_id=customer_id, name=name, tier=tier)
    return SessionPublic(conversation_id=conversation_id, token=token, customer=customer)
