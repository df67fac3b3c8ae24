"""The action server: rasa-sdk's app, answering only Rasa, which proves itself with ACTION_SERVER_TOKEN.

rasa-sdk has no authentication of its own, and a request to /webhook names any action and carries any
tracker. Rasa sends the token as a bearer header (endpoints.yml `action_endpoint.headers`); every other
caller is refused before any action runs. /health stays open for the start-up scripts.

Run with: python -m actions.server --port 5055 [--host 127.0.0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import logging

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.clients.http_session import close_all_sessions
from actions.settings import Settings, get_settings
from contract.demo_secrets import refuse_public_secrets

logger = logging.getLogger(__name__)

_OPEN_PATHS = frozenset({"/health"})


def is_authorised(header: str | None, token: str) -> bool:
    scheme, _, presented = (header or "").partition(" ")
    return bool(token) and scheme == "Bearer" and hmac.compare_digest(presented.encode(), token.encode())


def create_app(token: str) -> Sanic:
    from rasa_sdk.endpoint import create_app as create_sdk_app

    if not token:
        raise ValueError("the action server needs ACTION_SERVER_TOKEN")
    # No CORS: no browser ever calls the action server.
    app = create_sdk_app("actions", cors_origins=None)

    @app.on_request
    async def authenticate(request: Request) -> HTTPResponse | None:
        if request.path in _OPEN_PATHS or is_authorised(request.headers.get("Authorization"), token):
            return None
        logger.warning("refused an unauthenticated call to %s", request.path)
        return response.json({"detail": "invalid action server token"}, status=401)

    @app.after_server_stop
    async def close_http_sessions(_app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        await close_all_sessions()

    return app


def refuse_public_settings(settings: Settings) -> None:
    """Outside demo mode, no secret of this process may be a value the repository publishes."""
    configured = {
        "SERVICE_TOKEN": settings.service_token,
        "GATEWAY_SECRET": settings.gateway_secret,
        "ACTION_SERVER_TOKEN": settings.action_server_token,
    }
    refuse_public_secrets("the action server", configured, demo_mode=settings.demo_mode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    settings = get_settings()
    refuse_public_settings(settings)
    create_app(settings.action_server_token).run(args.host, args.port, access_log=False)


if __name__ == "__main__":
    main()
