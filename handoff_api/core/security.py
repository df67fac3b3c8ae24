"""Expiring signed tokens and password hashes, on the standard library only."""

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from handoff_api.domain.exceptions import InvalidToken, TokenExpired

# scrypt cost: ~16 MiB and tens of milliseconds per check, slow enough to hurt offline guessing.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(body: str, secret: str) -> str:
    return _b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())


def sign_token(claims: dict[str, Any], *, secret: str, ttl_seconds: int) -> str:
    body = _b64encode(json.dumps({**claims, "exp": int(time.time()) + ttl_seconds}).encode())
    return f"{body}.{_signature(body, secret)}"


def verify_token(token: str, *, secret: str) -> dict[str, Any]:
    body, _, signature = token.partition(".")
    if not signature or not hmac.compare_digest(signature, _signature(body, secret)):
        raise InvalidToken
    try:
        claims = json.loads(_b64decode(body))
    except ValueError as exc:
        raise InvalidToken from exc
    if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int):
        raise InvalidToken
    if claims["exp"] < time.time():
        raise TokenExpired
    return claims


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    return f"scrypt${salt.hex()}${_scrypt(password, salt).hex()}"


def verify_password(password: str, stored: str) -> bool:
    scheme, _, rest = stored.partition("$")
    salt_hex, _, hash_hex = rest.partition("$")
    if scheme != "scrypt" or not hash_hex:
        return False
    return hmac.compare_digest(_scrypt(password, bytes.fromhex(salt_hex)).hex(), hash_hex)
