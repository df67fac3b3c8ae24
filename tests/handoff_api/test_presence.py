"""Presence and its index of online agents against the real Redis."""

import asyncio

import httpx
from redis.asyncio import Redis

from handoff_api.domain.states import PresenceStatus
from handoff_api.store.presence import Presence
from handoff_api.store.redis_keys import RedisKeys
from tests.handoff_api.conftest import PASSWORD


async def test_statuses_and_the_online_index_agree(async_redis: Redis, keys: RedisKeys) -> None:
    presence = Presence(async_redis, keys, ttl_seconds=60)
    await presence.set_status("a", PresenceStatus.ONLINE)
    await presence.set_status("b", PresenceStatus.AWAY)
    await presence.touch("c")  # a console calling in with no status yet is online
    assert await presence.online_usernames() == {"a", "c"}
    assert await presence.statuses(["a", "b", "c", "d"]) == {
        "a": PresenceStatus.ONLINE,
        "b": PresenceStatus.AWAY,
        "c": PresenceStatus.ONLINE,
        "d": PresenceStatus.OFFLINE,
    }

    await presence.touch("b")  # keeps an away agent away
    await presence.set_status("a", PresenceStatus.OFFLINE)
    assert await presence.online_usernames() == {"c"}
    assert (await presence.statuses(["b"]))["b"] is PresenceStatus.AWAY


async def test_an_agent_whose_console_went_quiet_drops_out(async_redis: Redis, keys: RedisKeys) -> None:
    presence = Presence(async_redis, keys, ttl_seconds=1)
    await presence.set_status("quiet", PresenceStatus.ONLINE)
    await Presence(async_redis, keys, ttl_seconds=60).set_status("busy", PresenceStatus.ONLINE)
    assert await presence.online_usernames() == {"quiet", "busy"}

    await asyncio.sleep(1.2)
    assert await presence.online_usernames() == {"busy"}
    assert (await presence.statuses(["quiet"]))["quiet"] is PresenceStatus.OFFLINE
    await presence.touch("quiet")  # back at the console: online again
    assert await presence.online_usernames() == {"quiet", "busy"}


async def test_group_indexes_count_only_agents_of_the_group(async_redis: Redis, keys: RedisKeys) -> None:
    groups = {"a": ["general", "vip"], "b": ["vip"]}
    every_group = ["general", "vip", "risk"]
    presence = Presence(async_redis, keys, ttl_seconds=60, seat_groups=groups, groups=every_group)
    for name in ("a", "b", "boss"):  # boss is a supervisor: online, but in no group
        await presence.set_status(name, PresenceStatus.ONLINE)
    counts = {group: await presence.online_in_group(group) for group in ("general", "vip", "risk")}
    assert counts == {"general": 1, "vip": 2, "risk": 0}
    assert await presence.online_usernames() == {"a", "b", "boss"}

    await presence.set_status("b", PresenceStatus.AWAY)
    assert await presence.online_in_group("vip") == 1
    # a is moved out of vip in the configuration: the next console call takes them out of its index.
    moved = Presence(async_redis, keys, ttl_seconds=60, seat_groups={"a": ["general"]}, groups=every_group)
    await moved.touch("a")
    assert (await presence.online_in_group("general"), await presence.online_in_group("vip")) == (1, 0)


async def test_the_console_reads_the_presence_the_server_holds(client: httpx.AsyncClient) -> None:
    login = await client.post("/api/auth/login", json={"username": "general_1", "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert login.json()["agent"]["presence"] == "online"  # logging in puts the agent online
    headers = {"Authorization": f"Bearer {login.json()['token']}"}

    away = await client.put("/api/agent/presence", json={"status": "away"}, headers=headers)
    assert away.status_code == 200, away.text
    me = await client.get("/api/agent/me", headers=headers)

    assert me.status_code == 200, me.text
    assert (me.json()["username"], me.json()["presence"]) == ("general_1", "away")
