"""The ticket SLA section of config/routing.yml, validated at start-up."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from contract.names import CustomerTier, TicketCategory
from handoff_api.core.config import Settings
from handoff_api.domain.exceptions import ConfigError
from handoff_api.domain.ticket_policy import load_ticket_policy


def test_shipped_config_covers_every_category_and_tier() -> None:
    policy = load_ticket_policy(Settings(_env_file=None).ROUTING_CONFIG_PATH)
    created = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    due = policy.sla_due_at(category=TicketCategory.CALLBACK, tier=CustomerTier.DIAMOND, created_at=created)
    assert due == created + timedelta(hours=1)


@pytest.mark.parametrize(
    ("sla", "message"),
    [
        ({"complaint": {"standard": 48}}, "ticket_sla_hours missing for"),
        ({c.value: {t.value: 0 for t in CustomerTier} for c in TicketCategory}, "greater than 0"),
        ({"praise": {"standard": 1}}, "praise"),
        (None, "ticket_sla_hours"),
    ],
)
def test_bad_sla_config_stops_start_up(tmp_path: Path, sla: object, message: str) -> None:
    path = tmp_path / "routing.yml"
    path.write_text(yaml.safe_dump({"ticket_sla_hours": sla}), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_ticket_policy(path)
