"""Two-stage fallback: first miss → the best two guesses as buttons; second miss in a row → offer a human;
third → hand over (repeated misunderstanding)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import HandoffAction
from actions.knowledge import get_knowledge
from contract.names import HandoffReason

GUESSES = 2
HAND_OVER_AFTER_MISSES = 3
_NOT_A_GUESS = frozenset(
    {"nlu_fallback", "affirm", "deny", "inform", "thank", "goodbye", "cancel", "out_of_scope"}
)


def misses_in_a_row(tracker: Tracker) -> int:
    misses = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") != "nlu_fallback":
            break
        misses += 1
    return max(misses, 1)


def best_guesses(tracker: Tracker) -> list[str]:
    labels = get_knowledge().intent_labels
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [
        entry["name"]
        for entry in ranking
        if entry.get("name") in labels and entry.get("name") not in _NOT_A_GUESS
    ][:GUESSES]


class ActionFallback(HandoffAction):
    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        misses = misses_in_a_row(tracker)
        if misses >= HAND_OVER_AFTER_MISSES:
            return await self.hand_off(dispatcher, tracker, HandoffReason.REPEATED_MISUNDERSTANDING)
        guesses = best_guesses(tracker)
        if misses == 1 and guesses:
            labels = get_knowledge().intent_labels
            dispatcher.utter_message(
                response="utter_fallback_guesses",
                buttons=[{"title": labels[name], "payload": f"/{name}"} for name in guesses],
            )
            return []
        dispatcher.utter_message(response="utter_fallback_offer_human")
        return []
