"""Prometheus scrape endpoint; left out of the OpenAPI schema, as it is for the monitoring system."""

import time

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from handoff_api.api.deps import ContextDep
from handoff_api.core import metrics

router = APIRouter(tags=["operations"], include_in_schema=False)


@router.get("/metrics")
async def scrape(ctx: ContextDep) -> Response:
    now = time.time()
    for group in ctx.directory.routing.groups:
        enqueued_at = await ctx.stores.conversations.enqueued_times(group)
        metrics.set_queue_gauges(group=group, enqueued_at=enqueued_at, now=now)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
