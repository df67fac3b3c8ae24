"""The conversation case files and their format, without a running system: every file loads, and a typo in
a case is a clear error instead of an expectation that silently passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conversation_suite.schema import Category, ConversationFileError, load_file, load_suite
from tests.integration.conversation_suite.values import resolve, same_value

MIN_CONVERSATIONS = 200
MIN_PER_CATEGORY = 5


def test_every_case_file_loads_and_the_suite_is_big_enough() -> None:
    conversations = load_suite()
    assert len(conversations) >= MIN_CONVERSATIONS
    per_category = dict.fromkeys(Category, 0)
    for conversation in conversations:
        per_category[conversation.category] += 1
    assert min(per_category.values()) >= MIN_PER_CATEGORY, per_category


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.yml"
    path.write_text(text, encoding="utf-8")
    return path


VALID = """
category: confirmation
conversations:
  - id: one
    about: a valid case
    customer: C1001
    turns:
      - say: 你好
        expect: {actions: [utter_greet]}
"""


def test_a_valid_case_loads(tmp_path: Path) -> None:
    [conversation] = load_file(_write(tmp_path, VALID))
    assert conversation.category is Category.confirmation
    assert conversation.turns[0].expect.actions == ["utter_greet"]


@pytest.mark.parametrize(
    ("typo", "named"),
    [
        (VALID.replace("actions: [utter_greet]", "actoins: [utter_greet]"), "actoins"),
        (VALID.replace("utter_greet]", "utter_greeet]"), "utter_greeet"),
        (VALID.replace("customer: C1001", "customer: C9999"), "C9999"),
        (VALID.replace("category: confirmation", "category: confirmations"), "confirmations"),
        (
            VALID.replace("expect: {actions: [utter_greet]}", "expect: {slots: {card_tial: '1234'}}"),
            "card_tial",
        ),
        (VALID.replace("- say: 你好", "- say: 你好\n        click: 确认"), "exactly one of"),
        (VALID.replace("- say: 你好", "- agent: general_1\n        say: 你好"), "exactly one of"),
        (VALID.replace("- say: 你好", "- agent: general_2\n        claim: true"), "general_2"),
        (VALID.replace("expect: {actions: [utter_greet]}", "expect: {}"), "checks nothing"),
        (
            VALID.replace("expect: {actions: [utter_greet]}", "expect: {slots: {date: '@date:yesterday'}}"),
            "placeholder",
        ),
    ],
)
def test_a_typo_in_a_case_is_an_error_naming_it(tmp_path: Path, typo: str, named: str) -> None:
    with pytest.raises(ConversationFileError, match=named) as raised:
        load_file(_write(tmp_path, typo))
    assert "case.yml" in str(raised.value)


def test_date_placeholders_resolve_against_today() -> None:
    from datetime import date

    wednesday = date(2026, 11, 25)
    assert resolve("@date:-3", wednesday) == "2026-11-22"
    assert resolve("@weekday:-1:fri", wednesday) == "2026-11-20"
    assert resolve("@weekday:0:mon", wednesday) == "2026-11-23"
    assert same_value(1850, "1850.0", wednesday) and not same_value(1850, 1851, wednesday)
    assert same_value(None, None, wednesday) and not same_value(None, "x", wednesday)
