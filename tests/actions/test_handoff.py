from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.clients.handoff import HandoffError, HandoffRequest, HandoffResult, TranscriptLine
from actions.handoff import ActionRequestHandoff
from contract.names import HandoffStatus
from tests.actions.conftest import METADATA, bot_event, make_tracker, user_event


class FakeHandoffClient:
    def __init__(self, result: HandoffResult | None = None, error: Exception | None = None) -> None:
        self.result = result
        self.error = error
        self.requests: list[HandoffRequest] = []

    async def request_handoff(self, request: HandoffRequest) -> HandoffResult:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


QUEUED = HandoffResult(
    status=HandoffStatus.QUEUED,
    group="vip",
    position=2,
    estimated_wait_seconds=30,
    estimated_wait_text="预计等待约 30 秒",
)
NO_AGENT = HandoffResult(
    status=HandoffStatus.NO_AGENT, group="general", position=None, estimated_wait_seconds=None
)


def _lost_card_then_human():
    return make_tracker(
        [
            user_event("我的卡丢了，卡号6222021234567890", "report_lost_card", METADATA),
            bot_event("了解，卡片丢失请尽快挂失。"),
            user_event("转人工，手机13812345678", "request_human", METADATA),
        ],
        slots={"card_tail": "7890", "verified": False, "handoff_status": None, "amount": None},
    )


async def test_queued_tells_position_and_wait(dispatcher) -> None:
    client = FakeHandoffClient(QUEUED)

    events = await ActionRequestHandoff(client).run(dispatcher, _lost_card_then_human(), {})

    assert events == [SlotSet("handoff_status", "queued")]
    assert [(m["response"], m["position"], m["estimated_wait_text"]) for m in dispatcher.messages] == [
        ("utter_handoff_queued", 2, "预计等待约 30 秒")
    ]


async def test_queued_without_a_figure_asks_to_wait_a_moment(dispatcher) -> None:
    unknown = HandoffResult(status=HandoffStatus.QUEUED, group="vip", position=1, estimated_wait_seconds=None)

    await ActionRequestHandoff(FakeHandoffClient(unknown)).run(dispatcher, _lost_card_then_human(), {})

    assert [(m["response"], m["estimated_wait_text"]) for m in dispatcher.messages] == [
        ("utter_handoff_queued", "请您稍等片刻")
    ]


async def test_packet_carries_context_and_masked_transcript(dispatcher) -> None:
    client = FakeHandoffClient(QUEUED)

    await ActionRequestHandoff(client).run(dispatcher, _lost_card_then_human(), {})

    assert client.requests == [
        HandoffRequest(
            conversation_id="conv-42",
            customer_id="C1003",
            tier="platinum",
            intent="report_lost_card",
            reason="explicit_request",
            slots={"card_tail": "7890"},
            verified=False,
            transcript=[
                TranscriptLine(role="customer", text="我的卡丢了，卡号************7890"),
                TranscriptLine(role="bot", text="了解，卡片丢失请尽快挂失。"),
                TranscriptLine(role="customer", text="转人工，手机138****5678"),
            ],
        )
    ]


async def test_plain_request_uses_request_human_as_intent(dispatcher) -> None:
    client = FakeHandoffClient(QUEUED)
    tracker = make_tracker(
        [user_event("你好", "greet", METADATA), user_event("转人工", "request_human", METADATA)]
    )

    await ActionRequestHandoff(client).run(dispatcher, tracker, {})

    assert client.requests[0].intent == "request_human"


async def test_a_supervisor_asked_for_is_a_complaints_handoff(dispatcher) -> None:
    client = FakeHandoffClient(QUEUED)
    tracker = make_tracker(
        [
            user_event("查积分", "query_points", METADATA),
            user_event("让你们主管来跟我说", "request_human", METADATA),
        ]
    )

    await ActionRequestHandoff(client).run(dispatcher, tracker, {})

    assert client.requests[0].intent == "complain"


async def test_a_filed_complaint_stays_the_topic_of_a_later_handoff(dispatcher) -> None:
    client = FakeHandoffClient(QUEUED)
    tracker = make_tracker(
        [
            user_event("我要投诉", "complain", METADATA),
            user_event("柜台让我等了一个小时", "inform", METADATA),
            user_event("找人工", "request_human", METADATA),
        ],
        slots={"ticket_id": "T2612010001"},
    )

    await ActionRequestHandoff(client).run(dispatcher, tracker, {})

    assert (client.requests[0].intent, client.requests[0].slots["ticket_id"]) == ("complain", "T2612010001")


async def test_conversation_id_falls_back_to_sender(dispatcher) -> None:
    client = FakeHandoffClient(QUEUED)
    tracker = make_tracker([user_event("转人工", "request_human", {})], sender_id="shell-user")

    await ActionRequestHandoff(client).run(dispatcher, tracker, {})

    request = client.requests[0]
    assert (request.conversation_id, request.customer_id, request.tier) == ("shell-user", None, None)


async def test_no_agent(dispatcher) -> None:
    events = await ActionRequestHandoff(FakeHandoffClient(NO_AGENT)).run(
        dispatcher, _lost_card_then_human(), {}
    )

    assert events == [SlotSet("handoff_status", "no_agent"), SlotSet("pending_offer", "callback")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_no_agent"]


async def test_client_error_apologises_and_logs_conversation(dispatcher, caplog) -> None:
    client = FakeHandoffClient(error=HandoffError("handoff API unreachable"))

    events = await ActionRequestHandoff(client).run(dispatcher, _lost_card_then_human(), {})

    assert events == [SlotSet("handoff_status", "failed")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_failed"]
    assert "conv-42" in caplog.text


async def test_slot_values_are_masked(dispatcher) -> None:
    client = FakeHandoffClient(QUEUED)
    tracker = make_tracker(
        [user_event("卡号6222021234563456丢了", "report_lost_card", METADATA)],
        slots={"amount": "6222021234563456", "phone": "13812345678", "card_tail": "3456"},
    )

    await ActionRequestHandoff(client).run(dispatcher, tracker, {})

    assert client.requests[0].slots == {
        "amount": "************3456",
        "phone": "138****5678",
        "card_tail": "3456",
    }
