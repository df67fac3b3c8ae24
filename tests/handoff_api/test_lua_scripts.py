"""The Lua scripts against the real Redis, under concurrency."""

import asyncio
from collections.abc import Awaitable

import pytest
from redis.asyncio import Redis

from contract.names import CustomerTier, HandoffOutcome
from handoff_api.domain.exceptions import (
    AgentAtCapacity,
    ConversationNotFound,
    ConversationNotQueued,
    ConversationWithAgent,
    NotAssigned,
)
from handoff_api.domain.states import ConversationState, PresenceStatus
from handoff_api.store.conversations import ConversationStore
from handoff_api.store.lua_scripts import Enqueued, EnqueueResult, LuaScripts
from handoff_api.store.presence import Presence
from handoff_api.store.redis_keys import RedisKeys

REASON = "explicit_request"
GROUPS = ["general", "vip"]


@pytest.fixture(autouse=True)
async def general_agent_online(async_redis: Redis, keys: RedisKeys) -> None:
    """Queueing needs someone online who could take the conversation: g1 serves general."""
    presence = Presence(async_redis, keys, ttl_seconds=600, seat_groups={"g1": ["general"]}, groups=GROUPS)
    await presence.set_status("g1", PresenceStatus.ONLINE)


def _enqueue(
    scripts: LuaScripts,
    conversation_id: str,
    *,
    group: str = "general",
    deadline: float = 100.0,
    serving_groups: tuple[str, ...] = ("general",),
    secretary: str | None = None,
) -> Awaitable[Enqueued]:
    return scripts.enqueue(
        conversation_id,
        group=group,
        deadline=deadline,
        enqueued_at=0.0,
        timeout_at=600.0,
        packet_json="{}",
        reason=REASON,
        serving_groups=serving_groups,
        secretary=secretary,
    )


async def _queued(store: ConversationStore, scripts: LuaScripts, conversation_id: str) -> None:
    await store.create(conversation_id, customer_id="C1001", tier=CustomerTier.STANDARD)
    assert (await _enqueue(scripts, conversation_id)).result is EnqueueResult.QUEUED


async def test_many_concurrent_claims_have_exactly_one_winner(async_redis: Redis, keys: RedisKeys) -> None:
    store, scripts = ConversationStore(async_redis, keys, ttl_seconds=3600), LuaScripts(async_redis, keys)
    await _queued(store, scripts, "c1")

    outcomes = await asyncio.gather(
        *(scripts.claim("c1", agent=f"a{i}", group="general", capacity=1, now=1.0) for i in range(50)),
        return_exceptions=True,
    )

    winners = [i for i, outcome in enumerate(outcomes) if outcome is True]
    assert len(winners) == 1
    assert all(isinstance(o, ConversationNotQueued) for i, o in enumerate(outcomes) if i != winners[0])
    conversation = await store.get("c1")
    assert conversation.state is ConversationState.AGENT
    assert conversation.agent == f"a{winners[0]}"
    assert await store.queued_ids("general") == []
    assert await store.agent_conversation_ids(f"a{winners[0]}") == ["c1"]


async def test_a_second_claim_by_the_same_agent_changes_nothing(async_redis: Redis, keys: RedisKeys) -> None:
    store, scripts = ConversationStore(async_redis, keys, ttl_seconds=3600), LuaScripts(async_redis, keys)
    await _queued(store, scripts, "c1")
    assert await scripts.claim("c1", agent="a", group="general", capacity=1, now=1.0) is True
    before = await async_redis.hgetall(keys.conversation("c1"))

    # At capacity 1 and already holding c1: still not an error, and no second assignment is recorded.
    assert await scripts.claim("c1", agent="a", group="general", capacity=1, now=2.0) is False
    assert await async_redis.hgetall(keys.conversation("c1")) == before
    assert await store.agent_conversation_ids("a") == ["c1"]
    with pytest.raises(ConversationNotQueued):
        await scripts.claim("c1", agent="b", group="general", capacity=1, now=2.0)


async def test_concurrent_claims_by_one_agent_respect_capacity(async_redis: Redis, keys: RedisKeys) -> None:
    store, scripts = ConversationStore(async_redis, keys, ttl_seconds=3600), LuaScripts(async_redis, keys)
    ids = [f"c{i}" for i in range(10)]
    for conversation_id in ids:
        await _queued(store, scripts, conversation_id)

    outcomes = await asyncio.gather(
        *(scripts.claim(cid, agent="a", group="general", capacity=3, now=1.0) for cid in ids),
        return_exceptions=True,
    )

    assert sum(outcome is True for outcome in outcomes) == 3
    assert sum(isinstance(outcome, AgentAtCapacity) for outcome in outcomes) == 7
    assert len(await store.agent_conversation_ids("a")) == 3
    assert len(await store.queued_ids("general")) == 7


async def test_claim_in_wrong_group_or_unknown_conversation_fails(
    async_redis: Redis, keys: RedisKeys
) -> None:
    store, scripts = ConversationStore(async_redis, keys, ttl_seconds=3600), LuaScripts(async_redis, keys)
    await _queued(store, scripts, "c1")
    with pytest.raises(ConversationNotQueued):
        await scripts.claim("c1", agent="a", group="vip", capacity=1, now=1.0)
    with pytest.raises(ConversationNotFound):
        await scripts.claim("nope", agent="a", group="general", capacity=1, now=1.0)


async def test_enqueue_reports_the_position_and_counts_the_reason_once(
    async_redis: Redis, keys: RedisKeys
) -> None:
    store, scripts = ConversationStore(async_redis, keys, ttl_seconds=3600), LuaScripts(async_redis, keys)
    await _queued(store, scripts, "c1")
    await store.create("c2", customer_id="C1002", tier=CustomerTier.STANDARD)

    # An earlier deadline goes ahead of c1 (deadline 100); one agent of general is online.
    queued = Enqueued(EnqueueResult.QUEUED, "general", 1)
    assert await _enqueue(scripts, "c2", deadline=50.0) == queued
    again = Enqueued(EnqueueResult.ALREADY_QUEUED, "general", 2)
    assert await _enqueue(scripts, "c1", deadline=5.0) == again
    # Asked again for another group, it stays where it waits, and the script cannot say its position there.
    elsewhere = Enqueued(EnqueueResult.ALREADY_QUEUED, "general", None)
    assert await _enqueue(scripts, "c1", group="vip", deadline=5.0, serving_groups=("vip",)) == elsewhere
    assert (await store.get("c1")).group == "general"
    assert await async_redis.hget(keys.reason_counts(), REASON) == "2"  # c1 and c2, each once


async def test_enqueue_queues_only_if_someone_online_could_ever_take_it(
    async_redis: Redis, keys: RedisKeys
) -> None:
    store, scripts = ConversationStore(async_redis, keys, ttl_seconds=3600), LuaScripts(async_redis, keys)
    await store.create("c1", customer_id="C1001", tier=CustomerTier.PLATINUM)
    presence = Presence(async_redis, keys, ttl_seconds=600, seat_groups={"v1": ["vip"]}, groups=GROUPS)
    await presence.set_status("sec", PresenceStatus.ONLINE)  # a secretary, in no group of their own

    # Nobody of vip online (g1 serves general only): not queued, but the request's reason still counts.
    no_agent = Enqueued(EnqueueResult.NO_AGENT, "vip", None)
    assert await _enqueue(scripts, "c1", group="vip", serving_groups=("vip",)) == no_agent
    assert (await store.get("c1")).state is ConversationState.BOT
    assert await store.queued_ids("vip") == []
    assert await async_redis.hget(keys.reason_counts(), REASON) == "1"
    # An agent of an overflow group could take it once its target passes; so could the secretary.
    via_overflow = await _enqueue(scripts, "c1", group="vip", serving_groups=("vip", "general"))
    assert via_overflow == Enqueued(EnqueueResult.QUEUED, "vip", 1)
    await store.create("c2", customer_id="C1001", tier=CustomerTier.PLATINUM)
    assert (await _enqueue(scripts, "c2", group="vip", secretary="sec")).result is EnqueueResult.QUEUED
    # An agent who goes away no longer counts.
    await presence.set_status("v1", PresenceStatus.ONLINE)
    await presence.set_status("v1", PresenceStatus.AWAY)
    await store.create("c3", customer_id="C1001", tier=CustomerTier.PLATINUM)
    no_agent = await _enqueue(scripts, "c3", group="vip", serving_groups=("vip",))
    assert no_agent.result is EnqueueResult.NO_AGENT


async def test_enqueue_refuses_a_conversation_with_an_agent_or_unknown(
    async_redis: Redis, keys: RedisKeys
) -> None:
    store, scripts = ConversationStore(async_redis, keys, ttl_seconds=3600), LuaScripts(async_redis, keys)
    await _queued(store, scripts, "c1")
    await scripts.claim("c1", agent="a", group="general", capacity=1, now=1.0)
    for conversation_id, error in (("c1", ConversationWithAgent), ("nope", ConversationNotFound)):
        with pytest.raises(error):
            await _enqueue(scripts, conversation_id, deadline=5.0)
    assert await async_redis.hget(keys.reason_counts(), REASON) == "1"


async def test_release_frees_capacity_once_and_only_for_the_owner(
    async_redis: Redis, keys: RedisKeys
) -> None:
    store, scripts = ConversationStore(async_redis, keys, ttl_seconds=3600), LuaScripts(async_redis, keys)
    await _queued(store, scripts, "c1")
    await scripts.claim("c1", agent="a", group="general", capacity=1, now=1.0)

    with pytest.raises(NotAssigned):
        await scripts.release("c1", agent="b", group="general", now=2.0, handle_time_smoothing=0.1)
    await scripts.release("c1", agent="a", group="general", now=2.0, handle_time_smoothing=0.1)
    with pytest.raises(NotAssigned):
        await scripts.release("c1", agent="a", group="general", now=2.0, handle_time_smoothing=0.1)

    conversation = await store.get("c1")
    assert conversation.state is ConversationState.BOT
    assert conversation.agent is None and conversation.group is None
    assert await store.agent_conversation_ids("a") == []


async def test_end_wait_ends_a_wait_once_and_only_where_and_when_it_is(
    async_redis: Redis, keys: RedisKeys
) -> None:
    store, scripts = ConversationStore(async_redis, keys, ttl_seconds=3600), LuaScripts(async_redis, keys)
    await _queued(store, scripts, "c1")  # its queue timeout is at 600.0

    def end(
        conversation_id: str = "c1", *, group: str = "general", now: float = 1.0, due: bool = False
    ) -> Awaitable[bool]:
        return scripts.end_wait(
            conversation_id, group=group, outcome=HandoffOutcome.CANCELLED, now=now, only_if_due=due
        )

    assert await end(now=599.0, due=True) is False  # the timeout sweep: not due yet
    assert await end(group="vip") is False  # queued in another group than the caller thinks
    assert await end() is True
    assert await end() is False  # no longer queued
    assert (await store.get_many(["c1"]))[0].state is ConversationState.BOT
    with pytest.raises(ConversationNotFound):
        await end("nobody")
