from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.clients.tickets import Ticket, TicketError, TicketNotFound, TicketRequest
from actions.knowledge import get_knowledge
from actions.tickets import (
    ActionDeclineOffer,
    ActionFileCallback,
    ActionStartTicket,
    ActionTicketStatus,
    TicketAction,
    ValidateTicketForm,
    format_time,
    is_side_question,
)
from contract.names import TicketCategory
from tests.actions.conftest import bot_event, identity_metadata, make_tracker, responses, user_event

C1001 = identity_metadata("C1001", "standard")


def _ticket(
    ticket_id: str = "T2611230001", customer_id: str = "C1001", category: str = "complaint"
) -> Ticket:
    return Ticket(
        id=ticket_id,
        category=category,
        status="in_progress",
        customer_id=customer_id,
        sla_due_at="2026-11-25T04:00:00Z",
        created_at="2026-11-23T02:30:00Z",
        description="乱扣年费",
    )


class FakeTicketClient:
    def __init__(self, tickets: list[Ticket] | None = None, error: Exception | None = None) -> None:
        self.tickets = tickets or []
        self.error = error
        self.created: list[TicketRequest] = []
        self.keys: list[str | None] = []

    async def create(self, request: TicketRequest, *, idempotency_key: str | None = None) -> Ticket:
        if self.error:
            raise self.error
        self.created.append(request)
        self.keys.append(idempotency_key)
        return _ticket(category=request.category.value)

    async def get(self, ticket_id: str) -> Ticket:
        if self.error:
            raise self.error
        for ticket in self.tickets:
            if ticket.id == ticket_id:
                return ticket
        raise TicketNotFound(ticket_id)

    async def latest(self, customer_id: str, *, limit: int = 5) -> list[Ticket]:
        if self.error:
            raise self.error
        return [t for t in self.tickets if t.customer_id == customer_id][:limit]


async def test_start_prefills_a_descriptive_first_message(dispatcher) -> None:
    long = make_tracker([user_event("你们上个月乱扣了我两百块年费，我要投诉", "complain", C1001)])
    short = make_tracker([user_event("我要投诉", "complain", C1001)])
    dispute = make_tracker([user_event("有笔交易不是我刷的", "dispute_transaction", C1001)])

    assert await ActionStartTicket().run(dispatcher, long, {}) == [
        SlotSet("ticket_category", "complaint"),
        SlotSet("ticket_description", "你们上个月乱扣了我两百块年费，我要投诉"),
    ]
    assert (await ActionStartTicket().run(dispatcher, short, {}))[1] == SlotSet("ticket_description", None)
    assert (await ActionStartTicket().run(dispatcher, dispute, {}))[0] == SlotSet(
        "ticket_category", "dispute"
    )


async def test_a_dispute_chosen_by_button_keeps_the_words_it_clarified(dispatcher) -> None:
    said = "钱包被偷了，里面的卡昨晚被人刷了三笔"
    tracker = make_tracker(
        [
            user_event(said, "nlu_security_unsure", C1001),
            bot_event("为了您的卡片和资金安全，想先确认一下：您是要办理下面哪一项？"),
            user_event("/dispute_transaction", "dispute_transaction", C1001),
        ]
    )

    assert await ActionStartTicket().run(dispatcher, tracker, {}) == [
        SlotSet("ticket_category", "dispute"),
        SlotSet("ticket_description", said),
    ]


async def test_too_short_description_is_asked_again(dispatcher) -> None:
    tracker = make_tracker([user_event("差", "complain", C1001)])

    result = await ValidateTicketForm().validate_ticket_description("差", dispatcher, tracker, {})

    assert result == {"ticket_description": None}
    assert responses(dispatcher) == ["utter_ask_ticket_description_again"]


async def test_no_description_yet_is_not_judged(dispatcher) -> None:
    tracker = make_tracker([user_event("我要投诉", "complain", C1001)])

    result = await ValidateTicketForm().validate_ticket_description(None, dispatcher, tracker, {})

    assert result == {"ticket_description": None}
    assert dispatcher.messages == []  # the form's own question follows, once


async def test_side_question_is_answered_and_the_description_asked_again(dispatcher) -> None:
    question = "你们客服热线是多少？"
    tracker = make_tracker([user_event(question, "ask_service_info", C1001)], active_loop="ticket_form")

    result = await ValidateTicketForm().validate_ticket_description(question, dispatcher, tracker, {})

    assert result == {"ticket_description": None}
    answer = get_knowledge().answer("ask_service_info", "standard")
    assert answer and dispatcher.messages[0]["text"] == answer


async def test_traditional_side_question_about_the_bot_gets_the_bot_reply(dispatcher) -> None:
    question = "你是機器人嗎"
    tracker = make_tracker([user_event(question, "bot_challenge", C1001)], active_loop="ticket_form")

    result = await ValidateTicketForm().validate_ticket_description(question, dispatcher, tracker, {})

    assert result == {"ticket_description": None}
    assert responses(dispatcher) == ["utter_iamabot"]


async def test_grievance_worded_as_a_question_is_the_description(dispatcher) -> None:
    grievances = [("为什么乱扣我年费？", "ask_annual_fee"), ("热线打了一上午都没人接吗", "ask_service_info")]
    for text, intent in grievances:
        tracker = make_tracker([user_event(text, intent, C1001)], active_loop="ticket_form")
        result = await ValidateTicketForm().validate_ticket_description(text, dispatcher, tracker, {})
        assert result == {"ticket_description": text}
    assert dispatcher.messages == []


async def test_taking_the_complaint_back_ends_the_form_and_files_nothing(dispatcher) -> None:
    text = "哦没事了，是我自己记错了"
    tracker = make_tracker([user_event(text, "dispute_transaction", C1001)], active_loop="ticket_form")
    client = FakeTicketClient()

    result = await ValidateTicketForm().validate_ticket_description(text, dispatcher, tracker, {})
    events = await TicketAction(client).run(
        dispatcher, make_tracker([], slots={"ticket_category": "dispute"}), {}
    )

    assert result == {"ticket_description": None, "requested_slot": None}
    assert responses(dispatcher) == ["utter_ticket_withdrawn"]
    assert client.created == []
    assert events == [SlotSet("ticket_description", None), SlotSet("ticket_category", None)]


def test_side_question_needs_a_confident_answerable_question() -> None:
    knowledge = get_knowledge()

    def message(text: str, intent: str, confidence: float = 0.99) -> dict:
        return {"text": text, "intent": {"name": intent, "confidence": confidence}}

    assert is_side_question(message("年费多少钱", "ask_annual_fee"), knowledge)
    assert not is_side_question(message("年费多少钱", "ask_annual_fee", 0.5), knowledge)
    assert not is_side_question(message("年费扣了两次", "ask_annual_fee"), knowledge)  # not a question
    assert not is_side_question(message("余额是多少", "query_balance"), knowledge)  # not answered here
    assert is_side_question(message("你们投诉电话多少", "ask_service_info"), knowledge)
    assert not is_side_question(message("我要投诉，年费多少", "ask_annual_fee"), knowledge)


async def test_files_a_dispute_with_the_facts(dispatcher) -> None:
    client = FakeTicketClient()
    tracker = make_tracker(
        [user_event("那笔两千块不是我刷的", "inform", C1001)],
        slots={"ticket_category": "dispute", "ticket_description": "那笔两千块不是我刷的", "amount": 2000.0},
    )

    events = await TicketAction(client).run(dispatcher, tracker, {})

    assert client.created == [
        TicketRequest(
            category=TicketCategory.DISPUTE,
            customer_id="C1001",
            tier="standard",
            conversation_id="conv-42",
            description="那笔两千块不是我刷的",
            details={"amount": 2000.0},
        )
    ]
    assert events == [
        SlotSet("ticket_description", None),
        SlotSet("ticket_category", None),
        SlotSet("ticket_id", "T2611230001"),
    ]
    message = dispatcher.messages[0]
    assert (message["response"], message["ticket_id"], message["sla_due"]) == (
        "utter_ticket_created_dispute",
        "T2611230001",
        "11月25日 12:00",
    )


async def test_ticket_service_down(dispatcher, caplog) -> None:
    tracker = make_tracker(
        [user_event("投诉", "inform", C1001)],
        slots={"ticket_category": "complaint", "ticket_description": "太慢了吧"},
    )

    events = await TicketAction(FakeTicketClient(error=TicketError("down"))).run(dispatcher, tracker, {})

    assert events == [SlotSet("ticket_description", None), SlotSet("ticket_category", None)]
    assert responses(dispatcher) == ["utter_ticket_failed"]
    assert "conv-42" in caplog.text


async def test_status_by_id(dispatcher) -> None:
    tracker = make_tracker(
        [user_event("T2611230001进度", "query_ticket_status", C1001, entities={"ticket_id": "T2611230001"})]
    )

    events = await ActionTicketStatus(FakeTicketClient([_ticket()])).run(dispatcher, tracker, {})

    assert events == [SlotSet("ticket_id", "T2611230001")]
    message = dispatcher.messages[0]
    assert (message["response"], message["status"], message["category"], message["created"]) == (
        "utter_ticket_status",
        "处理中",
        "投诉",
        "11月23日 10:30",
    )


async def test_status_of_the_latest(dispatcher) -> None:
    client = FakeTicketClient([_ticket("T2611230009"), _ticket("T2611230001")])
    tracker = make_tracker([user_event("我的投诉怎么样了", "query_ticket_status", C1001)])

    await ActionTicketStatus(client).run(dispatcher, tracker, {})

    assert dispatcher.messages[0]["ticket_id"] == "T2611230009"


async def test_someone_elses_ticket_is_not_found(dispatcher) -> None:
    client = FakeTicketClient([_ticket(customer_id="C1003")])
    tracker = make_tracker(
        [user_event("T2611230001", "query_ticket_status", C1001, entities={"ticket_id": "T2611230001"})]
    )

    await ActionTicketStatus(client).run(dispatcher, tracker, {})

    assert responses(dispatcher) == ["utter_ticket_not_found"]


async def test_status_by_an_id_typed_in_lower_case_with_spaces(dispatcher) -> None:
    tracker = make_tracker(
        [user_event("t 2611 2300 01", "query_ticket_status", C1001, entities={"ticket_id": "t 2611 2300 01"})]
    )

    events = await ActionTicketStatus(FakeTicketClient([_ticket()])).run(dispatcher, tracker, {})

    assert events == [SlotSet("ticket_id", "T2611230001")]
    assert [(m["response"], m["ticket_id"]) for m in dispatcher.messages] == [
        ("utter_ticket_status", "T2611230001")
    ]


async def test_unknown_id_is_said_unknown_not_answered_with_the_latest(dispatcher) -> None:
    client = FakeTicketClient([_ticket("T2611230009"), _ticket("T2611230001")])
    tracker = make_tracker(
        [user_event("T2611239999进度", "query_ticket_status", C1001, entities={"ticket_id": "T2611239999"})],
        slots={"ticket_id": "T2611239999"},
    )

    events = await ActionTicketStatus(client).run(dispatcher, tracker, {})

    assert events == [SlotSet("ticket_id", None)]
    assert [(m["response"], m["ticket_id"]) for m in dispatcher.messages] == [
        ("utter_ticket_not_found", "T2611239999")
    ]


async def test_no_tickets_yet(dispatcher) -> None:
    await ActionTicketStatus(FakeTicketClient()).run(
        dispatcher, make_tracker([user_event("工单进度", "query_ticket_status", C1001)]), {}
    )

    assert responses(dispatcher) == ["utter_no_tickets"]


async def test_callback_ticket(dispatcher) -> None:
    client = FakeTicketClient()
    tracker = make_tracker(
        [user_event("明天上午回电", "inform", C1001)],
        slots={"callback_note": "明天上午回电", "pending_offer": "callback"},
    )

    events = await ActionFileCallback(client).run(dispatcher, tracker, {})

    assert client.created[0].category is TicketCategory.CALLBACK
    assert events[:2] == [SlotSet("callback_note", None), SlotSet("pending_offer", None)]
    assert responses(dispatcher) == ["utter_ticket_created_callback"]


@pytest.mark.parametrize(
    ("slot", "sent"), [("１３８ １２３４ ５６７８", "13812345678"), ("010-12345678", None)]
)
async def test_a_callback_carries_the_mobile_number_the_customer_gave(dispatcher, slot, sent) -> None:
    client = FakeTicketClient()
    tracker = make_tracker(
        [user_event("请回电", "inform", C1001)], slots={"callback_note": "请回电", "phone": slot}
    )

    await ActionFileCallback(client).run(dispatcher, tracker, {})

    assert client.created[0].contact_phone == sent  # a landline is not refused by the API: it stays out


async def test_declining_an_offer_clears_it(dispatcher) -> None:
    events = await ActionDeclineOffer().run(dispatcher, make_tracker([]), {})

    assert events == [SlotSet("pending_offer", None)]
    assert responses(dispatcher) == ["utter_anything_else"]


def test_times_are_shown_in_beijing_time() -> None:
    assert format_time("2026-11-23T16:05:00+00:00") == "11月24日 00:05"
    assert format_time("not a time") == "not a time"


async def test_a_filing_is_keyed_by_conversation_and_message(dispatcher) -> None:
    client = FakeTicketClient()
    slots = {"ticket_category": "complaint", "ticket_description": "客服态度太差了"}

    def turn(message_id: str, sender_id: str = "conv-42"):
        event = user_event("客服态度太差了", "complain", C1001, message_id=message_id)
        return make_tracker([event], slots=slots, sender_id=sender_id)

    for tracker in (turn("1700000000000-0"), turn("1700000000000-0"), turn("1700000000001-0")):
        await TicketAction(client).run(dispatcher, tracker, {})

    first, repeated, later = client.keys
    assert first is not None and first == repeated and later != first
