"""The trainer's inbox with 10,000 waiting messages: server time of GET /api/trainer/inbox.

Run:  .venv/bin/python -m bench.inbox_bench [--items 10000] [--patterns 2500] [--database-url URL]

Seeds ITEMS waiting readings in PATTERNS near-duplicate groups (default a fresh SQLite file; give a
PostgreSQL URL to measure that) and times the inbox page in-process (httpx's ASGI transport: no network, so
the time is the server's), interleaved with its floor, GET /api/agent/me (the same token check and presence
touch, no query). Uses REDIS_URL under a key prefix of its own, deleted at the end. Prints numbers; never
fails for slowness.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from redis.asyncio import Redis
from sqlalchemy import insert

from handoff_api.core.config import Settings
from handoff_api.domain.nlu_inbox import InboxReason, InboxStatus, group_key
from handoff_api.main import create_app
from handoff_api.sql.models import NluReading

ROUNDS = 30
REASONS = [InboxReason.LOW_CONFIDENCE, InboxReason.AMBIGUOUS, InboxReason.FALLBACK]


def _rows(items: int, patterns: int) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    rows = []
    for n in range(items):
        # Digits would all fold to one group key: the pattern number is spelt in CJK characters instead.
        pattern = n % patterns
        text = f"没听懂的说法{chr(0x4E00 + pattern // 100)}{chr(0x4E00 + pattern % 100)}，{'！' * (n % 3)}"
        rows.append(
            {
                "conversation_id": f"bench-{n}",
                "message_id": "1-0",
                "text": text,
                "group_key": group_key(text),
                "intent": ["query_bill", "query_points", "ask_annual_fee"][n % 3],
                "confidence": 0.3,
                "runner_up": "query_balance",
                "runner_up_confidence": 0.2,
                "ranking": [],
                "entities": [],
                "fallback": n % 3 == 2,
                "while_agent": False,
                "context_before": "您好，请问有什么可以帮您？",
                "context_after": "抱歉，我没有理解您的意思。",
                "created_at": now - timedelta(seconds=n),
                "reason": REASONS[n % 3].value,
                "status": InboxStatus.WAITING.value,
            }
        )
    return rows


async def _time(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = await client.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


async def run(items: int, patterns: int, database_url: str) -> None:
    prefix = f"bench:{uuid.uuid4().hex}:"
    settings = Settings(
        _env_file=None, DATABASE_URL=database_url, REDIS_KEY_PREFIX=prefix, RASA_URL="http://127.0.0.1:9"
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            with app.state.context.engine.begin() as connection:
                connection.execute(insert(NluReading), _rows(items, patterns))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                login = await client.post(
                    "/api/auth/login", json={"username": "trainer", "password": "demo1234"}
                )
                headers = {"Authorization": f"Bearer {login.json()['token']}"}
                paths = {
                    "inbox, first 50 groups": "/api/trainer/inbox?limit=50",
                    "inbox, 200 groups": "/api/trainer/inbox?limit=200",
                    "inbox, by reason": "/api/trainer/inbox?reason=fallback&limit=50",
                    "floor: /api/agent/me": "/api/agent/me",
                }
                times: dict[str, list[float]] = {name: [] for name in paths}
                for _ in range(ROUNDS + 2):  # interleaved, the first two rounds as warm-up
                    for name, path in paths.items():
                        times[name].append(await _time(client, path, headers))
                page = (await client.get(paths["inbox, first 50 groups"], headers=headers)).json()
    finally:
        redis = Redis.from_url(settings.REDIS_URL)
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
    print(f"{items} waiting messages in {patterns} groups ({database_url.split(':')[0]}); page shows")
    print(
        f"{len(page['items'])} groups, the largest of {page['items'][0]['count']}, waiting={page['waiting']}"
    )
    print(f"{'request':<28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, samples in times.items():
        kept = sorted(samples[2:])
        p95 = kept[int(0.95 * (len(kept) - 1))]
        print(f"{name:<28}{statistics.median(kept):>9.1f}{p95:>9.1f}{kept[-1]:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--patterns", type=int, default=2_500)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        asyncio.run(run(args.items, args.patterns, url))


if __name__ == "__main__":
    main()
