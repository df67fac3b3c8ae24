from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.clauses import CLAUSE_INTENTS, REQUEST_CLAUSE, clauses
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


def test_a_clause_that_only_tells_is_the_complaint_story(splitter: RequestSplitter) -> None:
    message = _message(
        "complain",
        [
            _reading("complain", 0.9, 0, 4, "我要投诉"),
            _reading("query_points", 0.9, 5, 17, "积分兑换的东西寄来是坏的"),
        ],
    )

    splitter.process([message])

    assert message.get("intent")["name"] == "complain"
    assert message.get(REQUESTS) is None


def test_a_question_beside_a_complaint_is_a_request_of_its_own(splitter: RequestSplitter) -> None:
    message = _message(
        "complain",
        [_reading("complain", 0.9, 0, 4, "我要投诉"), _reading("query_points", 0.9, 5, 11, "顺便问下积分")],
    )

    splitter.process([message])

    assert [r["intent"]["name"] for r in message.get(REQUESTS)] == ["complain", "query_points"]


def test_a_card_at_risk_is_taken_first(splitter: RequestSplitter) -> None:
    message = _message(
        "dispute_transaction",
        [
            _reading("dispute_transaction", 0.9, 0, 6, "好像被盗刷了"),
            _reading("freeze_card", 0.9, 7, 13, "先帮我冻结卡"),
        ],
    )

    splitter.process([message])

    assert [r["intent"]["name"] for r in message.get(REQUESTS)] == ["freeze_card", "dispute_transaction"]


@pytest.mark.parametrize("unsure", ["nlu_security_unsure", "nlu_fallback"])
def test_unsure_between_the_two_requests_it_holds_is_split(splitter: RequestSplitter, unsure: str) -> None:
    readings = [
        _reading("report_lost_card", 0.9, 0, 6, "卡丢了要挂失"),
        _reading("replace_card", 0.9, 7, 14, "顺便补一张新的"),
    ]
    message = _message(unsure, readings)
    message.set(
        "intent_ranking",
        [
            {"name": unsure, "confidence": 0.5},
            {"name": "replace_card", "confidence": 0.5},
            {"name": "report_lost_card", "confidence": 0.4},
        ],
    )

    splitter.process([message])

    assert [r["intent"]["name"] for r in message.get(REQUESTS)] == ["report_lost_card", "replace_card"]


def _story(intent: str, confidence: float, asking: dict) -> Message:
    message = Message(
        data={
            "text": TEXT,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        }
    )
    message.set(REQUEST_CLAUSE, asking)
    return message


def test_a_long_story_is_read_by_the_clause_that_asks(splitter: RequestSplitter) -> None:
    asking = _reading("activate_card", 0.9, 60, 72, "现在想把这张新卡开通用起来")
    message = _story("replace_card", 0.72, asking)

    splitter.process([message])

    assert message.get("intent") == {"name": "activate_card", "confidence": 0.9}
    assert [r["name"] for r in message.get("intent_ranking")] == ["activate_card", "replace_card"]


@pytest.mark.parametrize(
    ("intent", "confidence", "asking"),
    [
        ("replace_card", 0.95, _reading("activate_card", 0.9, 60, 72, "现在想把新卡开通")),  # whole surer
        ("complain", 0.6, _reading("query_points", 0.9, 60, 66, "积分怎么查")),  # a complaint's story
        ("replace_card", 0.6, _reading("greet", 0.9, 60, 63, "你好吗")),  # no request
    ],
)
def test_a_long_story_keeps_its_reading(
    splitter: RequestSplitter, intent: str, confidence: float, asking: dict
) -> None:
    message = _story(intent, confidence, asking)

    splitter.process([message])

    assert message.get("intent") == {"name": intent, "confidence": confidence}


@pytest.mark.parametrize("whole", ["nlu_security_unsure", "deny"])
def test_an_unsure_or_deny_reading_taken_back_is_corrected(splitter: RequestSplitter, whole: str) -> None:
    message = _message(
        whole,
        [
            _reading("report_lost_card", 0.8, 3, 7, "不是挂失"),
            _reading("freeze_card", 0.9, 8, 14, "是临时冻结"),
        ],
    )

    splitter.process([message])

    assert message.get("intent") == {"name": "freeze_card", "confidence": 0.9}
