from __future__ import annotations

import pytest
import yaml
from rasa_sdk.events import SlotSet

from actions.backends.base import BackendError, CardOperation, CardStatus
from actions.backends.demo import DemoBackend
from actions.card_services import ActionAskConfirmed, ActionCardService, ActionStartCardService
from actions.clients.handoff import HandoffResult
from actions.settings import REPO_ROOT
from actions.verified_identities import VerifiedIdentities
from contract.names import HandoffStatus
from tests.actions.conftest import identity_metadata, make_tracker, responses, user_event
from tests.actions.test_handoff import FakeHandoffClient

NOW = 2_000_000.0
C1001 = identity_metadata("C1001", "standard")
CLEARED = [
    SlotSet("card_service", None),
    SlotSet("confirmed", None),
    SlotSet("amount", None),
    SlotSet("verification_refused", None),
]
VERIFIED = {"verified": True, "verified_at": NOW - 10, "verified_card": "1234", "card_tail": "1234"}
QUEUED = HandoffResult(status=HandoffStatus.QUEUED, group="risk", position=1, estimated_wait_seconds=20)


def _service(backend, client=None) -> ActionCardService:
    return ActionCardService(backend, client or FakeHandoffClient(QUEUED), clock=lambda: NOW)


def _done(slots: dict, intent: str = "affirm"):
    return make_tracker([user_event("确认", intent, C1001)], slots=slots)


@pytest.fixture
async def verified(verified_identities: VerifiedIdentities) -> None:
    """The action server's record of C1001 passing the one-time code with card 1234 in conv-42."""
    await verified_identities.record("conv-42", customer_id="C1001", card_tail="1234")


async def test_start_picks_the_service_and_forgets_stale_verification(dispatcher) -> None:
    tracker = make_tracker(
        [user_event("我想临时提额到一万五", "raise_credit_limit", C1001, entities={"amount": 15000})]
    )

    events = await ActionStartCardService(clock=lambda: NOW).run(dispatcher, tracker, {})

    assert events[:3] == [
        SlotSet("card_service", "raise_temporary_limit"),
        SlotSet("confirmed", None),
        SlotSet("amount", 15000),
    ]
    assert SlotSet("verified", False) in events
    assert dispatcher.messages == []


async def test_start_keeps_a_fresh_verification(dispatcher) -> None:
    tracker = make_tracker([user_event("冻结卡", "freeze_card", C1001)], slots=VERIFIED)

    events = await ActionStartCardService(clock=lambda: NOW).run(dispatcher, tracker, {})

    assert events == [
        SlotSet("card_service", "freeze"),
        SlotSet("confirmed", None),
        SlotSet("amount", None),
        SlotSet("verification_refused", None),
    ]


async def test_asks_to_confirm_the_irreversible_service(dispatcher) -> None:
    tracker = make_tracker([], slots={"card_service": "report_lost", "card_tail": "1234"})

    await ActionAskConfirmed().run(dispatcher, tracker, {})

    assert [(m["response"], m["card_tail"]) for m in dispatcher.messages] == [
        ("utter_confirm_report_lost", "1234")
    ]


async def test_confirmed_report_lost_is_done(demo_backend: DemoBackend, dispatcher, verified) -> None:
    slots = {**VERIFIED, "card_service": "report_lost", "confirmed": True}

    events = await _service(demo_backend).run(dispatcher, _done(slots), {})

    assert events == CLEARED
    assert responses(dispatcher) == ["utter_card_service_done_report_lost"]
    assert (await demo_backend.get_customer("C1001")).card("1234").status is CardStatus.lost


async def test_declined_report_lost_changes_nothing(demo_backend: DemoBackend, dispatcher, verified) -> None:
    slots = {**VERIFIED, "card_service": "report_lost", "confirmed": False}

    await _service(demo_backend).run(dispatcher, _done(slots, "deny"), {})

    assert responses(dispatcher) == ["utter_card_service_not_done"]
    assert (await demo_backend.get_customer("C1001")).card("1234").status is CardStatus.active


async def test_raise_limit_with_the_amount(demo_backend: DemoBackend, dispatcher, verified) -> None:
    slots = {**VERIFIED, "card_service": "raise_permanent_limit", "amount": 12000}

    await _service(demo_backend).run(dispatcher, _done(slots, "inform"), {})

    assert responses(dispatcher) == ["utter_card_service_done_raise_permanent_limit"]
    assert dispatcher.messages[0]["limit"] == "12,000.00"


async def test_refusal_is_explained(demo_backend: DemoBackend, dispatcher, verified) -> None:
    slots = {**VERIFIED, "card_service": "raise_permanent_limit", "amount": 90000}

    await _service(demo_backend).run(dispatcher, _done(slots, "inform"), {})

    assert responses(dispatcher) == ["utter_card_service_refused_limit_too_high"]
    assert dispatcher.messages[0]["max_amount"] == "12,000.00"


async def test_expired_verification_does_nothing(demo_backend: DemoBackend, dispatcher) -> None:
    slots = {**VERIFIED, "verified_at": NOW - 3600, "card_service": "freeze"}

    await _service(demo_backend).run(dispatcher, _done(slots), {})

    assert responses(dispatcher) == ["utter_verification_expired"]
    assert (await demo_backend.get_customer("C1001")).card("1234").status is CardStatus.active


async def test_locked_verification_goes_to_risk(demo_backend: DemoBackend, dispatcher) -> None:
    client = FakeHandoffClient(QUEUED)
    tracker = make_tracker(
        [user_event("挂失", "report_lost_card", C1001), user_event("000000", "inform", C1001)],
        slots={"verification_locked": True, "card_service": "report_lost", "card_tail": "1234"},
    )

    events = await _service(demo_backend, client).run(dispatcher, tracker, {})

    assert events == [SlotSet("handoff_status", "queued"), *CLEARED]
    request = client.requests[0]
    assert (request.reason, request.intent, request.verified) == (
        "verification_failed",
        "report_lost_card",
        False,
    )
    assert "verification_code" not in request.slots
    assert responses(dispatcher) == ["utter_handoff_queued"]


@pytest.mark.parametrize(
    "recorded",
    [
        None,  # slots say verified, but no code was ever accepted in this conversation
        ("conv-42", "C1001", "5678"),  # another card was verified
        ("conv-42", "C1003", "1234"),  # another customer was verified
        ("conv-other", "C1001", "1234"),  # verified in another conversation
    ],
)
async def test_a_forged_verification_does_nothing(
    demo_backend: DemoBackend, dispatcher, verified_identities: VerifiedIdentities, recorded
) -> None:
    if recorded:
        conversation_id, customer_id, tail = recorded
        await verified_identities.record(conversation_id, customer_id=customer_id, card_tail=tail)
    slots = {**VERIFIED, "card_service": "report_lost", "confirmed": True}

    await _service(demo_backend).run(dispatcher, _done(slots), {})

    assert responses(dispatcher) == ["utter_verification_expired"]
    assert (await demo_backend.get_customer("C1001")).card("1234").status is CardStatus.active


class _DownBackend:
    async def perform(self, *args, **kwargs):
        raise BackendError("down")


async def test_back_end_down(dispatcher, caplog, verified) -> None:
    slots = {**VERIFIED, "card_service": "freeze"}

    events = await _service(_DownBackend()).run(dispatcher, _done(slots), {})

    assert events == CLEARED
    assert responses(dispatcher) == ["utter_backend_unavailable"]
    assert "conv-42" in caplog.text


async def test_a_turn_run_again_does_not_repeat_the_card_operation(
    demo_backend: DemoBackend, dispatcher, verified
) -> None:
    slots = {**VERIFIED, "card_service": "freeze"}
    turn = make_tracker([user_event("确认", "affirm", C1001, message_id="1700000000000-0")], slots=slots)
    await _service(demo_backend).run(dispatcher, turn, {})
    assert (await demo_backend.get_customer("C1001")).card("1234").status is CardStatus.frozen
    await demo_backend.perform("C1001", "1234", CardOperation.unfreeze)

    await _service(demo_backend).run(dispatcher, turn, {})  # the same turn, run again on another process

    assert responses(dispatcher) == ["utter_card_service_done_freeze"] * 2
    assert (await demo_backend.get_customer("C1001")).card("1234").status is CardStatus.active
    next_turn = make_tracker([user_event("确认", "affirm", C1001, message_id="1700000000001-0")], slots=slots)
    await _service(demo_backend).run(dispatcher, next_turn, {})
    assert (await demo_backend.get_customer("C1001")).card("1234").status is CardStatus.frozen


async def test_asked_to_wait_the_confirmation_is_only_recalled_gently(dispatcher) -> None:
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    slots = {"card_service": "report_lost", "card_tail": "1234", "requested_slot": "confirmed"}
    code = make_tracker([user_event("123456", "inform", C1001)], slots=slots)
    wait = make_tracker([user_event("等一下", "deny", C1001)], slots=slots)

    await ActionAskConfirmed().run(dispatcher, code, domain)
    await ActionAskConfirmed().run(dispatcher, wait, domain)

    assert responses(dispatcher) == ["utter_confirm_report_lost", "utter_confirm_wait"]
    assert [b["title"] for b in dispatcher.messages[1]["buttons"]] == ["确认挂失", "先不挂失"]


async def test_refused_verification_says_what_can_be_done_without_it(demo_backend, dispatcher) -> None:
    slots = {"verification_refused": True, "card_service": "freeze"}

    events = await _service(demo_backend).run(dispatcher, _done(slots), {})

    assert responses(dispatcher) == ["utter_verification_refused"]
    assert events == CLEARED
