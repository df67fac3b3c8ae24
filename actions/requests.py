"""Two requests in one message ("顺便问下积分，再帮我激活新卡", bot.components.request_splitter): each
is taken as a turn of its own (actions/reread.py), questions first, then the task.

A task opens a form that takes the customer's next messages, so it goes last; the rules of
data/stories/requests.yml bring the bot back here after each answer while requests wait in
`pending_requests`. A second task cannot start while the first one's form runs: the customer is told how to
ask for it once the first is done, rather than it being dropped unsaid.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import get_knowledge
from actions.reread import reread
from contract.names import CARD_TASK_INTENTS, GRIEVANCE_INTENTS

MULTIPLE_REQUESTS = "multiple_requests"
# Intents whose flow is a form: it must be the last request taken in a turn.
TASK_INTENTS = frozenset({*CARD_TASK_INTENTS, *GRIEVANCE_INTENTS})


def _intent(request: dict[str, Any]) -> str:
    return (request.get("intent") or {}).get("name") or ""


def in_order(requests: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The requests to take now (the questions as said, then the first task) and the tasks left for later."""
    questions = [r for r in requests if _intent(r) not in TASK_INTENTS]
    tasks = [r for r in requests if _intent(r) in TASK_INTENTS]
    return questions + tasks[:1], tasks[1:]


class ActionTakeRequests(Action):
    def name(self) -> str:
        return "action_take_requests"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        if _intent(message) == MULTIPLE_REQUESTS:
            requests, later = in_order(list(message.get("requests") or []))
            labels = get_knowledge().intent_labels
            for task in later:
                dispatcher.utter_message(
                    response="utter_request_later", request=labels.get(_intent(task), "")
                )
        else:
            requests = list(tracker.get_slot("pending_requests") or [])
        if not requests:
            return [SlotSet("pending_requests", None)]
        first, rest = requests[0], requests[1:]
        return [SlotSet("pending_requests", rest or None), *reread(first)]
