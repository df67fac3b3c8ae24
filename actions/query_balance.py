from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.account import BackendAction, format_amount
from actions.backends.base import CardStatus


class ActionQueryBalance(BackendAction):
    def name(self) -> str:
        return "action_query_balance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer = await self.load_customer(dispatcher, tracker)
        if customer is None:
            return []
        tail = tracker.get_slot("card_tail")
        cards = [
            card
            for card in customer.cards
            if card.tail == tail or (tail is None and card.status is not CardStatus.cancelled)
        ]
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
