"""Prometheus scrape endpoint; left out of the OpenAPI schema, as it is for the monitoring system."""

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from handoff_api import metrics
from handoff_api.api.deps import ContextDep
from handoff_api.redis_keys import RedisKeys

router = APIRouter(tags=["operations"], include_in_schema=False)


@router.get("/metrics")
async def scrape(ctx: ContextDep) -> Response:
    keys = RedisKeys(ctx.settings.REDIS_KEY_PREFIX)
    await metrics.refresh_queue_gauges(ctx.redis, keys, ctx.routing.groups)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
