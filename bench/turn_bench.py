"""A customer's bot turn end to end, against the real system from scripts/run.sh, in one run.

Run:  .venv/bin/python bench/turn_bench.py [--root CHECKOUT] [--skip-two]

Starts the system (scripts/run.sh of CHECKOUT, default this one) on free ports under key prefixes of its own,
and measures, each at 1, 20 and 50 concurrent customers (p50, p95, max, turns/s, errors, cores busy):
- `parse`: the bare NLU parse, Rasa's `POST /model/parse` (the floor every turn pays);
- `gateway`: a customer's turn through the handoff API, `POST /api/conversations/{id}/messages` until the
  response carries the bot's replies (inbox, worker, Rasa, actions, replies stored);
- `rasa`: the same turn sent straight to Rasa's gateway channel, signed as the handoff API signs it;
with each p50 as a multiple of the parse p50 at the same concurrency. Then, in one conversation of 100 turns
through the gateway, the latency of turn 1, 20, 50 and 100, the p50 of its first and last ten turns, and the
CPU each of its turns cost in Rasa, in the action server and in the rest of the system.
Then it starts the system again with RASA_PROCESSES=2 and compares gateway turns/s with 1 and with 2 Rasa
processes (20 and 50 concurrent customers). Client and servers share this machine: the numbers are relative
to the same run's floor. The customers send their turns with bench/http_load.py's lean client: httpx's own
2 ms of CPU and a few ms of latency per request were in the floor and in every turn alike. Prints tables;
fails on nothing but a system that does not start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bench.http_load import Connection, Reply  # noqa: E402
from contract.identity import SIGNATURE_HEADER, Identity, Turn, sign_identity, sign_turn  # noqa: E402
from tests.integration.system import RunningSystem, cpu_ticks_of_tree, running_system  # noqa: E402
from tests.integration.texts import BOT_ONLY_TEXTS as TEXTS  # noqa: E402

CONCURRENCY = (1, 20, 50)
# Turns each customer sends at each concurrency: enough samples for a p95, and load runs of several seconds
# (at 120 or 200 turns, a second or two, turns/s moved by a third between runs of the same code).
TURNS_PER_CUSTOMER = {1: 40, 20: 20, 50: 10}
CONVERSATION_TURNS = 100
CUSTOMER = "C1001"
# The bench sends far more turns per conversation than a person could type.
SETTINGS = {"CUSTOMER_MESSAGE_RATE_LIMIT": "100000", "BOT_REPLY_WAIT_SECONDS": "600"}
# Pooled connections are dropped well before the servers' 5-second idle timeout, so none is reused as the
# server closes it.
_LIMITS = httpx.Limits(max_connections=200, keepalive_expiry=1.0)


@dataclass(frozen=True)
class Cores:
    """Cores busy on average during a run: the whole machine (Redis and PostgreSQL included), the system
    under test (scripts/run.sh's processes) and this load generator."""

    machine: float
    system: float
    client: float


@dataclass(frozen=True)
class Run:
    name: str
    concurrency: int
    latencies_ms: list[float]
    errors: int
    wall_seconds: float
    cores: Cores

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies_ms) or [float("nan")]
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.wall_seconds if self.wall_seconds else float("nan")


Call = Callable[[int], Awaitable[bool]]  # one request of a customer (its turn number); True when it worked
# A new customer; its connections close with the stack.
Customer = Callable[[AsyncExitStack], Awaitable[Call]]
Post = Callable[[str, object, dict[str, str]], Awaitable[Reply]]  # path, JSON payload or body, headers
# What a request on bench/http_load.py's connections raises when it fails.
_FAILED_REQUEST = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, RuntimeError, ValueError)


def _machine_busy_ticks() -> int:
    """CPU time the whole machine spent busy so far (all cores, /proc/stat), in clock ticks."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split()[1:9]
    )
    return user + nice + system + irq + softirq + steal


def _cpu_seconds(system: RunningSystem) -> tuple[float, float, float]:
    """(machine, system under test, this process): CPU seconds used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    return _machine_busy_ticks() / tick, cpu_ticks_of_tree(system.root_pid) / tick, time.process_time()


async def _load(system: RunningSystem, name: str, concurrency: int, turns: int, customer: Customer) -> Run:
    """`concurrency` customers at once, each sending `turns` requests one after the other."""
    async with AsyncExitStack() as connections:
        calls = [await customer(connections) for _ in range(concurrency)]
        return await _drive(system, name, calls, turns)


async def _drive(system: RunningSystem, name: str, calls: list[Call], turns: int) -> Run:
    latencies: list[float] = []
    errors = 0

    async def drive(call: Call) -> None:
        nonlocal errors
        for turn in range(turns):
            start = time.perf_counter()
            try:
                ok = await call(turn)
            except _FAILED_REQUEST:
                ok = False
            latencies.append((time.perf_counter() - start) * 1000)
            errors += not ok

    started, cpu_before = time.perf_counter(), _cpu_seconds(system)
    await asyncio.gather(*(drive(call) for call in calls))
    wall = time.perf_counter() - started
    used = [(after - before) / wall for before, after in zip(cpu_before, _cpu_seconds(system), strict=True)]
    return Run(name, len(calls), latencies, errors, wall, Cores(*used))


class Bench:
    """Each customer sends its turns on a keep-alive connection of its own (bench/http_load.py): httpx's
    2 ms of CPU per request would be a sixth of a turn's, taken from the cores the system shares with this
    process. httpx only opens the sessions."""

    def __init__(self, system: RunningSystem, http: httpx.AsyncClient) -> None:
        self.system = system
        self.http = http

    @staticmethod
    def _sender(url: str, connections: AsyncExitStack) -> Post:
        """POST on a connection of its own (closed with `connections`), opened again after a failure."""
        held: list[Connection] = []

        async def post(path: str, payload: object, headers: dict[str, str]) -> Reply:
            if not held:
                held.append(await connections.enter_async_context(Connection(url)))
            try:
                return await held[0].send(held[0].encode_post(path, payload, headers))
            except _FAILED_REQUEST:
                held.clear()  # closed with the others at the end of the run
                raise

        return post

    async def parse_customer(self, connections: AsyncExitStack) -> Call:
        post = self._sender(self.system.rasa_url, connections)
        path = f"/model/parse?token={self.system.rasa_token}"

        async def call(turn: int) -> bool:
            return (await post(path, {"text": TEXTS[turn % len(TEXTS)]}, {})).status == 200

        return call

    async def gateway_customer(self, connections: AsyncExitStack) -> Call:
        session = await self.http.post(
            f"{self.system.api_url}/api/sessions/demo", json={"customer_id": CUSTOMER}
        )
        session.raise_for_status()
        body = session.json()
        post = self._sender(self.system.api_url, connections)
        path = f"/api/conversations/{body['conversation_id']}/messages"
        headers = {"Authorization": f"Bearer {body['token']}"}

        async def call(turn: int) -> bool:
            response = await post(path, {"text": TEXTS[turn % len(TEXTS)]}, headers)
            if response.status != 201:
                return False
            sent = response.json()
            answered = any(message["role"] == "bot" for message in sent["messages"])
            return answered and not sent["bot_reply_pending"]

        return call

    async def rasa_customer(self, connections: AsyncExitStack) -> Call:
        conversation_id = f"bench-{uuid.uuid4().hex}"
        identity = sign_identity(Identity(conversation_id, CUSTOMER, "standard"), self.system.gateway_secret)
        post = self._sender(self.system.rasa_url, connections)

        async def call(turn: int) -> bool:
            message = Turn(conversation_id, f"m{turn}", TEXTS[turn % len(TEXTS)], False, identity)
            body, signature = sign_turn(message, self.system.gateway_secret)
            response = await post("/webhooks/gateway/webhook", body, {SIGNATURE_HEADER: signature})
            return response.status == 200 and bool(response.json())

        return call

    async def conversation(self) -> list[float]:
        """Latency of each turn of one long conversation through the gateway."""
        async with AsyncExitStack() as connections:
            call = await self.gateway_customer(connections)
            latencies = []
            for turn in range(CONVERSATION_TURNS):
                start = time.perf_counter()
                with contextlib.suppress(*_FAILED_REQUEST):  # counted in the load runs; here only the time
                    await call(turn)
                latencies.append((time.perf_counter() - start) * 1000)
            return latencies


def _row(run: Run, floor: Run | None) -> str:
    ratio = run.p(0.5) / floor.p(0.5) if floor and floor.p(0.5) else float("nan")
    return (
        f"{run.name:<9} {run.concurrency:>5} {len(run.latencies_ms):>6} {run.p(0.5):>9.1f} "
        f"{run.p(0.95):>9.1f} {max(run.latencies_ms):>9.1f} {run.per_second:>8.1f} {run.errors:>6} "
        f"{ratio:>9.1f} {run.cores.machine:>6.2f} {run.cores.system:>6.2f} {run.cores.client:>6.2f}"
    )


def _print_load(runs: Sequence[Run]) -> None:
    print(
        f"{'measure':<9} {'conc':>5} {'turns':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'turns/s':>8} "
        f"{'errors':>6} {'×parse':>9} {'cores':>6} {'system':>6} {'client':>6}"
    )
    floors = {run.concurrency: run for run in runs if run.name == "parse"}
    for run in runs:
        print(_row(run, floors.get(run.concurrency)))
    print(f"cores busy of the machine's {os.cpu_count()}: all, the system's processes, this load generator")


def _print_conversation(latencies: list[float]) -> None:
    first, last = statistics.median(latencies[:10]), statistics.median(latencies[-10:])
    marks = ", ".join(f"turn {n}: {latencies[n - 1]:.1f} ms" for n in (1, 20, 50, 100))
    print(f"\none conversation of {len(latencies)} turns through the gateway: {marks}")
    print(
        f"  p50 of turns 1-10 {first:.1f} ms, of turns 91-100 {last:.1f} ms, last/first {last / first:.2f}×"
    )


def _cpu_ms(system: RunningSystem) -> dict[str, float]:
    """CPU used so far by Rasa, the action server and the whole system (scripts/run.sh's tree), in ms."""
    ticks = {
        "rasa": cpu_ticks_of_tree(system.pid_of("rasa")),
        "actions": cpu_ticks_of_tree(system.pid_of("actions")),
        "all": cpu_ticks_of_tree(system.root_pid),
    }
    return {name: count * 1000 / os.sysconf("SC_CLK_TCK") for name, count in ticks.items()}


def _print_cpu(before: dict[str, float], after: dict[str, float], turns: int) -> None:
    used = {name: (after[name] - before[name]) / turns for name in after}
    rest = used["all"] - used["rasa"] - used["actions"]
    print(
        f"  CPU per turn of that conversation: Rasa {used['rasa']:.1f} ms, action server "
        f"{used['actions']:.1f} ms, handoff API and the rest {rest:.1f} ms"
    )


def _rss_mb(system: RunningSystem, service: str) -> str:
    try:
        status = Path(f"/proc/{system.pid_of(service)}/status").read_text()
    except (OSError, ValueError):
        return "n/a"
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return f"{kb / 1024:.0f} MB"


async def _one_process(system: RunningSystem) -> list[Run]:
    async with httpx.AsyncClient(timeout=600, limits=_LIMITS) as http:
        bench = Bench(system, http)
        await _load(system, "warm-up", 1, 5, bench.gateway_customer)
        runs = []
        for concurrency in CONCURRENCY:
            turns = TURNS_PER_CUSTOMER[concurrency]
            runs.append(await _load(system, "parse", concurrency, turns, bench.parse_customer))
            runs.append(await _load(system, "gateway", concurrency, turns, bench.gateway_customer))
            runs.append(await _load(system, "rasa", concurrency, turns, bench.rasa_customer))
        print("\n1 Rasa process:")
        _print_load(runs)
        cpu_before = _cpu_ms(system)
        latencies = await bench.conversation()
        _print_conversation(latencies)
        _print_cpu(cpu_before, _cpu_ms(system), len(latencies))
        print(f"\nRSS after the runs: Rasa {_rss_mb(system, 'rasa')}")
        return runs


async def _two_processes(system: RunningSystem) -> list[Run]:
    async with httpx.AsyncClient(timeout=600, limits=_LIMITS) as http:
        bench = Bench(system, http)
        await _load(system, "warm-up", 2, 5, bench.gateway_customer)
        runs = [
            await _load(
                system, "gateway", concurrency, TURNS_PER_CUSTOMER[concurrency], bench.gateway_customer
            )
            for concurrency in CONCURRENCY[1:]
        ]
        rss = ", ".join(_rss_mb(system, name) for name in ("rasa", "rasa_2"))
        print(f"\n2 Rasa processes ({', '.join(system.rasa_urls)}; RSS {rss}):")
        _print_load(runs)
        return runs


def _print_scaling(one: list[Run], two: list[Run]) -> None:
    print("\ngateway turns/s, 1 vs 2 Rasa processes:")
    for run in two:
        single = next(r for r in one if r.name == "gateway" and r.concurrency == run.concurrency)
        print(
            f"  {run.concurrency:>3} customers: {single.per_second:6.1f} → {run.per_second:6.1f} turns/s "
            f"({run.per_second / single.per_second:.2f}×)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose scripts/run.sh to start")
    parser.add_argument("--skip-two", action="store_true", help="do not measure 2 Rasa processes")
    args = parser.parse_args(argv)
    print(f"system: {args.root}")
    with tempfile.TemporaryDirectory(prefix="turn-bench-") as tmp:
        for name in ("one", "two"):
            (Path(tmp) / name).mkdir()
        with running_system(Path(tmp) / "one", {**SETTINGS, "RASA_PROCESSES": "1"}, root=args.root) as system:
            one = asyncio.run(_one_process(system))
        if args.skip_two:
            return 0
        with running_system(Path(tmp) / "two", {**SETTINGS, "RASA_PROCESSES": "2"}, root=args.root) as system:
            two = asyncio.run(_two_processes(system))
    _print_scaling(one, two)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
