"""What keeping the bot's reading of each customer message adds to a bot turn (issue 16 asks ≤ 5%).

Run:  .venv/bin/python -m bench.reading_bench [--rounds N]

Starts the system (scripts/run.sh) as bench/turn_bench.py does and, in one run, interleaves per round:
- `turn`: one customer's bot turn through the gateway (POST /messages until the bot's replies are in its
  response), the reading kept as always;
- `reading`: the reading's own work on the handoff API's side, `services.readings.record` in this process
  for the message that turn sent, with the reading Rasa gives for its text: the message before it looked up
  in the running API's Redis keys, the text masked and grouped, the row inserted into a database file of
  its own (the API writes the same reading into its file at that moment: one file would time the two writes
  waiting for each other's lock, which the API alone never does).
The API keeps the reading after the turn's replies are stored, so the customer does not wait for it; the
ratio is the work it adds to a turn. Rasa's part (a few fields of the parse the turn made anyway) is inside
`turn`. Prints numbers; fails on nothing but a system that does not start.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.turn_bench import CUSTOMER, SETTINGS, TEXTS
from handoff_api.core.config import Settings
from handoff_api.main import create_app
from handoff_api.schemas import BotReading
from handoff_api.services import readings
from tests.integration.system import RunningSystem, running_system

WARM_UP = 5


def _reading(parse: dict) -> BotReading:
    """The reading as bot/reading.py builds it in the Rasa channel, from a parse of the same text."""
    ranking = [{"name": r["name"], "confidence": r["confidence"]} for r in parse["intent_ranking"]]
    runner_up = ranking[1] if len(ranking) > 1 else None
    return BotReading(
        intent=parse["intent"]["name"],
        confidence=parse["intent"]["confidence"],
        runner_up=runner_up["name"] if runner_up else None,
        runner_up_confidence=runner_up["confidence"] if runner_up else None,
        ranking=ranking,
        entities=[{"entity": e["entity"], "value": str(e["value"])} for e in parse["entities"]],
        fallback=parse["intent"]["name"] == "nlu_fallback",
    )


async def _measure(system: RunningSystem, rounds: int) -> tuple[list[float], list[float]]:
    settings = Settings(
        _env_file=None,
        DATABASE_URL=f"sqlite:///{system.var_dir / 'reading-bench.db'}",
        REDIS_URL=system.redis_url,
        REDIS_KEY_PREFIX=system.key_prefix,
        RASA_URL=system.rasa_url,
        DEMO_MODE=True,  # the system under test runs the demo (its secrets are random, ours unused)
    )
    app = create_app(settings)
    turns: list[float] = []
    works: list[float] = []
    async with app.router.lifespan_context(app), httpx.AsyncClient(timeout=600) as http:
        session = (
            await http.post(f"{system.api_url}/api/sessions/demo", json={"customer_id": CUSTOMER})
        ).json()
        conversation_id = session["conversation_id"]
        url = f"{system.api_url}/api/conversations/{conversation_id}/messages"
        headers = {"Authorization": f"Bearer {session['token']}"}
        for n in range(rounds + WARM_UP):
            text = TEXTS[n % len(TEXTS)]
            started = time.perf_counter()
            sent = (await http.post(url, json={"text": text}, headers=headers)).json()
            turn_ms = (time.perf_counter() - started) * 1000
            message_id = next(m["id"] for m in sent["messages"] if m["role"] == "customer")
            parse = await http.post(
                f"{system.rasa_url}/model/parse", params={"token": system.rasa_token}, json={"text": text}
            )
            reading = _reading(parse.json())
            started = time.perf_counter()
            await readings.record(
                app.state.context,
                conversation_id=conversation_id,
                message_id=message_id,
                text=text,
                reading=reading,
                replies=[m["text"] for m in sent["messages"] if m["role"] == "bot"],
                while_agent=False,
            )
            work_ms = (time.perf_counter() - started) * 1000
            if n >= WARM_UP:
                turns.append(turn_ms)
                works.append(work_ms)
    return turns, works


def _print(turns: list[float], works: list[float]) -> None:
    print(f"{'part':<34}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, samples in (("turn through the gateway", turns), ("keeping its reading", works)):
        ordered = sorted(samples)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(f"{name:<34}{statistics.median(ordered):>9.1f}{p95:>9.1f}{ordered[-1]:>9.1f}")
    share = statistics.median(works) / statistics.median(turns)
    print(f"\nthe reading's work is {share:.1%} of a turn at the median ({len(turns)} interleaved rounds)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reading-bench-") as tmp:
        with running_system(Path(tmp), SETTINGS) as system:
            turns, works = asyncio.run(_measure(system, args.rounds))
    _print(turns, works)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
