import re
from pathlib import Path

import pytest
import yaml

from contract.names import CustomerTier
from handoff_api.core.config import Settings
from handoff_api.domain.exceptions import ConfigError
from handoff_api.domain.routing import RoutingConfig, choose_group, deadline, load_routing_config


@pytest.fixture(scope="module")
def routing() -> RoutingConfig:
    return load_routing_config(Settings(_env_file=None).ROUTING_CONFIG_PATH)


@pytest.mark.parametrize(
    ("intent", "reason", "tier", "group"),
    [
        ("report_lost_card", "explicit_request", CustomerTier.DIAMOND, "risk"),
        ("dispute_transaction", "task_needs_human", CustomerTier.STANDARD, "risk"),
        ("query_balance", "verification_failed", CustomerTier.GOLD, "risk"),
        ("complain", "negative_emotion", CustomerTier.PLATINUM, "complaints"),
        ("request_human", "explicit_request", CustomerTier.PLATINUM, "vip"),
        ("query_bill", "repeated_misunderstanding", CustomerTier.DIAMOND, "vip"),
        ("request_human", "explicit_request", CustomerTier.GOLD, "general"),
        ("request_human", "explicit_request", CustomerTier.STANDARD, "general"),
    ],
)
def test_choose_group(
    routing: RoutingConfig, intent: str, reason: str, tier: CustomerTier, group: str
) -> None:
    assert choose_group(routing, intent=intent, reason=reason, tier=tier) == group


def test_deadline_uses_tier_target(routing: RoutingConfig) -> None:
    targets = {tier: deadline(routing, tier=tier, enqueued_at=1000.0) - 1000.0 for tier in CustomerTier}
    assert targets == {
        CustomerTier.DIAMOND: 15,
        CustomerTier.PLATINUM: 30,
        CustomerTier.GOLD: 60,
        CustomerTier.STANDARD: 120,
    }


def _write_variant(tmp_path: Path, change) -> Path:
    config = yaml.safe_load(Settings(_env_file=None).ROUTING_CONFIG_PATH.read_text(encoding="utf-8"))
    change(config)
    path = tmp_path / "routing.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_rule_naming_unknown_group_is_a_config_error(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, lambda config: config["rules"][0].update(group="fraud"))
    with pytest.raises(ConfigError, match="fraud"):
        load_routing_config(path)


def test_missing_tier_target_is_a_config_error(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, lambda config: config["tiers"].pop("gold"))
    with pytest.raises(ConfigError, match="gold"):
        load_routing_config(path)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda config: config.update(auto_asign=False), "auto_asign"),
        (lambda config: config["rules"][0].update(intens=["complain"]), "rules.0.intens"),
        (lambda config: config["tiers"]["gold"].update(target_wait=60), "tiers.gold.target_wait"),
        (
            lambda config: config.update(working_hours={"timezone": "Asia/Shanghai", "opens": "08:00"}),
            "working_hours.opens",
        ),
    ],
)
def test_an_unknown_key_stops_start_up_with_its_path(tmp_path: Path, change, path: str) -> None:
    with pytest.raises(ConfigError, match=rf"{re.escape(path)}: Extra inputs are not permitted"):
        load_routing_config(_write_variant(tmp_path, change))


def test_a_rule_reason_must_be_one_the_action_server_sends(tmp_path: Path) -> None:
    variant = _write_variant(tmp_path, lambda config: config["rules"][0].update(reasons=["fraud_suspected"]))
    with pytest.raises(ConfigError, match=r"rules\.0\.reasons\.0"):
        load_routing_config(variant)


def test_the_ticket_policy_section_is_not_an_unknown_key() -> None:
    config = yaml.safe_load(Settings(_env_file=None).ROUTING_CONFIG_PATH.read_text(encoding="utf-8"))

    assert "ticket_sla_hours" in config
    load_routing_config(Settings(_env_file=None).ROUTING_CONFIG_PATH)
