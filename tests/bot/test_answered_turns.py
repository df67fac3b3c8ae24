"""A turn's answer is recorded in the same Redis transaction as the tracker that holds the turn."""

from __future__ import annotations

import threading

import pytest
import redis
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.answered_turns import ANSWERED_TURN_TTL_SECONDS, AnsweredTurns
from bot.tracker_store import BoundedRedisTrackerStore
from contract.identity import Turn

DOMAIN = Domain.load("domain.yml")
REPLIES = [{"recipient_id": "conv-1", "text": "您好"}]


@pytest.fixture
def answered(prefix: str) -> AnsweredTurns:
    return AnsweredTurns("redis://127.0.0.1:6379/0", prefix)


def _turn(message_id: str) -> Turn:
    return Turn("conv-1", message_id, "你好", False, "signed-identity")


def _tracker(*message_ids: str) -> DialogueStateTracker:
    events: list = [ActionExecuted("action_listen")]
    for message_id in message_ids:
        events += [
            UserUttered("你好", {"name": "greet", "confidence": 1.0}, message_id=message_id),
            BotUttered("您好"),
            ActionExecuted("action_listen"),
        ]
    return DialogueStateTracker.from_events("conv-1", events, slots=DOMAIN.slots)


def _answer() -> dict:
    return {"replies": REPLIES, "reading": None}


class _Commands:
    """What Redis receives meanwhile, as MONITOR reports it: (client, command name, first argument)."""

    def __init__(self, prefix: str) -> None:
        self._monitor = redis.Redis(decode_responses=True).monitor()
        self._monitor.__enter__()
        self._end = f"{prefix}-end"
        self.seen: list[tuple[str, str, str]] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            report = self._monitor.next_command()
            name, _, rest = report["command"].partition(" ")
            if name == "ECHO" and self._end in rest:
                return
            client = f"{report['client_address']}:{report['client_port']}"
            self.seen.append((client, name, rest.split(" ")[0]))

    def stop(self) -> None:
        """Once Redis has received everything sent so far."""
        redis.Redis().echo(self._end)
        self._thread.join(timeout=10)

    def of_the_client_that_set(self, key: str) -> list[tuple[str, str]]:
        client = next(who for who, name, argument in self.seen if name == "SET" and argument == key)
        return [(name, argument) for who, name, argument in self.seen if who == client]

    def sets_of(self, key: str) -> int:
        return sum(1 for _who, name, argument in self.seen if name == "SET" and argument == key)


async def test_the_answer_is_written_with_the_save_that_holds_the_turn_in_one_transaction(
    store: BoundedRedisTrackerStore, answered: AnsweredTurns, prefix: str
) -> None:
    commands = _Commands(prefix)
    with answered.recording(_turn("m2"), _answer):
        await store.save(_tracker("m1", "m2"))
        assert answered.answer_to(_turn("m2")) == _answer()  # written by the save itself
    commands.stop()
    sent = commands.of_the_client_that_set(f"{prefix}:tracker:conv-1")

    assert sent == [
        ("MULTI", ""),
        ("SET", f"{prefix}:tracker:conv-1"),
        ("SET", f"{prefix}:answered_turn:conv-1"),
        ("EXEC", ""),
    ]
    assert commands.sets_of(f"{prefix}:answered_turn:conv-1") == 1  # not again as the turn ends
    assert 0 < redis.Redis().ttl(f"{prefix}:answered_turn:conv-1") <= ANSWERED_TURN_TTL_SECONDS


async def test_a_save_before_the_turn_holds_its_message_records_nothing(
    store: BoundedRedisTrackerStore, answered: AnsweredTurns
) -> None:
    # Rasa saves a new conversation's tracker before it logs the message; the turn then saves again.
    with answered.recording(_turn("m2"), _answer):
        await store.save(_tracker("m1"))
        assert answered.answer_to(_turn("m2")) is None
        await store.save(_tracker("m1", "m2"))
        assert answered.answer_to(_turn("m2")) == _answer()


async def test_a_turn_no_redis_save_held_records_its_answer_once_it_ran(answered: AnsweredTurns) -> None:
    with answered.recording(_turn("m1"), _answer):
        assert answered.answer_to(_turn("m1")) is None

    assert answered.answer_to(_turn("m1")) == _answer()
    assert answered.answer_to(_turn("m0")) is None  # only the same message id is answered from the record


async def test_a_turn_that_fails_records_nothing(
    store: BoundedRedisTrackerStore, answered: AnsweredTurns
) -> None:
    with pytest.raises(RuntimeError), answered.recording(_turn("m1"), _answer):
        raise RuntimeError("the action server failed")

    assert answered.answer_to(_turn("m1")) is None
    await store.save(_tracker("m1"))  # outside a turn: the tracker alone
    assert answered.answer_to(_turn("m1")) is None
