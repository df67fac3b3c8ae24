"""Identity verification inside the card-service form: card tail, then a one-time code from the back-end.

Too many failures lock the operation (the form ends and the conversation goes to the risk group);
a verified identity is trusted for VERIFICATION_TTL_SECONDS.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.backends import get_backend
from actions.backends.base import AccountBackend, BackendError, CardNotFound, CardStatus
from actions.card_intents import intent_of_service
from actions.confirmation import Answer, confirmation_buttons, read_confirmation
from actions.context import customer_context
from actions.knowledge import Knowledge, get_knowledge
from actions.settings import Settings, get_settings
from actions.verified_identities import VerifiedIdentities, get_verified_identities
from bot.normalization import normalize

logger = logging.getLogger(__name__)

FORM = "card_service_form"
_TAIL = re.compile(r"\d{4}")
_CODE = re.compile(r"\d{6}")
# Operations whose result cannot be undone by the customer: asked to confirm after verification.
IRREVERSIBLE_SERVICES = frozenset({"report_lost", "cancel"})
LIMIT_SERVICES = frozenset({"raise_temporary_limit", "raise_permanent_limit"})
# Card statuses on which verification by that card makes no sense.
_UNUSABLE_FOR_VERIFICATION = frozenset({CardStatus.cancelled})
# A card tail named this many customer messages back (the request's own included) is the one meant.
TAIL_MEMORY_MESSAGES = 3


def is_verified(tracker: Tracker, *, ttl_seconds: float, now: float | None = None) -> bool:
    verified_at = tracker.get_slot("verified_at")
    if not tracker.get_slot("verified") or verified_at is None:
        return False
    return (now if now is not None else time.time()) - float(verified_at) < ttl_seconds


def refuses_verification(message: dict[str, Any], knowledge: Knowledge) -> bool:
    """A refusal that names what is asked for, with no digits given ("我不想告诉你卡号")."""
    text = normalize(message.get("text") or "").text
    words = knowledge.verification_refusal_words
    return (
        not any(char.isdigit() for char in text)
        and any(word in text for word in words["asked"])
        and any(word in text for word in words["refusal"])
    )


def _answers(tracker: Tracker, slot: str) -> bool:
    """The latest message is the customer's answer to the form's question for `slot`: no other action ran
    since it (Rasa hands the validation action a tracker ending in the form's own ActionExecuted)."""
    if tracker.get_slot("requested_slot") != slot:
        return False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in (FORM, "action_listen"):
            return False
    return False


def _digits(value: Any, pattern: re.Pattern[str]) -> str | None:
    match = pattern.fullmatch(str(value).strip()) if value is not None else None
    return match.group(0) if match else None


class ValidateCardServiceForm(FormValidationAction):
    def __init__(
        self,
        backend: AccountBackend | None = None,
        settings: Settings | None = None,
        clock: Callable[[], float] = time.time,
        verified_identities: VerifiedIdentities | None = None,
    ) -> None:
        self._backend = backend
        self._settings = settings
        self._clock = clock
        self._verified_identities = verified_identities

    def name(self) -> str:
        return "validate_card_service_form"

    @property
    def verified_identities(self) -> VerifiedIdentities:
        return self._verified_identities or get_verified_identities()

    @property
    def backend(self) -> AccountBackend:
        return self._backend if self._backend is not None else get_backend()

    @property
    def settings(self) -> Settings:
        return self._settings if self._settings is not None else get_settings()

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("verification_locked"):
            return []  # ends the form; action_card_service hands over to the risk group
        if tracker.get_slot("verification_refused"):
            # Ends the form (the slot is filled); listed so that rasa-sdk keeps it among the form's events.
            # action_card_service says what can be done without verification.
            return ["verification_refused"]
        service = tracker.get_slot("card_service")
        slots = ["card_tail", "verification_code"]
        if service in LIMIT_SERVICES:
            slots.append("amount")
        if service in IRREVERSIBLE_SERVICES:
            slots.append("confirmed")
        return slots

    def _refusal(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        if _answers(tracker, slot) and refuses_verification(tracker.latest_message, get_knowledge()):
            return {"verification_refused": True}
        return {}

    async def extract_card_tail(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._refusal(tracker, "card_tail")

    async def extract_verification_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._refusal(tracker, "verification_code")

    async def extract_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _answers(tracker, "confirmed"):
            return {}
        service = tracker.get_slot("card_service")
        answer = read_confirmation(
            tracker.latest_message,
            service_intent=intent_of_service(service),
            buttons=confirmation_buttons(domain, f"utter_confirm_{service}"),
            knowledge=get_knowledge(),
        )
        if answer is None:
            return {}  # not an answer: the form rejects, a rule answers the question, the form asks again
        # "Wait" keeps the question open (set to None, so the form goes on and asks again, gently).
        return {"confirmed": {Answer.yes: True, Answer.no: False}.get(answer)}

    def _failed(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> dict[str, Any]:
        attempts = int(tracker.get_slot("verification_attempts") or 0) + 1
        if attempts >= self.settings.verification_max_attempts:
            logger.warning(
                "Identity verification locked after %d failures (conversation %s)",
                attempts,
                customer_context(tracker).conversation_id,
            )
            dispatcher.utter_message(response="utter_verification_locked")
            return {slot: None, "verification_attempts": attempts, "verification_locked": True}
        dispatcher.utter_message(
            response=f"utter_invalid_{slot}",
            attempts_left=self.settings.verification_max_attempts - attempts,
        )
        return {slot: None, "verification_attempts": attempts}

    async def validate_card_tail(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        tail = _digits(value, _TAIL)
        context = customer_context(tracker)
        if tail is None:
            dispatcher.utter_message(response="utter_ask_card_tail_again")
            return {"card_tail": None}
        if tail == tracker.get_slot("verified_card") and is_verified(
            tracker, ttl_seconds=self.settings.verification_ttl_seconds, now=self._clock()
        ):
            return {"card_tail": tail}
        if context.customer_id is None:
            dispatcher.utter_message(response="utter_customer_unknown")
            return {"card_tail": None}
        try:
            customer = await self.backend.get_customer(context.customer_id)
            card = customer.card(tail)
            if card is None or card.status in _UNUSABLE_FOR_VERIFICATION:
                return self._failed(dispatcher, tracker, "card_tail")
            sent = await self.backend.send_code(context.customer_id, tail)
        except CardNotFound:
            return self._failed(dispatcher, tracker, "card_tail")
        except BackendError:
            logger.exception("Account back-end failed (conversation %s)", context.conversation_id)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"card_tail": None}
        if tracker.get_slot("requested_slot") == "verification_code" and _earlier_tail(tracker) not in (
            None,
            tail,
        ):
            # "不对，是另一张，尾号8888" while the code for another card is awaited: said, then a new code.
            dispatcher.utter_message(response="utter_card_tail_changed", card_tail=tail)
        dispatcher.utter_message(response="utter_verification_code_sent", masked_phone=sent.masked_phone)
        if sent.demo_code is not None:
            dispatcher.utter_message(response="utter_demo_code_hint", code=sent.demo_code)
        return {"card_tail": tail, "verification_code": None, "verified": False, "verified_card": None}

    async def validate_verification_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("verified_card") == tracker.get_slot("card_tail") and is_verified(
            tracker, ttl_seconds=self.settings.verification_ttl_seconds, now=self._clock()
        ):
            return {"verification_code": value}
        code = _digits(value, _CODE)
        if code is None:
            dispatcher.utter_message(response="utter_ask_verification_code_again")
            return {"verification_code": None}
        context = customer_context(tracker)
        try:
            valid = await self.backend.check_code(context.customer_id or "", code)
        except BackendError:
            logger.exception("Account back-end failed (conversation %s)", context.conversation_id)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"verification_code": None}
        if not valid:
            return self._failed(dispatcher, tracker, "verification_code")
        await self.verified_identities.record(
            context.conversation_id,
            customer_id=context.customer_id or "",
            card_tail=tracker.get_slot("card_tail"),
        )
        dispatcher.utter_message(response="utter_verified")
        return {
            "verification_code": code,
            "verified": True,
            "verified_at": self._clock(),
            "verified_card": tracker.get_slot("card_tail"),
            "verification_attempts": 0,
        }

    async def validate_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            amount = float(value)
        except (TypeError, ValueError):
            amount = 0.0
        if amount <= 0:
            dispatcher.utter_message(response="utter_ask_amount_again")
            return {"amount": None}
        return {"amount": amount}


def named_tail(tracker: Tracker) -> tuple[str | None, bool]:
    """The card tail the customer named for this request, and whether it was in an earlier message.

    The request's own message counts first; then the customer's few messages before it ("查下尾号1111的额度",
    then "把这张卡冻结"), except answers to a card question (inform), which may have been a failed attempt.
    """
    messages = [event for event in reversed(tracker.events) if event.get("event") == "user"]
    for index, event in enumerate(messages[:TAIL_MEMORY_MESSAGES]):
        parse = event.get("parse_data") or {}
        if index and (parse.get("intent") or {}).get("name") == "inform":
            continue
        tail = next(
            (e.get("value") for e in parse.get("entities") or [] if e.get("entity") == "card_tail"), None
        )
        if tail is not None:
            return str(tail), index > 0
    return None, False


def _earlier_tail(tracker: Tracker) -> str | None:
    """The card tail slot as it was before the customer's latest message."""
    latest_user = max((i for i, e in enumerate(tracker.events) if e.get("event") == "user"), default=0)
    earlier = [
        e.get("value")
        for e in tracker.events[:latest_user]
        if e.get("event") == "slot" and e.get("name") == "card_tail"
    ]
    return earlier[-1] if earlier else None


def verification_reset_events(tracker: Tracker, *, ttl_seconds: float, now: float) -> list[dict[str, Any]]:
    """Forget an expired verification (or a half-finished one) before a new card service starts."""
    if is_verified(tracker, ttl_seconds=ttl_seconds, now=now):
        return []
    given_tail, _ = named_tail(tracker)
    return [
        SlotSet("card_tail", given_tail),
        SlotSet("verification_code", None),
        SlotSet("verified", False),
        SlotSet("verified_at", None),
        SlotSet("verified_card", None),
    ]
