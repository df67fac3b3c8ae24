"""Prometheus metrics: queue gauges read from Redis at scrape time, and the record_* functions."""

import time

import httpx
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from handoff_api.core import metrics
from handoff_api.core.config import Settings
from handoff_api.store.redis_keys import RedisKeys


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_scrape_reports_queue_length_and_oldest_wait(
    client: httpx.AsyncClient, async_redis: Redis, keys: RedisKeys, settings: Settings
) -> None:
    now = time.time()
    for conversation_id, waited, deadline in [("old", 42, 1.0), ("new", 5, 0.5)]:
        await async_redis.hset(keys.conversation(conversation_id), mapping={"enqueued_at": now - waited})
        # The newer one has the earlier deadline (a VIP): the oldest wait is not the head of the queue.
        await async_redis.zadd(keys.queue("risk"), {conversation_id: deadline})
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {settings.METRICS_TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'handoff_queue_length{group="risk"} 2.0' in response.text
    assert 'handoff_queue_length{group="general"} 0.0' in response.text
    assert 41 <= _sample("handoff_queue_oldest_wait_seconds", group="risk") < 50
    assert _sample("handoff_queue_oldest_wait_seconds", group="general") == 0


def test_record_functions_update_their_metrics() -> None:
    before = {
        "assigned": _sample("handoff_assignments_total", group="vip", tier="gold"),
        "waits": _sample("handoff_wait_seconds_count", group="vip", tier="gold"),
        "fast": _sample("handoff_wait_seconds_bucket", group="vip", tier="gold", le="15.0"),
        "outcome": _sample("handoff_outcomes_total", group="vip", outcome="wait_timeout"),
        "fours": _sample("handoff_csat_score_bucket", le="4.0"),
        "tickets": _sample("tickets_created_total", category="callback"),
    }
    metrics.record_assignment(group="vip", tier="gold", waited_seconds=12.5)
    metrics.record_outcome(group="vip", outcome="wait_timeout")
    metrics.record_csat(score=4)
    metrics.record_ticket(category="callback")
    assert _sample("handoff_assignments_total", group="vip", tier="gold") == before["assigned"] + 1
    assert _sample("handoff_wait_seconds_count", group="vip", tier="gold") == before["waits"] + 1
    assert _sample("handoff_wait_seconds_bucket", group="vip", tier="gold", le="15.0") == before["fast"] + 1
    assert _sample("handoff_outcomes_total", group="vip", outcome="wait_timeout") == before["outcome"] + 1
    assert _sample("handoff_csat_score_bucket", le="4.0") == before["fours"] + 1
    assert _sample("tickets_created_total", category="callback") == before["tickets"] + 1


async def test_openapi_documents_the_ticket_and_csat_routes(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {
        "/api/internal/tickets",
        "/api/internal/tickets/{ticket_id}",
        "/api/internal/customers/{customer_id}/tickets",
        "/api/agent/customers/{customer_id}/tickets",
        "/api/agent/tickets/{ticket_id}",
        "/api/conversations/{conversation_id}/csat",
    } <= set(paths)
    assert "/metrics" not in paths
    assert (await client.get("/docs")).status_code == 200
