"""What keeping the bot's reading of each customer message adds to a bot turn (issue 16 asks ≤ 5%).

Run:  .venv/bin/python -m bench.reading_bench [--rounds N]

Starts the system (scripts/run.sh) as bench/turn_bench.py does and, in one run, interleaves per round:
- `turn`: one customer's bot turn through the gateway (POST /messages until the bot's replies are in its
  response). The API keeps the turn's reading after the replies are stored, off the customer's path; the
  bench waits until that reading is in the API's database, so the turn's CPU time below includes it;
- `reading`: the reading's own work on the handoff API's side again, `services.readings.record` in this
  process for the message that turn sent, with the reading the API stored: the message before it looked up
  in the running API's Redis keys, the text masked and grouped, the row inserted into a database file of
  its own. It starts only once the API's write of the same reading is done, so the two never compete.
Two shares of a turn are printed: wall time (the reading's median against the turn's median) and CPU time
(this process's CPU for the readings against the whole system's, every process scripts/run.sh started, for
the turns). Rasa's part (a few fields of the parse the turn made anyway) is inside `turn`. Prints numbers;
fails on nothing but a system that does not start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.turn_bench import CUSTOMER, SETTINGS, TEXTS
from handoff_api.core.config import Settings
from handoff_api.main import create_app
from handoff_api.schemas import BotReading
from handoff_api.services import readings
from tests.integration.system import RunningSystem, cpu_ticks_of_tree, running_system

WARM_UP = 5
_TICK_SECONDS = 1 / os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    turn_ms: list[float] = field(default_factory=list)
    reading_ms: list[float] = field(default_factory=list)
    turn_cpu_seconds: float = 0.0  # the whole system's, the API's own write of each reading included
    reading_cpu_seconds: float = 0.0  # this process's, for the readings kept again


async def _reading_kept_by_api(database: Path, message_id: str) -> BotReading:
    """The reading the API stored for the message, once it is there (it is written after the turn)."""
    query = (
        "SELECT intent, confidence, runner_up, runner_up_confidence, ranking, entities, fallback"
        " FROM nlu_readings WHERE message_id = ?"
    )
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        while (row := connection.execute(query, (message_id,)).fetchone()) is None:
            await asyncio.sleep(0.005)
    intent, confidence, runner_up, runner_up_confidence, ranking, entities, fallback = row
    return BotReading(
        intent=intent,
        confidence=confidence,
        runner_up=runner_up,
        runner_up_confidence=runner_up_confidence,
        ranking=json.loads(ranking),
        entities=json.loads(entities),
        fallback=bool(fallback),
    )


def _bench_settings(system: RunningSystem) -> Settings:
    """The running API's Redis keys and secrets, a database file of its own. Its worker and dispatcher start
    with the app: with the system's secrets, a turn one of them might take is still served correctly."""
    return Settings(
        _env_file=None,
        DATABASE_URL=f"sqlite:///{system.var_dir / 'reading-bench.db'}",
        REDIS_URL=system.redis_url,
        REDIS_KEY_PREFIX=system.key_prefix,
        RASA_URL=",".join(system.rasa_urls),
        RASA_TOKEN=system.rasa_token,
        SERVICE_TOKEN=system.service_token,
        GATEWAY_SECRET=system.gateway_secret,
        DEMO_MODE=True,  # the system under test runs the demo; the bench's own signing key goes unused
    )


async def _measure(system: RunningSystem, rounds: int) -> Measured:
    app = create_app(_bench_settings(system))
    api_database = system.var_dir / "handoff.db"
    measured = Measured()
    async with app.router.lifespan_context(app), httpx.AsyncClient(timeout=600) as http:
        session = (
            await http.post(f"{system.api_url}/api/sessions/demo", json={"customer_id": CUSTOMER})
        ).json()
        conversation_id = session["conversation_id"]
        url = f"{system.api_url}/api/conversations/{conversation_id}/messages"
        headers = {"Authorization": f"Bearer {session['token']}"}
        for n in range(rounds + WARM_UP):
            text = TEXTS[n % len(TEXTS)]
            ticks, started = cpu_ticks_of_tree(system.root_pid), time.perf_counter()
            sent = (await http.post(url, json={"text": text}, headers=headers)).json()
            turn_ms = (time.perf_counter() - started) * 1000
            message_id = next(m["id"] for m in sent["messages"] if m["role"] == "customer")
            reading = await _reading_kept_by_api(api_database, message_id)
            turn_ticks = cpu_ticks_of_tree(system.root_pid) - ticks
            cpu, started = time.process_time(), time.perf_counter()
            await readings.record(
                app.state.context,
                conversation_id=conversation_id,
                message_id=message_id,
                text=text,
                reading=reading,
                replies=[m["text"] for m in sent["messages"] if m["role"] == "bot"],
                while_agent=False,
            )
            reading_ms, reading_cpu = (time.perf_counter() - started) * 1000, time.process_time() - cpu
            if n >= WARM_UP:
                measured.turn_ms.append(turn_ms)
                measured.reading_ms.append(reading_ms)
                measured.turn_cpu_seconds += turn_ticks * _TICK_SECONDS
                measured.reading_cpu_seconds += reading_cpu
    return measured


def _print(measured: Measured) -> None:
    print(f"{'part':<34}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'CPU ms':>9}")
    rounds = len(measured.turn_ms)
    parts = (
        ("turn through the gateway", measured.turn_ms, measured.turn_cpu_seconds),
        ("keeping its reading", measured.reading_ms, measured.reading_cpu_seconds),
    )
    for name, samples, cpu_seconds in parts:
        ordered = sorted(samples)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(
            f"{name:<34}{statistics.median(ordered):>9.1f}{p95:>9.1f}{ordered[-1]:>9.1f}"
            f"{cpu_seconds / rounds * 1000:>9.2f}"
        )
    wall_share = statistics.median(measured.reading_ms) / statistics.median(measured.turn_ms)
    cpu_share = measured.reading_cpu_seconds / measured.turn_cpu_seconds
    print(
        f"\nthe reading's work is {wall_share:.1%} of a turn's wall time at the median and {cpu_share:.1%} of"
        f" its CPU time ({rounds} interleaved rounds; CPU per round is a mean)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reading-bench-") as tmp:
        with running_system(Path(tmp), SETTINGS) as system:
            measured = asyncio.run(_measure(system, args.rounds))
    _print(measured)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
