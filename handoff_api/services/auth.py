"""Turning tokens into principals: a customer bound to one conversation, or an agent.

`authenticate` is the one place where a token is checked (signature, key id, expiry, revocation): every HTTP
dependency and the WebSocket go through it, the socket at connect, for each frame and before each push.
"""

from dataclasses import dataclass

from handoff_api.core.security import sign_token, verify_token
from handoff_api.domain.agents import Agent
from handoff_api.domain.exceptions import InvalidToken, NotAnAgent, TokenRevoked, WrongConversation
from handoff_api.domain.states import TokenKind
from handoff_api.services.context import AppContext


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for."""

    kind: TokenKind
    subject: str  # the customer id, or the agent's username
    conversation_id: str | None  # a customer token's one conversation
    token_id: str  # jti: what logout revokes
    expires_at: int


def issue_customer_token(ctx: AppContext, *, conversation_id: str, customer_id: str) -> str:
    claims = {"kind": TokenKind.CUSTOMER.value, "sub": customer_id, "cid": conversation_id}
    return sign_token(
        claims, secret=ctx.settings.SECRET_KEY, ttl_seconds=ctx.settings.CUSTOMER_TOKEN_TTL_SECONDS
    )


def issue_agent_token(ctx: AppContext, agent: Agent) -> str:
    claims = {"kind": TokenKind.AGENT.value, "sub": agent.username}
    return sign_token(
        claims, secret=ctx.settings.SECRET_KEY, ttl_seconds=ctx.settings.AGENT_TOKEN_TTL_SECONDS
    )


async def authenticate(ctx: AppContext, token: str) -> Principal:
    claims = verify_token(token, secret=ctx.settings.SECRET_KEY)
    try:
        kind = TokenKind(claims.get("kind"))
    except ValueError as exc:
        raise InvalidToken from exc
    principal = Principal(
        kind=kind,
        subject=str(claims["sub"]),
        conversation_id=str(claims["cid"]) if "cid" in claims else None,
        token_id=str(claims["jti"]),
        expires_at=int(claims["exp"]),
    )
    if await ctx.stores.revoked_tokens.is_revoked(principal.token_id):
        raise TokenRevoked
    return principal


async def revoke(ctx: AppContext, principal: Principal) -> None:
    await ctx.stores.revoked_tokens.revoke(principal.token_id, expires_at=principal.expires_at)


def customer_of(principal: Principal, conversation_id: str) -> str:
    """The customer a principal speaks for, provided its token was issued for this conversation."""
    if principal.kind is not TokenKind.CUSTOMER or principal.conversation_id != conversation_id:
        raise WrongConversation
    return principal.subject


def agent_of(ctx: AppContext, principal: Principal) -> Agent:
    agent = ctx.directory.agents.get(principal.subject)
    if principal.kind is not TokenKind.AGENT or agent is None:
        raise NotAnAgent
    return agent
