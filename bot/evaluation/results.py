"""What one evaluation run produced: per dataset, per model, the predictions and their scores."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.evaluation.dataset import Dataset
from bot.evaluation.metrics import Scores, percentile, score
from bot.evaluation.predict import Prediction

BASELINE = "baseline"


def baseline_label(seed: int, *, first: bool) -> str:
    """The first seed's run is "baseline", shown in detail; the others are "baseline_seed<N>"."""
    return BASELINE if first else f"{BASELINE}_seed{seed}"


@dataclass(frozen=True)
class ModelInfo:
    label: str  # "ours", or from baseline_label()
    path: Path
    training_hash: str
    load_seconds: float
    trained_seconds: float | None = None
    seed: int | None = None  # the baseline's DIET random_seed

    @property
    def is_baseline(self) -> bool:
        return self.label.startswith(BASELINE)


@dataclass(frozen=True)
class ModelResult:
    model: ModelInfo
    predictions: list[Prediction]
    scores: Scores
    # The same rows scored with the classifier's top intent in place of nlu_fallback.
    scores_without_fallback: Scores

    @property
    def parse_p50_ms(self) -> float:
        return percentile([p.parse_ms for p in self.predictions], 0.50)

    @property
    def parse_p95_ms(self) -> float:
        return percentile([p.parse_ms for p in self.predictions], 0.95)


@dataclass(frozen=True)
class DatasetResult:
    dataset: Dataset
    models: list[ModelResult] = field(default_factory=list)

    def model(self, label: str) -> ModelResult | None:
        return next((m for m in self.models if m.model.label == label), None)

    @property
    def baseline_runs(self) -> list[ModelResult]:
        return [m for m in self.models if m.model.is_baseline]

    def baseline_mean(self, metric: Callable[[ModelResult], float]) -> float | None:
        """A metric averaged over the baseline's seeded runs; None without a baseline."""
        runs = self.baseline_runs
        return sum(metric(run) for run in runs) / len(runs) if runs else None


def score_predictions(
    model: ModelInfo, dataset: Dataset, predictions: list[Prediction], *, min_support: int
) -> ModelResult:
    gold = [example.intent for example in dataset.examples]
    texts = [example.text for example in dataset.examples]
    sources = [example.source for example in dataset.examples] if dataset.has_sources else None
    return ModelResult(
        model=model,
        predictions=predictions,
        scores=score(gold, [p.intent for p in predictions], texts, sources, min_support=min_support),
        scores_without_fallback=score(
            gold, [p.top_intent for p in predictions], texts, sources, min_support=min_support
        ),
    )
