"""Who the bot is talking to: the identity the gateway signed into the metadata of the customer's messages.

Nothing else in a tracker is believed: a slot, an unsigned metadata field or an identity signed for another
conversation gives no customer, so account actions answer as for an unknown customer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from actions.settings import get_settings
from contract.identity import InvalidSignature, verify_identity

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CustomerContext:
    conversation_id: str
    customer_id: str | None
    tier: str | None


def _signed_identities(tracker: Tracker) -> list[Any]:
    """The signed identities of the customer's messages, newest first (a trigger_intent turn carries none)."""
    latest = ((tracker.latest_message or {}).get("metadata") or {}).get("identity")
    earlier = [
        (event.get("metadata") or {}).get("identity")
        for event in reversed(tracker.events)
        if event.get("event") == "user"
    ]
    return [identity for identity in [latest, *earlier] if identity]


def customer_context(tracker: Tracker, *, secret: str | None = None) -> CustomerContext:
    secret = secret if secret is not None else get_settings().gateway_secret
    for signed in _signed_identities(tracker):
        try:
            identity = verify_identity(signed, secret, conversation_id=tracker.sender_id)
        except InvalidSignature as exc:
            logger.warning("ignored an identity in conversation %s: %s", tracker.sender_id, exc)
            continue
        return CustomerContext(
            conversation_id=identity.conversation_id,
            customer_id=identity.customer_id or None,
            tier=identity.tier,
        )
    return CustomerContext(conversation_id=tracker.sender_id, customer_id=None, tier=None)
