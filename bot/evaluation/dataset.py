"""Labelled evaluation data: TSV files (text, intent[, source]) and Rasa NLU YAML test files."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

REQUIRED_COLUMNS = ("text", "intent")
SOURCE_COLUMN = "source"


class DatasetError(ValueError):
    """A labelled file cannot be used for evaluation; the message says which file and why."""


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    source: str | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    path: Path
    examples: list[Example]

    @property
    def has_sources(self) -> bool:
        return any(example.source for example in self.examples)


def load_tsv(path: str | Path, *, name: str | None = None) -> Dataset:
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        # QUOTE_NONE: customer texts contain bare quotation marks that are not CSV quoting.
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [column.strip() for column in reader.fieldnames or []]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise DatasetError(
                f"{path}: header must contain the tab-separated columns text and intent "
                f"(optional: source); missing {', '.join(missing)}, found {header or 'an empty file'}"
            )
        reader.fieldnames = header
        examples = []
        for line_number, row in enumerate(reader, start=2):
            text = (row.get("text") or "").strip()
            intent = (row.get("intent") or "").strip()
            if not text and not intent:
                continue
            if not text or not intent:
                raise DatasetError(f"{path}:{line_number}: row needs both a text and an intent")
            examples.append(Example(text, intent, (row.get(SOURCE_COLUMN) or "").strip() or None))
    if not examples:
        raise DatasetError(f"{path}: no labelled rows")
    return Dataset(name or path.stem, path, examples)


def load_rasa_nlu(path: str | Path, *, name: str | None = None) -> Dataset:
    """Reads intent examples from Rasa NLU training-data format; entity markup is stripped by Rasa."""
    from rasa.shared.nlu.training_data.loading import load_data

    path = Path(path)
    if not path.exists():
        raise DatasetError(f"{path}: no such file")
    training_data = load_data(str(path), language="zh")
    examples = [
        Example(message.get("text"), message.get("intent"))
        for message in training_data.intent_examples
        if message.get("text") and message.get("intent")
    ]
    if not examples:
        raise DatasetError(f"{path}: no intent examples")
    return Dataset(name or path.stem, path, examples)


def load_dataset(path: str | Path) -> Dataset:
    suffix = Path(path).suffix.lower()
    if suffix in {".yml", ".yaml", ".json", ".md"}:
        return load_rasa_nlu(path)
    return load_tsv(path)
