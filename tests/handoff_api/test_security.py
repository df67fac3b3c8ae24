import pytest

from handoff_api.core.security import hash_password, sign_token, verify_password, verify_token
from handoff_api.domain.exceptions import InvalidToken, TokenExpired


def test_token_round_trip_keeps_claims() -> None:
    token = sign_token({"kind": "agent", "sub": "vip_1"}, secret="s", ttl_seconds=60)
    claims = verify_token(token, secret="s")
    assert claims["sub"] == "vip_1"
    assert claims["kind"] == "agent"


@pytest.mark.parametrize(
    "tamper", [lambda t: t + "x", lambda t: "e30" + t[3:], lambda t: t.split(".")[0], str.upper]
)
def test_tampered_token_is_rejected(tamper) -> None:
    token = sign_token({"sub": "C1001"}, secret="s", ttl_seconds=60)
    with pytest.raises(InvalidToken):
        verify_token(tamper(token), secret="s")


def test_token_signed_with_another_secret_is_rejected() -> None:
    token = sign_token({"sub": "C1001"}, secret="other", ttl_seconds=60)
    with pytest.raises(InvalidToken):
        verify_token(token, secret="s")


def test_expired_token_is_rejected() -> None:
    token = sign_token({"sub": "C1001"}, secret="s", ttl_seconds=-1)
    with pytest.raises(TokenExpired):
        verify_token(token, secret="s")


def test_password_hash_is_salted_and_verifies() -> None:
    first, second = hash_password("demo1234"), hash_password("demo1234")
    assert first != second
    assert "demo1234" not in first
    assert verify_password("demo1234", first)
    assert not verify_password("demo12345", first)
    assert not verify_password("demo1234", "plain$text")
