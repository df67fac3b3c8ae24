"""Starts the whole system with scripts/run.sh on free ports, isolated by its own Redis key prefixes."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis

from tests.progress import Stalled, StallWatch

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "System ready."
# scripts/train.sh holds it while it trains: start-up may wait for another checkout's training.
TRAINING_LOCK = ROOT / "models" / ".train.lock"
# Derived by scripts/lib.sh from ports and VAR_DIR; inherited values (e.g. when scripts/test.sh runs pytest)
# would point this system at the default ports and folders, so they are dropped and derived anew.
DERIVED_SETTINGS = (
    "RASA_URL",
    "ACTION_ENDPOINT_URL",
    "HANDOFF_API_URL",
    "DATABASE_URL",
    "DEMO_BACKEND_PATH",
    "LOG_DIR",
)


@dataclass(frozen=True)
class RunningSystem:
    api_url: str
    rasa_url: str  # the first Rasa server
    actions_url: str
    rasa_token: str
    service_token: str
    gateway_secret: str
    action_server_token: str
    redis_url: str
    key_prefix: str
    rasa_prefix: str
    var_dir: Path
    rasa_urls: tuple[str, ...] = ()  # every Rasa server run.sh started (RASA_PROCESSES), first one first
    root_pid: int = 0  # scripts/run.sh: its process tree is the whole system

    def pid_of(self, service: str) -> int:
        """The current pid of a supervised service (`rasa`, `rasa_2`, `actions`…), as scripts/supervise.sh
        wrote it."""
        return int((self.var_dir / "run" / f"{service}.pid").read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_ticks_of_tree(root_pid: int) -> int:
    """CPU time used so far by a process and all its descendants (Linux /proc), in clock ticks."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (command)"
        except (OSError, IndexError):
            continue  # exited meanwhile
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        ticks[pid] = sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
    tree = {root_pid}
    while grown := {pid for pid, parent in parents.items() if parent in tree} - tree:
        tree |= grown
    return sum(ticks.get(pid, 0) for pid in tree)


def _processes_with_open(path: Path) -> set[int]:
    """The processes that have the file open (Linux /proc): for the training lock, every training running or
    waiting to run."""
    target = str(path.resolve())
    found = set()
    for process in Path("/proc").glob("[0-9]*"):
        try:  # a process may exit, or close the file, while it is being looked at
            if any(os.readlink(fd) == target for fd in (process / "fd").iterdir()):
                found.add(int(process.name))
        except OSError:
            continue
    return found


def _wait_until_ready(proc: subprocess.Popen[str], log_path: Path) -> None:
    """Waits as long as start-up moves: its logs grow or its processes use CPU (set-up, training, loading),
    or, while it waits for the training lock, a training that holds it uses CPU."""

    def start_up() -> tuple[bool, bool, int, int, int]:
        """Ready, exited, and the measures of progress."""
        ready = READY_LINE in log_path.read_text(encoding="utf-8", errors="replace")
        logged = sum(log.stat().st_size for log in log_path.parent.glob("**/*.log"))
        training = sum(cpu_ticks_of_tree(pid) for pid in _processes_with_open(TRAINING_LOCK))
        return ready, proc.poll() is not None, logged, cpu_ticks_of_tree(proc.pid), training

    watch = StallWatch("system start-up")
    try:
        while True:
            ready, exited, *progress = start_up()
            if ready or exited:
                break
            watch.observe(progress)
            time.sleep(0.5)
    except Stalled as stalled:
        raise RuntimeError(f"{stalled}:\n{_log_tails(log_path.parent)}") from None
    if not ready:
        raise RuntimeError(f"system did not start:\n{_log_tails(log_path.parent)}")


def _rasa_urls(log_path: Path) -> tuple[str, ...]:
    """The Rasa servers run.sh names in its ready banner."""
    found = re.search(r"Rasa servers?:\s+(\S+)", log_path.read_text(encoding="utf-8", errors="replace"))
    return tuple(found.group(1).split(",")) if found else ()


def _log_tails(var_dir: Path, lines: int = 40) -> str:
    """The end of every service log, so a failure in CI shows why without the temp folder."""
    tails = []
    for log in sorted(var_dir.glob("**/*.log")) + [var_dir / "run.out"]:
        text = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        tails.append(f"--- {log.name} ---\n" + "\n".join(text))
    return "\n".join(tails)


def _delete_keys(redis_url: str, *patterns: str) -> None:
    client = redis.Redis.from_url(redis_url)
    for pattern in patterns:
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)
    client.close()


@contextmanager
def running_system(
    var_dir: Path, settings: dict[str, str] | None = None, *, root: Path = ROOT, demo_mode: bool = True
) -> Iterator[RunningSystem]:
    """Runs scripts/run.sh (the README's run command) of the checkout at `root` with extra `settings`, and
    stops it with SIGTERM, as Ctrl-C would. In demo mode by default, as the quick start: the tests open
    sessions with the demo picker."""
    run_id = uuid.uuid4().hex[:10]
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "API_PORT": free_port()}
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    system = RunningSystem(
        api_url=f"http://127.0.0.1:{ports['API_PORT']}",
        rasa_url=f"http://127.0.0.1:{ports['RASA_PORT']}",
        actions_url=f"http://127.0.0.1:{ports['ACTIONS_PORT']}",
        rasa_token=f"rasa-{run_id}",
        service_token=f"svc-{run_id}",
        gateway_secret=f"gateway-{run_id}",
        action_server_token=f"actions-{run_id}",
        redis_url=redis_url,
        key_prefix=f"it{run_id}:",
        rasa_prefix=f"it{run_id}",
        var_dir=var_dir,
    )
    env = {
        **{name: value for name, value in os.environ.items() if name not in DERIVED_SETTINGS},
        **{name: str(port) for name, port in ports.items()},
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": system.key_prefix,
        "RASA_REDIS_PREFIX": system.rasa_prefix,
        "RASA_TOKEN": system.rasa_token,
        "SERVICE_TOKEN": system.service_token,
        "GATEWAY_SECRET": system.gateway_secret,
        "ACTION_SERVER_TOKEN": system.action_server_token,
        "SECRET_KEY": f"secret-key-{run_id}-{uuid.uuid4().hex}",
        "DEMO_MODE": str(demo_mode).lower(),
        # Every test client comes from 127.0.0.1 and many play the same demo customers in quick succession:
        # the per-address and per-customer limits are tested on their own (tests/handoff_api/test_limits.py).
        "SESSION_RATE_LIMIT_PER_ADDRESS": "1000000",
        "CUSTOMER_MESSAGE_RATE_LIMIT_PER_CUSTOMER": "1000000",
        "VAR_DIR": str(var_dir),
        **(settings or {}),
    }
    log_path = var_dir / "run.out"
    with open(log_path, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            ["bash", str(root / "scripts" / "run.sh")],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    try:
        _wait_until_ready(proc, log_path)
        yield dataclasses.replace(system, rasa_urls=_rasa_urls(log_path), root_pid=proc.pid)
        if proc.poll() is not None:
            raise RuntimeError(f"the system stopped during the tests:\n{_log_tails(var_dir)}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        _delete_keys(redis_url, f"{system.key_prefix}*", f"{system.rasa_prefix}:*")


def rasa_tracker(system: RunningSystem, conversation_id: str) -> dict:
    response = httpx.get(
        f"{system.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": system.rasa_token},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()
