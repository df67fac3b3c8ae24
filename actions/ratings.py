"""The rating after a resolved handoff (csat_form): a score clicked or typed ("打5分", "给个四星", "差评"),
stored by the handoff API exactly as the page's star panel stores it, and the comment that follows.

A low score offers a follow-up (a callback message, as after a failed handoff). A message that is neither a
rating nor a comment (a new request) ends the form and is read again as a turn of its own (actions/reread.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.clients.csat import CsatClient, CsatError, Rated
from actions.context import customer_context
from actions.knowledge import get_knowledge
from actions.reread import reread
from actions.settings import get_settings
from bot.normalization import normalize
from contract.names import SERVICE_INTENTS

logger = logging.getLogger(__name__)

LOW_SCORE = 2  # this score or lower offers a follow-up
# "5分", "四星", "三颗星", "打 4 分": a digit or a Chinese numeral, then the unit of a rating.
_SCORED = re.compile(r"([1-5一二两三四五])\s*(?:分|颗星|个星|星)")
_PUNCTUATION = re.compile(r"[\s,，。.!！?？~～、;；:：]+")
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
# Words around a rating that say nothing more than the rating does.
_FILLER = re.compile(r"[打给评就个吧啦了呀哦嗯我你]")
# A typed remark this long (what is left after the rating and its filler words) is kept as the comment.
COMMENT_MIN_CHARS = 3
# Intents that are a new request, or an answer with no remark in it, rather than a remark on the service.
REQUEST_INTENTS = frozenset(
    {
        *SERVICE_INTENTS,
        "query_ticket_status",
        "request_human",
        # "没有了" / "谢谢" / "再见" at the comment question: no comment; answered as they are
        "deny",
        "thank",
        "affirm",
        "goodbye",
        "greet",
    }
)
REQUEST_MIN_CONFIDENCE = 0.5
NOT_RATED = 0  # csat_score when the customer answered the rating question with something else


def typed_score(text: str) -> int | None:
    """The score a typed message gives, if it gives one."""
    plain = normalize(text).text
    match = _SCORED.search(plain)
    if match:
        digit = match.group(1)
        return int(digit) if digit.isdigit() else _CHINESE_DIGITS[digit]
    # Longest words first: 非常满意 before 满意, 不满意 before 满意.
    return next((score for form, score in _rating_words() if form in plain), None)


def _rating_words() -> list[tuple[str, int]]:
    words = get_knowledge().rating_words
    return sorted(
        ((form, int(score)) for score, forms in words.items() for form in forms),
        key=lambda pair: -len(pair[0]),
    )


def typed_comment(text: str) -> str:
    """The message itself when it says more than its rating ("4分，解决得挺快"), else nothing."""
    plain = normalize(text).text
    rest = _SCORED.sub("", plain)
    for form, _ in _rating_words():
        rest = rest.replace(form, "")
    rest = _FILLER.sub("", _PUNCTUATION.sub("", rest))
    return text.strip() if len(rest) >= COMMENT_MIN_CHARS else ""


def is_new_request(message: dict[str, Any]) -> bool:
    intent = message.get("intent") or {}
    return (
        intent.get("name") in REQUEST_INTENTS
        and float(intent.get("confidence") or 0) >= REQUEST_MIN_CONFIDENCE
    )


class RatingAction:
    """Holds the CSAT client; tests pass one, the server builds one from the settings."""

    def __init__(self, client: CsatClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> CsatClient:
        if self._client is None:
            self._client = CsatClient.from_settings(get_settings())
        return self._client


class ValidateCsatForm(RatingAction, FormValidationAction):
    def name(self) -> str:
        return "validate_csat_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return ["csat_score", "csat_comment"]

    async def extract_csat_score(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "csat_score":
            return {}
        clicked = next(tracker.get_latest_entity_values("csat_score"), None)
        score = clicked if clicked is not None else typed_score(tracker.latest_message.get("text") or "")
        return {"csat_score": score if score is not None else NOT_RATED}

    async def validate_csat_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            score = int(value)
        except (TypeError, ValueError):
            score = NOT_RATED
        if not 1 <= score <= 5:
            # Not an answer to the question: the form ends and action_rating_done reads the message again.
            return {"csat_score": NOT_RATED, "csat_comment": ""}
        typed = tracker.latest_message.get("text") or ""
        comment = "" if typed.startswith("/") else typed_comment(typed)
        conversation_id = customer_context(tracker).conversation_id
        try:
            rated = await self.client.rate(conversation_id, score=score, comment=comment)
        except CsatError:
            logger.exception("Storing a rating failed (conversation %s)", conversation_id)
            dispatcher.utter_message(response="utter_csat_failed")
            return {"csat_score": score, "csat_comment": ""}
        if rated is not Rated.STORED:
            dispatcher.utter_message(response="utter_csat_already_given")
            return {"csat_score": score, "csat_comment": ""}
        if score <= LOW_SCORE:
            dispatcher.utter_message(response="utter_csat_follow_up")
            return {"csat_score": score, "csat_comment": comment, "pending_offer": "callback"}
        if comment:
            dispatcher.utter_message(response="utter_csat_thanks")
            return {"csat_score": score, "csat_comment": comment}
        return {"csat_score": score}  # the form asks for a comment next

    async def validate_csat_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None or tracker.get_slot("requested_slot") != "csat_comment":
            return {}
        if is_new_request(tracker.latest_message):
            return {"csat_comment": "", "csat_reread": True}
        conversation_id = customer_context(tracker).conversation_id
        try:
            await self.client.comment(conversation_id, str(value).strip())
        except CsatError:
            logger.exception("Storing a rating's comment failed (conversation %s)", conversation_id)
            dispatcher.utter_message(response="utter_csat_failed")
            return {"csat_comment": ""}
        dispatcher.utter_message(response="utter_csat_comment_thanks")
        return {"csat_comment": str(value).strip()}


class ActionRatingDone(Action):
    """After csat_form: forget the rating; a message not for the form is read as a turn of its own."""

    def name(self) -> str:
        return "action_rating_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        unanswered = tracker.get_slot("csat_score") == NOT_RATED or tracker.get_slot("csat_reread")
        events = [SlotSet("csat_score", None), SlotSet("csat_comment", None), SlotSet("csat_reread", None)]
        if tracker.get_slot("pending_offer") == "csat":  # a low score leaves its follow-up offer open
            events.append(SlotSet("pending_offer", None))
        if not unanswered:
            return events
        return [*events, *reread(tracker.latest_message)]
