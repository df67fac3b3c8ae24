"""Policy answers (annual fee, instalments, repayment, application, service info) from the knowledge file."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import customer_context
from actions.empathy import acknowledge_emotion
from actions.knowledge import Knowledge, get_knowledge


def in_hardship(tracker: Tracker) -> bool:
    """Trouble paying ("这个月还不上了"): the NLU's `hardship` entity (rules in data/stories/emotion.yml)."""
    return any(True for _ in tracker.get_latest_entity_values("hardship"))


class ActionAnswerPolicy(Action):
    def __init__(self, knowledge: Knowledge | None = None) -> None:
        self._knowledge = knowledge

    def name(self) -> str:
        return "action_answer_policy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        answer_policy_question(dispatcher, tracker, intent, self._knowledge or get_knowledge())
        return []


def answer_policy_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, intent: str, knowledge: Knowledge
) -> None:
    """The answer to a policy question as the customer asked it: trouble paying gets the options."""
    if in_hardship(tracker):
        # It opens with its own acknowledgement.
        dispatcher.utter_message(response="utter_repayment_hardship")
        return
    acknowledge_emotion(dispatcher, tracker)
    utter_policy_answer(dispatcher, tracker, intent, knowledge)


def utter_policy_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, intent: str, knowledge: Knowledge
) -> None:
    """The knowledge file's answer to `intent` for the customer's tier, or the default reply."""
    answer = knowledge.answer(intent, customer_context(tracker).tier)
    if answer is None:
        dispatcher.utter_message(response="utter_default")
    else:
        dispatcher.utter_message(text=answer)
