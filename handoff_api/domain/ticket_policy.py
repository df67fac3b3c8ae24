"""Ticket SLA policy: hours to the due time per category and tier, from config/routing.yml."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Self

import yaml
from pydantic import BaseModel, PositiveFloat, ValidationError, model_validator

from contract.names import CustomerTier, TicketCategory
from handoff_api.domain.exceptions import ConfigError


class TicketPolicy(BaseModel):
    ticket_sla_hours: dict[TicketCategory, dict[CustomerTier, PositiveFloat]]

    @model_validator(mode="after")
    def _check_complete(self) -> Self:
        # A missing pair would surface as a failed ticket in the middle of a complaint; refuse at start-up.
        missing = [
            f"{category}/{tier}"
            for category in TicketCategory
            for tier in CustomerTier
            if tier not in self.ticket_sla_hours.get(category, {})
        ]
        if missing:
            raise ValueError(f"ticket_sla_hours missing for: {missing}")
        return self

    def sla_due_at(self, *, category: TicketCategory, tier: CustomerTier, created_at: datetime) -> datetime:
        return created_at + timedelta(hours=self.ticket_sla_hours[category][tier])


def load_ticket_policy(path: Path) -> TicketPolicy:
    try:
        return TicketPolicy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"invalid ticket policy in {path}: {exc}") from exc
