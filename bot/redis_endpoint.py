"""Rasa's Redis settings for endpoints.yml, from the one REDIS_URL every service is given.

The handoff API, the action server and the gateway channel open REDIS_URL as it is (redis-py reads
`rediss://` as TLS, with `ssl_ca_certs`, `ssl_certfile` and `ssl_keyfile` in its query). Rasa's tracker
store and our lock store take each part on its own, so scripts/run.sh exports them from this module:
a bank's Redis over TLS, with its own CA or a client certificate, serves Rasa's stores as it serves the rest.

Run:  python -m bot.redis_endpoint   (prints `export NAME=value` lines for REDIS_URL in the environment)
"""

from __future__ import annotations

import os
import shlex
import urllib.parse
from collections.abc import Mapping
from typing import Any

from contract.flags import is_on

# TLS files redis-py takes from the URL's query, as endpoints.yml settings.
_TLS_FILES = {
    "ssl_ca_certs": "REDIS_SSL_CA_CERTS",
    "ssl_certfile": "REDIS_SSL_CERTFILE",
    "ssl_keyfile": "REDIS_SSL_KEYFILE",
}


def endpoint_settings(redis_url: str) -> dict[str, str]:
    """The settings endpoints.yml reads, each a string (empty for none)."""
    url = urllib.parse.urlparse(redis_url)
    if url.scheme not in {"redis", "rediss"}:
        raise ValueError(f"REDIS_URL must start with redis:// or rediss://, not {url.scheme or 'nothing'}://")
    query = urllib.parse.parse_qs(url.query)
    settings = {
        "REDIS_HOST": url.hostname or "127.0.0.1",
        "REDIS_PORT": str(url.port or 6379),
        "REDIS_DB": (url.path or "/0").lstrip("/") or "0",
        "REDIS_USERNAME": urllib.parse.unquote(url.username or ""),
        "REDIS_PASSWORD": urllib.parse.unquote(url.password or ""),
        "REDIS_USE_SSL": str(url.scheme == "rediss").lower(),
    }
    settings.update({name: query.get(parameter, [""])[-1] for parameter, name in _TLS_FILES.items()})
    return settings


def store_options(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A Redis store's login and TLS options from its endpoints.yml settings, by the names Rasa's
    RedisTrackerStore takes them: values arrive as strings, empty for none."""
    return {
        "username": settings.get("username") or None,
        "password": settings.get("password") or None,
        "use_ssl": is_on(settings.get("use_ssl")),
        **{parameter: settings.get(parameter) or None for parameter in _TLS_FILES},
    }


if __name__ == "__main__":
    for name, value in endpoint_settings(os.environ["REDIS_URL"]).items():
        print(f"export {name}={shlex.quote(value)}")
