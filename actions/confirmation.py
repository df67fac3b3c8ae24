"""The answer to "确认挂失吗？" / "确认注销吗？" in the customer's own words (the form's `confirmed`).

The NLU reads most answers as affirm or deny, but at this step people also type a button's title out, name
the service again ("注销掉" is agreement here), hesitate ("等一下，先别") or ask something else. A question
is no answer: the form lets the rules answer it (rules "… inside card service") and asks again.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from actions.knowledge import Knowledge
from bot.normalization import normalize

_AFFIRM_PAYLOAD = "/affirm"


class Answer(StrEnum):
    yes = "yes"  # do it
    no = "no"  # do not do it: the question is dropped
    wait = "wait"  # "等一下": not yet; the question stays open


def confirmation_buttons(domain: dict[str, Any], response: str) -> list[dict[str, str]]:
    """The confirmation question's buttons (title and payload), as the domain gives them."""
    variants = (domain.get("responses") or {}).get(response) or [{}]
    return list(variants[0].get("buttons") or [])


def is_question(text: str, knowledge: Knowledge) -> bool:
    return any(word in text for word in knowledge.question_words)


def _says(text: str, knowledge: Knowledge, answer: Answer) -> bool:
    return any(word in text for word in knowledge.confirmation_words[answer.value])


def read_confirmation(
    message: dict[str, Any],
    *,
    service_intent: str | None,
    buttons: list[dict[str, str]],
    knowledge: Knowledge,
) -> Answer | None:
    """The answer, or None when the message is not an answer to the confirmation (a question, another topic).

    A "wait" word outside a question wins ("等一下，先别": not yet), then the NLU's affirm/deny
    ("ok 就这么弄"); otherwise a question is no answer, and a "no" word beats a "yes" word or the service.
    """
    intent = (message.get("intent") or {}).get("name")
    text = normalize(message.get("text") or "").text.lower()
    for button in buttons:
        if button["title"] in text:
            return Answer.yes if button["payload"] == _AFFIRM_PAYLOAD else Answer.no
    question = is_question(text, knowledge)
    if _says(text, knowledge, Answer.wait) and not question:
        return Answer.wait
    if intent in ("deny", "cancel"):
        return Answer.no
    if intent == "affirm":
        return Answer.yes
    if question:
        return None
    if _says(text, knowledge, Answer.no):
        return Answer.no
    if intent == service_intent or _says(text, knowledge, Answer.yes):
        return Answer.yes
    return None
