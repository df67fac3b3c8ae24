"""Rasa's per-turn work done once: the same answers as Rasa's own code."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet, UserUttered, deserialise_events
from rasa.shared.core.slots import Slot
from rasa.shared.utils.common import all_subclasses

from bot import rasa_speedups
from tests.bot.conftest import put_back_after

RASA_CHECK = RemoteAction._validate_action_result
RASA_RESOLVE = Event.resolve_by_type

VALID = [
    {},
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "card_tail", "value": "1234"},
            {"event": "action_execution_rejected"},
        ],
        "responses": [{"text": "您的卡已冻结。", "buttons": [{"title": "好的", "payload": "/affirm"}]}],
    },
]
INVALID = [
    {"events": {"event": "slot"}},
    {"events": [{"name": "card_tail"}]},
    {"events": [{"event": "slot", "name": 3}]},
    {"responses": ["您的卡已冻结。"]},
]


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Rasa's own code is put back after each test.
    put_back_after(monkeypatch)
    rasa_speedups.install()
    assert RemoteAction._validate_action_result is not RASA_CHECK
    assert Event.resolve_by_type is not RASA_RESOLVE
    yield


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_freeze_card", None)


@pytest.mark.parametrize("response", VALID)
def test_a_valid_answer_passes_as_with_rasa(action: RemoteAction, response: dict[str, Any]) -> None:
    assert RASA_CHECK(action, response) is True
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_an_invalid_answer_fails_with_rasas_error(action: RemoteAction, response: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as rasa_error:
        RASA_CHECK(action, response)
    with pytest.raises(ValidationError) as ours:
        action._validate_action_result(response)
    assert ours.value.message == rasa_error.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_every_event_type_resolves_to_rasas_class() -> None:
    names = {event_class.type_name for event_class in all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert Event.resolve_by_type(name) is RASA_RESOLVE(name)
    assert Event.resolve_by_type("topic") is None  # Rasa's old TopicSet events are skipped
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_a_stored_tracker_reads_back_the_same_events() -> None:
    events = [
        UserUttered("帮我冻结卡", {"name": "freeze_card", "confidence": 0.9}),
        SlotSet("card_tail", "1234"),
    ]
    assert deserialise_events([event.as_dict() for event in events]) == events


def test_a_slot_copies_as_copy_copy_copied_it() -> None:
    slots = Domain.load("domain.yml").slots
    with pytest.MonkeyPatch.context() as rasa_own:
        rasa_own.delattr(Slot, "__copy__")
        expected = [copy.copy(slot) for slot in slots]

    copies = [copy.copy(slot) for slot in slots]

    assert [type(c) for c in copies] == [type(e) for e in expected]
    assert [vars(c) for c in copies] == [vars(e) for e in expected]
    for original, copied in zip(slots, copies, strict=True):
        copied.value = "changed"
        assert original.value != "changed"
