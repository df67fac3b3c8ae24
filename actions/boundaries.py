"""A card that is not the customer's own (a relative's or a friend's, another bank's) is refused as such,
never answered with the customer's own figures or with "not found" (rules in data/stories/boundaries.yml)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

# The extractor's values of the not_own_card entity (bot/entity_rules.py NOT_OWN_CARD).
REFUSAL_BY_KIND = {
    "someone_else": "utter_not_own_card_someone_else",
    "other_bank": "utter_not_own_card_other_bank",
}


def refuse_if_not_own_card(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Refuses a question about a card that is not the customer's own; True when it did. (The rules catch the
    message with only this entity; an account action catches it with others, such as a card tail.)"""
    kind = next(tracker.get_latest_entity_values("not_own_card"), None)
    if kind is None:
        return False
    dispatcher.utter_message(response=REFUSAL_BY_KIND.get(kind, REFUSAL_BY_KIND["someone_else"]))
    return True


class ActionRefuseNotOwnCard(Action):
    def name(self) -> str:
        return "action_refuse_not_own_card"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kind = next(tracker.get_latest_entity_values("not_own_card"), "someone_else")
        dispatcher.utter_message(response=REFUSAL_BY_KIND.get(kind, REFUSAL_BY_KIND["someone_else"]))
        return []
