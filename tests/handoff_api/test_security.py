import base64
import json

import jwt
import pytest

from handoff_api.core.security import hash_password, key_id, sign_token, verify_password, verify_token
from handoff_api.domain.exceptions import InvalidToken, TokenExpired

SECRET = "a-secret-key-long-enough-for-hs256-tests"
OTHER = "another-secret-key-long-enough-for-hs256"


def test_tokens_are_standard_jwts_with_a_key_id_and_a_token_id() -> None:
    token = sign_token({"kind": "agent", "sub": "vip_1"}, secret=SECRET, ttl_seconds=60)
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])

    assert (header["alg"], header["kid"]) == ("HS256", key_id(SECRET))
    assert SECRET not in header["kid"]
    assert (claims["sub"], claims["kind"]) == ("vip_1", "agent")
    assert claims["exp"] - claims["iat"] == 60
    assert (
        claims["jti"]
        != verify_token(sign_token({"sub": "x"}, secret=SECRET, ttl_seconds=60), secret=SECRET)["jti"]
    )
    assert verify_token(token, secret=SECRET) == claims


def _segment(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t + "x",
        lambda t: t.split(".")[0],
        str.upper,
        lambda t: t.replace(t.split(".")[1], _segment({"sub": "supervisor", "kind": "agent"})),
        # "alg": "none" with the right key id: refused, only HS256 is accepted.
        lambda t: f"{_segment({'alg': 'none', 'kid': key_id(SECRET)})}.{t.split('.')[1]}.",
        lambda t: "伪造的令牌",
        lambda t: t[:10] + "é" + t[11:],
        lambda t: "..",
        lambda t: "",
    ],
)
def test_tampered_or_malformed_token_is_rejected(tamper) -> None:
    token = sign_token({"sub": "C1001"}, secret=SECRET, ttl_seconds=60)
    with pytest.raises(InvalidToken):
        verify_token(tamper(token), secret=SECRET)


def test_token_signed_with_another_secret_is_rejected() -> None:
    token = sign_token({"sub": "C1001"}, secret=OTHER, ttl_seconds=60)
    with pytest.raises(InvalidToken):
        verify_token(token, secret=SECRET)


def test_a_jwt_without_a_token_id_is_rejected() -> None:
    token = jwt.encode({"sub": "C1001", "exp": 2**40, "iat": 0}, SECRET, headers={"kid": key_id(SECRET)})
    with pytest.raises(InvalidToken):
        verify_token(token, secret=SECRET)


def test_expired_token_is_rejected() -> None:
    token = sign_token({"sub": "C1001"}, secret=SECRET, ttl_seconds=-1)
    with pytest.raises(TokenExpired):
        verify_token(token, secret=SECRET)


def test_password_hash_is_salted_and_verifies() -> None:
    first, second = hash_password("demo1234"), hash_password("demo1234")
    assert first != second
    assert "demo1234" not in first
    assert verify_password("demo1234", first)
    assert not verify_password("demo12345", first)
    assert not verify_password("demo1234", "plain$text")
