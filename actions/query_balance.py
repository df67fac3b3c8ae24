from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backends.base import AccountBackend, BackendError, CustomerNotFound
from actions.backends.demo import DemoBackend
from actions.context import customer_context
from actions.settings import get_settings

logger = logging.getLogger(__name__)


def format_amount(value: float) -> str:
    return f"{value:,.2f}"


class ActionQueryBalance(Action):
    def __init__(self, backend: AccountBackend | None = None) -> None:
        self._backend = backend

    def name(self) -> str:
        return "action_query_balance"

    @property
    def backend(self) -> AccountBackend:
        if self._backend is None:
            self._backend = DemoBackend.from_settings(get_settings())
        return self._backend

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        context = customer_context(tracker)
        if context.customer_id is None:
            dispatcher.utter_message(response="utter_customer_unknown")
            return []
        try:
            customer = await self.backend.get_customer(context.customer_id)
        except CustomerNotFound:
            dispatcher.utter_message(response="utter_customer_unknown")
            return []
        except BackendError:
            logger.exception("Account back-end failed (conversation %s)", context.conversation_id)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []

        tail = tracker.get_slot("card_tail")
        cards = [card for card in customer.cards if tail is None or card.tail == tail]
        if not cards:
            dispatcher.utter_message(response="utter_card_not_found", card_tail=tail)
            return []
        for card in cards:
            dispatcher.utter_message(
                response="utter_balance",
                card_tail=card.tail,
                product=card.product,
                available=format_amount(card.available_credit),
                limit=format_amount(card.credit_limit),
            )
        return []
