"""The baseline model: Rasa's stock Chinese NLU pipeline trained on our data, once per input hash and seed.

DIET starts from random weights: unseeded, the same data gives a macro-F1 that moves by a point or two from
one training to the next. Each run here sets DIET's ``random_seed``, so a report is reproducible, and the
evaluation can average several seeds instead of trusting one draw.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

# Seeded runs of two data versions, so switching back and forth stays cheap.
KEEP_MODELS = 6
SEEDED_COMPONENT = "DIETClassifier"


class BaselineTrainingError(RuntimeError):
    pass


@dataclass(frozen=True)
class BaselineModel:
    path: Path
    training_hash: str
    seed: int
    trained_seconds: float | None  # None when the cached model was reused


def seeded_config(config: Path, seed: int, out_dir: Path) -> Path:
    """A copy of the baseline config whose DIETClassifier has ``random_seed: seed``; nothing else changes."""
    content = yaml.safe_load(config.read_text(encoding="utf-8"))
    components = [c for c in content.get("pipeline") or [] if c.get("name") == SEEDED_COMPONENT]
    if not components:
        raise BaselineTrainingError(f"{config}: no {SEEDED_COMPONENT} in the pipeline to seed")
    for component in components:
        component["random_seed"] = seed
    seeded = out_dir / f"{config.stem}.seed{seed}.yml"
    seeded.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return seeded


def training_hash(config: Path, nlu_data: Path, extra_inputs: tuple[Path, ...] = ()) -> str:
    """Hash of the baseline's inputs: its config, every training-data file (name and content), the lock.

    Names are taken relative to the data folder, so the same data reached by another path hashes the same.
    """
    data_files = sorted(p for p in nlu_data.rglob("*") if p.is_file()) if nlu_data.is_dir() else [nlu_data]
    named = [(config.name, config), *((p.name, p) for p in extra_inputs)]
    named += [(str(p.relative_to(nlu_data)) if nlu_data.is_dir() else p.name, p) for p in data_files]
    digest = hashlib.sha256()
    for name, path in named:
        if not path.is_file():
            continue
        digest.update(name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def ensure_baseline(
    *,
    config: Path,
    seed: int,
    nlu_data: Path,
    out_dir: Path,
    lock_file: Path,
    log_file: Path,
    extra_inputs: tuple[Path, ...] = (),
) -> BaselineModel:
    if not config.is_file():
        raise BaselineTrainingError(f"{config}: baseline config not found")
    if not nlu_data.exists():
        raise BaselineTrainingError(f"{nlu_data}: NLU training data not found")
    out_dir.mkdir(parents=True, exist_ok=True)
    config = seeded_config(config, seed, out_dir)
    digest = training_hash(config, nlu_data, extra_inputs)
    model = out_dir / f"{digest}.tar.gz"
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as lock:
        # The same lock as scripts/train.sh: the machine has two cores, two trainings at once starve both.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if model.is_file():
            logger.info("baseline model (seed %d) up to date (%s)", seed, model)
            return BaselineModel(model, digest, seed, None)
        logger.info("training baseline %s (seed %d); log: %s", digest, seed, log_file)
        started = time.perf_counter()
        _train(config=config, nlu_data=nlu_data, out_dir=out_dir, name=digest, log_file=log_file)
        seconds = time.perf_counter() - started
    _prune(out_dir)
    return BaselineModel(model, digest, seed, seconds)


def _train(*, config: Path, nlu_data: Path, out_dir: Path, name: str, log_file: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(nlu_data),
        "--out",
        str(out_dir),
        "--fixed-model-name",
        name,
    ]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w", encoding="utf-8") as log:
        result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0 or not (out_dir / f"{name}.tar.gz").is_file():
        tail = "\n".join(log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
        raise BaselineTrainingError(f"baseline training failed (see {log_file}):\n{tail}")


def _prune(out_dir: Path) -> None:
    models = sorted(out_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in models[KEEP_MODELS:]:
        stale.unlink(missing_ok=True)
