"""Customer sessions: from a token the bank's portal signed, or (demo mode only) from the demo picker."""

from fastapi import APIRouter, status

from handoff_api.api.deps import ClientAddress, ContextDep
from handoff_api.domain.exceptions import UnknownCustomer
from handoff_api.schemas import CustomerPublic, DemoSessionCreate, PortalSessionCreate, SessionPublic
from handoff_api.services import sessions

router = APIRouter(prefix="/api", tags=["sessions"])
# Included only when DEMO_MODE is on (main.py): otherwise these paths do not exist (404).
demo_router = APIRouter(prefix="/api", tags=["sessions"])


@router.post("/sessions/portal", status_code=status.HTTP_201_CREATED)
async def create_portal_session(
    body: PortalSessionCreate, ctx: ContextDep, address: ClientAddress
) -> SessionPublic:
    """A session for the customer the portal's token names (401 for any token it did not sign for us)."""
    await ctx.stores.session_limiter.check(address)
    customer = ctx.portal.verify(body.token)
    return await sessions.start(ctx, customer_id=customer.id, name=customer.name, tier=customer.tier)


@demo_router.get("/demo/customers")
async def list_demo_customers(ctx: ContextDep) -> list[CustomerPublic]:
    return [
        sessions.public(ctx, customer_id=customer.id, name=customer.name, tier=customer.tier)
        for customer in ctx.directory.customers.values()
    ]


@demo_router.post("/sessions/demo", status_code=status.HTTP_201_CREATED)
async def create_demo_session(
    body: DemoSessionCreate, ctx: ContextDep, address: ClientAddress
) -> SessionPublic:
    await ctx.stores.session_limiter.check(address)
    customer = ctx.directory.customers.get(body.customer_id)
    if customer is None:
        raise UnknownCustomer
    return await sessions.start(ctx, customer_id=customer.id, name=customer.name, tier=customer.tier)
