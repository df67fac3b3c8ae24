"""The baseline model: Rasa's stock Chinese NLU pipeline trained on our data, once per input hash."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

KEEP_MODELS = 3


class BaselineTrainingError(RuntimeError):
    pass


@dataclass(frozen=True)
class BaselineModel:
    path: Path
    training_hash: str
    trained_seconds: float | None  # None when the cached model was reused


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
    digest = training_hash(config, nlu_data, extra_inputs)
    model = out_dir / f"{digest}.tar.gz"
    out_dir.mkdir(parents=True, exist_ok=True)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as lock:
        # The same lock as scripts/train.sh: the machine has two cores, two trainings at once starve both.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if model.is_file():
            logger.info("baseline model up to date (%s)", model)
            return BaselineModel(model, digest, None)
        logger.info("training baseline %s; log: %s", digest, log_file)
        started = time.perf_counter()
        _train(config=config, nlu_data=nlu_data, out_dir=out_dir, name=digest, log_file=log_file)
        seconds = time.perf_counter() - started
    _prune(out_dir)
    return BaselineModel(model, digest, seconds)


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
