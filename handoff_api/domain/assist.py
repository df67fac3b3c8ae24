"""What agent assist may suggest for an intent: the bot's own policy answer, from the knowledge file the
action server answers with (actions/knowledge/policies.yml), read once at start-up."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from handoff_api.domain.exceptions import ConfigError


@dataclass(frozen=True)
class AssistKnowledge:
    answers: dict[str, dict[str, Any]]  # intent -> {"default": text, "by_tier": {tier: text}}

    def answer(self, intent: str, tier: str) -> str | None:
        entry = self.answers.get(intent)
        if entry is None:
            return None
        return str((entry.get("by_tier") or {}).get(tier, entry["default"]))


def load_assist_knowledge(path: Path) -> AssistKnowledge:
    try:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ConfigError(f"invalid knowledge file {path}: {exc}") from exc
    return AssistKnowledge(answers=answers)
