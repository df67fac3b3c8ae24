"""Turning tokens into principals: a customer bound to one conversation, or an agent."""

from handoff_api.core.security import sign_token, verify_token
from handoff_api.domain.agents import Agent
from handoff_api.domain.exceptions import NotAnAgent, WrongConversation
from handoff_api.domain.states import TokenKind
from handoff_api.services.context import AppContext


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


def customer_id_for(ctx: AppContext, token: str, conversation_id: str) -> str:
    """The customer a token speaks for, provided it was issued for this conversation."""
    claims = verify_token(token, secret=ctx.settings.SECRET_KEY)
    if claims.get("kind") != TokenKind.CUSTOMER or claims.get("cid") != conversation_id:
        raise WrongConversation
    return str(claims["sub"])


def agent_for(ctx: AppContext, token: str) -> Agent:
    claims = verify_token(token, secret=ctx.settings.SECRET_KEY)
    agent = ctx.directory.agents.get(str(claims.get("sub")))
    if claims.get("kind") != TokenKind.AGENT or agent is None:
        raise NotAnAgent
    return agent


def token_kind(ctx: AppContext, token: str) -> TokenKind:
    kind = verify_token(token, secret=ctx.settings.SECRET_KEY).get("kind")
    return TokenKind.AGENT if kind == TokenKind.AGENT else TokenKind.CUSTOMER
