"""Demo customer sessions: the picker a real bank portal would replace by signing its own tokens."""

import uuid

from fastapi import APIRouter, status

from handoff_api.api.deps import ContextDep
from handoff_api.domain.customers import DemoCustomer
from handoff_api.domain.exceptions import UnknownCustomer
from handoff_api.schemas import DemoCustomerPublic, DemoSessionCreate, SessionPublic
from handoff_api.services.auth import issue_customer_token
from handoff_api.services.context import AppContext

router = APIRouter(prefix="/api", tags=["sessions"])


def _public(ctx: AppContext, customer: DemoCustomer) -> DemoCustomerPublic:
    return DemoCustomerPublic(
        id=customer.id,
        name=customer.name,
        tier=customer.tier,
        tier_label=ctx.directory.routing.tiers[customer.tier].label,
    )


@router.get("/demo/customers")
async def list_demo_customers(ctx: ContextDep) -> list[DemoCustomerPublic]:
    return [_public(ctx, customer) for customer in ctx.directory.customers.values()]


@router.post("/sessions/demo", status_code=status.HTTP_201_CREATED)
async def create_demo_session(body: DemoSessionCreate, ctx: ContextDep) -> SessionPublic:
    customer = ctx.directory.customers.get(body.customer_id)
    if customer is None:
        raise UnknownCustomer
    conversation_id = uuid.uuid4().hex
    await ctx.stores.conversations.create(conversation_id, customer_id=customer.id, tier=customer.tier)
    token = issue_customer_token(ctx, conversation_id=conversation_id, customer_id=customer.id)
    return SessionPublic(conversation_id=conversation_id, token=token, customer=_public(ctx, customer))
