"""Typed wrappers over the Lua scripts in lua/: return codes become results or domain exceptions."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from contract.names import HandoffOutcome
from handoff_api.domain.exceptions import (
    AgentAtCapacity,
    AgentNotOnline,
    ConversationNotFound,
    ConversationNotQueued,
    ConversationWithAgent,
    HandoffError,
    NotAssigned,
)
from handoff_api.store.redis_keys import RedisKeys

_LUA_DIR = Path(__file__).parent / "lua"
# Scripts that end a handoff call record_outcome(), defined in this shared prelude.
_OUTCOME_PRELUDE = (_LUA_DIR / "lib" / "outcome.lua").read_text()


def load_script(redis: Redis, name: str, *, prelude: str = "") -> AsyncScript:
    # register_script sends EVALSHA and falls back to loading the script once when Redis lacks it.
    return redis.register_script(prelude + (_LUA_DIR / name).read_text())


class EnqueueResult(IntEnum):
    QUEUED = 1
    ALREADY_QUEUED = 0
    NO_AGENT = -3  # nobody online could ever take it: not queued


@dataclass(frozen=True)
class Enqueued:
    result: EnqueueResult
    group: str  # where it waits: a repeated request leaves it in the group it was first queued for
    # None when it waits in another group than the request asked for, or was not queued.
    position: int | None  # 1-based


def _raise_for(code: int, errors: dict[int, type[HandoffError]]) -> None:
    if code in errors:
        raise errors[code]


class LuaScripts:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._keys = keys

        def load(name: str, *, records_outcome: bool = False) -> AsyncScript:
            return load_script(redis, name, prelude=_OUTCOME_PRELUDE if records_outcome else "")

        self._enqueue = load("enqueue.lua")
        self._claim = load("claim.lua", records_outcome=True)
        self._release = load("release.lua", records_outcome=True)
        self._end_wait = load("end_wait.lua", records_outcome=True)
        self._transfer_to_group = load("transfer_to_group.lua")
        self._transfer_to_agent = load("transfer_to_agent.lua")
        self._record_outcome = load("record_outcome.lua", records_outcome=True)

    async def enqueue(
        self,
        conversation_id: str,
        *,
        group: str,
        deadline: float,
        enqueued_at: float,
        timeout_at: float,
        packet_json: str,
        reason: str,
        serving_groups: Sequence[str],
        secretary: str | None,
    ) -> Enqueued:
        """Queue in `group` if anyone online could take it: an agent of `serving_groups` or the secretary."""
        reply = await self._enqueue(
            keys=[
                self._keys.conversation(conversation_id),
                self._keys.queue(group),
                self._keys.queue_timeouts(),
                self._keys.reason_counts(),
                self._keys.online_agents(),
                # The script counts KEYS[6] as the queue's own group.
                *(self._keys.online_in_group(name) for name in dict.fromkeys([group, *serving_groups])),
            ],
            args=[
                conversation_id,
                group,
                repr(deadline),
                repr(enqueued_at),
                packet_json,
                repr(timeout_at),
                reason,
                secretary or "",
            ],
        )
        _raise_for(reply[0], {-1: ConversationNotFound, -2: ConversationWithAgent})
        if reply[0] == EnqueueResult.NO_AGENT:
            return Enqueued(EnqueueResult.NO_AGENT, group, None)
        code, queued_group, position = reply
        return Enqueued(result=EnqueueResult(code), group=queued_group, position=position)

    async def claim(
        self,
        conversation_id: str,
        *,
        agent: str,
        group: str,
        capacity: int,
        now: float,
        require_online: bool = False,
        smoothing: float = 0.2,
    ) -> bool:
        """Assigns the conversation; False when it was already with this agent (nothing changed)."""
        code = await self._claim(
            keys=[
                self._keys.conversation(conversation_id),
                self._keys.queue(group),
                self._keys.agent_conversations(agent),
                self._keys.agent_presence(agent),
                self._keys.queue_timeouts(),
                self._keys.outcome_log(),
                self._keys.outcome_counts(),
                self._keys.group_stats(group),
            ],
            args=[conversation_id, agent, group, capacity, repr(now), int(require_online), repr(smoothing)],
        )
        _raise_for(
            code,
            {
                -1: ConversationNotFound,
                -2: ConversationNotQueued,
                -3: ConversationNotQueued,
                -4: AgentAtCapacity,
                -5: AgentNotOnline,
            },
        )
        return code == 1

    async def release(
        self, conversation_id: str, *, agent: str, group: str, now: float, handle_time_smoothing: float
    ) -> None:
        """Hand the agent's conversation back to the bot; its handling time joins the group's average."""
        code = await self._release(
            keys=[
                self._keys.conversation(conversation_id),
                self._keys.agent_conversations(agent),
                self._keys.outcome_log(),
                self._keys.outcome_counts(),
                self._keys.group_stats(group),
            ],
            args=[conversation_id, agent, repr(now), repr(handle_time_smoothing)],
        )
        _raise_for(code, {-1: ConversationNotFound, -2: NotAssigned})

    async def end_wait(
        self, conversation_id: str, *, group: str, outcome: HandoffOutcome, now: float, only_if_due: bool
    ) -> bool:
        """True when this call ended the wait; False when it was no longer due, or no longer queued in
        that group (assigned, cancelled, timed out or transferred meanwhile)."""
        code = await self._end_wait(
            keys=[
                self._keys.conversation(conversation_id),
                self._keys.queue(group),
                self._keys.queue_timeouts(),
                self._keys.outcome_log(),
                self._keys.outcome_counts(),
            ],
            args=[conversation_id, group, outcome.value, repr(now), int(only_if_due)],
        )
        _raise_for(code, {-1: ConversationNotFound})
        return code == 1

    async def transfer_to_group(
        self,
        conversation_id: str,
        *,
        agent: str,
        group: str,
        deadline: float,
        enqueued_at: float,
        timeout_at: float,
        note: str,
    ) -> None:
        code = await self._transfer_to_group(
            keys=[
                self._keys.conversation(conversation_id),
                self._keys.agent_conversations(agent),
                self._keys.queue(group),
                self._keys.queue_timeouts(),
            ],
            args=[conversation_id, agent, group, repr(deadline), repr(enqueued_at), repr(timeout_at), note],
        )
        _raise_for(code, {-1: ConversationNotFound, -2: NotAssigned})

    async def transfer_to_agent(
        self, conversation_id: str, *, agent: str, target: str, target_capacity: int, now: float, note: str
    ) -> None:
        code = await self._transfer_to_agent(
            keys=[
                self._keys.conversation(conversation_id),
                self._keys.agent_conversations(agent),
                self._keys.agent_conversations(target),
                self._keys.agent_presence(target),
            ],
            args=[conversation_id, agent, target, target_capacity, repr(now), note],
        )
        _raise_for(code, {-1: ConversationNotFound, -2: NotAssigned, -4: AgentAtCapacity, -5: AgentNotOnline})

    async def record_outcome(
        self, conversation_id: str, *, outcome: HandoffOutcome, group: str, now: float
    ) -> None:
        await self._record_outcome(
            keys=[self._keys.outcome_log(), self._keys.outcome_counts()],
            args=[conversation_id, outcome.value, group, repr(now)],
        )
