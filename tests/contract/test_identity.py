import pytest

from contract.identity import (
    MAX_TURN_AGE_SECONDS,
    Identity,
    InvalidSignature,
    Turn,
    sign_identity,
    sign_turn,
    verify_identity,
    verify_turn,
)

SECRET = "gateway-secret"
IDENTITY = Identity(conversation_id="conv-1", customer_id="C1003", tier="platinum")


def _turn(**changes: object) -> Turn:
    fields = {
        "conversation_id": "conv-1",
        "message_id": "1700000000000-0",
        "text": "查余额",
        "is_payload": False,
        "identity": sign_identity(IDENTITY, SECRET),
    }
    return Turn(**{**fields, **changes})


def test_a_signed_turn_verifies_as_sent() -> None:
    body, header = sign_turn(_turn(), SECRET, now=1_000)
    assert verify_turn(body, header, SECRET, now=1_010) == _turn()


@pytest.mark.parametrize(
    ("secret", "now", "tamper"),
    [
        ("another-secret", 1_000, None),
        (SECRET, 1_000 + MAX_TURN_AGE_SECONDS + 1, None),  # a captured request replayed later
        (SECRET, 1_000, ("查余额", "冻结卡片")),  # the text changed after signing
        (SECRET, 1_000, ('"is_payload": false', '"is_payload": true')),
    ],
)
def test_a_turn_signed_otherwise_is_refused(secret: str, now: int, tamper: tuple[str, str] | None) -> None:
    body, header = sign_turn(_turn(), SECRET, now=1_000)
    if tamper:
        body = body.decode().replace(*tamper).encode()
        assert body != sign_turn(_turn(), SECRET, now=1_000)[0]
    with pytest.raises(InvalidSignature):
        verify_turn(body, header, secret, now=now)


@pytest.mark.parametrize("header", [None, "", "t=abc,v1=00", "v1=00", "t=1000"])
def test_a_missing_or_malformed_signature_is_refused(header: str | None) -> None:
    body, _ = sign_turn(_turn(), SECRET, now=1_000)
    with pytest.raises(InvalidSignature):
        verify_turn(body, header, SECRET, now=1_000)


def test_an_identity_verifies_only_in_its_own_conversation() -> None:
    signed = sign_identity(IDENTITY, SECRET)
    assert verify_identity(signed, SECRET, conversation_id="conv-1") == IDENTITY
    with pytest.raises(InvalidSignature):
        verify_identity(signed, SECRET, conversation_id="conv-2")


@pytest.mark.parametrize(
    "signed",
    [
        None,
        {"conversation_id": "conv-1", "customer_id": "C1003", "tier": "platinum"},  # unsigned
        {**sign_identity(IDENTITY, SECRET), "customer_id": "C1001"},
        {**sign_identity(IDENTITY, SECRET), "tier": "diamond"},
        sign_identity(IDENTITY, "another-secret"),
    ],
)
def test_a_forged_identity_is_refused(signed: object) -> None:
    with pytest.raises(InvalidSignature):
        verify_identity(signed, SECRET, conversation_id="conv-1")


def test_a_turn_signature_cannot_stand_in_for_an_identity_signature() -> None:
    _, header = sign_turn(_turn(), SECRET, now=1_000)
    forged = {**IDENTITY.__dict__, "sig": header.split("v1=")[1]}
    with pytest.raises(InvalidSignature):
        verify_identity(forged, SECRET, conversation_id="conv-1")
