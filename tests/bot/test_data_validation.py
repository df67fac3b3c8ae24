from __future__ import annotations

from pathlib import Path

import pytest

from bot.data_validation import SentResponses, main, unexpected_warnings

ACTION_SOURCE = """
dispatcher.utter_message(response="utter_points")
dispatcher.utter_message(response=f"utter_ticket_created_{category.value}")
"""
FORMS = {"ticket_form": ["ticket_description"]}


def unused(response: str) -> str:
    return f"The utterance '{response}' is not used in any story or rule."


def without_examples(intent: str) -> str:
    return f"The intent '{intent}' is listed in the domain file, but is not found in the NLU training data."


@pytest.fixture
def sent() -> SentResponses:
    return SentResponses.find([ACTION_SOURCE], FORMS)


@pytest.mark.parametrize(
    "message",
    [
        unused("utter_points"),
        unused("utter_ticket_created_dispute"),
        unused("utter_ask_ticket_form_ticket_description"),
        unused("utter_ask_ticket_description"),
        without_examples("EXTERNAL_handoff_ended"),
        without_examples("rate_service"),
        "Slot auto-fill has been removed in 3.0 and replaced with a new explicit mechanism to set slots.",
    ],
)
def test_the_warnings_rasa_cannot_avoid_pass(message: str, sent: SentResponses) -> None:
    assert unexpected_warnings([message], sent) == []


@pytest.mark.parametrize(
    "message",
    [
        unused("utter_nobody_sends_this"),
        unused("utter_ticket"),
        unused("utter_ask_ticket_form_other_slot"),
        without_examples("query_balance"),
        "The intent 'greet' is not used in any story or rule.",
        "The example '你好' was found labeled with multiple different intents in the training data.",
    ],
)
def test_any_other_warning_fails(message: str, sent: SentResponses) -> None:
    assert unexpected_warnings([message], sent) == [message]


def _write_project(root: Path, responses: list[str]) -> list[str]:
    (root / "data").mkdir()
    (root / "actions").mkdir()
    (root / "config.yml").write_text(
        "recipe: default.v1\nassistant_id: validation-test\nlanguage: zh\npipeline: []\npolicies: []\n",
        encoding="utf-8",
    )
    listed = "".join(f'  {name}:\n    - text: "好的"\n' for name in ["utter_greet", *responses])
    (root / "domain.yml").write_text(
        f'version: "3.1"\nintents:\n  - greet\nresponses:\n{listed}', encoding="utf-8"
    )
    (root / "data" / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: greet\n    examples: |\n      - 你好\n      - 您好\n',
        encoding="utf-8",
    )
    (root / "data" / "rules.yml").write_text(
        'version: "3.1"\nrules:\n  - rule: greet\n    steps:\n      - intent: greet\n'
        "      - action: utter_greet\n",
        encoding="utf-8",
    )
    (root / "actions" / "points.py").write_text(
        'dispatcher.utter_message(response="utter_points")\n', encoding="utf-8"
    )
    return [
        f"--{part}={root / name}"
        for part, name in [("config", "config.yml"), ("domain", "domain.yml"), ("data", "data")]
    ] + [f"--actions={root / 'actions'}"]


def test_rasa_validation_passes_a_project_whose_responses_are_all_sent(tmp_path: Path) -> None:
    assert main(_write_project(tmp_path, ["utter_points"])) == 0


def test_rasa_validation_fails_on_a_response_nothing_sends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_write_project(tmp_path, ["utter_points", "utter_dead"])) == 1
    assert "warning not allowed: The utterance 'utter_dead' is not used" in capsys.readouterr().err
