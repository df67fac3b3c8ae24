"""Agent login: lock-out after repeated failures, unknown usernames cost as much, hashing off the loop."""

from handoff_api.domain.agents import Agent
from handoff_api.domain.exceptions import InvalidCredentials
from handoff_api.services.context import AppContext


async def log_in(ctx: AppContext, *, username: str, password: str, address: str) -> Agent:
    """The agent, or InvalidCredentials; LoginLockedOut when the username or the address is locked out."""
    attempts = ctx.stores.login_failures
    # Counted before the check, so a burst of concurrent guesses cannot all pass the limit at once.
    await attempts.begin(username, address)
    agent = ctx.directory.agents.get(username)
    matched = await ctx.passwords.matches(password, agent.password_hash if agent else None)
    if agent is None or not matched:
        raise InvalidCredentials
    await attempts.succeeded(username, address)
    return agent
