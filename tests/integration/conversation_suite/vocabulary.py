"""The names a conversation case may use, read from the repo: a misspelt action, slot, customer, agent or
group in a case is a loading error, never an expectation that silently cannot match."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]

# Rasa's built-in actions (rasa/shared/core/constants.py DEFAULT_ACTION_NAMES), which the domain omits.
RASA_DEFAULT_ACTIONS = frozenset(
    {
        "action_listen",
        "action_restart",
        "action_session_start",
        "action_default_fallback",
        "action_deactivate_loop",
        "action_revert_fallback_events",
        "action_default_ask_affirmation",
        "action_default_ask_rephrase",
        "action_two_stage_fallback",
        "action_unlikely_intent",
        "action_back",
        "action_extract_slots",
    }
)


@dataclass(frozen=True)
class Vocabulary:
    actions: frozenset[str]
    slots: frozenset[str]
    customers: frozenset[str]
    card_tails: dict[str, frozenset[str]]  # by customer
    agents: frozenset[str]
    groups: frozenset[str]


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def vocabulary(root: Path = ROOT) -> Vocabulary:
    domain = _load(root / "domain.yml")
    routing = _load(root / "config" / "routing.yml")
    customers = _load(root / "demo" / "customers.yml")["customers"]
    return Vocabulary(
        actions=frozenset(
            [*domain.get("actions", []), *domain.get("responses", {}), *domain.get("forms", {})]
        )
        | RASA_DEFAULT_ACTIONS,
        slots=frozenset(domain.get("slots", {})) | {"requested_slot"},
        customers=frozenset(c["id"] for c in customers),
        card_tails={c["id"]: frozenset(str(card["tail"]) for card in c["cards"]) for c in customers},
        agents=frozenset(
            a["username"]
            for a in _load(root / "config" / "agents.demo.yml")["agents"]
            if a["role"] == "agent"
        ),
        groups=frozenset(routing["groups"]),
    )
