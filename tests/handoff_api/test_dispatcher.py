"""Automatic assignment, every ending of a handoff, transfers, presence and the wait estimate, over HTTP."""

import asyncio
import itertools
import time

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from handoff_api.services.dispatcher import Dispatcher
from handoff_api.store.redis_keys import RedisKeys
from tests.handoff_api.conftest import Customer, login
from tests.progress import wait_while_progressing

# For tests that need customers to stay queued while an agent is online.
BY_HAND = pytest.mark.parametrize("routing_overrides", [{"auto_assign": False}])


def _dispatcher(app: FastAPI) -> Dispatcher:
    return app.state.dispatcher


async def _queued(client: httpx.AsyncClient, customer_id: str, **handoff: object) -> Customer:
    customer = await Customer.start(client, customer_id)
    response = await customer.hand_off(**handoff)
    assert response.status_code == 201, response.text
    return customer


async def _outcomes(redis: Redis, keys: RedisKeys) -> dict[str, str]:
    return await redis.hgetall(keys.outcome_counts())


async def test_a_waiting_conversation_goes_to_a_free_agent(
    client: httpx.AsyncClient, app: FastAPI, async_redis: Redis, keys: RedisKeys
) -> None:
    agent = await login(client, "general_1")
    customer = await _queued(client, "C1001")
    await _dispatcher(app).assign_round()
    status = await customer.status()
    assert (status["state"], status["position"]) == ("agent", None)
    events = [m["meta"].get("event") for m in await customer.messages()]
    assert events[-2:] == ["queued", "agent_joined"]
    mine = (await client.get("/api/agent/conversations", headers=agent)).json()
    assert [line["conversation_id"] for line in mine] == [customer.conversation_id]
    assert await _outcomes(async_redis, keys) == {"general:assigned": "1"}


async def test_designated_secretary_gets_the_diamond_customer(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await login(client, "vip_1")
    secretary = await login(client, "vip_senior_1")
    customer = await _queued(client, "C1005")  # secretary: vip_senior_1 in demo/customers.yml
    await _dispatcher(app).assign_round()
    mine = (await client.get("/api/agent/conversations", headers=secretary)).json()
    assert [line["conversation_id"] for line in mine] == [customer.conversation_id]


async def test_no_agent_is_recorded_and_counts_the_reason(
    client: httpx.AsyncClient, async_redis: Redis, keys: RedisKeys
) -> None:
    customer = await Customer.start(client, "C1001")
    response = await customer.hand_off(reason="negative_emotion")
    assert response.json()["status"] == "no_agent"
    assert await _outcomes(async_redis, keys) == {"general:no_agent": "1"}
    assert await async_redis.hgetall(keys.reason_counts()) == {"negative_emotion": "1"}


async def test_away_agents_get_no_work_until_back_online(client: httpx.AsyncClient, app: FastAPI) -> None:
    agent = await login(client, "general_1")
    away = await client.put("/api/agent/presence", json={"status": "away"}, headers=agent)
    assert away.status_code == 200
    customer = await Customer.start(client, "C1001")
    assert (await customer.hand_off()).json()["status"] == "no_agent"  # nobody online
    await client.put("/api/agent/presence", json={"status": "online"}, headers=agent)
    # Queued while the agent is online, inside a bot turn so no dispatcher assigns it before they go away.
    conversations = app.state.context.stores.conversations
    customer = await Customer.start(client, "C1001")
    await conversations.begin_bot_turn(customer.conversation_id, max_seconds=60)
    assert (await customer.hand_off()).status_code == 201
    await client.put("/api/agent/presence", json={"status": "away"}, headers=agent)
    await conversations.end_bot_turn(customer.conversation_id)
    await _dispatcher(app).assign_round()
    assert (await customer.status())["state"] == "queued"
    await client.put("/api/agent/presence", json={"status": "online"}, headers=agent)
    await _dispatcher(app).assign_round()
    assert (await customer.status())["state"] == "agent"


@BY_HAND
async def test_cancel_returns_the_customer_to_the_bot(
    client: httpx.AsyncClient, app: FastAPI, async_redis: Redis, keys: RedisKeys
) -> None:
    await login(client, "general_1")
    customer = await _queued(client, "C1001")
    path = f"/api/conversations/{customer.conversation_id}/cancel"
    response = await client.post(path, headers=customer.headers)
    assert (response.status_code, response.json()["state"]) == (200, "bot")
    ending = (await customer.messages())[-1]
    assert ending["meta"] == {"event": "returned_to_bot", "outcome": "cancelled"}
    again = await client.post(path, headers=customer.headers)
    assert (again.status_code, again.json()["detail"]) == (409, "conversation is not queued")
    assert await _outcomes(async_redis, keys) == {"general:cancelled": "1"}
    assert await async_redis.zcard(keys.queue_timeouts()) == 0


@BY_HAND
async def test_wait_timeout_ends_the_wait_once(
    client: httpx.AsyncClient, app: FastAPI, async_redis: Redis, keys: RedisKeys
) -> None:
    await login(client, "general_1")
    customer = await _queued(client, "C1001")
    assert await _dispatcher(app).expire_waits() == 0  # not due yet
    # Make it due without waiting 10 minutes: the timeout lives in Redis, so does this test.
    await async_redis.zadd(keys.queue_timeouts(), {customer.conversation_id: time.time() - 1})
    other_process = Dispatcher(app.state.context, tick_seconds=1.0)
    assert sorted([await _dispatcher(app).expire_waits(), await other_process.expire_waits()]) == [0, 1]
    assert (await customer.status())["state"] == "bot"
    assert (await customer.messages())[-1]["meta"]["outcome"] == "wait_timeout"
    assert await _outcomes(async_redis, keys) == {"general:wait_timeout": "1"}


async def test_close_is_resolved_and_frees_the_agent_for_the_next(
    client: httpx.AsyncClient, app: FastAPI, async_redis: Redis, keys: RedisKeys
) -> None:
    agent = await login(client, "vip_1")  # capacity 2
    first, second, third = [await _queued(client, "C1003") for _ in range(3)]
    await _dispatcher(app).assign_round()
    assert [(await c.status())["state"] for c in (first, second, third)] == ["agent", "agent", "queued"]
    closed = await client.post(
        f"/api/agent/conversations/{first.conversation_id}/close", json={"wrap_up": "resolved"}, headers=agent
    )
    assert closed.status_code == 200
    assert (await first.messages())[-1]["meta"]["outcome"] == "resolved"
    # Rasa is down here: the resume is remembered for the gateway to make up before the next bot turn.
    assert (await app.state.context.stores.conversations.get(first.conversation_id)).rasa_resume_pending
    await _dispatcher(app).assign_round()
    assert (await third.status())["state"] == "agent"
    assert await _outcomes(async_redis, keys) == {"vip:assigned": "3", "vip:resolved": "1"}


async def test_transfer_to_a_group_requeues_with_the_packet_and_note(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    vip = await login(client, "vip_1")
    customer = await _queued(client, "C1003", slots={"card_tail": "3456"})
    await _dispatcher(app).assign_round()
    risk = await login(client, "risk_1")
    path = f"/api/agent/conversations/{customer.conversation_id}"
    response = await client.post(f"{path}/transfer", json={"group": "risk", "note": "疑似盗刷"}, headers=vip)
    assert response.status_code == 200, response.text
    await _dispatcher(app).assign_round()
    view = (await client.get(path, headers=risk)).json()
    assert (view["summary"]["agent"], view["summary"]["group"]) == ("risk_1", "risk")
    assert view["summary"]["note"] == "疑似盗刷"
    assert view["packet"]["slots"] == {"card_tail": "3456"}
    assert (await client.get("/api/agent/conversations", headers=vip)).json() == []


async def test_transfer_to_an_agent_and_its_errors(client: httpx.AsyncClient, app: FastAPI) -> None:
    vip = await login(client, "vip_1")
    customer = await _queued(client, "C1003")
    await _dispatcher(app).assign_round()
    path = f"/api/agent/conversations/{customer.conversation_id}/transfer"
    offline = await client.post(path, json={"agent": "vip_senior_1"}, headers=vip)
    assert (offline.status_code, offline.json()["detail"]) == (409, "agent not online")
    unknown = await client.post(path, json={"agent": "nobody"}, headers=vip)
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "unknown transfer target")
    both = await client.post(path, json={"agent": "vip_senior_1", "group": "vip"}, headers=vip)
    assert both.status_code == 422
    senior = await login(client, "vip_senior_1")
    moved = await client.post(path, json={"agent": "vip_senior_1", "note": "请跟进"}, headers=vip)
    assert moved.status_code == 200
    mine = (await client.get("/api/agent/conversations", headers=senior)).json()
    assert [(line["conversation_id"], line["note"]) for line in mine] == [
        (customer.conversation_id, "请跟进")
    ]
    not_yours = await client.post(path, json={"group": "general"}, headers=vip)
    assert not_yours.status_code == 403


@BY_HAND
async def test_queue_status_says_what_it_knows_and_moves_with_the_queue(client: httpx.AsyncClient) -> None:
    agent = await login(client, "general_1")  # capacity 3, the only agent of general
    customers = [await _queued(client, "C1001") for _ in range(5)]
    first, fifth = (await customers[0].messages())[-1]["meta"], (await customers[4].messages())[-1]["meta"]
    # A free seat for the first: moments. The fifth needs two of the three seats to come free, and no close
    # has been observed: a range around the default handling time (240 s), never a made-up second.
    assert (first["kind"], first["position"], first["estimated_wait_kind"]) == ("queue_status", 1, "soon")
    assert (fifth["position"], fifth["estimated_wait_kind"], fifth["estimated_wait_seconds"]) == (
        5,
        "range",
        160,
    )
    assert fifth["estimated_wait_range"] == [80, 320]
    for customer in customers[:3]:
        path = f"/api/agent/conversations/{customer.conversation_id}/claim"
        assert (await client.post(path, headers=agent)).status_code == 200

    update = (await customers[4].messages())[-1]["meta"]
    assert (update["event"], update["position"], update["estimated_wait_kind"]) == (
        "queue_update",
        2,
        "range",
    )
    status = await customers[4].status()
    assert (status["position"], status["estimated_wait_text"]) == (2, update["estimated_wait_text"])


def _events(messages: list[dict]) -> list[str | None]:
    return [message["meta"].get("event") for message in messages]


@BY_HAND
async def test_a_queue_update_read_before_a_claim_is_not_written_after_it(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """The figures are read while both customers wait; the first is claimed before they are written: the
    first is not told a queue place after the agent joined, the second still is."""
    agent = await login(client, "general_1")
    first, second = [await _queued(client, "C1001") for _ in range(2)]
    notes = [(c.conversation_id, "您当前排队第 1 位。", {"event": "queue_update"}) for c in (first, second)]
    path = f"/api/agent/conversations/{first.conversation_id}/claim"
    assert (await client.post(path, headers=agent)).status_code == 200
    updates_before = _events(await second.messages()).count("queue_update")
    written = await app.state.context.stores.messages.append_while_queued("general", notes)
    assert written == 1
    assert _events(await first.messages())[-1] == "agent_joined"
    assert _events(await second.messages()).count("queue_update") == updates_before + 1


@BY_HAND
async def test_nobody_of_the_group_online_gives_no_figure(client: httpx.AsyncClient) -> None:
    await login(client, "general_1")  # general takes complaints only as overflow, past the target
    customer = await _queued(client, "C1001", intent="complain")
    status = await customer.status()
    assert (status["state"], status["group"]) == ("queued", "complaints")
    assert (status["estimated_wait_seconds"], status["estimated_wait_text"]) == (None, "请您稍等片刻")
    queued = (await customer.messages())[-1]
    assert queued["meta"]["estimated_wait_kind"] == "unknown" and "请您稍等片刻" in queued["text"]


@BY_HAND
async def test_observed_handling_times_replace_the_default(client: httpx.AsyncClient) -> None:
    agent = await login(client, "general_1")
    for _ in range(5):  # five conversations handled and closed within moments
        customer = await _queued(client, "C1001")
        path = f"/api/agent/conversations/{customer.conversation_id}"
        assert (await client.post(f"{path}/claim", headers=agent)).status_code == 200
        assert (
            await client.post(f"{path}/close", json={"wrap_up": "resolved"}, headers=agent)
        ).status_code == 200
    waiting = [await _queued(client, "C1002") for _ in range(4)]
    status = await waiting[3].status()
    assert (status["position"], status["estimated_wait_seconds"]) == (4, 1)
    assert (await waiting[3].messages())[-1]["meta"]["estimated_wait_kind"] == "about"


async def test_supervisor_overview(client: httpx.AsyncClient, app: FastAPI) -> None:
    agent = await login(client, "vip_1")
    for _ in range(3):
        await _queued(client, "C1003", reason="explicit_request")
    await _dispatcher(app).assign_round()
    supervisor = await login(client, "supervisor")
    overview = (await client.get("/api/supervisor/overview", headers=supervisor)).json()
    vip = next(group for group in overview["groups"] if group["group"] == "vip")
    assert (vip["queue_length"], vip["past_target"], vip["oldest_target_seconds"]) == (1, 0, 30)
    assert vip["oldest_wait_seconds"] >= 0 and vip["seconds_per_assignment"] is not None
    seats = {seat["username"]: seat for seat in overview["agents"]}
    assert (seats["vip_1"]["presence"], seats["vip_1"]["load"], seats["vip_1"]["capacity"]) == (
        "online",
        2,
        2,
    )
    assert seats["risk_1"]["presence"] == "offline"
    assert overview["outcomes"] == {"vip": {"assigned": 2}}
    assert overview["handoff_reasons"] == {"explicit_request": 3}
    refused = await client.get("/api/supervisor/overview", headers=agent)
    assert (refused.status_code, refused.json()["detail"]) == (403, "supervisor role required")


@BY_HAND
async def test_racing_dispatchers_and_claims_never_double_assign_or_overrun(
    client: httpx.AsyncClient, app: FastAPI, async_redis: Redis, keys: RedisKeys
) -> None:
    ctx = app.state.context
    seats = ["general_1", "vip_1", "vip_senior_1"]  # 7 seats for the general and vip queues
    headers = {name: await login(client, name) for name in seats}
    customers = [await _queued(client, customer_id) for customer_id in ["C1001", "C1002", "C1003"] * 10]
    # Everyone queued first; then several processes' dispatchers (one instance each) and agents claiming
    # by hand, all at once.
    ctx.directory.routing.auto_assign = True
    processes = [Dispatcher(ctx, tick_seconds=1.0) for _ in range(6)]
    claims = [
        client.post(f"/api/agent/conversations/{c.conversation_id}/claim", headers=headers[name])
        for c in customers
        for name in ("general_1", "vip_1")
    ]
    await asyncio.gather(*(p.assign_round() for p in processes for _ in range(3)), *claims)

    owners: dict[str, str] = {}
    for name in seats:
        held = await ctx.stores.conversations.agent_conversation_ids(name)
        assert len(held) <= ctx.directory.agents[name].capacity, name
        for conversation_id in held:
            assert conversation_id not in owners, "assigned twice"
            owners[conversation_id] = name
    capacity = sum(ctx.directory.agents[name].capacity for name in seats)
    assert len(owners) == capacity  # fewer seats than the 30 waiting
    states = [(await c.status())["state"] for c in customers]
    assert states.count("agent") == capacity and states.count("queued") == len(customers) - capacity
    counts = await _outcomes(async_redis, keys)
    assert sum(int(n) for n in counts.values()) == capacity  # each assignment recorded exactly once


async def test_a_burst_of_wake_ups_is_served_by_a_few_rounds(app: FastAPI) -> None:
    ctx = app.state.context
    dispatcher = Dispatcher(ctx, tick_seconds=10.0, min_round_seconds=0.2)
    rounds: list[float] = []

    async def counted_round() -> int:
        rounds.append(time.monotonic())
        return 0

    async def last_round() -> float:
        return rounds[-1] if rounds else 0.0

    dispatcher.assign_round = counted_round  # type: ignore[method-assign]
    async with dispatcher.running():
        for _ in range(40):  # a handoff every 10 ms, each waking the dispatcher
            ctx.dispatch_requested.set()
            await asyncio.sleep(0.01)
        last_wake_up = time.monotonic()
        await wait_while_progressing(last_round, lambda last: last >= last_wake_up, what="a round")
    # Rounds at least 0.2 s apart (asyncio may wake a timer up to a clock tick early), however slow the
    # machine; not one per wake-up; and one after the last wake-up serves it.
    gaps = [later - earlier for earlier, later in itertools.pairwise(rounds)]
    assert gaps and min(gaps) >= 0.2 - 0.01, gaps
    assert len(rounds) < 40


async def _queued_in_a_bot_turn(client: httpx.AsyncClient, app: FastAPI, *, max_seconds: float) -> Customer:
    """As in a real turn: the gateway marks it, the action server requests the handoff inside the turn."""
    await login(client, "general_1")
    customer = await Customer.start(client, "C1001")
    await app.state.context.stores.conversations.begin_bot_turn(
        customer.conversation_id, max_seconds=max_seconds
    )
    assert (await customer.hand_off()).status_code == 201
    return customer


async def test_no_assignment_while_the_bot_is_answering(client: httpx.AsyncClient, app: FastAPI) -> None:
    ctx = app.state.context
    customer = await _queued_in_a_bot_turn(client, app, max_seconds=30)
    await _dispatcher(app).assign_round()
    assert (await customer.status())["state"] == "queued"  # the bot's "you are queued" is not stored yet

    assert await ctx.stores.conversations.end_bot_turn(customer.conversation_id) == "queued"
    await _dispatcher(app).assign_round()
    assert (await customer.status())["state"] == "agent"


async def test_a_bot_turn_mark_lapses(client: httpx.AsyncClient, app: FastAPI) -> None:
    """A process that died mid-turn cannot hold a customer in the queue for good."""
    customer = await _queued_in_a_bot_turn(client, app, max_seconds=0.2)
    await asyncio.sleep(0.3)
    await _dispatcher(app).assign_round()
    assert (await customer.status())["state"] == "agent"
