"""Demo customer sessions: the picker a real bank portal would replace by signing its own tokens."""

import uuid

from fastapi import APIRouter, status

from handoff_api.api.deps import ContextDep
from handoff_api.auth import issue_customer_token
from handoff_api.context import AppContext
from handoff_api.customers import DemoCustomer
from handoff_api.exceptions import UnknownCustomer
from handoff_api.schemas import DemoCustomerPublic, DemoSessionCreate, SessionPublic

router = APIRouter(prefix="/api", tags=["sessions"])


def _public(ctx: AppContext, customer: DemoCustomer) -> DemoCustomerPublic:
    return DemoCustomerPublic(
        id=customer.id,
        name=customer.name,
        tier=customer.tier,
        tier_label=ctx.routing.tiers[customer.tier].label,
    )


@router.get("/demo/customers")
async def list_demo_customers(ctx: ContextDep) -> list[DemoCustomerPublic]:
    return [_public(ctx, customer) for customer in ctx.customers.values()]


@router.post("/sessions/demo", status_code=status.HTTP_201_CREATED)
async def create_demo_session(body: DemoSessionCreate, ctx: ContextDep) -> SessionPublic:
    customer = ctx.customers.get(body.customer_id)
    if customer is None:
        raise UnknownCustomer
    conversation_id = uuid.uuid4().hex
    await ctx.conversations.create(conversation_id, customer_id=customer.id, tier=customer.tier)
    token = issue_customer_token(ctx, conversation_id=conversation_id, customer_id=customer.id)
    return SessionPublic(conversation_id=conversation_id, token=token, customer=_public(ctx, customer))
