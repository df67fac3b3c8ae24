"""Card services end to end: start (which service, forget a stale verification), the form
(actions/verification.py), the confirmation question, and the operation on the back-end."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account import backend_failed, format_amount
from actions.backends import get_backend
from actions.backends.base import (
    AccountBackend,
    BackendError,
    CardNotFound,
    CardOperation,
    CustomerNotFound,
    OperationRefused,
)
from actions.card_intents import SERVICE_BY_INTENT, intent_of_service
from actions.clients.handoff import HandoffClient
from actions.confirmation import Answer, confirmation_buttons, read_confirmation
from actions.context import customer_context
from actions.empathy import acknowledge_emotion
from actions.handoff import HandoffAction
from actions.idempotency import idempotency_key
from actions.knowledge import get_knowledge
from actions.settings import get_settings
from actions.verification import IRREVERSIBLE_SERVICES, is_verified, named_tail, verification_reset_events
from actions.verified_identities import VerifiedIdentities
from contract.names import HandoffReason


def requested_service(tracker: Tracker) -> CardOperation | None:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    service = SERVICE_BY_INTENT.get(intent or "")
    if service is CardOperation.raise_permanent_limit:
        text = tracker.latest_message.get("text") or ""
        if any(word in text for word in get_knowledge().temporary_limit_words):
            return CardOperation.raise_temporary_limit
    return service


def _clear_service() -> list[dict[str, Any]]:
    return [
        SlotSet("card_service", None),
        SlotSet("confirmed", None),
        SlotSet("amount", None),
        SlotSet("verification_refused", None),
    ]


class ActionStartCardService(Action):
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock

    def name(self) -> str:
        return "action_start_card_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        service = requested_service(tracker)
        amount = next(tracker.get_latest_entity_values("amount"), None)
        acknowledge_emotion(dispatcher, tracker)
        reset = verification_reset_events(
            tracker, ttl_seconds=get_settings().verification_ttl_seconds, now=self._clock()
        )
        tail, earlier = named_tail(tracker)
        if reset and earlier:
            # Said so, so that a customer who meant another card can say which.
            dispatcher.utter_message(response="utter_card_tail_from_earlier", card_tail=tail)
        return [
            SlotSet("card_service", service.value if service else None),
            SlotSet("confirmed", None),
            SlotSet("amount", amount),
            SlotSet("verification_refused", None),
            *reset,
        ]


class ActionAskConfirmed(Action):
    """Asks to confirm the irreversible service just verified (the form's question for `confirmed`); after
    "等一下" only a gentle reminder with the same buttons, not the whole question again."""

    def name(self) -> str:
        return "action_ask_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        service = tracker.get_slot("card_service")
        question = f"utter_confirm_{service}"
        buttons = confirmation_buttons(domain, question)
        answer = read_confirmation(
            tracker.latest_message,
            service_intent=intent_of_service(service),
            buttons=buttons,
            knowledge=get_knowledge(),
        )
        if answer is Answer.wait:
            dispatcher.utter_message(response="utter_confirm_wait", buttons=buttons)
        else:
            dispatcher.utter_message(response=question, card_tail=tracker.get_slot("card_tail"))
        return []


class ActionCardService(HandoffAction):
    def __init__(
        self,
        backend: AccountBackend | None = None,
        client: HandoffClient | None = None,
        clock: Callable[[], float] = time.time,
        verified_identities: VerifiedIdentities | None = None,
    ) -> None:
        super().__init__(client, verified_identities)
        self._backend = backend
        self._clock = clock

    def name(self) -> str:
        return "action_card_service"

    @property
    def backend(self) -> AccountBackend:
        return self._backend if self._backend is not None else get_backend()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("verification_locked"):
            return [
                *await self.hand_off(dispatcher, tracker, HandoffReason.VERIFICATION_FAILED),
                *_clear_service(),
            ]
        if tracker.get_slot("verification_refused"):
            # Refused to verify: what can be done without it, and a human.
            dispatcher.utter_message(response="utter_verification_refused")
            return _clear_service()
        service_name = tracker.get_slot("card_service")
        tail = tracker.get_slot("card_tail")
        if service_name is None or tail is None:
            dispatcher.utter_message(response="utter_ask_what_value_for")
            return _clear_service()
        context = customer_context(tracker)
        # The slots say verified; only the action server's own record of an accepted code proves it.
        verified_card = await self.verified_identities.verified_card(
            context.conversation_id, customer_id=context.customer_id
        )
        if verified_card != tail or not is_verified(
            tracker, ttl_seconds=get_settings().verification_ttl_seconds, now=self._clock()
        ):
            dispatcher.utter_message(response="utter_verification_expired")
            return _clear_service()
        if service_name in IRREVERSIBLE_SERVICES and tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(response="utter_card_service_not_done")
            return _clear_service()

        service = CardOperation(service_name)
        amount = tracker.get_slot("amount")
        try:
            result = await self.backend.perform(
                context.customer_id or "",
                tail,
                service,
                amount=float(amount) if amount is not None else None,
                idempotency_key=idempotency_key(tracker, f"card:{service.value}:{tail}"),
            )
        except OperationRefused as refusal:
            dispatcher.utter_message(
                response=f"utter_card_service_refused_{refusal.code}",
                card_tail=tail,
                max_amount=format_amount(refusal.max_amount or 0),
            )
            return _clear_service()
        except (CardNotFound, CustomerNotFound):
            dispatcher.utter_message(response="utter_card_not_found", card_tail=tail)
            return _clear_service()
        except BackendError:
            backend_failed(dispatcher, tracker)
            return _clear_service()

        card = result.card
        dispatcher.utter_message(
            response=f"utter_card_service_done_{service.value}",
            card_tail=card.tail,
            product=card.product,
            limit=format_amount(card.credit_limit),
            available=format_amount(card.available_credit),
            temporary_limit=format_amount(card.temporary_limit or 0),
            until=card.temporary_limit_until or "",
        )
        return _clear_service()
