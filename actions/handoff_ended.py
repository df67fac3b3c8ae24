"""The bot's turn when a handoff ends (docs/contract.md, "End of a handoff")."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionHandoffEnded(Action):
    def name(self) -> str:
        return "action_handoff_ended"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        outcome = next(tracker.get_latest_entity_values("handoff_outcome"), None)
        events: list[dict[str, Any]] = [SlotSet("handoff_status", None)]
        if outcome == "resolved":
            # csat_form asks for the rating (rule "a resolved handoff asks for a rating").
            return [*events, SlotSet("pending_offer", "csat")]
        if outcome in ("no_agent", "wait_timeout"):
            dispatcher.utter_message(response="utter_offer_callback")
            return [*events, SlotSet("pending_offer", "callback")]
        if outcome == "cancelled":
            dispatcher.utter_message(response="utter_handoff_cancelled")
            return [*events, SlotSet("pending_offer", None)]
        # "assigned" (or anything new): the agent talks now, the bot says nothing.
        return []
