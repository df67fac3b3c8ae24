"""The routing policy: which seat group serves a handoff, and by when. Pure functions over the config."""

from pathlib import Path
from typing import Self

import yaml
from pydantic import BaseModel, Field, PositiveInt, ValidationError, model_validator

from handoff_api.exceptions import ConfigError
from handoff_api.states import CustomerTier


class GroupConfig(BaseModel):
    label: str


class TierConfig(BaseModel):
    label: str
    target_wait_seconds: PositiveInt


class RoutingRule(BaseModel):
    group: str
    intents: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)

    def matches(self, *, intent: str, reason: str) -> bool:
        return intent in self.intents or reason in self.reasons


class RoutingConfig(BaseModel):
    groups: dict[str, GroupConfig]
    tiers: dict[CustomerTier, TierConfig]
    rules: list[RoutingRule]
    vip_tiers: list[CustomerTier]
    vip_group: str
    default_group: str
    queue_timeout_seconds: PositiveInt
    average_assign_seconds: PositiveInt

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        missing_tiers = set(CustomerTier) - set(self.tiers)
        if missing_tiers:
            raise ValueError(f"tiers without a wait target: {sorted(missing_tiers)}")
        named = {self.vip_group, self.default_group} | {rule.group for rule in self.rules}
        unknown = named - set(self.groups)
        if unknown:
            raise ValueError(f"groups used but not defined under 'groups': {sorted(unknown)}")
        return self


def load_routing_config(path: Path) -> RoutingConfig:
    try:
        return RoutingConfig.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"invalid routing config {path}: {exc}") from exc


def choose_group(config: RoutingConfig, *, intent: str, reason: str, tier: CustomerTier) -> str:
    for rule in config.rules:
        if rule.matches(intent=intent, reason=reason):
            return rule.group
    if tier in config.vip_tiers:
        return config.vip_group
    return config.default_group


def deadline(config: RoutingConfig, *, tier: CustomerTier, enqueued_at: float) -> float:
    return enqueued_at + config.tiers[tier].target_wait_seconds
