"""Writes a run's results: a Markdown report, confusion-matrix PNGs and per-row prediction TSVs."""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.evaluation.metrics import FALLBACK_INTENTS, ConfusedPair, IntentScore, Scores
from bot.evaluation.results import DatasetResult, ModelInfo, ModelResult

logger = logging.getLogger(__name__)

CJK_FONT_HINTS = (
    "Noto Sans CJK",
    "Noto Serif CJK",
    "WenQuanYi",
    "Source Han Sans",
    "SimHei",
    "Droid Sans Fallback",
)


@dataclass(frozen=True)
class RunInfo:
    started: str  # ISO timestamp
    seconds: float
    min_support: int
    models: list[ModelInfo]
    notes: list[str]


def safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "dataset"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}"


def _points(ours: float, baseline: float | None) -> str:
    return "" if baseline is None else f"{(ours - baseline) * 100:+.1f}"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def summary_rows(results: Sequence[DatasetResult]) -> tuple[list[str], list[list[str]]]:
    """The side-by-side table printed on stdout and opening the report (percentages, Δ in points).

    The baseline's columns average its seeded runs; the last of them lists each run's macro-F1.
    """
    header = [
        "dataset",
        "rows",
        "acc ours",
        "acc base",
        "Δ acc",
        "macro-F1 ours",
        "macro-F1 base",
        "Δ F1",
        "macro-F1 base by seed",
        "fallback ours",
        "F1 ours w/o fallback",
        "p50/p95 ms ours",
    ]
    rows = []
    for result in results:
        ours = result.model("ours")
        if ours is None:
            continue
        base_accuracy = result.baseline_mean(lambda m: m.scores.accuracy)
        base_f1 = result.baseline_mean(lambda m: m.scores.macro_f1)
        rows.append(
            [
                result.dataset.name,
                str(ours.scores.rows),
                _pct(ours.scores.accuracy),
                _pct(base_accuracy) if base_accuracy is not None else "-",
                _points(ours.scores.accuracy, base_accuracy),
                _pct(ours.scores.macro_f1),
                _pct(base_f1) if base_f1 is not None else "-",
                _points(ours.scores.macro_f1, base_f1),
                "/".join(_pct(run.scores.macro_f1) for run in result.baseline_runs) or "-",
                _pct(ours.scores.fallback_rate),
                _pct(ours.scores_without_fallback.macro_f1),
                f"{ours.parse_p50_ms:.1f}/{ours.parse_p95_ms:.1f}",
            ]
        )
    return header, rows


def format_summary(results: Sequence[DatasetResult]) -> str:
    header, rows = summary_rows(results)
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    text = "\n".join(line.rstrip() for line in lines)
    for pair, label, delta_accuracy, delta_f1, same in paired_rows(results):
        text += f"\n{pair} ({label}): Δ acc {delta_accuracy}, Δ macro-F1 {delta_f1}, same prediction {same}%"
    return text


def write_run(out_dir: Path, run: RunInfo, results: Sequence[DatasetResult]) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    for result in results:
        for model_result in result.models:
            stem = f"{safe_name(result.dataset.name)}_{model_result.model.label}"
            write_predictions(out_dir / f"predictions_{stem}.tsv", result, model_result)
            try:
                write_confusion_png(out_dir / f"confusion_{stem}.png", result, model_result)
            except Exception as error:  # a plot must never cost the trainer the report
                logger.warning("confusion matrix %s not drawn: %s", stem, error)
    report = out_dir / "report.md"
    report.write_text(render_markdown(run, results), encoding="utf-8")
    return report


def write_predictions(path: Path, result: DatasetResult, model_result: ModelResult) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(
            [
                "text",
                "intent",
                "predicted",
                "confidence",
                "top_intent",
                "top_confidence",
                "correct",
                "source",
                "parse_ms",
            ]
        )
        for example, prediction in zip(result.dataset.examples, model_result.predictions, strict=True):
            writer.writerow(
                [
                    example.text,
                    example.intent,
                    prediction.intent,
                    f"{prediction.confidence:.4f}",
                    prediction.top_intent,
                    f"{prediction.top_confidence:.4f}",
                    int(example.intent == prediction.intent),
                    example.source or "",
                    f"{prediction.parse_ms:.2f}",
                ]
            )


def render_markdown(run: RunInfo, results: Sequence[DatasetResult]) -> str:
    lines = ["# NLU 评估报告 / NLU evaluation report", ""]
    lines += [
        f"Run started {run.started}, took {run.seconds:.0f} s. "
        f"Macro-F1 averages intents with at least {run.min_support} rows; Δ is ours − baseline in points. "
        "The summary's baseline columns average the baseline's seeded runs (DIET `random_seed`); the "
        "sections per dataset show the first seed's run in detail. "
        f"{' and '.join(f'`{name}`' for name in FALLBACK_INTENTS)} count as wrong predictions; "
        '"w/o fallback" scores the classifier\'s top intent instead.',
        "",
    ]
    lines += ["## Models", ""]
    lines += _table(
        ["model", "file", "training hash", "loaded in", "trained in this run"],
        [
            [
                m.label,
                f"`{m.path}`",
                f"`{m.training_hash}`",
                f"{m.load_seconds:.1f} s",
                _trained(m),
            ]
            for m in run.models
        ],
    )
    lines += [f"- {note}" for note in run.notes] + ([""] if run.notes else [])
    lines += ["## Summary", ""]
    lines += _table(*summary_rows(results))
    lines += _paired_section(results)
    for result in results:
        lines += _render_dataset(result, run.min_support)
    return "\n".join(lines)


PAIRED_HEADER = ["pair", "model", "Δ acc", "Δ macro-F1", "same prediction %"]


def paired_rows(results: Sequence[DatasetResult]) -> list[list[str]]:
    """Datasets with the same gold labels row for row (e.g. a Traditional-character copy): how they differ."""
    rows = []
    for i, first in enumerate(results):
        for second in results[i + 1 :]:
            gold_first = [e.intent for e in first.dataset.examples]
            if gold_first != [e.intent for e in second.dataset.examples]:
                continue
            for label in ("ours", "baseline"):
                a, b = first.model(label), second.model(label)
                if a is None or b is None:
                    continue
                same = sum(
                    x.intent == y.intent for x, y in zip(a.predictions, b.predictions, strict=True)
                ) / len(a.predictions)
                rows.append(
                    [
                        f"{second.dataset.name} vs {first.dataset.name}",
                        label,
                        _points(b.scores.accuracy, a.scores.accuracy),
                        _points(b.scores.macro_f1, a.scores.macro_f1),
                        _pct(same),
                    ]
                )
    return rows


def _trained(model: ModelInfo) -> str:
    if model.trained_seconds is not None:
        return f"{model.trained_seconds:.0f} s"
    return "no (cached)" if model.is_baseline else "by scripts/train.sh"


def _paired_section(results: Sequence[DatasetResult]) -> list[str]:
    rows = paired_rows(results)
    if not rows:
        return []
    return ["### Paired datasets (same gold labels row for row)", "", *_table(PAIRED_HEADER, rows)]


def _render_dataset(result: DatasetResult, min_support: int) -> list[str]:
    ours, base = result.model("ours"), result.model("baseline")
    if ours is None:
        return []
    dataset = result.dataset
    small = sorted(i for i, s in ours.scores.per_intent.items() if 0 < s.support < min_support)
    lines = [
        f"## {dataset.name}",
        "",
        f"`{dataset.path}` — {len(dataset.examples)} rows, "
        f"{len(ours.scores.macro_intents)} intents in macro-F1"
        + (f"; fewer than {min_support} rows (left out of macro-F1): {', '.join(small)}" if small else ""),
        "",
    ]
    lines += ["### Overall", ""]
    overall = [
        ("accuracy", lambda m: m.scores.accuracy),
        ("macro-F1", lambda m: m.scores.macro_f1),
        ("accuracy w/o fallback", lambda m: m.scores_without_fallback.accuracy),
        ("macro-F1 w/o fallback", lambda m: m.scores_without_fallback.macro_f1),
        ("fallback rate", lambda m: m.scores.fallback_rate),
    ]
    rows = [
        [
            name,
            _pct(get(ours)),
            _pct(get(base)) if base else "-",
            _points(get(ours), get(base) if base else None),
        ]
        for name, get in overall
    ]
    rows.append(
        [
            "parse p50 / p95 (ms)",
            f"{ours.parse_p50_ms:.1f} / {ours.parse_p95_ms:.1f}",
            f"{base.parse_p50_ms:.1f} / {base.parse_p95_ms:.1f}" if base else "-",
            "",
        ]
    )
    base_title = f"baseline (seed {base.model.seed})" if base and base.model.seed is not None else "baseline"
    lines += _table(["metric", "ours", base_title, "Δ"], rows)
    lines += _baseline_runs_section(result)
    lines += ["### Per intent (worst first by our F1)", ""]
    lines += _per_intent_table(ours.scores, base.scores if base else None, min_support)
    lines += _confused_section("Most confused pairs — ours", ours.scores.confused_pairs)
    if base:
        lines += _confused_section("Most confused pairs — baseline", base.scores.confused_pairs)
    if ours.scores.per_source:
        lines += ["### Per source", "", "Macro-F1 here averages every intent present in the source.", ""]
        base_by_source = {s.source: s for s in base.scores.per_source} if base else {}
        rows = []
        for s in ours.scores.per_source:
            b = base_by_source.get(s.source)
            rows.append(
                [
                    _cell(s.source),
                    s.rows,
                    _pct(s.accuracy),
                    _pct(b.accuracy) if b else "-",
                    _points(s.accuracy, b.accuracy if b else None),
                    _pct(s.macro_f1),
                    _pct(b.macro_f1) if b else "-",
                    _pct(s.fallback_rate),
                ]
            )
        lines += _table(
            [
                "source",
                "rows",
                "acc ours",
                "acc base",
                "Δ acc",
                "macro-F1 ours",
                "macro-F1 base",
                "fallback ours",
            ],
            rows,
        )
    stem = safe_name(dataset.name)
    lines += ["### Confusion matrices", ""]
    lines += [f"![{m.model.label}](confusion_{stem}_{m.model.label}.png)" for m in result.models]
    lines += ["", f"Every row with its prediction: `predictions_{stem}_<model>.tsv` beside this report.", ""]
    return lines


def _baseline_runs_section(result: DatasetResult) -> list[str]:
    runs = result.baseline_runs
    if len(runs) < 2:
        return []
    rows = [[run.model.seed, _pct(run.scores.accuracy), _pct(run.scores.macro_f1)] for run in runs]
    accuracy = result.baseline_mean(lambda m: m.scores.accuracy)
    f1 = result.baseline_mean(lambda m: m.scores.macro_f1)
    rows.append(["mean", _pct(accuracy or 0.0), _pct(f1 or 0.0)])
    return ["### Baseline runs (one per DIET seed)", "", *_table(["seed", "accuracy", "macro-F1"], rows)]


def _per_intent_table(ours: Scores, base: Scores | None, min_support: int) -> list[str]:
    intents = sorted(
        set(ours.per_intent) | (set(base.per_intent) if base else set()),
        key=lambda i: (
            ours.per_intent[i].support == 0 if i in ours.per_intent else True,
            ours.per_intent[i].f1 if i in ours.per_intent else 0.0,
            i,
        ),
    )
    rows = []
    for intent in intents:
        o = ours.per_intent.get(intent)
        b = base.per_intent.get(intent) if base else None
        support = (o or b).support
        marker = "" if support >= min_support else " *"
        delta = _points(o.f1 if o else 0.0, b.f1 if b else None) if support else ""
        rows.append([f"{intent}{marker}", support, *_prf(o), *_prf(b), delta])
    lines = _table(
        ["intent", "support", "P ours", "R ours", "F1 ours", "P base", "R base", "F1 base", "Δ F1"], rows
    )
    return lines + [f"\\* fewer than {min_support} rows: not in macro-F1. Support 0: predicted only.", ""]


def _prf(intent_score: IntentScore | None) -> list[str]:
    if intent_score is None:
        return ["-", "-", "-"]
    return [_pct(intent_score.precision), _pct(intent_score.recall), _pct(intent_score.f1)]


def _confused_section(title: str, pairs: Sequence[ConfusedPair]) -> list[str]:
    if not pairs:
        return [f"### {title}", "", "None.", ""]
    rows = [[p.gold, p.predicted, p.count, " / ".join(_cell(text) for text in p.examples)] for p in pairs]
    return [f"### {title}", ""] + _table(["gold", "predicted", "count", "examples"], rows)


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    for font in font_manager.fontManager.ttflist:
        if any(hint in font.name for hint in CJK_FONT_HINTS):
            return font.name
    return None


def write_confusion_png(path: Path, result: DatasetResult, model_result: ModelResult) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    gold = [example.intent for example in result.dataset.examples]
    predicted = [p.intent for p in model_result.predictions]
    labels = sorted(set(gold)) + sorted(set(predicted) - set(gold))
    index = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), dtype=int)
    for g, p in zip(gold, predicted, strict=True):
        counts[index[g], index[p]] += 1
    row_totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, row_totals, out=np.zeros(counts.shape), where=row_totals > 0)

    font = _cjk_font()
    style = {"font.sans-serif": [font, "DejaVu Sans"]} if font else {}
    size = max(6.0, 0.38 * len(labels) + 2.5)
    with plt.rc_context(style):
        figure, axes = plt.subplots(figsize=(size + 1.5, size))
        image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
        axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
        axes.set_yticks(range(len(labels)), labels, fontsize=8)
        axes.set_xlabel("predicted intent")
        axes.set_ylabel("gold intent")
        title = f"{result.dataset.name} - {model_result.model.label}: counts, colour = share of gold row"
        # Without a CJK font, CJK glyphs would render as boxes (and warn): keep the title ASCII then.
        axes.set_title(title if font else title.encode("ascii", "replace").decode(), fontsize=10)
        for (row, column), count in np.ndenumerate(counts):
            if count:
                colour = "white" if shares[row, column] > 0.6 else "black"
                axes.text(column, row, str(count), ha="center", va="center", fontsize=6, color=colour)
        figure.colorbar(image, ax=axes, fraction=0.04)
        figure.tight_layout()
        figure.savefig(path, dpi=110)
        plt.close(figure)
