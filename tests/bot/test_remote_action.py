"""Action server answers are judged by the compiled schema exactly as by Rasa's own check."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.remote_action import compile_response_schema_once

RASA_CHECK = RemoteAction._validate_action_result

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


@pytest.fixture
def action(monkeypatch: pytest.MonkeyPatch) -> RemoteAction:
    # Put back Rasa's check after the test.
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RASA_CHECK)
    compile_response_schema_once()
    assert RemoteAction._validate_action_result is not RASA_CHECK
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
