from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backends.demo import DemoBackend
from actions.clients.http_session import close_all_sessions
from actions.settings import REPO_ROOT, get_settings
from actions.verified_identities import VerifiedIdentities, get_verified_identities
from contract.identity import Identity, sign_identity

DEMO_CUSTOMERS = REPO_ROOT / "demo" / "customers.yml"
GATEWAY_SECRET = "test-gateway-secret"
os.environ["GATEWAY_SECRET"] = GATEWAY_SECRET
# Verified identities go to the real Redis, under this run's own prefix (removed at the end).
os.environ["RASA_REDIS_PREFIX"] = f"test-actions-{uuid.uuid4().hex}"
get_settings.cache_clear()


@pytest.fixture(autouse=True)
async def verified_identities() -> AsyncIterator[VerifiedIdentities]:
    """The record of verified identities, empty, with a client for this test's event loop."""
    get_verified_identities.cache_clear()
    yield get_verified_identities()
    await get_verified_identities().close()
    get_verified_identities.cache_clear()
    client = redis.Redis.from_url(get_settings().redis_url)
    for key in client.scan_iter(match=f"{get_settings().redis_key_prefix}:*"):
        client.delete(key)
    client.close()


def identity_metadata(customer_id: str, tier: str, conversation_id: str = "conv-42") -> dict[str, Any]:
    """Message metadata as the gateway channel stores it: the identity the handoff API signed."""
    identity = Identity(conversation_id=conversation_id, customer_id=customer_id, tier=tier)
    return {"identity": sign_identity(identity, GATEWAY_SECRET)}


METADATA = identity_metadata("C1003", "platinum")


@pytest.fixture(autouse=True)
async def http_sessions_closed_after_each_test() -> AsyncIterator[None]:
    """Each test's event loop ends with it: close the sessions clients opened, as the server does at stop."""
    yield
    await close_all_sessions()


@pytest.fixture
def demo_backend(tmp_path: Path) -> DemoBackend:
    return DemoBackend(state_path=tmp_path / "demo_backend.json", seed_path=DEMO_CUSTOMERS)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def user_event(
    text: str,
    intent: str,
    metadata: dict[str, Any] | None = None,
    *,
    entities: dict[str, Any] | None = None,
    ranking: list[tuple[str, float]] | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "message_id": message_id,
        "parse_data": {
            "intent": {"name": intent, "confidence": 0.99},
            "entities": [{"entity": name, "value": value} for name, value in (entities or {}).items()],
            "intent_ranking": [{"name": name, "confidence": score} for name, score in ranking or []],
        },
        "metadata": metadata or {},
    }


def bot_event(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


def sent(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """Each message as its response name and variables, without the dispatcher's empty fields."""
    return [
        {
            key: value
            for key, value in message.items()
            if key not in ("buttons", "elements", "attachment", "image", "custom", "text", "template")
        }
        for message in dispatcher.messages
    ]


def make_tracker(
    events: list[dict[str, Any]],
    *,
    slots: dict[str, Any] | None = None,
    sender_id: str = "conv-42",
    active_loop: str | None = None,
) -> Tracker:
    latest_user = next((e for e in reversed(events) if e["event"] == "user"), {})
    parse_data = latest_user.get("parse_data", {})
    latest_message = {
        "text": latest_user.get("text"),
        "intent": parse_data.get("intent", {}),
        "intent_ranking": parse_data.get("intent_ranking") or [parse_data.get("intent", {})],
        "entities": parse_data.get("entities", []),
        "metadata": latest_user.get("metadata", {}),
        "message_id": latest_user.get("message_id"),
    }
    return Tracker(
        sender_id=sender_id,
        slots=slots or {},
        latest_message=latest_message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )
