"""Action server latency for back-end reads, over real HTTP, against a running action server.

Run:  .venv/bin/python -m bench.actions_bench [--rounds N] [--url http://127.0.0.1:5055]

Without --url it starts its own action server (`.venv-rasa/bin/python -m rasa_sdk --actions actions`) on a
free port with the demo back-end (a fresh DEMO_BACKEND_PATH in a temporary folder) and stops it afterwards.
Prints p50/p95/max per call of each read action (balance, bill, transactions, points) posted to /webhook
as Rasa posts it, and of GET /health measured in the same run as the yardstick: the ratio p95/health-p95
shows what the action and the back-end add on top of the HTTP round trip itself. Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
METADATA = {"customer_id": "C1001", "tier": "standard", "conversation_id": "bench"}
READS = {
    "action_query_balance": ("还有多少额度", "query_balance", []),
    "action_query_bill": ("这期账单多少", "query_bill", []),
    "action_query_transactions": ("两千块那笔", "query_transactions", [{"entity": "amount", "value": 2000}]),
    "action_query_points": ("积分多少", "query_points", []),
}


def _payload(action: str, text: str, intent: str, entities: list[dict]) -> bytes:
    user = {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.99}, "entities": entities},
        "metadata": METADATA,
    }
    tracker = {
        "sender_id": "bench",
        "slots": {},
        "latest_message": {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "intent_ranking": [],
            "entities": entities,
            "metadata": METADATA,
        },
        "events": [user],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    body = {
        "next_action": action,
        "sender_id": "bench",
        "tracker": tracker,
        "domain": {},
        "version": "3.6.21",
    }
    return json.dumps(body).encode()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _time_calls(
    conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None, n: int
) -> list[float]:
    headers = {"Content-Type": "application/json"} if body else {}
    timings = []
    for _ in range(n):
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        timings.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{method} {path} answered {response.status}: {data[:300]!r}")
    return timings


def _check_answer(conn: http.client.HTTPConnection, action: str, body: bytes) -> None:
    """A fast wrong answer is no benchmark: each action must answer with its figures, not an apology."""
    conn.request("POST", "/webhook", body=body, headers={"Content-Type": "application/json"})
    answer = json.loads(conn.getresponse().read())
    names = [r.get("response") for r in answer.get("responses", [])]
    if not names or any(name in ("utter_backend_unavailable", "utter_customer_unknown") for name in names):
        raise RuntimeError(f"{action} did not answer with data: {answer}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _action_server() -> Iterator[str]:
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEMO_BACKEND_PATH": str(Path(tmp) / "demo_backend.json"),
            "ACCOUNT_BACKEND": "demo",
            "DEMO_MODE": "true",  # the repository's demo secrets, on loopback only
        }
        log = open(Path(tmp) / "actions.log", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [
                str(ROOT / ".venv-rasa/bin/python"),
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", "/health")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(
                        "action server did not start: " + (Path(tmp) / "actions.log").read_text()
                    )
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()


def run(url: str, rounds: int) -> None:
    parsed = urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    _time_calls(conn, "GET", "/health", None, 20)  # warm-up: connection, first imports, state file seeding
    for action, (text, intent, entities) in READS.items():
        _time_calls(conn, "POST", "/webhook", _payload(action, text, intent, entities), 20)
        _check_answer(conn, action, _payload(action, text, intent, entities))

    health = _time_calls(conn, "GET", "/health", None, rounds)
    health_p95 = _percentile(health, 0.95)
    print(f"action server {url}, {rounds} calls each, one keep-alive connection")
    print(f"{'call':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95/health':>11}")
    print(_row("GET /health (yardstick)", health, health_p95))
    for action, (text, intent, entities) in READS.items():
        timings = _time_calls(conn, "POST", "/webhook", _payload(action, text, intent, entities), rounds)
        print(_row(action, timings, health_p95))


def _row(name: str, timings: list[float], yardstick_p95: float) -> str:
    p50, p95 = _percentile(timings, 0.5), _percentile(timings, 0.95)
    return f"{name:32} {p50:8.2f} {p95:8.2f} {max(timings):8.2f} {p95 / yardstick_p95:11.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--url", help="a running action server (default: start one)")
    args = parser.parse_args(argv)
    if args.url:
        run(args.url, args.rounds)
        return
    with _action_server() as url:
        run(url, args.rounds)


if __name__ == "__main__":
    sys.exit(main())
