"""What the gateway tells the bot, signed so that nobody who only reaches Rasa's port can forge it.

The handoff API (the gateway) is the only caller of Rasa's gateway channel. Every turn it sends is signed
as a whole (`sign_turn`), and carries the customer's identity signed on its own (`sign_identity`): the
channel checks the first, the actions check the second in the tracker they are given, so a forged tracker or
an event appended through Rasa's HTTP API cannot speak for another customer either. Both use the shared
GATEWAY_SECRET with a different purpose prefix, so one signature can never stand in for the other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import asdict, dataclass
from typing import Any

SIGNATURE_HEADER = "X-Gateway-Signature"
# A signed turn older than this is refused: a captured request cannot be replayed later.
MAX_TURN_AGE_SECONDS = 300
TURN_PURPOSE = b"turn:v1:"
# A message read while an agent owns the conversation: parsed only, never run as a turn. Its own purpose, so a
# captured parse request cannot be replayed as a turn.
PARSE_PURPOSE = b"parse:v1:"
_IDENTITY_PURPOSE = b"identity:v1:"


class InvalidSignature(Exception):
    """Missing, malformed, stale or wrong signature."""


@dataclass(frozen=True)
class Identity:
    """Who the customer of a conversation is, as the handoff API established it from their session."""

    conversation_id: str
    customer_id: str
    tier: str


@dataclass(frozen=True)
class Turn:
    """One customer message for the bot, as the channel receives it."""

    conversation_id: str
    message_id: str  # the gateway's id of the customer message: the same id for every retry of the turn
    text: str
    # True only for a button payload the bot offered in this conversation; any other text is plain text.
    is_payload: bool
    identity: dict[str, Any]  # the signed identity (sign_identity), stored by Rasa as the message's metadata


def _mac(secret: str, purpose: bytes, body: bytes) -> str:
    return hmac.new(secret.encode(), purpose + body, hashlib.sha256).hexdigest()


def _identity_body(identity: Identity) -> bytes:
    return json.dumps(asdict(identity), sort_keys=True, ensure_ascii=False).encode()


def sign_identity(identity: Identity, secret: str) -> dict[str, Any]:
    return {**asdict(identity), "sig": _mac(secret, _IDENTITY_PURPOSE, _identity_body(identity))}


def verify_identity(signed: Any, secret: str, *, conversation_id: str) -> Identity:
    """The identity in message metadata, if the gateway signed it for this very conversation."""
    if not isinstance(signed, dict):
        raise InvalidSignature("no identity")
    try:
        identity = Identity(
            conversation_id=str(signed["conversation_id"]),
            customer_id=str(signed["customer_id"]),
            tier=str(signed["tier"]),
        )
        signature = str(signed["sig"])
    except KeyError as exc:
        raise InvalidSignature(f"identity lacks {exc}") from exc
    expected = _mac(secret, _IDENTITY_PURPOSE, _identity_body(identity))
    if not hmac.compare_digest(signature, expected):
        raise InvalidSignature("identity signature mismatch")
    if identity.conversation_id != conversation_id:
        raise InvalidSignature("identity belongs to another conversation")
    return identity


def sign_turn(
    turn: Turn, secret: str, *, now: float | None = None, purpose: bytes = TURN_PURPOSE
) -> tuple[bytes, str]:
    """The request body and the value of the SIGNATURE_HEADER for it."""
    body = json.dumps(asdict(turn), ensure_ascii=False).encode()
    timestamp = str(int(now if now is not None else time.time()))
    return body, f"t={timestamp},v1={_mac(secret, purpose, timestamp.encode() + b'.' + body)}"


def verify_turn(
    body: bytes,
    header: str | None,
    secret: str,
    *,
    now: float | None = None,
    purpose: bytes = TURN_PURPOSE,
) -> Turn:
    parts = dict(part.split("=", 1) for part in (header or "").split(",") if "=" in part)
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not timestamp.isdigit() or not signature:
        raise InvalidSignature("malformed signature header")
    if abs((now if now is not None else time.time()) - int(timestamp)) > MAX_TURN_AGE_SECONDS:
        raise InvalidSignature("stale signature")
    expected = _mac(secret, purpose, timestamp.encode() + b"." + body)
    if not hmac.compare_digest(signature, expected):
        raise InvalidSignature("signature mismatch")
    try:
        return Turn(**json.loads(body))
    except (ValueError, TypeError) as exc:
        raise InvalidSignature(f"unreadable turn: {exc}") from exc
