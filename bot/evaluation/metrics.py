"""Intent classification scores computed from gold and predicted labels; no Rasa imports."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

DEFAULT_MIN_SUPPORT = 8
# What the NLU predicts when the bot should ask rather than act: nothing understood (Rasa's
# FallbackClassifier) or unsure around card security (bot.components.security_clarifier).
FALLBACK_INTENTS = ("nlu_fallback", "nlu_security_unsure")


@dataclass(frozen=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int  # gold rows
    predicted: int  # rows predicted as this intent


@dataclass(frozen=True)
class ConfusedPair:
    gold: str
    predicted: str
    count: int
    examples: list[str]


@dataclass(frozen=True)
class SourceScore:
    source: str
    rows: int
    accuracy: float
    macro_f1: float  # over every intent present in this source, whatever its support
    fallback_rate: float


@dataclass(frozen=True)
class Scores:
    rows: int
    accuracy: float
    macro_f1: float
    macro_intents: list[str]  # the intents averaged in macro_f1 (support >= min_support)
    min_support: int
    per_intent: dict[str, IntentScore]
    confused_pairs: list[ConfusedPair]
    fallback_rate: float
    per_source: list[SourceScore] = field(default_factory=list)


def _ratio(numerator: float, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def per_intent_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, IntentScore]:
    """Scores every gold intent, plus predicted-only labels (e.g. nlu_fallback) with zero support."""
    _check_lengths(gold, predicted)
    true_positives = Counter(g for g, p in zip(gold, predicted, strict=True) if g == p)
    support = Counter(gold)
    predicted_counts = Counter(predicted)
    scores = {}
    for intent in sorted(set(support) | set(predicted_counts)):
        precision = _ratio(true_positives[intent], predicted_counts[intent])
        recall = _ratio(true_positives[intent], support[intent])
        scores[intent] = IntentScore(
            intent, precision, recall, _f1(precision, recall), support[intent], predicted_counts[intent]
        )
    return scores


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    _check_lengths(gold, predicted)
    return _ratio(sum(g == p for g, p in zip(gold, predicted, strict=True)), len(gold))


def macro_f1(
    gold: Sequence[str], predicted: Sequence[str], *, min_support: int = DEFAULT_MIN_SUPPORT
) -> tuple[float, list[str]]:
    """Mean F1 over gold intents with at least `min_support` rows, and the list of those intents.

    Intents with fewer rows still count as wrong predictions for the others (they lower precision),
    they are only left out of the average, where one or two rows would swing it by whole points.
    """
    scores = per_intent_scores(gold, predicted)
    included = [intent for intent, score in scores.items() if score.support >= min_support]
    return _ratio(sum(scores[intent].f1 for intent in included), len(included)), included


def confused_pairs(
    gold: Sequence[str],
    predicted: Sequence[str],
    texts: Sequence[str],
    *,
    top: int = 10,
    examples_per_pair: int = 3,
) -> list[ConfusedPair]:
    """The most frequent (gold, predicted) mistakes, ties broken by name, with the first few texts."""
    _check_lengths(gold, predicted)
    _check_lengths(gold, texts)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    for g, p, text in zip(gold, predicted, texts, strict=True):
        if g != p:
            examples[(g, p)].append(text)
    ranked = sorted(examples.items(), key=lambda item: (-len(item[1]), item[0]))
    return [ConfusedPair(g, p, len(rows), rows[:examples_per_pair]) for (g, p), rows in ranked[:top]]


def score(
    gold: Sequence[str],
    predicted: Sequence[str],
    texts: Sequence[str],
    sources: Sequence[str | None] | None = None,
    *,
    min_support: int = DEFAULT_MIN_SUPPORT,
    top_pairs: int = 10,
) -> Scores:
    macro, included = macro_f1(gold, predicted, min_support=min_support)
    return Scores(
        rows=len(gold),
        accuracy=accuracy(gold, predicted),
        macro_f1=macro,
        macro_intents=included,
        min_support=min_support,
        per_intent=per_intent_scores(gold, predicted),
        confused_pairs=confused_pairs(gold, predicted, texts, top=top_pairs),
        fallback_rate=_ratio(sum(p in FALLBACK_INTENTS for p in predicted), len(predicted)),
        per_source=per_source_scores(gold, predicted, sources) if sources and any(sources) else [],
    )


def per_source_scores(
    gold: Sequence[str], predicted: Sequence[str], sources: Sequence[str | None]
) -> list[SourceScore]:
    _check_lengths(gold, sources)
    rows_by_source: dict[str, list[int]] = defaultdict(list)
    for index, source in enumerate(sources):
        rows_by_source[source or "(none)"].append(index)
    result = []
    for source, indices in rows_by_source.items():
        g = [gold[i] for i in indices]
        p = [predicted[i] for i in indices]
        result.append(
            SourceScore(
                source=source,
                rows=len(indices),
                accuracy=accuracy(g, p),
                macro_f1=macro_f1(g, p, min_support=1)[0],
                fallback_rate=_ratio(sum(label in FALLBACK_INTENTS for label in p), len(p)),
            )
        )
    return sorted(result, key=lambda s: (-s.rows, s.source))


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction in 0..1); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-int(round(fraction * 1000)) * len(ordered) // 1000))  # ceil without floats drifting
    return ordered[min(rank, len(ordered)) - 1]


def _check_lengths(first: Sequence[object], second: Sequence[object]) -> None:
    if len(first) != len(second):
        raise ValueError(f"label lists differ in length: {len(first)} != {len(second)}")
