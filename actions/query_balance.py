from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.account import CustomerReadAction, format_amount
from actions.backends.base import CardStatus, Customer


class ActionQueryBalance(CustomerReadAction):
    def name(self) -> str:
        return "action_query_balance"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, customer: Customer) -> None:
        tail = tracker.get_slot("card_tail")
        cards = [
            card
            for card in customer.cards
            if card.tail == tail or (tail is None and card.status is not CardStatus.cancelled)
        ]
        if not cards:
            dispatcher.utter_message(response="utter_card_not_found", card_tail=tail)
            return
        for card in cards:
            dispatcher.utter_message(
                response="utter_balance",
                card_tail=card.tail,
                product=card.product,
                available=format_amount(card.available_credit),
                limit=format_amount(card.credit_limit),
            )
