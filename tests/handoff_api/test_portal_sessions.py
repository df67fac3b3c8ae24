"""Customer sessions from the bank's portal: a JWT it signs (RS256 or ES256), checked with its public key."""

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from handoff_api.core.config import Settings

ISSUER = "https://portal.bank.test"
AUDIENCE = "cs-handoff-test"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: Any) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "sub": "P2001",
        "tier": "gold",
        "name": "周敏",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": int(time.time()) + 300,
    }
    return {key: value for key, value in {**claims, **changes}.items() if value is not None}


def _rs256(key: Any = RSA_KEY, **changes: Any) -> str:
    return jwt.encode(_claims(**changes), key, algorithm="RS256", headers={"kid": "portal-rsa"})


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The portal's keys as a bank would configure them: here a JWKS file with an RSA and an EC key."""
    jwks = {
        "keys": [
            {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key())), "kid": "portal-rsa"},
            {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(EC_KEY.public_key())), "kid": "portal-ec"},
        ]
    }
    path = tmp_path / "portal.jwks.json"
    path.write_text(json.dumps(jwks), encoding="utf-8")
    return settings.model_copy(
        update={"PORTAL_JWKS_PATH": str(path), "PORTAL_JWT_ISSUER": ISSUER, "PORTAL_JWT_AUDIENCE": AUDIENCE}
    )


async def _portal_session(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/sessions/portal", json={"token": token})


async def test_a_portal_token_starts_a_session_for_its_customer(client: httpx.AsyncClient) -> None:
    response = await _portal_session(client, _rs256())

    assert response.status_code == 201, response.text
    session = response.json()
    assert session["customer"] == {"id": "P2001", "name": "周敏", "tier": "gold", "tier_label": "金卡"}
    headers = {"Authorization": f"Bearer {session['token']}"}
    status = await client.get(f"/api/conversations/{session['conversation_id']}", headers=headers)
    assert status.status_code == 200 and status.json()["state"] == "bot"


async def test_an_es256_token_picked_by_its_key_id_is_accepted(client: httpx.AsyncClient) -> None:
    token = jwt.encode(
        _claims(sub="P2002", tier="diamond"), EC_KEY, algorithm="ES256", headers={"kid": "portal-ec"}
    )

    response = await _portal_session(client, token)

    assert response.status_code == 201, response.text
    assert (response.json()["customer"]["id"], response.json()["customer"]["tier"]) == ("P2002", "diamond")


def _hs256(**changes: Any) -> str:
    return jwt.encode(_claims(**changes), "a-shared-secret-that-nobody-configured!", algorithm="HS256")


# Tokens are made when the test runs (not at collection), so that none expires while the suite runs.
@pytest.mark.parametrize(
    ("make_token", "detail"),
    [
        (lambda: _rs256(STRANGER_KEY), "invalid token"),  # signed by a key the portal never published
        (lambda: _rs256(aud="someone-else"), "invalid token"),
        (lambda: _rs256(iss="https://evil.test"), "invalid token"),
        (lambda: _rs256(exp=int(time.time()) - 3600), "token expired"),
        (lambda: _rs256(exp=None), "invalid token"),
        (lambda: _rs256(tier="black"), "invalid token"),
        (lambda: _rs256(name=None), "invalid token"),
        (_hs256, "invalid token"),
        (lambda: "不是令牌", "invalid token"),
    ],
    ids=[
        "wrong-key",
        "wrong-audience",
        "wrong-issuer",
        "expired",
        "no-expiry",
        "unknown-tier",
        "no-name",
        "hs256",
        "not-a-jwt",
    ],
)
async def test_any_other_token_is_401(
    client: httpx.AsyncClient, make_token: Callable[[], str], detail: str
) -> None:
    response = await _portal_session(client, make_token())

    assert response.status_code == 401
    assert response.json() == {"detail": detail}


class TestPublicKeyFile:
    @pytest.fixture
    def settings(self, settings: Settings, tmp_path: Path) -> Settings:
        path = tmp_path / "portal.pem"
        path.write_bytes(_pem(RSA_KEY))
        return settings.model_copy(update={"PORTAL_JWKS_PATH": "", "PORTAL_PUBLIC_KEY_PATH": str(path)})

    async def test_a_pem_public_key_verifies_tokens(self, client: httpx.AsyncClient) -> None:
        assert (await _portal_session(client, _rs256())).status_code == 201
        assert (await _portal_session(client, _rs256(STRANGER_KEY))).status_code == 401


class TestNotConfigured:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"PORTAL_JWKS_PATH": "", "PORTAL_PUBLIC_KEY_PATH": ""})

    async def test_without_a_key_every_portal_token_is_refused(self, client: httpx.AsyncClient) -> None:
        assert (await _portal_session(client, _rs256())).status_code == 401
