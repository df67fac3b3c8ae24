"""The routing configuration (config/routing.yml), validated at start-up, and the choice of seat group."""

from datetime import datetime, time
from pathlib import Path
from typing import Literal, Self
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, model_validator

from contract.names import CustomerTier, HandoffReason
from handoff_api.domain.exceptions import ConfigError
from handoff_api.domain.ticket_policy import TicketPolicy

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    # A misspelt key (auto_asign) would otherwise be ignored, and its setting silently left at the default.
    model_config = ConfigDict(extra="forbid")


class GroupConfig(_Strict):
    label: str


class TierConfig(_Strict):
    label: str
    target_wait_seconds: PositiveInt


class RoutingRule(_Strict):
    group: str
    intents: list[str] = Field(default_factory=list)
    reasons: list[HandoffReason] = Field(default_factory=list)

    def matches(self, *, intent: str, reason: str) -> bool:
        return intent in self.intents or reason in self.reasons


class WorkingHours(_Strict):
    timezone: str = "Asia/Shanghai"
    days: list[Weekday] = Field(default_factory=lambda: list(_WEEKDAYS))
    open: time = time(0, 0)
    close: time | None = None  # None: until midnight

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.timezone))
        if _WEEKDAYS[local.weekday()] not in self.days:
            return False
        return self.open <= local.time() and (self.close is None or local.time() < self.close)


class RoutingConfig(_Strict):
    groups: dict[str, GroupConfig]
    tiers: dict[CustomerTier, TierConfig]
    rules: list[RoutingRule]
    vip_tiers: list[CustomerTier]
    vip_group: str
    default_group: str
    overflow: dict[str, list[str]] = Field(default_factory=dict)
    senior_preferred_groups: list[str] = Field(default_factory=list)
    working_hours: WorkingHours | None = None  # None: 24x7
    auto_assign: bool = True
    queue_timeout_seconds: PositiveInt
    # The wait estimate's handling time until handle_time_min_samples closes of a group were observed.
    average_handle_seconds: PositiveInt
    handle_time_smoothing: float = Field(default=0.1, gt=0, le=1)
    handle_time_min_samples: PositiveInt = 5
    assign_interval_smoothing: float = Field(default=0.2, gt=0, le=1)
    queue_status_push_limit: PositiveInt = 20

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        missing_tiers = set(CustomerTier) - set(self.tiers)
        if missing_tiers:
            raise ValueError(f"tiers without a wait target: {sorted(missing_tiers)}")
        named = (
            {self.vip_group, self.default_group}
            | {rule.group for rule in self.rules}
            | set(self.overflow)
            | {group for wider in self.overflow.values() for group in wider}
            | set(self.senior_preferred_groups)
        )
        unknown = named - set(self.groups)
        if unknown:
            raise ValueError(f"groups used but not defined under 'groups': {sorted(unknown)}")
        return self

    def is_open(self, now: datetime) -> bool:
        return self.working_hours is None or self.working_hours.is_open(now)


def _problems(error: ValidationError) -> str:
    """Every problem with the path of its key, e.g. `rules.0.intens: Extra inputs are not permitted`."""
    return "; ".join(f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}" for problem in error.errors())


def load_routing_config(path: Path) -> RoutingConfig:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"invalid routing config {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"invalid routing config {path}: not a mapping of keys")
    # The ticket policy's section shares the file and is validated by its own model.
    routing = {key: value for key, value in document.items() if key not in TicketPolicy.model_fields}
    try:
        return RoutingConfig.model_validate(routing)
    except ValidationError as exc:
        raise ConfigError(f"invalid routing config {path}: {_problems(exc)}") from exc


def choose_group(config: RoutingConfig, *, intent: str, reason: str, tier: CustomerTier) -> str:
    for rule in config.rules:
        if rule.matches(intent=intent, reason=reason):
            return rule.group
    if tier in config.vip_tiers:
        return config.vip_group
    return config.default_group


def deadline(config: RoutingConfig, *, tier: CustomerTier, enqueued_at: float) -> float:
    return enqueued_at + config.tiers[tier].target_wait_seconds
