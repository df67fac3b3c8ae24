"""One short acknowledgement, in the bot's own voice, for an angry or worried customer, before the next step.

Anger is the NLU's `emotion` entity (bot/entity_rules.py); worry is worded in the knowledge file
(`distress_words`). Whichever action takes the next step calls this; a turn is acknowledged at most once.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import get_knowledge
from bot.normalization import normalize

ACKNOWLEDGEMENTS = ("utter_acknowledge_anger", "utter_acknowledge_worry")


def _acknowledged_this_turn(tracker: Tracker) -> bool:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if (
            event.get("event") == "bot"
            and (event.get("metadata") or {}).get("utter_action") in ACKNOWLEDGEMENTS
        ):
            return True
    return False


def acknowledgement(tracker: Tracker) -> str | None:
    """The response that acknowledges how the latest message sounds, if it needs one."""
    if "angry" in tracker.get_latest_entity_values("emotion"):
        return "utter_acknowledge_anger"
    text = normalize(tracker.latest_message.get("text") or "").text
    if any(word in text for word in get_knowledge().distress_words):
        return "utter_acknowledge_worry"
    return None


def acknowledge_emotion(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    response = acknowledgement(tracker)
    if response is not None and not _acknowledged_this_turn(tracker):
        dispatcher.utter_message(response=response)
