"""Runs a trained Rasa model over a dataset and records the predicted intent and parse time per text."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.evaluation.metrics import FALLBACK_INTENTS

# Predicted by bot.components.request_splitter (not imported: it needs Rasa) for two requests in one message.
MULTIPLE_REQUESTS = "multiple_requests"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float
    # What the classifier itself ranked first when a fallback intent (FALLBACK_INTENTS) replaced it.
    top_intent: str
    top_confidence: float
    parse_ms: float


def _top_non_fallback(parse_data: dict[str, Any]) -> tuple[str, float]:
    for ranked in parse_data.get("intent_ranking") or []:
        if ranked.get("name") and ranked["name"] not in (*FALLBACK_INTENTS, MULTIPLE_REQUESTS):
            return ranked["name"], float(ranked.get("confidence") or 0.0)
    intent = parse_data.get("intent") or {}
    return intent.get("name") or "", float(intent.get("confidence") or 0.0)


def to_prediction(parse_data: dict[str, Any], parse_ms: float) -> Prediction:
    top_intent, top_confidence = _top_non_fallback(parse_data)
    if (parse_data.get("intent") or {}).get("name") == MULTIPLE_REQUESTS:
        # The bot acts on every request of such a message; scored as the whole message's reading below it.
        return Prediction(top_intent, top_confidence, top_intent, top_confidence, parse_ms)
    intent = parse_data.get("intent") or {}
    name = intent.get("name") or ""
    return Prediction(name, float(intent.get("confidence") or 0.0), top_intent, top_confidence, parse_ms)


class ModelRunner:
    """One loaded model; `predict` parses texts one by one, as the server would."""

    def __init__(self, model_path: str | Path) -> None:
        from rasa.core.agent import Agent

        self.model_path = Path(model_path)
        started = time.perf_counter()
        self._agent = Agent.load(str(self.model_path))
        self.load_seconds = time.perf_counter() - started

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return asyncio.run(self._predict(texts))

    async def _predict(self, texts: Sequence[str]) -> list[Prediction]:
        # One warm-up parse so lazy initialisation is not counted in the first message's time.
        await self._agent.parse_message("你好")
        predictions = []
        for text in texts:
            started = time.perf_counter()
            parse_data = await self._agent.parse_message(text)
            predictions.append(to_prediction(parse_data, (time.perf_counter() - started) * 1000))
        return predictions
