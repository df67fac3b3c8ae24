"""Two-choice clarification when the NLU is unsure around card security (nlu_security_unsure), in the
style of Rasa's action_default_ask_affirmation: the two candidate intents as buttons, and "neither"."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import get_knowledge

CHOICES = 2
# "Neither": the customer says it again in other words.
NEITHER_PAYLOAD = "/deny"


def candidate_intents(message: dict[str, Any], labels: dict[str, str]) -> list[str]:
    """The two best intents the bot can offer by name; pseudo-intents and meta intents have no label."""
    ranking = message.get("intent_ranking") or []
    return [entry["name"] for entry in ranking if entry.get("name") in labels][:CHOICES]


def payload(intent: str, entities: list[dict[str, Any]]) -> str:
    """`/intent{...}` carrying the message's entities, so a card tail or amount already given is kept."""
    values: dict[str, Any] = {}
    for entity in entities:
        values.setdefault(entity["entity"], entity["value"])
    return f"/{intent}{json.dumps(values, ensure_ascii=False)}" if values else f"/{intent}"


class ActionClarifySecurity(Action):
    def name(self) -> str:
        return "action_clarify_security"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        knowledge = get_knowledge()
        labels = knowledge.intent_labels
        message = tracker.latest_message
        entities = message.get("entities") or []
        buttons = [
            {"title": labels[intent], "payload": payload(intent, entities)}
            for intent in candidate_intents(message, labels)
        ]
        buttons.append({"title": knowledge.label("clarification", "neither"), "payload": NEITHER_PAYLOAD})
        dispatcher.utter_message(response="utter_clarify_security", buttons=buttons)
        return []
