"""The answer to each conversation's latest turn, kept so that a retried turn is answered, not run, again.

The gateway retries a turn whose answer it did not get (Rasa slow, restarted, or one of several Rasa
processes killed), always with the same message id (bot/channels/gateway.py). The record of the answer is
written in the same Redis transaction as the tracker that holds the turn (bot/tracker_store.py): written
apart, a Rasa killed between the two writes would leave a tracker that holds the turn and no answer, and the
retry would run the turn again on top of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import redis
from rasa.shared.core.trackers import DialogueStateTracker

from contract.identity import Turn

# Long enough for any retry of a turn to find it; one record per conversation, replaced at each turn.
ANSWERED_TURN_TTL_SECONDS = 24 * 3600


@dataclass
class PendingAnswer:
    """The answer of the turn running in this task, to be written with the tracker that holds it."""

    key: str
    message_id: str
    answer: Callable[[], dict[str, Any]]  # read when written: the replies are collected as the turn runs
    written: bool = False

    def record(self) -> str:
        return json.dumps({"message_id": self.message_id, "answer": self.answer()}, ensure_ascii=False)

    def write(self, client: redis.Redis | redis.client.Pipeline) -> None:
        """At once on a client; queued on a pipeline (the tracker's save)."""
        client.set(self.key, self.record(), ex=ANSWERED_TURN_TTL_SECONDS)


# Per task: each turn is served in a task of its own, so concurrent conversations never see each other's.
_PENDING: ContextVar[PendingAnswer | None] = ContextVar("pending_answer", default=None)


def pending_answer_for(tracker: DialogueStateTracker) -> PendingAnswer | None:
    """The running turn's answer, once `tracker` holds its message: its final save. Rasa saves a new
    conversation's tracker before it logs the message, and that save must not record an answer yet."""
    pending = _PENDING.get()
    latest = tracker.latest_message
    if pending is None or pending.written or latest is None or latest.message_id != pending.message_id:
        return None
    return pending


class AnsweredTurns:
    """The last answered turn of each conversation (message id and answer), in Redis next to the trackers."""

    def __init__(self, redis_url: str, key_prefix: str) -> None:
        self._redis = redis.Redis.from_url(redis_url, decode_responses=True)
        self._prefix = key_prefix

    def _key(self, conversation_id: str) -> str:
        # String (JSON {"message_id", "answer"}), with TTL: the answer to the conversation's latest turn.
        return f"{self._prefix}:answered_turn:{conversation_id}"

    def answer_to(self, turn: Turn) -> dict[str, Any] | None:
        raw = self._redis.get(self._key(turn.conversation_id))
        record = json.loads(raw) if raw else None
        return record.get("answer") if record and record["message_id"] == turn.message_id else None

    @contextmanager
    def recording(self, turn: Turn, answer: Callable[[], dict[str, Any]]) -> Iterator[None]:
        """Run the turn inside: its answer is written with its tracker's save, or else on its own once the
        turn ran (a store that is not ours saved it, such as Rasa's fallback to memory while Redis fails).
        A turn that raises records nothing."""
        pending = PendingAnswer(self._key(turn.conversation_id), turn.message_id, answer)
        token = _PENDING.set(pending)
        try:
            yield
        finally:
            _PENDING.reset(token)
        if not pending.written:
            pending.write(self._redis)
