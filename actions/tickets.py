"""Complaints, disputes and callback messages become tickets in the handoff service;
status by ticket id or the customer's latest."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.clients.tickets import Ticket, TicketClient, TicketError, TicketNotFound, TicketRequest
from actions.context import customer_context
from actions.empathy import acknowledge_emotion
from actions.idempotency import idempotency_key
from actions.knowledge import Knowledge, get_knowledge
from actions.policy_answers import utter_policy_answer
from actions.settings import get_settings
from bot.entity_rules import ticket_id_value
from bot.normalization import normalize
from contract.names import TicketCategory
from contract.pii import find_mobile

logger = logging.getLogger(__name__)

CATEGORY_BY_INTENT = {"complain": TicketCategory.COMPLAINT, "dispute_transaction": TicketCategory.DISPUTE}
# A first message this long already describes the problem: it becomes the description unasked.
PREFILL_MIN_CHARS = 12
DESCRIPTION_MIN_CHARS = 4
# Questions answered on the spot while the bot waits for a complaint's description (see is_side_question).
SIDE_QUESTION_INTENTS = frozenset(
    {
        "ask_service_info",
        "ask_annual_fee",
        "ask_installment",
        "ask_repayment",
        "ask_card_application",
        "bot_challenge",
    }
)
# The linear classifier's probabilities are flat over 30 intents: 0.6 is a sure reading for it.
SIDE_QUESTION_MIN_CONFIDENCE = 0.6
_BEIJING = timezone(timedelta(hours=8))


def format_time(iso: str) -> str:
    """A ticket time (ISO 8601, UTC) as the customer reads it: Beijing time."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(_BEIJING)
    return (
        get_knowledge()
        .formats["datetime"]
        .format(month=local.month, day=local.day, hour=local.hour, minute=local.minute)
    )


def ticket_variables(ticket: Ticket) -> dict[str, Any]:
    knowledge = get_knowledge()
    return {
        "ticket_id": ticket.id,
        "category": knowledge.label("ticket_category", ticket.category),
        "status": knowledge.label("ticket_status", ticket.status),
        "sla_due": format_time(ticket.sla_due_at),
        "created": format_time(ticket.created_at),
    }


class TicketAction(Action):
    def __init__(self, client: TicketClient | None = None) -> None:
        self._client = client

    def name(self) -> str:
        return "action_file_ticket"

    @property
    def client(self) -> TicketClient:
        if self._client is None:
            self._client = TicketClient.from_settings(get_settings())
        return self._client

    async def file(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        category: TicketCategory,
        description: str,
        contact_phone: str | None = None,
    ) -> Ticket | None:
        context = customer_context(tracker)
        if context.customer_id is None or context.tier is None:
            dispatcher.utter_message(response="utter_customer_unknown")
            return None
        details = {
            name: tracker.get_slot(name)
            for name in ("amount", "date", "card_tail")
            if tracker.get_slot(name) is not None
        }
        request = TicketRequest(
            category=category,
            customer_id=context.customer_id,
            tier=context.tier,
            conversation_id=context.conversation_id,
            description=description,
            details=details,
            contact_phone=contact_phone,
        )
        try:
            return await self.client.create(
                request, idempotency_key=idempotency_key(tracker, f"ticket:{category.value}")
            )
        except TicketError:
            logger.exception("Filing a %s ticket failed (conversation %s)", category, context.conversation_id)
            dispatcher.utter_message(response="utter_ticket_failed")
            return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        category = TicketCategory(tracker.get_slot("ticket_category") or TicketCategory.COMPLAINT)
        description = tracker.get_slot("ticket_description")
        events = [SlotSet("ticket_description", None), SlotSet("ticket_category", None)]
        if not description:
            return events  # withdrawn in the form (ValidateTicketForm): nothing to file
        ticket = await self.file(dispatcher, tracker, category, description)
        if ticket is None:
            return events
        dispatcher.utter_message(
            response=f"utter_ticket_created_{category.value}", **ticket_variables(ticket)
        )
        return [*events, SlotSet("ticket_id", ticket.id)]


def customer_words(tracker: Tracker) -> str:
    """The customer's latest typed message; a button payload ("/intent") stands for the message it answered
    (a clarification), so the words before it count."""
    said = [(e.get("text") or "").strip() for e in tracker.events if e.get("event") == "user"][-2:]
    if said and not said[-1].startswith("/"):
        return said[-1]
    return said[0] if len(said) == 2 and not said[0].startswith("/") else ""


class ActionStartTicket(Action):
    def name(self) -> str:
        return "action_start_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        category = CATEGORY_BY_INTENT.get(intent, TicketCategory.COMPLAINT)
        text = customer_words(tracker)
        prefilled = len(text) >= PREFILL_MIN_CHARS
        if prefilled:
            # Filed at once; otherwise the form's question ("非常抱歉给您带来…") is the acknowledgement.
            acknowledge_emotion(dispatcher, tracker)
        return [
            SlotSet("ticket_category", category.value),
            SlotSet("ticket_description", text if prefilled else None),
        ]


def is_side_question(message: dict[str, Any], knowledge: Knowledge) -> bool:
    """A question the bot can answer, asked while it waits for a complaint's description.

    Only a confident classification worded as a question counts, and only without a grievance in it:
    "为什么乱扣我年费？" is classified ask_annual_fee, but inside a complaint it is the complaint.
    """
    intent = message.get("intent") or {}
    if intent.get("name") not in SIDE_QUESTION_INTENTS:
        return False
    if float(intent.get("confidence") or 0.0) < SIDE_QUESTION_MIN_CONFIDENCE:
        return False
    text = normalize(message.get("text") or "").text
    asks = any(word in text for word in knowledge.question_words)
    return asks and not any(word in text for word in knowledge.grievance_words)


class ValidateTicketForm(FormValidationAction):
    def name(self) -> str:
        return "validate_ticket_form"

    async def validate_ticket_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            # Cleared by action_start_ticket as the form starts: nothing to judge yet, the form asks.
            return {"ticket_description": None}
        knowledge = get_knowledge()
        if is_side_question(tracker.latest_message, knowledge):
            # Answered here, then the form asks for the description again: the customer comes back.
            _answer_side_question(tracker, dispatcher, knowledge)
            return {"ticket_description": None}
        text = str(value).strip()
        if any(word in normalize(text).text for word in knowledge.withdrawal_words):
            # "没事了，是我搞错了": nothing to file; the form ends without a description.
            dispatcher.utter_message(response="utter_ticket_withdrawn")
            return {"ticket_description": None, "requested_slot": None}
        if len(text) < DESCRIPTION_MIN_CHARS:
            dispatcher.utter_message(response="utter_ask_ticket_description_again")
            return {"ticket_description": None}
        return {"ticket_description": text}


def _answer_side_question(tracker: Tracker, dispatcher: CollectingDispatcher, knowledge: Knowledge) -> None:
    intent = tracker.latest_message["intent"]["name"]
    if intent == "bot_challenge":
        dispatcher.utter_message(response="utter_iamabot")
    else:
        utter_policy_answer(dispatcher, tracker, intent, knowledge)


class ActionTicketStatus(TicketAction):
    def name(self) -> str:
        return "action_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        context = customer_context(tracker)
        typed = next(tracker.get_latest_entity_values("ticket_id"), None)
        # The extractor spells ids as the API does; a button payload or an older tracker may not.
        ticket_id = ticket_id_value(str(typed)) if typed is not None else None
        try:
            if ticket_id is not None:
                ticket: Ticket | None = await self.client.get(ticket_id)
                # Another customer's ticket is none of this customer's business: answer as if unknown.
                if ticket is not None and ticket.customer_id != context.customer_id:
                    raise TicketNotFound(ticket_id)
            elif context.customer_id is None:
                dispatcher.utter_message(response="utter_customer_unknown")
                return []
            else:
                latest = await self.client.latest(context.customer_id, limit=1)
                ticket = latest[0] if latest else None
        except TicketNotFound:
            # Said to be unknown, never answered with the latest ticket instead; the slot forgets the id.
            dispatcher.utter_message(response="utter_ticket_not_found", ticket_id=ticket_id)
            return [SlotSet("ticket_id", None)]
        except TicketError:
            logger.exception("Reading tickets failed (conversation %s)", context.conversation_id)
            dispatcher.utter_message(response="utter_ticket_service_unavailable")
            return []
        if ticket is None:
            dispatcher.utter_message(response="utter_no_tickets")
            return []
        dispatcher.utter_message(response="utter_ticket_status", **ticket_variables(ticket))
        return [SlotSet("ticket_id", ticket.id)]


class ActionFileCallback(TicketAction):
    def name(self) -> str:
        return "action_file_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        note = tracker.get_slot("callback_note") or ""
        # The mobile number the customer gave for the callback, if any (the API refuses anything else, and
        # finds one typed into the note itself).
        phone = find_mobile(str(tracker.get_slot("phone") or ""))
        ticket = await self.file(dispatcher, tracker, TicketCategory.CALLBACK, note, phone)
        events = [SlotSet("callback_note", None), SlotSet("pending_offer", None)]
        if ticket is None:
            return events
        dispatcher.utter_message(response="utter_ticket_created_callback", **ticket_variables(ticket))
        return [*events, SlotSet("ticket_id", ticket.id)]


class ActionDeclineOffer(Action):
    def name(self) -> str:
        return "action_decline_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet("pending_offer", None)]
