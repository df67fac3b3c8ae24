"""Customer identity from the bank's portal: a JWT that the portal signs with its private key.

The portal signs RS256 or ES256; we hold only its public key (a PEM file, or a JWKS file whose keys are picked
by the token's kid), so nothing here can mint a portal token. Claims: sub (customer id), tier, name, exp, iss
and aud, all required; issuer and audience must be ours.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from contract.names import CustomerTier
from handoff_api.core.config import Settings
from handoff_api.domain.exceptions import ConfigError, InvalidToken, TokenExpired

# Only public-key algorithms: with an HMAC one, the public key itself would become the signing secret.
_ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"})
_REQUIRED_CLAIMS = ["exp", "sub", "iss", "aud", "tier", "name"]
_MAX_ID_LENGTH = 64


@dataclass(frozen=True)
class PortalCustomer:
    id: str
    tier: CustomerTier
    name: str


def _load_keys(settings: Settings) -> jwt.PyJWKSet | Any | None:
    """The JWKS, or the PEM public key, or None when no key is configured."""
    try:
        if settings.PORTAL_JWKS_PATH:
            return jwt.PyJWKSet.from_json(Path(settings.PORTAL_JWKS_PATH).read_text(encoding="utf-8"))
        if settings.PORTAL_PUBLIC_KEY_PATH:
            return load_pem_public_key(Path(settings.PORTAL_PUBLIC_KEY_PATH).read_bytes())
    except (OSError, ValueError, json.JSONDecodeError, jwt.PyJWTError) as exc:
        raise ConfigError(f"invalid portal signing key: {exc}") from exc
    return None


class PortalTokens:
    def __init__(self, settings: Settings) -> None:
        self._algorithms = settings.portal_algorithms
        if not set(self._algorithms) <= _ASYMMETRIC:
            raise ConfigError(f"PORTAL_JWT_ALGORITHMS must be public-key algorithms, not {self._algorithms}")
        self._keys = _load_keys(settings)
        self._issuer = settings.PORTAL_JWT_ISSUER
        self._audience = settings.PORTAL_JWT_AUDIENCE
        self._leeway = settings.PORTAL_JWT_LEEWAY_SECONDS

    @property
    def configured(self) -> bool:
        return self._keys is not None and bool(self._issuer) and bool(self._audience)

    def _key_for(self, token: str) -> Any:
        if not isinstance(self._keys, jwt.PyJWKSet):
            return self._keys
        kid = jwt.get_unverified_header(token).get("kid")
        try:
            return self._keys[str(kid)].key
        except KeyError as exc:
            raise InvalidToken from exc

    def verify(self, token: str) -> PortalCustomer:
        """The customer a portal token names; InvalidToken (or TokenExpired) for anything else."""
        if not self.configured:
            raise InvalidToken
        try:
            claims = jwt.decode(
                token,
                self._key_for(token),
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
            customer = PortalCustomer(
                id=str(claims["sub"]), tier=CustomerTier(claims["tier"]), name=str(claims["name"])
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenExpired from exc
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidToken from exc
        if not 0 < len(customer.id) <= _MAX_ID_LENGTH:
            raise InvalidToken
        return customer
