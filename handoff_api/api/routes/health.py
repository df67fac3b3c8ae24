from fastapi import APIRouter
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError

from handoff_api.api.deps import ContextDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def liveness() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readiness(ctx: ContextDep) -> JSONResponse:
    try:
        await ctx.stores.ping()
    except RedisError:
        return JSONResponse({"status": "unavailable", "detail": "redis unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})
