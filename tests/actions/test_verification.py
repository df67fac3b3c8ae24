from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa_sdk.events import SlotSet

from actions.backends.base import BackendError
from actions.backends.demo import DemoBackend
from actions.settings import REPO_ROOT, Settings
from actions.verification import ValidateCardServiceForm, is_verified, named_tail, verification_reset_events
from actions.verified_identities import VerifiedIdentities
from tests.actions.conftest import identity_metadata, make_tracker, responses, user_event

NOW = 1_000_000.0
SETTINGS = Settings(verification_ttl_seconds=600, verification_max_attempts=3)
C1001 = identity_metadata("C1001", "standard")


def _form(backend) -> ValidateCardServiceForm:
    return ValidateCardServiceForm(backend, SETTINGS, clock=lambda: NOW)


def _tracker(slots: dict, text: str = "1234", intent: str = "inform"):
    return make_tracker([user_event(text, intent, C1001)], slots=slots, active_loop="card_service_form")


async def test_own_card_tail_sends_a_code_and_shows_it_in_demo(demo_backend: DemoBackend, dispatcher) -> None:
    result = await _form(demo_backend).validate_card_tail("1234", dispatcher, _tracker({}), {})

    assert result == {
        "card_tail": "1234",
        "verification_code": None,
        "verified": False,
        "verified_card": None,
    }
    assert responses(dispatcher) == ["utter_verification_code_sent", "utter_demo_code_hint"]
    assert dispatcher.messages[0]["masked_phone"] == "138****8001"
    assert dispatcher.messages[1]["code"] == "123456"


async def test_another_tail_while_the_code_is_awaited_is_acknowledged(
    demo_backend: DemoBackend, dispatcher
) -> None:
    events = [
        {"event": "slot", "name": "card_tail", "value": "1234"},
        user_event("不对，是另一张，尾号1111", "inform", C1001, entities={"card_tail": "1111"}),
        {"event": "slot", "name": "card_tail", "value": "1111"},
    ]
    slots = {"card_tail": "1111", "requested_slot": "verification_code"}
    tracker = make_tracker(events, slots=slots, active_loop="card_service_form")

    result = await _form(demo_backend).validate_card_tail("1111", dispatcher, tracker, {})

    assert result["card_tail"] == "1111" and result["verification_code"] is None
    assert responses(dispatcher) == [
        "utter_card_tail_changed",
        "utter_verification_code_sent",
        "utter_demo_code_hint",
    ]
    assert dispatcher.messages[0]["card_tail"] == "1111"


async def test_someone_elses_card_counts_as_a_failure(demo_backend: DemoBackend, dispatcher) -> None:
    result = await _form(demo_backend).validate_card_tail("3456", dispatcher, _tracker({}), {})

    assert result == {"card_tail": None, "verification_attempts": 1}
    assert responses(dispatcher) == ["utter_invalid_card_tail"]
    assert dispatcher.messages[0]["attempts_left"] == 2


async def test_correct_code_verifies_and_is_recorded(
    demo_backend: DemoBackend, dispatcher, verified_identities: VerifiedIdentities
) -> None:
    tracker = _tracker({"card_tail": "1234", "verification_attempts": 1}, "验证码123456")

    result = await _form(demo_backend).validate_verification_code("123456", dispatcher, tracker, {})

    assert await verified_identities.verified_card("conv-42", customer_id="C1001") == "1234"
    assert result == {
        "verification_code": "123456",
        "verified": True,
        "verified_at": NOW,
        "verified_card": "1234",
        "verification_attempts": 0,
    }
    assert responses(dispatcher) == ["utter_verified"]


async def test_wrong_code_then_lock_on_the_third_failure(demo_backend: DemoBackend, dispatcher) -> None:
    form = _form(demo_backend)
    second = await form.validate_verification_code(
        "111111", dispatcher, _tracker({"card_tail": "1234", "verification_attempts": 1}), {}
    )
    third = await form.validate_verification_code(
        "222222", dispatcher, _tracker({"card_tail": "1234", "verification_attempts": 2}), {}
    )

    assert second == {"verification_code": None, "verification_attempts": 2}
    assert third == {"verification_code": None, "verification_attempts": 3, "verification_locked": True}
    assert responses(dispatcher) == ["utter_invalid_verification_code", "utter_verification_locked"]


async def test_malformed_code_is_asked_again_without_counting(demo_backend: DemoBackend, dispatcher) -> None:
    result = await _form(demo_backend).validate_verification_code(
        "12", dispatcher, _tracker({"card_tail": "1234"}), {}
    )

    assert result == {"verification_code": None}
    assert responses(dispatcher) == ["utter_ask_verification_code_again"]


async def test_locked_form_requires_nothing_more(demo_backend: DemoBackend, dispatcher) -> None:
    form = _form(demo_backend)
    locked = _tracker({"verification_locked": True})
    report_lost = _tracker({"card_service": "report_lost"})
    raise_limit = _tracker({"card_service": "raise_temporary_limit"})
    freeze = _tracker({"card_service": "freeze"})

    assert await form.required_slots([], dispatcher, locked, {}) == []
    assert await form.required_slots([], dispatcher, report_lost, {}) == [
        "card_tail",
        "verification_code",
        "confirmed",
    ]
    assert await form.required_slots([], dispatcher, raise_limit, {}) == [
        "card_tail",
        "verification_code",
        "amount",
    ]
    assert await form.required_slots([], dispatcher, freeze, {}) == ["card_tail", "verification_code"]


async def test_fresh_verification_of_the_same_card_sends_no_new_code(demo_backend, dispatcher) -> None:
    slots = {"verified": True, "verified_at": NOW - 60, "verified_card": "1234", "card_tail": "1234"}

    result = await _form(demo_backend).validate_card_tail("1234", dispatcher, _tracker(slots), {})

    assert result == {"card_tail": "1234"}
    assert dispatcher.messages == []


class _DownBackend:
    async def get_customer(self, customer_id: str):
        raise BackendError("down")

    async def check_code(self, customer_id: str, code: str) -> bool:
        raise BackendError("down")


async def test_back_end_down_apologises_and_logs(dispatcher, caplog) -> None:
    form = _form(_DownBackend())

    tail = await form.validate_card_tail("1234", dispatcher, _tracker({}), {})
    code = await form.validate_verification_code("123456", dispatcher, _tracker({"card_tail": "1234"}), {})

    assert (tail, code) == ({"card_tail": None}, {"verification_code": None})
    assert responses(dispatcher) == ["utter_backend_unavailable", "utter_backend_unavailable"]
    assert "conv-42" in caplog.text


def test_verification_expires() -> None:
    slots = {"verified": True, "verified_at": NOW - 601}
    tracker = make_tracker([user_event("冻结", "freeze_card", C1001)], slots=slots)

    assert is_verified(tracker, ttl_seconds=600, now=NOW) is False
    assert is_verified(tracker, ttl_seconds=600, now=NOW - 2) is True
    assert verification_reset_events(tracker, ttl_seconds=600, now=NOW) == [
        SlotSet("card_tail", None),
        SlotSet("verification_code", None),
        SlotSet("verified", False),
        SlotSet("verified_at", None),
        SlotSet("verified_card", None),
    ]


def test_reset_keeps_a_tail_given_with_the_request(tmp_path: Path) -> None:
    tracker = make_tracker([user_event("冻结尾号1234", "freeze_card", C1001, entities={"card_tail": "1234"})])

    assert verification_reset_events(tracker, ttl_seconds=600, now=NOW)[0] == SlotSet("card_tail", "1234")


def test_a_tail_named_just_before_the_request_is_used() -> None:
    events = [
        user_event("查下尾号1111的额度", "query_balance", C1001, entities={"card_tail": "1111"}),
        user_event("把这张卡冻结", "freeze_card", C1001),
    ]

    assert named_tail(make_tracker(events)) == ("1111", True)
    assert verification_reset_events(make_tracker(events), ttl_seconds=600, now=NOW)[0] == SlotSet(
        "card_tail", "1111"
    )


def test_an_answer_to_a_card_question_is_not_reused_nor_an_old_tail() -> None:
    answered = [
        user_event("1111", "inform", C1001, entities={"card_tail": "1111"}),
        user_event("冻结卡", "freeze_card", C1001),
    ]
    old = [
        user_event("查下尾号1111的额度", "query_balance", C1001, entities={"card_tail": "1111"}),
        user_event("积分", "query_points", C1001),
        user_event("账单", "query_bill", C1001),
        user_event("冻结卡", "freeze_card", C1001),
    ]

    assert named_tail(make_tracker(answered)) == (None, False)
    assert named_tail(make_tracker(old)) == (None, False)


def _asked(slot: str, text: str, intent: str = "deny", **slots):
    return make_tracker(
        [user_event(text, intent, C1001)],
        slots={"requested_slot": slot, **slots},
        active_loop="card_service_form",
    )


async def test_refusing_the_card_tail_ends_the_form(demo_backend: DemoBackend, dispatcher) -> None:
    form = _form(demo_backend)
    tracker = _asked("card_tail", "我不想告诉你卡号", card_service="freeze")

    assert await form.extract_card_tail(dispatcher, tracker, {}) == {"verification_refused": True}
    tracker.slots["verification_refused"] = True
    assert await form.required_slots([], dispatcher, tracker, {}) == ["verification_refused"]


async def test_refusing_the_code_ends_the_form(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = _asked("verification_code", "验证码我不会给你的", card_tail="2345")

    assert await _form(demo_backend).extract_verification_code(dispatcher, tracker, {}) == {
        "verification_refused": True
    }


@pytest.mark.parametrize("text", ["算了不挂了", "尾号不是1234", "不弄了"])
async def test_cancelling_or_giving_digits_is_no_refusal(demo_backend: DemoBackend, dispatcher, text) -> None:
    assert await _form(demo_backend).extract_card_tail(dispatcher, _asked("card_tail", text), {}) == {}


async def test_a_refusal_counts_only_for_the_question_asked(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = _asked("verification_code", "我不想告诉你卡号")

    assert await _form(demo_backend).extract_card_tail(dispatcher, tracker, {}) == {}


async def test_confirmation_in_own_words(demo_backend: DemoBackend, dispatcher) -> None:
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    form = _form(demo_backend)

    declined = _asked("confirmed", "先不注销", "cancel_card", card_service="cancel")
    accepted = _asked("confirmed", "是的没错，注销掉", "cancel_card", card_service="cancel")
    asked = _asked("confirmed", "注销前积分还有多少", "query_points", card_service="cancel")

    assert await form.extract_confirmed(dispatcher, declined, domain) == {"confirmed": False}
    assert await form.extract_confirmed(dispatcher, accepted, domain) == {"confirmed": True}
    assert await form.extract_confirmed(dispatcher, asked, domain) == {}
    waiting = _asked("confirmed", "等一下", "deny", card_service="cancel")
    assert await form.extract_confirmed(dispatcher, waiting, domain) == {"confirmed": None}
