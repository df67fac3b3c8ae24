from __future__ import annotations

from rasa_sdk.events import ActionExecuted, SlotSet

from actions.requests import ActionTakeRequests, in_order
from tests.actions.conftest import METADATA, make_tracker, responses, user_event


def _request(text: str, intent: str) -> dict:
    reading = {"name": intent, "confidence": 0.8}
    return {"text": text, "intent": reading, "intent_ranking": [reading], "entities": []}


POINTS = _request("顺便问下积分", "query_points")
ACTIVATE = _request("再帮我激活新卡", "activate_card")
BILL = _request("这期账单多少", "query_bill")
REPLACE = _request("顺便补一张新的", "replace_card")


def _split_message(*requests: dict):
    event = user_event("…", "multiple_requests", METADATA)
    event["parse_data"]["requests"] = list(requests)
    tracker = make_tracker([event])
    tracker.latest_message["requests"] = list(requests)
    return tracker


def test_questions_go_first_then_one_task() -> None:
    assert in_order([ACTIVATE, BILL]) == ([BILL, ACTIVATE], [])
    assert in_order([POINTS, ACTIVATE, REPLACE]) == ([POINTS, ACTIVATE], [REPLACE])


async def test_the_first_request_is_read_as_a_turn_and_the_rest_wait(dispatcher) -> None:
    events = await ActionTakeRequests().run(dispatcher, _split_message(ACTIVATE, POINTS), {})

    assert events[0] == SlotSet("pending_requests", [ACTIVATE])
    assert events[1] == ActionExecuted("action_listen")
    assert (events[2]["event"], events[2]["text"]) == ("user", "顺便问下积分")
    assert events[2]["parse_data"]["intent"]["name"] == "query_points"
    assert dispatcher.messages == []


async def test_after_an_answer_the_next_waiting_request_is_taken(dispatcher) -> None:
    tracker = make_tracker(
        [user_event("顺便问下积分", "query_points")], slots={"pending_requests": [ACTIVATE]}
    )

    events = await ActionTakeRequests().run(dispatcher, tracker, {})

    assert events[0] == SlotSet("pending_requests", None)
    assert events[2]["text"] == "再帮我激活新卡"


async def test_a_second_task_is_said_to_come_after_the_first(dispatcher) -> None:
    events = await ActionTakeRequests().run(
        dispatcher, _split_message(_request("卡丢了要挂失", "report_lost_card"), REPLACE), {}
    )

    assert events[0] == SlotSet("pending_requests", None)
    assert events[2]["parse_data"]["intent"]["name"] == "report_lost_card"
    assert responses(dispatcher) == ["utter_request_later"]
    assert dispatcher.messages[0]["request"] == "补卡换卡"


async def test_nothing_waiting_takes_nothing(dispatcher) -> None:
    events = await ActionTakeRequests().run(
        dispatcher, make_tracker([user_event("积分", "query_points")]), {}
    )

    assert events == [SlotSet("pending_requests", None)]
