"""The trainer's inbox with 10,000 waiting messages: server time of GET /api/trainer/inbox.

Run:  .venv/bin/python -m bench.inbox_bench [--items 10000] [--patterns 2500] [--understood 90000]
      [--database-url URL [--analyze-only]]

Seeds ITEMS waiting readings in PATTERNS near-duplicate groups, spread among UNDERSTOOD readings that are
not in the inbox (every customer message has a reading, so the waiting ones are a fraction of the table),
in a fresh SQLite file by default (give a PostgreSQL URL to measure that, vacuumed as autovacuum would, or
only analysed as after a bulk load), and times the inbox page in-process (httpx's ASGI transport: no
network, so the time is the server's), interleaved with its floor, GET /api/agent/me (the same token check
and presence touch, no query). Uses REDIS_URL under a key prefix of its own, deleted at the end. Prints
numbers; never fails for slowness.
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
from sqlalchemy import Engine, insert

from handoff_api.core.config import Settings
from handoff_api.domain.nlu_inbox import InboxReason, InboxStatus, group_key
from handoff_api.main import create_app
from handoff_api.sql.models import NluReading

ROUNDS = 30
REASONS = [InboxReason.LOW_CONFIDENCE, InboxReason.AMBIGUOUS, InboxReason.FALLBACK]
INTENTS = ["query_bill", "query_points", "ask_annual_fee", "query_balance", "query_limit"]
# The top five, as the bot keeps a ranking (bot/reading.py): a stored row is as wide as a real one.
RANKING = [{"name": name, "confidence": round(0.3 / (rank + 1), 3)} for rank, name in enumerate(INTENTS)]


def _reading(n: int, text: str, at: datetime) -> dict[str, object]:
    return {
        "conversation_id": f"bench-{n}",
        "message_id": "1-0",
        "text": text,
        "group_key": group_key(text),
        "intent": INTENTS[n % 3],
        "confidence": 0.3,
        "runner_up": "query_balance",
        "runner_up_confidence": 0.2,
        "ranking": RANKING,
        "entities": [],
        "fallback": False,
        "while_agent": False,
        "context_before": "您好，请问有什么可以帮您？",
        "context_after": "抱歉，我没有理解您的意思。",
        "created_at": at,
        "reason": None,
        "status": None,
    }


def _waiting(n: int, w: int, patterns: int, at: datetime) -> dict[str, object]:
    """Row n, the w-th waiting item: in pattern w % patterns, its text a little different from the others'."""
    # Digits would all fold to one group key: the pattern number is spelt in CJK characters instead.
    pattern = w % patterns
    text = f"没听懂的说法{chr(0x4E00 + pattern // 100)}{chr(0x4E00 + pattern % 100)}，{'！' * (w % 3)}"
    reason = REASONS[w % 3]
    return {
        **_reading(n, text, at),
        "intent": INTENTS[w % 3],
        "fallback": reason is InboxReason.FALLBACK,
        "reason": reason.value,
        "status": InboxStatus.WAITING.value,
    }


def _rows(items: int, patterns: int, understood: int) -> list[dict[str, object]]:
    """The waiting items spread evenly among the understood readings, oldest first (as they are stored)."""
    total = items + understood
    now = datetime.now(UTC)
    rows = []
    waiting = 0
    for n in range(total):
        at = now - timedelta(seconds=total - n)
        if waiting * total <= n * items:
            rows.append(_waiting(n, waiting, patterns, at))
            waiting += 1
        else:
            text = f"我想查一下账单{chr(0x4E00 + n % 5000)}"
            rows.append({**_reading(n, text, at), "confidence": 0.95})
    return rows


def _vacuum(engine: Engine, *, analyze_only: bool) -> None:
    """What PostgreSQL's autovacuum does to a table this size: statistics, and the visibility map that lets a
    query read an index alone. analyze_only: statistics only, as just after a bulk load. SQLite keeps neither.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(
                "ANALYZE nlu_readings" if analyze_only else "VACUUM ANALYZE nlu_readings"
            )


async def _time(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = await client.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


async def run(items: int, patterns: int, understood: int, database_url: str, *, analyze_only: bool) -> None:
    prefix = f"bench:{uuid.uuid4().hex}:"
    settings = Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        REDIS_KEY_PREFIX=prefix,
        RASA_URL="http://127.0.0.1:9",
        DEMO_MODE=True,  # the repository's demo secrets and the demo trainer login, in-process only
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            with app.state.context.engine.begin() as connection:
                connection.execute(insert(NluReading), _rows(items, patterns, understood))
            _vacuum(app.state.context.engine, analyze_only=analyze_only)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                login = await client.post(
                    "/api/auth/login", json={"username": "trainer", "password": "demo1234"}
                )
                headers = {"Authorization": f"Bearer {login.json()['token']}"}
                yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
                paths = {
                    "inbox, first 50 groups": "/api/trainer/inbox?limit=50",
                    "inbox, 200 groups": "/api/trainer/inbox?limit=200",
                    "inbox, by reason": "/api/trainer/inbox?reason=fallback&limit=50",
                    "inbox, by intent": "/api/trainer/inbox?intent=query_points&limit=50",
                    "inbox, the last day": f"/api/trainer/inbox?since={yesterday}&limit=50",
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
    print(
        f"{items} waiting messages in {patterns} groups among {understood} understood"
        f" ({database_url.split(':')[0]}); page shows"
    )
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
    parser.add_argument("--understood", type=int, default=90_000)
    parser.add_argument("--analyze-only", action="store_true", help="PostgreSQL: no VACUUM after seeding")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        asyncio.run(run(args.items, args.patterns, args.understood, url, analyze_only=args.analyze_only))


if __name__ == "__main__":
    main()
