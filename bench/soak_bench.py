"""Memory after many conversations: Rasa and handoff API RSS through a soak with WebSockets, in one run.

Run:  .venv/bin/python bench/soak_bench.py [--conversations N] [--concurrency C]

Starts the system with scripts/run.sh (free ports, its own key prefixes) and runs N conversations, C at a
time. Each opens the chat's WebSocket (the token in its first frame), sends one message over it and reads the
bot's reply there, sends an oversized request (413 expected) and a flood of messages (the rate limit, lowered
for the soak to SOAK_RATE_LIMIT, answers 429), then closes the socket. Prints the RSS of the handoff API and
of the Rasa server before the soak and after each tenth of it, the growth per 1,000 conversations after the
first tenth (which includes start-up warming: caches, pools, the allocator's first arenas) for each, and the
answers counted; fails on nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from tests.conversation_socket import conversation_socket  # noqa: E402
from tests.integration.system import RunningSystem, running_system  # noqa: E402
from tests.integration.texts import BOT_ONLY_TEXTS  # noqa: E402

CUSTOMER = "C1001"
FLOOD = 10  # messages sent at once after the bot's reply; all but the rate limit's allowance get 429
SOAK_RATE_LIMIT = 2  # the WebSocket message and one of the flood: the rest is refused, never reaches the bot
OVERSIZED_BYTES = 2 * 1024 * 1024  # above MAX_REQUEST_BODY_BYTES (1 MiB)
SETTINGS = {"CUSTOMER_MESSAGE_RATE_LIMIT": str(SOAK_RATE_LIMIT)}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _api_pid(system: RunningSystem) -> int:
    """The uvicorn process listening on the API port (run.sh writes no pid file for it)."""
    port = int(system.api_url.rsplit(":", 1)[1])
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    sockets = {f"socket:[{inode}]" for inode in inodes}
    for process in Path("/proc").glob("[0-9]*"):
        try:
            if any(str(fd.readlink()) in sockets for fd in (process / "fd").iterdir()):
                return int(process.name)
        except OSError:
            continue  # exited meanwhile
    raise RuntimeError("no process listens on the API port")


async def _conversation(system: RunningSystem, http: httpx.AsyncClient, seen: Counter[str]) -> None:
    session = (await http.post("/api/sessions/demo", json={"customer_id": CUSTOMER})).json()
    path = f"/api/conversations/{session['conversation_id']}"
    headers = {"Authorization": f"Bearer {session['token']}"}
    ws_base = system.api_url.replace("http://", "ws://")
    async with conversation_socket(ws_base, session["conversation_id"], session["token"]) as socket:
        await socket.send(json.dumps({"type": "message", "text": BOT_ONLY_TEXTS[1]}))
        while True:
            frame = json.loads(await socket.recv())
            if frame.get("role") == "bot":
                seen["bot reply over WebSocket"] += 1
                break
        big = await http.post(f"{path}/messages", content=b"x" * OVERSIZED_BYTES, headers=headers)
        seen[f"oversized: {big.status_code}"] += 1
        flood = await asyncio.gather(
            *(http.post(f"{path}/messages", json={"text": "在吗"}, headers=headers) for _ in range(FLOOD))
        )
        seen.update(f"flood: {answer.status_code}" for answer in flood)


def _growth_after_first_tenth(name: str, rss: dict[int, float]) -> str:
    (first, warm), (last, end) = sorted(rss.items())[1], max(rss.items())
    per_thousand = (end - warm) / max(last - first, 1) * 1000
    growth = f"{per_thousand:+.1f} MB per 1,000 conversations"
    return f"{name} RSS after the first tenth: {warm:.0f} → {end:.0f} MB ({growth})"


async def soak(system: RunningSystem, conversations: int, concurrency: int) -> None:
    api_pid, rasa_pid = _api_pid(system), system.pid_of("rasa")
    print(f"{'conversations':>13} {'API RSS MB':>11} {'Rasa RSS MB':>12} {'seconds':>8}")
    start = time.perf_counter()
    api_rss: dict[int, float] = {}  # by conversations done
    rasa_rss: dict[int, float] = {}

    def report(done: int) -> None:
        elapsed = time.perf_counter() - start
        api_rss[done], rasa_rss[done] = _rss_mb(api_pid), _rss_mb(rasa_pid)
        print(f"{done:>13} {api_rss[done]:>11.0f} {rasa_rss[done]:>12.0f} {elapsed:>8.0f}", flush=True)

    report(0)
    seen: Counter[str] = Counter()
    # Idle connections are dropped before uvicorn's keep-alive timeout (5 s) can close them under a request
    # being sent on them (an httpx.ReadError on a loaded machine).
    limits = httpx.Limits(max_connections=concurrency * 2, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=system.api_url, timeout=600, limits=limits) as http:
        done = 0
        step = max(conversations // 10, 1)
        while done < conversations:
            batch = min(step, conversations - done)
            for first in range(0, batch, concurrency):
                size = min(concurrency, batch - first)
                await asyncio.gather(*(_conversation(system, http, seen) for _ in range(size)))
            done += batch
            report(done)
    print(_growth_after_first_tenth("API", api_rss))
    print(_growth_after_first_tenth("Rasa", rasa_rss))
    print("answers: " + ", ".join(f"{name} ×{count}" for name, count in sorted(seen.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="soak-bench-") as tmp:
        with running_system(Path(tmp), SETTINGS) as system:
            asyncio.run(soak(system, args.conversations, args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
