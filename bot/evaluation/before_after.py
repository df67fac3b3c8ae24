"""`python -m bot.evaluation.before_after`: what a retrain on the trainer's inbox changed.

Run by `scripts/nlu_inbox.sh retrain`. Scores the model before and after on the held-out file and any TSV
(per-intent F1), lists the confusions that appeared or went away, and the exported inbox lines the new model
still misreads. Written to OUT/report.md and printed.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.evaluation.cli import quiet_logging
from bot.evaluation.dataset import Dataset, DatasetError, load_dataset
from bot.evaluation.metrics import FALLBACK_INTENTS, per_intent_scores
from bot.evaluation.predict import ModelRunner


@dataclass(frozen=True)
class Comparison:
    dataset: Dataset
    before: list[str] | None  # predicted intents, None without a model before
    after: list[str]

    @property
    def gold(self) -> list[str]:
        return [example.intent for example in self.dataset.examples]


def _predict(model: Path, datasets: Sequence[Dataset]) -> list[list[str]]:
    runner = ModelRunner(model)
    predictions = [[p.intent for p in runner.predict([e.text for e in d.examples])] for d in datasets]
    del runner
    gc.collect()  # one loaded model at a time: two would crowd a small machine's memory
    return predictions


def _f1_table(comparison: Comparison) -> list[str]:
    after = per_intent_scores(comparison.gold, comparison.after)
    before = per_intent_scores(comparison.gold, comparison.before) if comparison.before else {}
    lines = ["| intent | support | F1 before | F1 after | change |", "|---|---|---|---|---|"]
    for intent, score in after.items():
        if score.support == 0:
            continue
        old = before.get(intent)
        old_text = f"{old.f1:.3f}" if old else "–"
        change = f"{score.f1 - old.f1:+.3f}" if old else "–"
        lines.append(f"| {intent} | {score.support} | {old_text} | {score.f1:.3f} | {change} |")
    return lines


def _confusions(gold: Sequence[str], predicted: Sequence[str]) -> dict[tuple[str, str], int]:
    pairs: dict[tuple[str, str], int] = {}
    for g, p in zip(gold, predicted, strict=True):
        if g != p:
            pairs[(g, p)] = pairs.get((g, p), 0) + 1
    return pairs


def _changed_confusions(comparison: Comparison) -> list[str]:
    if comparison.before is None:
        return ["(no model before to compare with)"]
    before = _confusions(comparison.gold, comparison.before)
    after = _confusions(comparison.gold, comparison.after)
    changed = sorted(
        (pair for pair in set(before) | set(after) if before.get(pair, 0) != after.get(pair, 0)),
        key=lambda pair: (-abs(after.get(pair, 0) - before.get(pair, 0)), pair),
    )
    return [f"- {g} → {p}: {before.get((g, p), 0)} → {after.get((g, p), 0)}" for g, p in changed] or ["none"]


def still_misread(exported: Dataset, predicted: Sequence[str]) -> list[str]:
    return [
        f"- {example.text}: labelled {example.intent}, read as {intent}"
        for example, intent in zip(exported.examples, predicted, strict=True)
        if intent != example.intent
    ]


def report(comparisons: Sequence[Comparison], exported: Dataset | None, exported_after: list[str]) -> str:
    lines = ["# Retrain on the trainer's inbox: before and after", ""]
    for comparison in comparisons:
        lines += [
            f"## {comparison.dataset.name} ({len(comparison.gold)} rows)",
            "",
            *_f1_table(comparison),
            "",
        ]
        lines += ["Confusions that changed (gold → predicted: before → after):", ""]
        lines += [*_changed_confusions(comparison), ""]
    if exported is not None:
        misread = still_misread(exported, exported_after)
        fallback = sum(intent in FALLBACK_INTENTS for intent in exported_after)
        lines += [
            f"## Exported inbox lines the new model still misreads: {len(misread)} of {len(exported_after)}"
            f" ({fallback} as fallback)",
            "",
            *(misread or ["none"]),
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    quiet_logging()
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.before_after", description=__doc__)
    parser.add_argument("--before", type=Path, help="the model before the retrain (absent: after only)")
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--heldout", type=Path, required=True)
    parser.add_argument("--tsv", type=Path, action="append", default=[])
    parser.add_argument("--exported", type=Path, help="the inbox's training file (data/nlu/inbox.yml)")
    parser.add_argument("--out", type=Path, required=True, help="directory for report.md")
    args = parser.parse_args(argv)
    try:
        datasets = [load_dataset(path) for path in [args.heldout, *args.tsv]]
        exported = load_dataset(args.exported) if args.exported and args.exported.exists() else None
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    scored = [*datasets, *([exported] if exported else [])]
    after = _predict(args.after, scored)
    before = _predict(args.before, datasets) if args.before and args.before.exists() else None
    comparisons = [
        Comparison(dataset, before[i] if before else None, after[i]) for i, dataset in enumerate(datasets)
    ]
    text = report(comparisons, exported, after[-1] if exported else [])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"report: {args.out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
