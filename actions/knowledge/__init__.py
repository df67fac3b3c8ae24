"""The knowledge file (policies.yml): policy answers and the labels the bot shows, all the Chinese text
that actions choose themselves rather than through a domain response."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

KNOWLEDGE_PATH = Path(__file__).with_name("policies.yml")


@dataclass(frozen=True)
class Knowledge:
    answers: dict[str, dict[str, Any]]
    intent_labels: dict[str, str]
    temporary_limit_words: tuple[str, ...]
    question_words: tuple[str, ...]
    grievance_words: tuple[str, ...]
    withdrawal_words: tuple[str, ...]
    bill_question_words: dict[str, tuple[str, ...]]
    confirmation_words: dict[str, tuple[str, ...]]
    verification_refusal_words: dict[str, tuple[str, ...]]
    distress_words: tuple[str, ...]
    # instalments offered → fee rate per instalment (a fraction of the amount)
    installment_fee_rates: dict[int, float]
    labels: dict[str, dict[str, str]]
    rating_words: dict[int, tuple[str, ...]]
    complaints_desk_words: tuple[str, ...]
    formats: dict[str, str]

    def answer(self, intent: str, tier: str | None) -> str | None:
        entry = self.answers.get(intent)
        if entry is None:
            return None
        return (entry.get("by_tier") or {}).get(tier or "", entry["default"])

    def label(self, kind: str, value: str) -> str:
        return self.labels.get(kind, {}).get(value, value)


def _word_lists(data: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(words) for name, words in data.items()}


def load_knowledge(path: Path = KNOWLEDGE_PATH) -> Knowledge:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Knowledge(
        answers=data["answers"],
        intent_labels=data["intent_labels"],
        temporary_limit_words=tuple(data["temporary_limit_words"]),
        question_words=tuple(data["question_words"]),
        grievance_words=tuple(data["grievance_words"]),
        withdrawal_words=tuple(data["withdrawal_words"]),
        bill_question_words=_word_lists(data["bill_question_words"]),
        confirmation_words=_word_lists(data["confirmation_words"]),
        verification_refusal_words=_word_lists(data["verification_refusal_words"]),
        distress_words=tuple(data["distress_words"]),
        installment_fee_rates={
            int(count): float(rate) for count, rate in data["installment_fee_rates"].items()
        },
        labels=data["labels"],
        rating_words={int(score): tuple(words) for score, words in data["rating_words"].items()},
        complaints_desk_words=tuple(data["complaints_desk_words"]),
        formats=data["formats"],
    )


@lru_cache(maxsize=1)
def get_knowledge() -> Knowledge:
    return load_knowledge()
