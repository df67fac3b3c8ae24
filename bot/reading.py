"""The bot's reading of a customer message, as the gateway keeps it (docs/contract.md, "The bot's reading").

Taken from the parse Rasa made for the turn, so nothing is parsed twice. The classifiers that stand in for an
intent (FallbackClassifier's nlu_fallback, our nlu_security_unsure) put their own name first and keep the
ranking: the reading names the intent the model actually preferred, and says that fallback fired.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME

# Names that are a verdict about the reading, not an intent a trainer could label with.
_STAND_INS = frozenset({DEFAULT_NLU_FALLBACK_INTENT_NAME, "nlu_security_unsure"})
_RANKING_KEPT = 5


def reading_of(parse_data: dict[str, Any]) -> dict[str, Any]:
    """{"intent", "confidence", "runner_up", "runner_up_confidence", "ranking", "entities", "fallback"}."""
    top = (parse_data.get("intent") or {}).get("name")
    ranking = [
        {"name": str(item["name"]), "confidence": round(float(item.get("confidence") or 0.0), 4)}
        for item in parse_data.get("intent_ranking") or []
        if item.get("name") not in _STAND_INS
    ][:_RANKING_KEPT]
    first = ranking[0] if ranking else {"name": None, "confidence": 0.0}
    second = ranking[1] if len(ranking) > 1 else {"name": None, "confidence": None}
    return {
        "intent": first["name"],
        "confidence": first["confidence"],
        "runner_up": second["name"],
        "runner_up_confidence": second["confidence"],
        "ranking": ranking,
        "entities": [
            {"entity": str(entity["entity"]), "value": str(entity.get("value"))}
            for entity in parse_data.get("entities") or []
        ],
        "fallback": top == DEFAULT_NLU_FALLBACK_INTENT_NAME,
    }
