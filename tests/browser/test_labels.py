"""The pages' labels (static/config.js, as the browser loads it) name exactly the values the API sends, with
the labels of their one source: contract/names.py for the shared names, config/routing.yml for tiers and
groups, the handoff service's states for roles and presence."""

from __future__ import annotations

import yaml
from playwright.sync_api import Page

from contract.names import (
    HANDOFF_OUTCOME_LABELS,
    HANDOFF_REASON_LABELS,
    TICKET_CATEGORY_LABELS,
    TICKET_STATUS_LABELS,
    CustomerTier,
)
from handoff_api.core.config import Settings
from handoff_api.domain.nlu_inbox import InboxReason
from handoff_api.domain.states import MessageRole, PresenceStatus
from tests.browser.conftest import OpenPage


def _page_labels(page: Page) -> dict[str, dict[str, str]]:
    page.goto("/")
    return page.evaluate("async () => ({ ...(await import('/static/config.js')) })")


def _values(labels: dict) -> dict[str, str]:
    return {str(name): label for name, label in labels.items()}


def test_the_pages_labels_agree_with_their_sources(open_page: OpenPage) -> None:
    labels = _page_labels(open_page("labels"))
    routing = yaml.safe_load(Settings(_env_file=None).ROUTING_CONFIG_PATH.read_text(encoding="utf-8"))

    assert labels["REASON_LABELS"] == _values(HANDOFF_REASON_LABELS)
    assert labels["OUTCOME_LABELS"] == _values(HANDOFF_OUTCOME_LABELS)
    assert labels["TICKET_CATEGORY_LABELS"] == _values(TICKET_CATEGORY_LABELS)
    assert labels["TICKET_STATUS_LABELS"] == _values(TICKET_STATUS_LABELS)
    assert labels["TIER_LABELS"] == {tier: routing["tiers"][tier]["label"] for tier in CustomerTier}
    assert labels["GROUP_LABELS"] == {group: entry["label"] for group, entry in routing["groups"].items()}
    assert set(labels["ROLE_LABELS"]) == set(MessageRole)
    assert set(labels["PRESENCE_LABELS"]) == set(PresenceStatus)
    assert set(labels["INBOX_REASON_LABELS"]) == set(InboxReason)
