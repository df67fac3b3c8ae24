"""`python -m bot.evaluation`: scores our model and the baseline on labelled files and writes a report."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.evaluation.baseline import BaselineModel, BaselineTrainingError, ensure_baseline
from bot.evaluation.dataset import Dataset, DatasetError, load_dataset
from bot.evaluation.metrics import DEFAULT_MIN_SUPPORT
from bot.evaluation.predict import ModelRunner, Prediction
from bot.evaluation.report import RunInfo, format_summary, write_run
from bot.evaluation.results import DatasetResult, ModelInfo, baseline_label, score_predictions

logger = logging.getLogger("bot.evaluation")


# Three seeds bring the baseline's run-to-run spread (about +-1.5 points of macro-F1) down to under one.
DEFAULT_BASELINE_SEEDS = (1, 2, 3)


def _seeds(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected comma-separated integers, e.g. 1,2,3") from None
    if len(set(seeds)) != len(seeds) or any(seed < 0 for seed in seeds):
        raise argparse.ArgumentTypeError(f"{text!r}: seeds must be distinct and not negative")
    return seeds


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.evaluation",
        description="Evaluate intent classification of our model and the baseline on labelled data.",
    )
    parser.add_argument(
        "--heldout", type=Path, help="Rasa NLU YAML held-out file (skipped with a warning if absent)"
    )
    parser.add_argument(
        "--tsv",
        type=Path,
        action="append",
        default=[],
        help="TSV with columns text, intent[, source]; repeatable",
    )
    parser.add_argument("--out", type=Path, default=Path("var/eval"), help="reports go to OUT/<timestamp>/")
    parser.add_argument("--model", type=Path, default=Path("models/current.tar.gz"), help="our trained model")
    parser.add_argument(
        "--nlu-data", type=Path, default=Path("data/nlu"), help="training data for the baseline"
    )
    parser.add_argument("--baseline-config", type=Path, default=Path("config/baseline_config.yml"))
    parser.add_argument("--baseline-dir", type=Path, default=Path("models/baseline"))
    parser.add_argument(
        "--lock-file",
        type=Path,
        default=Path("models/.train.lock"),
        help="held while training, shared with scripts/train.sh",
    )
    parser.add_argument(
        "--baseline-seeds",
        type=_seeds,
        default=DEFAULT_BASELINE_SEEDS,
        help="comma-separated DIET random seeds; the baseline is trained once per seed and its scores "
        "averaged (default %(default)s; each seed costs one baseline training when the data changed)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="score our model only")
    parser.add_argument(
        "--min-support",
        type=int,
        default=DEFAULT_MIN_SUPPORT,
        help="intents with fewer gold rows are left out of macro-F1 (default %(default)s)",
    )
    return parser.parse_args(argv)


def _datasets(args: argparse.Namespace, notes: list[str]) -> list[Dataset]:
    datasets = []
    if args.heldout is not None:
        if args.heldout.exists():
            datasets.append(load_dataset(args.heldout))
        else:
            logger.warning("held-out file %s not found: skipped", args.heldout)
            notes.append(f"Held-out file `{args.heldout}` not found: not evaluated.")
    datasets += [load_dataset(path) for path in args.tsv]
    names = [d.name for d in datasets]
    for i, dataset in enumerate(datasets):  # two files with one stem would overwrite each other's outputs
        if names.count(dataset.name) > 1:
            datasets[i] = Dataset(f"{dataset.name}_{i + 1}", dataset.path, dataset.examples)
    return datasets


def _predict_all(runner: ModelRunner, datasets: list[Dataset]) -> list[list[Prediction]]:
    return [runner.predict([example.text for example in dataset.examples]) for dataset in datasets]


def run(args: argparse.Namespace) -> Path:
    started_at = datetime.now()
    started = time.perf_counter()
    notes: list[str] = []
    datasets = _datasets(args, notes)
    if not datasets:
        raise DatasetError("nothing to evaluate: give --heldout and/or --tsv with existing files")
    if not args.model.exists():
        raise FileNotFoundError(f"{args.model}: model not found (run scripts/train.sh)")

    # Train the baselines before loading any model: training and a loaded model together would crowd memory.
    baselines = [] if args.no_baseline else _ensure_baselines(args)

    results = [DatasetResult(dataset) for dataset in datasets]
    candidates = [("ours", args.model.resolve(), _model_hash(args.model), None, None)]
    candidates += [
        (baseline_label(b.seed, first=i == 0), b.path, b.training_hash, b.trained_seconds, b.seed)
        for i, b in enumerate(baselines)
    ]
    models = []
    for label, path, training_hash, trained_seconds, seed in candidates:
        logger.info("loading %s model %s", label, path)
        runner = ModelRunner(path)
        info = ModelInfo(label, path, training_hash, runner.load_seconds, trained_seconds, seed)
        models.append(info)
        for result, predictions in zip(results, _predict_all(runner, datasets), strict=True):
            result.models.append(
                score_predictions(info, result.dataset, predictions, min_support=args.min_support)
            )
        del runner
        gc.collect()

    out_dir = args.out / started_at.strftime("%Y%m%d-%H%M%S")
    run_info = RunInfo(
        started=started_at.isoformat(timespec="seconds"),
        seconds=time.perf_counter() - started,
        min_support=args.min_support,
        models=models,
        notes=notes,
    )
    report = write_run(out_dir, run_info, results)
    latest = args.out / "latest"
    if latest.is_symlink() or not latest.exists():
        latest.unlink(missing_ok=True)
        latest.symlink_to(out_dir.name)
    print(format_summary(results))
    print(f"\nreport: {report}  ({run_info.seconds:.0f} s)")
    return report


def _ensure_baselines(args: argparse.Namespace) -> list[BaselineModel]:
    return [
        ensure_baseline(
            config=args.baseline_config,
            seed=seed,
            nlu_data=args.nlu_data,
            out_dir=args.baseline_dir,
            lock_file=args.lock_file,
            log_file=Path(f"var/log/baseline_train_seed{seed}.log"),
            extra_inputs=(Path("requirements/rasa.lock.txt"),),
        )
        for seed in args.baseline_seeds
    ]


def _model_hash(model: Path) -> str:
    # scripts/train.sh names each model after its input hash; current.tar.gz links to it.
    return model.resolve().name.removesuffix(".tar.gz")


_NOISE = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


def quiet_logging() -> None:
    # Rasa's pinned dependencies warn about their own deprecations on import: noise for a trainer.
    # Filters do not help: importing rasa.core.agent puts a "once" filter ahead of any set here.
    show = warnings.showwarning

    def show_relevant(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if not issubclass(category, _NOISE):
            show(message, category, *args, **kwargs)

    warnings.showwarning = show_relevant
    from rasa.utils.log_utils import configure_structlog

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Rasa's structlog prints every parse at debug level on stdout unless configured.
    configure_structlog(logging.WARNING)
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    logger.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    quiet_logging()
    args = parse_args(argv)
    try:
        run(args)
    except (DatasetError, BaselineTrainingError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
