from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.clauses import CLAUSE_INTENTS, clauses
from bot.components.request_splitter import MULTIPLE_REQUESTS_INTENT, REQUESTS, RequestSplitter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("顺便问下积分，再帮我激活新卡", ["顺便问下积分", "再帮我激活新卡"]),
        ("金卡年费怎么收的?另外账单能分期吗", ["金卡年费怎么收的", "另外账单能分期吗"]),
        ("查下积分顺便激活新卡", ["查下积分", "顺便激活新卡"]),
        ("3,500那笔不是我刷的", ["3,500那笔不是我刷的"]),  # a thousands separator is no boundary
        ("额度1.5万够吗", ["额度1.5万够吗"]),
        ("好，", []),  # a clause of one character is none
    ],
)
def test_clauses(text: str, expected: list[str]) -> None:
    found = clauses(text)
    assert [c.text for c in found] == expected
    assert all(text[c.start : c.end] == c.text for c in found)


def _reading(name: str, confidence: float, start: int, end: int, text: str) -> dict:
    return {"name": name, "confidence": confidence, "start": start, "end": end, "text": text}


TEXT = "查下尾号1234的积分，再帮我激活新卡"


def _message(intent: str, readings: list[dict]) -> Message:
    entity = {"entity": "card_tail", "start": 4, "end": 8, "value": "1234", "extractor": "x"}
    message = Message(
        data={
            "text": TEXT,
            "intent": {"name": intent, "confidence": 0.7},
            "intent_ranking": [{"name": intent, "confidence": 0.7}],
            "entities": [entity],
        }
    )
    message.set(CLAUSE_INTENTS, readings)
    return message


@pytest.fixture
def splitter(model_storage, resource, execution_context) -> RequestSplitter:
    return RequestSplitter.create(
        RequestSplitter.get_default_config(), model_storage, resource, execution_context
    )


def test_two_requests_become_multiple_requests(splitter: RequestSplitter) -> None:
    message = _message(
        "query_points",
        [
            _reading("query_points", 0.8, 0, 11, "查下尾号1234的积分"),
            _reading("activate_card", 0.9, 12, 19, "再帮我激活新卡"),
        ],
    )

    splitter.process([message])

    assert message.get("intent") == {"name": MULTIPLE_REQUESTS_INTENT, "confidence": 0.7}
    assert [e["name"] for e in message.get("intent_ranking")] == [MULTIPLE_REQUESTS_INTENT, "query_points"]
    first, second = message.get(REQUESTS)
    assert (first["text"], first["intent"]["name"]) == ("查下尾号1234的积分", "query_points")
    # Each request carries the entities said in its own words, at offsets of those words.
    assert [(e["value"], e["start"], e["end"]) for e in first["entities"]] == [("1234", 4, 8)]
    assert (second["text"], second["intent"]["name"], second["entities"]) == (
        "再帮我激活新卡",
        "activate_card",
        [],
    )


@pytest.mark.parametrize(
    ("intent", "readings"),
    [
        # one request said twice
        (
            "query_points",
            [_reading("query_points", 0.8, 0, 11, "a"), _reading("query_points", 0.9, 12, 19, "b")],
        ),
        # the second clause is no request of its own
        ("query_points", [_reading("query_points", 0.8, 0, 11, "a"), _reading("greet", 0.9, 12, 19, "b")]),
        # unsure about a clause
        (
            "query_points",
            [_reading("query_points", 0.8, 0, 11, "a"), _reading("activate_card", 0.3, 12, 19, "b")],
        ),
        # the whole message is read as neither clause: the clauses are not trusted over it
        (
            "complain",
            [_reading("query_points", 0.8, 0, 11, "a"), _reading("activate_card", 0.9, 12, 19, "b")],
        ),
        # not understood, or unsure around card security: left to those components' questions
        (
            "nlu_fallback",
            [_reading("query_points", 0.8, 0, 11, "a"), _reading("activate_card", 0.9, 12, 19, "b")],
        ),
        ("query_points", []),
    ],
)
def test_other_messages_are_left_alone(splitter: RequestSplitter, intent: str, readings: list[dict]) -> None:
    message = _message(intent, readings)

    splitter.process([message])

    assert message.get("intent")["name"] == intent and message.get(REQUESTS) is None


def test_a_request_taken_back_for_another_is_read_as_the_other(splitter: RequestSplitter) -> None:
    message = _message(
        "report_lost_card",
        [
            _reading("deny", 0.7, 0, 3, "哦不对"),
            _reading("report_lost_card", 0.9, 4, 8, "不是挂失"),
            _reading("freeze_card", 0.8, 9, 14, "是临时冻结"),
        ],
    )

    splitter.process([message])

    assert message.get("intent") == {"name": "freeze_card", "confidence": 0.8}
    assert [e["name"] for e in message.get("intent_ranking")] == ["freeze_card", "report_lost_card"]
    assert message.get(REQUESTS) is None


def test_a_negated_clause_of_another_request_changes_nothing(splitter: RequestSplitter) -> None:
    readings = [
        _reading("query_points", 0.9, 0, 4, "查下积分"),
        _reading("activate_card", 0.8, 5, 10, "不要激活"),
    ]
    message = _message("query_points", readings)

    splitter.process([message])

    assert message.get("intent")["name"] == "query_points" and message.get(REQUESTS) is None
