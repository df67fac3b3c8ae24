from __future__ import annotations

import pytest
import yaml

from actions.confirmation import Answer, confirmation_buttons, read_confirmation
from actions.knowledge import get_knowledge
from actions.settings import REPO_ROOT

DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
LOST_BUTTONS = confirmation_buttons(DOMAIN, "utter_confirm_report_lost")
CANCEL_BUTTONS = confirmation_buttons(DOMAIN, "utter_confirm_cancel")


def _read(
    text: str, intent: str, buttons: list[dict[str, str]] = LOST_BUTTONS, service: str = "report_lost_card"
):
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}}
    return read_confirmation(message, service_intent=service, buttons=buttons, knowledge=get_knowledge())


def test_buttons_are_read_from_the_domain() -> None:
    assert LOST_BUTTONS == [
        {"title": "确认挂失", "payload": "/affirm"},
        {"title": "先不挂失", "payload": "/deny"},
    ]
    assert [button["title"] for button in CANCEL_BUTTONS] == ["确认注销", "先不注销"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [("先不注销", "cancel_card"), ("那算了，先不注销了", "cancel_card"), ("还是不弄了吧", "nlu_fallback")],
)
def test_typed_deny_title_or_own_words_decline(text: str, intent: str) -> None:
    assert _read(text, intent, CANCEL_BUTTONS, "cancel_card") is Answer.no


@pytest.mark.parametrize("text", ["我再想想", "别别别，我找到卡了"])
def test_no_words_decline_whatever_the_intent(text: str) -> None:
    assert _read(text, "report_lost_card") is Answer.no


def test_wait_keeps_the_question_open_even_with_a_no_word() -> None:
    assert _read("等一下，先别", "freeze_card") is Answer.wait


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("确认挂失", "report_lost_card"),
        ("嗯嗯 挂吧 赶紧的", "report_lost_card"),
        ("对，办吧", "nlu_fallback"),
    ],
)
def test_typed_confirm_title_service_intent_or_yes_words_accept(text: str, intent: str) -> None:
    assert _read(text, intent) is Answer.yes


def test_naming_the_service_again_accepts() -> None:
    assert _read("是的没错，注销掉", "cancel_card", CANCEL_BUTTONS, "cancel_card") is Answer.yes


def test_button_payload_is_read_by_its_intent() -> None:
    assert _read("/affirm", "affirm") is Answer.yes
    assert _read("/deny", "deny") is Answer.no


@pytest.mark.parametrize(
    ("text", "intent"),
    [("等会儿，你们客服电话是多少？", "ask_service_info"), ("注销前积分还有多少", "cancel_card")],
)
def test_a_question_is_no_answer(text: str, intent: str) -> None:
    assert _read(text, intent) is None


def test_something_else_is_no_answer() -> None:
    assert _read("今天星期几", "out_of_scope") is None
