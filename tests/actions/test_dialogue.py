from __future__ import annotations

from rasa_sdk.events import FollowupAction, SlotSet

from actions.clients.handoff import HandoffResult
from actions.fallback import ActionFallback, ActionUnpromptedReply
from actions.handoff import ActionRequestHandoff
from actions.handoff_ended import ActionHandoffEnded
from actions.verified_identities import VerifiedIdentities
from contract.names import HandoffStatus
from tests.actions.conftest import METADATA, make_tracker, responses, user_event
from tests.actions.test_handoff import FakeHandoffClient

QUEUED = HandoffResult(status=HandoffStatus.QUEUED, group="general", position=3, estimated_wait_seconds=90)
RANKING = [("nlu_fallback", 0.4), ("query_bill", 0.25), ("affirm", 0.2), ("ask_repayment", 0.15)]


def _ended(outcome: str):
    return make_tracker(
        [user_event("", "EXTERNAL_handoff_ended", METADATA, entities={"handoff_outcome": outcome})]
    )


async def test_resolved_leaves_the_rating_question_to_csat_form(dispatcher) -> None:
    events = await ActionHandoffEnded().run(dispatcher, _ended("resolved"), {})

    assert events == [SlotSet("handoff_status", None), SlotSet("pending_offer", "csat")]
    assert dispatcher.messages == []


async def test_no_agent_and_timeout_offer_a_callback(dispatcher) -> None:
    for outcome in ("no_agent", "wait_timeout"):
        events = await ActionHandoffEnded().run(dispatcher, _ended(outcome), {})
        assert events == [SlotSet("handoff_status", None), SlotSet("pending_offer", "callback")]
    assert responses(dispatcher) == ["utter_offer_callback", "utter_offer_callback"]


async def test_cancelled_returns_to_normal(dispatcher) -> None:
    await ActionHandoffEnded().run(dispatcher, _ended("cancelled"), {})

    assert responses(dispatcher) == ["utter_handoff_cancelled"]


async def test_assigned_needs_no_bot_turn(dispatcher) -> None:
    assert await ActionHandoffEnded().run(dispatcher, _ended("assigned"), {}) == []
    assert dispatcher.messages == []


async def test_first_miss_offers_the_best_two_guesses(dispatcher) -> None:
    tracker = make_tracker([user_event("那个钱的事", "nlu_fallback", METADATA, ranking=RANKING)])

    events = await ActionFallback(FakeHandoffClient(QUEUED)).run(dispatcher, tracker, {})

    assert events == []
    assert responses(dispatcher) == ["utter_fallback_guesses"]
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "查询账单", "payload": "/query_bill"},
        {"title": "还款问题", "payload": "/ask_repayment"},
    ]


async def test_second_miss_offers_a_human(dispatcher) -> None:
    tracker = make_tracker(
        [
            user_event("那个钱的事", "nlu_fallback", METADATA, ranking=RANKING),
            user_event("就是那个", "nlu_fallback", METADATA, ranking=RANKING),
        ]
    )

    await ActionFallback(FakeHandoffClient(QUEUED)).run(dispatcher, tracker, {})

    assert responses(dispatcher) == ["utter_fallback_offer_human"]


async def test_saying_the_bot_does_not_understand_offers_a_human_at_once(dispatcher) -> None:
    frustrated = user_event(
        "你到底懂不懂啊", "complain", METADATA, entities={"frustration": "misunderstood"}, ranking=RANKING
    )

    await ActionFallback(FakeHandoffClient(QUEUED)).run(dispatcher, make_tracker([frustrated]), {})

    assert responses(dispatcher) == ["utter_fallback_offer_human"]


async def test_angry_customer_is_acknowledged_before_the_queue_notice(dispatcher) -> None:
    tracker = make_tracker(
        [user_event("受够了，给我转人工！", "request_human", METADATA, entities={"emotion": "angry"})]
    )

    await ActionRequestHandoff(FakeHandoffClient(QUEUED)).run(dispatcher, tracker, {})

    assert responses(dispatcher) == ["utter_acknowledge_anger", "utter_handoff_queued"]


async def test_an_unprompted_yes_is_answered_unless_read_so_unsure_it_is_a_miss(dispatcher) -> None:
    sure = make_tracker([user_event("好的", "affirm", METADATA)])
    unsure = user_event("嗯就上回那个", "affirm", METADATA, ranking=RANKING)
    unsure["parse_data"]["intent"]["confidence"] = 0.3
    second_unsure = {**unsure, "text": "就那个啊"}

    answered = await ActionUnpromptedReply(FakeHandoffClient(QUEUED)).run(dispatcher, sure, {})
    await ActionUnpromptedReply(FakeHandoffClient(QUEUED)).run(dispatcher, make_tracker([unsure]), {})
    await ActionUnpromptedReply(FakeHandoffClient(QUEUED)).run(
        dispatcher, make_tracker([unsure, second_unsure]), {}
    )

    assert answered == [FollowupAction("utter_anything_else")]
    assert responses(dispatcher) == ["utter_fallback_guesses", "utter_fallback_offer_human"]


async def test_third_miss_hands_over(dispatcher) -> None:
    client = FakeHandoffClient(QUEUED)
    tracker = make_tracker(
        [user_event(f"嗯{n}", "nlu_fallback", METADATA, ranking=RANKING) for n in range(3)]
    )

    events = await ActionFallback(client).run(dispatcher, tracker, {})

    assert events == [SlotSet("handoff_status", "queued")]
    assert client.requests[0].reason == "repeated_misunderstanding"


async def test_a_miss_after_an_understood_message_starts_again(dispatcher) -> None:
    tracker = make_tracker(
        [
            user_event("嗯", "nlu_fallback", METADATA, ranking=RANKING),
            user_event("查账单", "query_bill", METADATA),
            user_event("那个", "nlu_fallback", METADATA, ranking=RANKING),
        ]
    )

    await ActionFallback(FakeHandoffClient(QUEUED)).run(dispatcher, tracker, {})

    assert responses(dispatcher) == ["utter_fallback_guesses"]


async def test_an_unsure_reading_before_a_miss_counts_as_a_miss(dispatcher) -> None:
    unsure = user_event("嗯那个就是上回说的那个", "query_ticket_status", METADATA)
    unsure["parse_data"]["intent"]["confidence"] = 0.48
    tracker = make_tracker([unsure, user_event("就那个啊", "nlu_fallback", METADATA, ranking=RANKING)])

    await ActionFallback(FakeHandoffClient(QUEUED)).run(dispatcher, tracker, {})

    assert responses(dispatcher) == ["utter_fallback_offer_human"]


async def test_angry_customer_reason(dispatcher) -> None:
    client = FakeHandoffClient(QUEUED)
    tracker = make_tracker(
        [user_event("气死我了，投诉你们", "complain", METADATA, entities={"emotion": "angry"})]
    )

    await ActionRequestHandoff(client).run(dispatcher, tracker, {})

    assert (client.requests[0].reason, client.requests[0].intent) == ("negative_emotion", "complain")


async def test_packet_says_verified_only_on_the_action_servers_record(
    dispatcher, verified_identities: VerifiedIdentities
) -> None:
    import time

    client = FakeHandoffClient(QUEUED)
    tracker = make_tracker(
        [user_event("转人工", "request_human", METADATA)],
        slots={
            "verified": True,
            "verified_at": time.time(),
            "verification_code": "123456",
            "card_tail": "3456",
        },
    )

    await ActionRequestHandoff(client).run(dispatcher, tracker, {})
    await verified_identities.record("conv-42", customer_id="C1003", card_tail="3456")
    await ActionRequestHandoff(client).run(dispatcher, tracker, {})

    assert [request.verified for request in client.requests] == [False, True]
    assert client.requests[1].slots == {"card_tail": "3456"}
