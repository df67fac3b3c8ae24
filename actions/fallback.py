"""Two-stage fallback: first miss → the best two guesses as buttons; second miss in a row → offer a human;
third → hand over (repeated misunderstanding). A customer who says the bot does not understand them (the
`frustration` entity; rules in data/stories/frustration.yml) has told us of a miss already: offered a
human at once, with an apology."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import HandoffAction
from actions.knowledge import get_knowledge
from contract.names import HandoffReason

GUESSES = 2
# "嗯那个就是上回说的那个" read as an unsure affirm while nothing was asked: a miss like nlu_fallback.
UNPROMPTED_INTENTS = frozenset({"affirm", "deny"})
UNPROMPTED_MISS_BELOW = 0.5
# A turn read this unsure and acted on, followed by a miss, was most likely a miss too
# ("嗯那个就是上回说的那个" answered as a ticket-status query at 0.48, then "就那个啊，你不知道吗"):
# it counts towards the misses in a row.
ACTED_ON_UNSURE_BELOW = 0.5
OFFER_HUMAN_AFTER_MISSES = 2
HAND_OVER_AFTER_MISSES = 3
_NOT_A_GUESS = frozenset(
    {"nlu_fallback", "affirm", "deny", "inform", "thank", "goodbye", "cancel", "out_of_scope"}
)


def is_miss(parse_data: dict[str, Any]) -> bool:
    intent = parse_data.get("intent") or {}
    if intent.get("name") == "nlu_fallback":
        return True
    unsure = float(intent.get("confidence") or 0.0) < UNPROMPTED_MISS_BELOW
    return intent.get("name") in UNPROMPTED_INTENTS and unsure


def _is_unsure(parse_data: dict[str, Any]) -> bool:
    return float((parse_data.get("intent") or {}).get("confidence") or 0.0) < ACTED_ON_UNSURE_BELOW


def misses_in_a_row(tracker: Tracker) -> int:
    misses = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        parse_data = event.get("parse_data") or {}
        if not (is_miss(parse_data) or (misses and _is_unsure(parse_data))):
            break
        misses += 1
    return max(misses, 1)


def is_frustrated(tracker: Tracker) -> bool:
    return any(True for _ in tracker.get_latest_entity_values("frustration"))


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
        if is_frustrated(tracker):
            misses = max(misses, OFFER_HUMAN_AFTER_MISSES)
        if misses >= HAND_OVER_AFTER_MISSES:
            return await self.hand_off(dispatcher, tracker, HandoffReason.REPEATED_MISUNDERSTANDING)
        guesses = best_guesses(tracker)
        if misses < OFFER_HUMAN_AFTER_MISSES and guesses:
            labels = get_knowledge().intent_labels
            dispatcher.utter_message(
                response="utter_fallback_guesses",
                buttons=[{"title": labels[name], "payload": f"/{name}"} for name in guesses],
            )
            return []
        dispatcher.utter_message(response="utter_fallback_offer_human")
        return []


class ActionUnpromptedReply(ActionFallback):
    """An affirm or deny when the bot asked nothing: "anything else?", unless it was read so unsure that it
    is a miss (the two-stage fallback then counts it)."""

    def name(self) -> str:
        return "action_unprompted_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if is_miss(tracker.latest_message):
            return await super().run(dispatcher, tracker, domain)
        return [FollowupAction("utter_anything_else")]
