"""The agent directory: who may log in, which groups they serve and how many chats they carry."""

from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, PositiveInt, ValidationError

from handoff_api.domain.exceptions import ConfigError
from handoff_api.domain.routing import RoutingConfig
from handoff_api.domain.states import AgentLevel, AgentRole


class Agent(BaseModel):
    username: str
    name: str
    role: AgentRole = AgentRole.AGENT
    level: AgentLevel
    groups: list[str]
    capacity: PositiveInt
    password_hash: str

    def serves(self, group: str) -> bool:
        return group in self.groups


def seat_groups(agents: Mapping[str, Agent]) -> dict[str, list[str]]:
    """The groups of every agent who takes conversations (supervisors do not): what presence indexes."""
    return {agent.username: agent.groups for agent in agents.values() if agent.role is AgentRole.AGENT}


class _AgentsFile(BaseModel):
    agents: list[Agent]


def load_agents(path: Path, routing: RoutingConfig) -> dict[str, Agent]:
    try:
        parsed = _AgentsFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"invalid agents file {path}: {exc}") from exc
    for agent in parsed.agents:
        unknown = set(agent.groups) - set(routing.groups)
        if unknown:
            raise ConfigError(f"invalid agents file {path}: {agent.username} serves unknown groups {unknown}")
    return {agent.username: agent for agent in parsed.agents}
