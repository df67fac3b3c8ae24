"""Our own tokens (standard JWTs, HS256 with SECRET_KEY, with a key id and a token id) and password hashes."""

import hashlib
import hmac
import secrets
import time
import uuid
from typing import Any

import anyio
import jwt

from handoff_api.domain.exceptions import InvalidToken, TokenExpired

# scrypt cost: ~16 MiB and tens of milliseconds per check, slow enough to hurt offline guessing.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["exp", "iat", "jti", "sub"]


def key_id(secret: str) -> str:
    """Names the signing key without revealing it: after a rotation, old tokens are refused by name."""
    return hashlib.sha256(b"kid:" + secret.encode()).hexdigest()[:16]


def sign_token(claims: dict[str, Any], *, secret: str, ttl_seconds: int) -> str:
    now = int(time.time())
    registered = {"iat": now, "exp": now + ttl_seconds, "jti": uuid.uuid4().hex}
    return jwt.encode({**claims, **registered}, secret, algorithm=_ALGORITHM, headers={"kid": key_id(secret)})


def verify_token(token: str, *, secret: str) -> dict[str, Any]:
    """The claims of a token we signed; InvalidToken for anything else, however malformed."""
    try:
        if jwt.get_unverified_header(token).get("kid") != key_id(secret):
            raise InvalidToken
        # Only HS256: a token naming "none" or a public-key algorithm is refused before any key is used.
        return jwt.decode(token, secret, algorithms=[_ALGORITHM], options={"require": _REQUIRED_CLAIMS})
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise InvalidToken from exc


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


class PasswordChecks:
    """scrypt in worker threads of its own, so a burst of logins neither stalls the event loop nor takes the
    thread pool that other requests share."""

    def __init__(self, threads: int) -> None:
        self._limiter = anyio.CapacityLimiter(threads)
        # An unknown username is checked against this, so it takes as long as a known one.
        self._dummy_hash = hash_password(secrets.token_urlsafe(16))

    async def matches(self, password: str, stored_hash: str | None) -> bool:
        checked = stored_hash or self._dummy_hash
        matched = await anyio.to_thread.run_sync(verify_password, password, checked, limiter=self._limiter)
        return matched and stored_hash is not None
