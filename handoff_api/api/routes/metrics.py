"""Prometheus scrape endpoint; left out of the OpenAPI schema, as it is for the monitoring system.

The figures (queues, loads, outcomes) are the bank's business: the scraper presents METRICS_TOKEN as a bearer
token; with METRICS_TOKEN empty the endpoint does not exist.
"""

import hmac
import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from handoff_api.api.deps import ContextDep
from handoff_api.core import metrics
from handoff_api.domain.exceptions import InvalidToken

router = APIRouter(tags=["operations"], include_in_schema=False)


_bearer = HTTPBearer(auto_error=False)


async def _check_scraper(
    ctx: ContextDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    expected = ctx.settings.METRICS_TOKEN
    if not expected:
        raise HTTPException(status_code=404, detail="Not Found")
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(errors="replace"), expected.encode()):
        raise InvalidToken


@router.get("/metrics", dependencies=[Depends(_check_scraper)])
async def scrape(ctx: ContextDep) -> Response:
    now = time.time()
    for group in ctx.directory.routing.groups:
        enqueued_at = await ctx.stores.conversations.enqueued_times(group)
        metrics.set_queue_gauges(group=group, enqueued_at=enqueued_at, now=now)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
