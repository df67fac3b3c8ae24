"""Where a Rasa turn's time goes, and how each part grows with the conversation's length.

Run in the Rasa environment:  .venv-rasa/bin/python -m bench.turn_profile [--turns N] [--model PATH]

Loads models/current.tar.gz with the tracker and lock stores of endpoints.yml (Redis, under a key prefix of
its own, deleted at the end) and no action server (custom actions fail fast, as with the server down: the
dialogue policies, the stores and the NLU are what is timed). One conversation of N turns; at turn 1, 20,
50 and 100 (and the last) it times each part on that conversation's tracker: the lock, tracker load,
tracker save, the NLU parse, one prediction of the policy ensemble (featurisation included), and the whole
turn (processor.handle_message). Prints a table; fails on nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.redis_endpoint import endpoint_settings
from tests.integration.texts import BOT_ONLY_TEXTS

MARKS = (1, 20, 50, 100)
REPEATS = 5  # each part is timed this often at each mark; the median is shown


async def _median_ms(call: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        await call()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


async def profile(model: Path, turns: int, *, rasa_store: bool) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    prefix = f"bench{uuid.uuid4().hex[:8]}"
    # endpoints.yml reads these from the environment scripts/run.sh sets up.
    os.environ.update(RASA_REDIS_PREFIX=prefix, **endpoint_settings("redis://127.0.0.1:6379/0"))
    for name in ("ACTION_ENDPOINT_URL", "ACTION_SERVER_TOKEN"):
        os.environ.setdefault(name, "")
    for line in Path("config/defaults.env").read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if name.startswith("RASA_TRACKER_") or name == "CONVERSATION_TTL_SECONDS":
            os.environ.setdefault(name, value)
    tracker_config = read_endpoint_config("endpoints.yml", "tracker_store")
    if rasa_store:  # Rasa's own, unbounded, for comparison
        tracker_config.type = "redis"
        tracker_config.kwargs = {
            k: v for k, v in tracker_config.kwargs.items() if k not in ("keep_turns", "kept_trackers")
        }
    lock_config = read_endpoint_config("endpoints.yml", "lock_store")
    from bot import rasa_speedups

    rasa_speedups.install()  # as the gateway channel does in the server
    agent = await load_agent(model_path=str(model))
    agent.tracker_store = TrackerStore.create(tracker_config, agent.domain)
    agent.lock_store = LockStore.create(lock_config)
    agent.processor.tracker_store = agent.tracker_store
    processor = agent.processor
    conversation_id = f"profile-{uuid.uuid4().hex}"
    rows = []
    try:
        for turn in range(1, turns + 1):
            text = BOT_ONLY_TEXTS[turn % len(BOT_ONLY_TEXTS)]
            message = UserMessage(text, CollectingOutputChannel(), conversation_id, message_id=f"m{turn}")
            start = time.perf_counter()
            async with agent.lock_store.lock(conversation_id):
                await processor.handle_message(message)
            whole = (time.perf_counter() - start) * 1000
            if turn in MARKS or turn == turns:
                rows.append((turn, whole, await _parts(agent, conversation_id, text)))
    finally:
        store = agent.tracker_store
        for key in store.red.scan_iter(match=f"{prefix}:*"):
            store.red.delete(key)
    _print(rows)


async def _parts(agent: object, conversation_id: str, text: str) -> dict[str, float]:
    from rasa.core.channels.channel import UserMessage

    processor = agent.processor  # type: ignore[attr-defined]
    store = agent.tracker_store  # type: ignore[attr-defined]
    tracker = await store.retrieve(conversation_id)

    async def lock() -> None:
        async with agent.lock_store.lock(conversation_id):  # type: ignore[attr-defined]
            pass

    async def predict() -> None:
        processor._predict_next_with_tracker(tracker)

    return {
        "events": float(len(tracker.events)),
        "lock": await _median_ms(lock),
        "load": await _median_ms(lambda: store.retrieve(conversation_id)),
        "save": await _median_ms(lambda: store.save(tracker)),
        "parse": await _median_ms(lambda: processor.parse_message(UserMessage(text))),
        "predict": await _median_ms(predict),
    }


def _print(rows: list[tuple[int, float, dict[str, float]]]) -> None:
    parts = ("lock", "load", "save", "parse", "predict")
    print(f"{'turn':>5} {'events':>7} {'turn ms':>8} " + " ".join(f"{p + ' ms':>10}" for p in parts))
    for turn, whole, measured in rows:
        cells = " ".join(f"{measured[p]:>10.1f}" for p in parts)
        print(f"{turn:>5} {measured['events']:>7.0f} {whole:>8.1f} {cells}")
    print("(a turn runs one parse and several predictions; each part is the median of", REPEATS, "runs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.turn_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("models/current.tar.gz"))
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument(
        "--rasa-store", action="store_true", help="Rasa's RedisTrackerStore, not endpoints.yml's"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)
    print("tracker store:", "Rasa's RedisTrackerStore" if args.rasa_store else "endpoints.yml's")
    asyncio.run(profile(args.model, args.turns, rasa_store=args.rasa_store))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
