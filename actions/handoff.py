"""Handing over to a human: the packet for the agent, the request, and what the customer is told."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.handoff import HandoffClient, HandoffError, HandoffRequest, TranscriptLine
from actions.context import customer_context
from actions.empathy import acknowledge_emotion
from actions.knowledge import get_knowledge
from actions.settings import get_settings
from actions.verified_identities import VerifiedIdentities, get_verified_identities
from bot.normalization import normalize
from contract.names import HandoffReason, HandoffStatus
from contract.pii import mask_pii

logger = logging.getLogger(__name__)

# Intents that say nothing about what the customer needs; the agent's queue is chosen by the
# last intent that does (a lost card followed by "转人工" must reach the risk group).
_CONVERSATIONAL_INTENTS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "bot_challenge",
        "request_human",
        "cancel",
        "inform",
        "nlu_fallback",
        "out_of_scope",
        "rate_service",
        "EXTERNAL_handoff_ended",
        "multiple_requests",
    }
)
# Bot-internal slots the agent does not need to see (the verification code above all).
_INTERNAL_SLOTS = frozenset(
    {
        "handoff_status",
        "verified",
        "verified_at",
        "verification_code",
        "verification_attempts",
        "verification_locked",
        "requested_slot",
        "session_started_metadata",
        "pending_offer",
        "confirmed",
        "handoff_outcome",
        "csat_score",
        "csat_comment",
        "csat_reread",
        "pending_requests",
    }
)
_TRANSCRIPT_LINES = 50
_ROLE_BY_EVENT = {"user": "customer", "bot": "bot"}


def asks_for_complaints_desk(message: dict[str, Any]) -> bool:
    """A human asked for as a supervisor or the complaints desk ("叫你们领导来"): a complaint's handoff."""
    if ((message.get("intent") or {}).get("name")) != "request_human":
        return False
    text = normalize(message.get("text") or "").text
    return any(word in text for word in get_knowledge().complaints_desk_words)


def topic_intent(tracker: Tracker) -> str | None:
    """What the conversation is about: routes the handoff and heads the agent's packet."""
    if asks_for_complaints_desk(tracker.latest_message or {}):
        return "complain"
    latest = None
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        latest = latest or intent
        if intent and intent not in _CONVERSATIONAL_INTENTS:
            return intent
    return latest


def is_angry(tracker: Tracker) -> bool:
    return "angry" in tracker.get_latest_entity_values("emotion")


def handoff_reason(tracker: Tracker) -> str:
    if is_angry(tracker):
        return HandoffReason.NEGATIVE_EMOTION
    if ((tracker.latest_message or {}).get("intent") or {}).get("name") == "request_human":
        return HandoffReason.EXPLICIT_REQUEST
    return HandoffReason.BOT_ESCALATION


def masked_transcript(tracker: Tracker) -> list[TranscriptLine]:
    lines = [
        TranscriptLine(role=_ROLE_BY_EVENT[event["event"]], text=mask_pii(event["text"]))
        for event in tracker.events
        if event.get("event") in _ROLE_BY_EVENT and event.get("text")
    ]
    return lines[-_TRANSCRIPT_LINES:]


def build_request(tracker: Tracker, reason: str | None = None, *, verified: bool) -> HandoffRequest:
    context = customer_context(tracker)
    # Entity extraction can put a whole card or phone number into a slot; the agent sees it masked too.
    slots = {
        name: mask_pii(value) if isinstance(value, str) else value
        for name, value in tracker.current_slot_values().items()
        if value is not None and name not in _INTERNAL_SLOTS
    }
    return HandoffRequest(
        conversation_id=context.conversation_id,
        customer_id=context.customer_id,
        tier=context.tier,
        intent=topic_intent(tracker),
        reason=reason or handoff_reason(tracker),
        slots=slots,
        verified=verified,
        transcript=masked_transcript(tracker),
    )


class HandoffAction(Action, ABC):
    """An action that may hand the conversation over; tests pass a client, the server builds one."""

    def __init__(
        self, client: HandoffClient | None = None, verified_identities: VerifiedIdentities | None = None
    ) -> None:
        self._client = client
        self._verified_identities = verified_identities

    @abstractmethod
    def name(self) -> str: ...

    @property
    def client(self) -> HandoffClient:
        if self._client is None:
            self._client = HandoffClient.from_settings(get_settings())
        return self._client

    @property
    def verified_identities(self) -> VerifiedIdentities:
        return self._verified_identities or get_verified_identities()

    async def hand_off(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, reason: str | None = None
    ) -> list[dict[str, Any]]:
        context = customer_context(tracker)
        # The agent is told "verified" only on the action server's own record, never on the slots.
        verified_card = await self.verified_identities.verified_card(
            context.conversation_id, customer_id=context.customer_id
        )
        request = build_request(tracker, reason, verified=verified_card is not None)
        acknowledge_emotion(dispatcher, tracker)
        try:
            result = await self.client.request_handoff(request)
        except HandoffError:
            logger.exception("Handoff request failed (conversation %s)", request.conversation_id)
            dispatcher.utter_message(response="utter_handoff_failed")
            return [SlotSet("handoff_status", "failed")]

        if result.status is HandoffStatus.QUEUED:
            dispatcher.utter_message(
                response="utter_handoff_queued",
                position=result.position,
                estimated_wait_text=result.estimated_wait_text or "请您稍等片刻",
            )
            return [SlotSet("handoff_status", result.status.value)]
        dispatcher.utter_message(response="utter_handoff_no_agent")
        return [SlotSet("handoff_status", result.status.value), SlotSet("pending_offer", "callback")]


class ActionRequestHandoff(HandoffAction):
    def name(self) -> str:
        return "action_request_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return await self.hand_off(dispatcher, tracker)
