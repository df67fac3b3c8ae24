"""No customer message is lost or answered twice: under load, while Rasa is down, and when one of two Rasa
processes is killed. Counted per message (replies carry `meta.reply_to`), checked against Rasa's trackers;
waits are on progress, never on a clock.

These tests run their own system with RASA_PROCESSES=2 (they kill its Rasa servers).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from handoff_api.services.bot_turns import BOT_FAILED_APOLOGY
from tests.integration.system import RunningSystem, cpu_ticks_of_tree, running_system
from tests.integration.test_skeleton_flow import Session, start_session
from tests.integration.texts import BOT_ONLY_TEXTS
from tests.progress import STALL_SECONDS, wait_while_progressing

# A hang guard only, for load that takes many minutes on a busy machine; the waits are on progress.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(3600)]

CUSTOMER = "C1001"
TURNS = 10


@pytest.fixture(scope="module")
def two_rasa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with running_system(tmp_path_factory.mktemp("two-rasa"), {"RASA_PROCESSES": "2"}) as running:
        assert len(running.rasa_urls) == 2, running.rasa_urls
        yield running


@pytest.fixture
async def api(two_rasa: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    # No keep-alive: a POST on a pooled connection the server is just closing (idle timeout) fails without
    # telling whether the message was stored, and these tests count messages.
    limits = httpx.Limits(max_connections=300, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=two_rasa.api_url, timeout=STALL_SECONDS, limits=limits) as client:
        yield client


async def _send(api: httpx.AsyncClient, session: Session, text: str) -> dict:
    response = await api.post(f"{session.path}/messages", json={"text": text}, headers=session.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _stream(api: httpx.AsyncClient, session: Session) -> list[dict]:
    response = await api.get(f"{session.path}/messages", headers=session.headers)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def _replies_per_message(messages: list[dict]) -> dict[str, list[dict]]:
    """The bot's replies to each customer message, in stream order; asserts that the replies to one message
    are stored together and that messages are answered in the order they were sent."""
    asked = [message["id"] for message in messages if message["role"] == "customer"]
    replies: dict[str, list[dict]] = {message_id: [] for message_id in asked}
    answered_order: list[str] = []
    for message in messages:
        if message["role"] != "bot":
            continue
        reply_to = message["meta"]["reply_to"]
        if not answered_order or answered_order[-1] != reply_to:
            assert reply_to not in answered_order, f"replies to {reply_to} came in two parts"
            answered_order.append(reply_to)
        replies[reply_to].append(message)
    assert answered_order == asked[: len(answered_order)], "answered out of order"
    return replies


async def _wait_all_answered(
    api: httpx.AsyncClient, sessions: list[Session], sent: int, busy: Callable[[], int] = lambda: 0
) -> list[list[dict]]:
    """Every conversation's stream once each of its `sent` messages has a reply. Progress is replies arriving,
    or `busy()` moving (CPU time of Rasa servers loading their model)."""

    async def read() -> tuple[list[int], int, list[list[dict]]]:
        streams = list(await asyncio.gather(*(_stream(api, session) for session in sessions)))
        answered = [sum(bool(r) for r in _replies_per_message(stream).values()) for stream in streams]
        return answered, busy(), streams

    def all_answered(seen: tuple[list[int], int, list[list[dict]]]) -> bool:
        return all(n == sent for n in seen[0])

    return (await wait_while_progressing(read, all_answered, what="bot replies"))[2]


def _assert_no_apology(stream: list[dict], allowed_events: set[str]) -> None:
    system = [message for message in stream if message["role"] == "system"]
    assert [m for m in system if m["text"] == BOT_FAILED_APOLOGY] == []
    assert {m["meta"].get("event") for m in system} <= allowed_events, system


def _tracker(system: RunningSystem, conversation_id: str) -> dict:
    """The conversation's tracker from the first Rasa server that is up (trackers are in Redis, shared)."""
    for url in system.rasa_urls:
        try:
            response = httpx.get(
                f"{url}/conversations/{conversation_id}/tracker",
                params={"token": system.rasa_token},
                timeout=STALL_SECONDS,
            )
        except httpx.TransportError:
            continue  # restarting after a kill
        response.raise_for_status()
        return response.json()
    raise AssertionError(f"no Rasa server up to read the tracker of {conversation_id}")


def _tracker_turns(tracker: dict) -> dict[str, list[int]]:
    """For each message id in the tracker, the number of bot messages each run of that turn sent."""
    runs: dict[str, list[int]] = {}
    current: list[int] | None = None
    for event in tracker["events"]:
        if event["event"] == "user" and event.get("message_id"):
            current = runs.setdefault(event["message_id"], [])
            current.append(0)
        elif event["event"] == "bot" and current is not None:
            if event.get("text") or (event.get("data") or {}).get("buttons"):
                current[-1] += 1
    return runs


def _assert_answered_once(
    system: RunningSystem, session: Session, stream: list[dict], *, runs_once: bool
) -> None:
    """Each message's stored replies are exactly those of one run of its turn in Rasa."""
    replies = _replies_per_message(stream)
    runs = _tracker_turns(_tracker(system, session.conversation_id))
    for message_id, answer in replies.items():
        assert message_id in runs, f"message {message_id} never reached Rasa"
        if runs_once:
            assert len(runs[message_id]) == 1, f"turn {message_id} ran {len(runs[message_id])} times"
        assert len(answer) == runs[message_id][-1], (message_id, answer, runs[message_id])


async def _customer(api: httpx.AsyncClient, session: Session, *, all_at_once: bool) -> None:
    texts = [BOT_ONLY_TEXTS[turn % len(BOT_ONLY_TEXTS)] for turn in range(TURNS)]
    if all_at_once:  # typed faster than the bot answers: the turns queue up in the inbox
        await asyncio.gather(*(_send(api, session, text) for text in texts))
    else:
        for text in texts:
            await _send(api, session, text)


async def test_fifty_customers_ten_turns_each_every_message_answered_once_in_order(
    two_rasa: RunningSystem, api: httpx.AsyncClient
) -> None:
    sessions = [await start_session(api, CUSTOMER) for _ in range(50)]

    await asyncio.gather(
        *(_customer(api, session, all_at_once=i % 2 == 1) for i, session in enumerate(sessions))
    )
    streams = await _wait_all_answered(api, sessions, TURNS)

    for session, stream in zip(sessions, streams, strict=True):
        assert sum(message["role"] == "customer" for message in stream) == TURNS
        _assert_no_apology(stream, {"bot_slow"})
        _assert_answered_once(two_rasa, session, stream, runs_once=True)


def _supervisor_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _refuses(url: str) -> bool:
    try:
        httpx.get(f"{url}/", timeout=5)
    except httpx.TransportError:
        return True
    return False


async def test_a_message_sent_while_rasa_is_down_is_answered_once_after_it_is_back(
    two_rasa: RunningSystem, api: httpx.AsyncClient
) -> None:
    session = await start_session(api, CUSTOMER)
    first = await _send(api, session, BOT_ONLY_TEXTS[0])
    assert not first["bot_reply_pending"], first
    rasa_pids = [two_rasa.pid_of(service) for service in ("rasa", "rasa_2")]
    supervisors = [_supervisor_of(pid) for pid in rasa_pids]
    # The supervisors are held, so the servers stay down until the test lets them start again.
    for supervisor in supervisors:
        os.kill(supervisor, signal.SIGSTOP)
    try:
        for pid in rasa_pids:
            os.kill(pid, signal.SIGKILL)
        await wait_while_progressing(
            lambda: asyncio.to_thread(lambda: [_refuses(url) for url in two_rasa.rasa_urls]),
            all,
            what="both Rasa servers gone",
        )
        while_down = await _send(api, session, BOT_ONLY_TEXTS[1])
    finally:
        for supervisor in supervisors:
            os.kill(supervisor, signal.SIGCONT)

    assert while_down["bot_reply_pending"], while_down
    assert [m["meta"].get("event") for m in while_down["messages"][1:]] == ["bot_delayed"], while_down

    stream = (await _wait_all_answered(api, [session], 2, busy=lambda: _cpu_of(supervisors)))[0]
    # Both come back, whichever answered first.
    await _both_servers_up(two_rasa)

    _assert_answered_once(two_rasa, session, stream, runs_once=True)
    _assert_no_apology(stream, {"bot_delayed", "bot_slow"})
    after = await _send(api, session, BOT_ONLY_TEXTS[2])
    assert not after["bot_reply_pending"], after


def _cpu_of(pids: list[int]) -> int:
    return sum(cpu_ticks_of_tree(pid) for pid in pids)


async def _both_servers_up(system: RunningSystem) -> None:
    """Until both Rasa servers answer (after a restart, each loads its model first)."""
    services = ("rasa", "rasa_2")

    def seen() -> tuple[list[bool], int]:
        pids = [system.pid_of(service) for service in services]
        return [_refuses(url) for url in system.rasa_urls], _cpu_of([_supervisor_of(pid) for pid in pids])

    await wait_while_progressing(
        lambda: asyncio.to_thread(seen), lambda state: not any(state[0]), what="both Rasa servers up"
    )


async def test_sigkill_of_one_rasa_under_load_loses_no_message_and_answers_none_twice(
    two_rasa: RunningSystem, api: httpx.AsyncClient
) -> None:
    await _both_servers_up(two_rasa)
    sessions = [await start_session(api, CUSTOMER) for _ in range(20)]
    victim = two_rasa.pid_of("rasa_2")
    supervisor = _supervisor_of(victim)

    async def kill_once_under_way() -> None:
        async def answered() -> int:
            streams = await asyncio.gather(*(_stream(api, session) for session in sessions))
            return sum(message["role"] == "bot" for stream in streams for message in stream)

        await wait_while_progressing(answered, lambda n: n >= 40, what="replies before the kill")
        os.kill(victim, signal.SIGKILL)

    await asyncio.gather(
        kill_once_under_way(),
        *(_customer(api, session, all_at_once=i % 2 == 1) for i, session in enumerate(sessions)),
    )
    streams = await _wait_all_answered(api, sessions, TURNS, busy=lambda: _cpu_of([supervisor]))

    for session, stream in zip(sessions, streams, strict=True):
        assert sum(message["role"] == "customer" for message in stream) == TURNS
        _assert_no_apology(stream, {"bot_slow", "bot_delayed"})
        # A turn the killed server was running may have run again on the other: its replies are stored once.
        _assert_answered_once(two_rasa, session, stream, runs_once=False)

    # The supervisor started the killed server again.
    def restarted() -> tuple[int, bool, int]:
        return two_rasa.pid_of("rasa_2"), _refuses(two_rasa.rasa_urls[1]), _cpu_of([supervisor])

    await wait_while_progressing(
        lambda: asyncio.to_thread(restarted),
        lambda seen: seen[0] != victim and not seen[1],
        what="the killed Rasa server back",
    )
