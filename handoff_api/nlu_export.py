"""`python -m handoff_api.nlu_export`: the trainer's labelled messages into Rasa NLU training data.

Run by `scripts/nlu_inbox.sh export`. Reads the labelled items from the database, writes them into
NLU_INBOX_EXPORT_PATH (Rasa YAML, merged with what earlier exports wrote) and marks them exported. A text is
left out, and still marked, when it adds nothing (an existing training line, after the same normalisation
the inbox groups by) or is an evaluation line (any file under NLU_INBOX_EXCLUDED_DIR): evaluation data must
never leak into training. A label that is not an intent of the domain stays labelled: the trainer is told
what to add to domain.yml, and the next export takes it.
"""

import argparse
import csv
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from contract.pii import mask_pii
from handoff_api.core.config import REPO_ROOT, Settings
from handoff_api.domain.nlu_inbox import group_key
from handoff_api.sql.db import create_db_engine
from handoff_api.sql.readings import labelled_for_export, mark_exported

HEADER = (
    "# Written by scripts/nlu_inbox.sh export from the trainer's inbox (/trainer): messages the bot\n"
    "# misread, labelled by a person, PII-masked. Edit in the inbox rather than here; the export merges.\n"
)
# Rasa's inline entity annotation, [text](entity) or [text]{...}: compared by its text.
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass
class ExportResult:
    written: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    already_known: int = 0
    evaluation_lines: int = 0
    unknown_intents: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _examples(path: Path) -> dict[str, list[str]]:
    """intent -> example lines (annotations kept) of one Rasa NLU YAML file."""
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: dict[str, list[str]] = defaultdict(list)
    for block in content.get("nlu") or []:
        if isinstance(block, dict) and "intent" in block:
            lines = str(block.get("examples") or "").splitlines()
            examples[block["intent"]] += [line.strip()[2:] for line in lines if line.strip().startswith("- ")]
    return examples


def _key(line: str) -> str:
    return group_key(_ANNOTATION.sub(r"\1", line))


def training_keys(data_dir: Path, *, leaving_out: Path) -> set[str]:
    return {
        _key(line)
        for path in sorted(data_dir.rglob("*.yml"))
        if path.resolve() != leaving_out.resolve()
        for lines in _examples(path).values()
        for line in lines
    }


def evaluation_keys(excluded_dir: Path) -> set[str]:
    """Every text of the evaluation files: TSV (column text) and Rasa YAML."""
    keys: set[str] = set()
    for path in sorted(excluded_dir.rglob("*")):
        if path.suffix == ".tsv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                keys |= {_key(row.get("text") or "") for row in rows}
        elif path.suffix in (".yml", ".yaml"):
            keys |= {_key(line) for lines in _examples(path).values() for line in lines}
    return keys - {""}


def domain_intents(domain: Path) -> set[str]:
    intents = (yaml.safe_load(domain.read_text(encoding="utf-8")) or {}).get("intents") or []
    return {next(iter(item)) if isinstance(item, dict) else str(item) for item in intents}


def write_examples(path: Path, examples: dict[str, list[str]]) -> None:
    lines = [HEADER, 'version: "3.1"\n', "\n", "nlu:\n"]
    for intent in sorted(examples):
        lines += [f"  - intent: {intent}\n", "    examples: |\n"]
        lines += [f"      - {text}\n" for text in examples[intent]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")


def _one_line(text: str) -> str:
    # A training line is one line, and brackets would read as an entity annotation.
    return " ".join(mask_pii(text).split()).replace("[", "（").replace("]", "）")


def export(session: Session, *, data_dir: Path, domain: Path, out: Path, excluded_dir: Path) -> ExportResult:
    result = ExportResult()
    known = training_keys(data_dir, leaving_out=out)
    evaluation = evaluation_keys(excluded_dir)
    intents = domain_intents(domain)
    merged = _examples(out) if out.exists() else defaultdict(list)
    known |= {_key(line) for lines in merged.values() for line in lines}
    handled: list[int] = []
    for item in labelled_for_export(session):
        text, key = _one_line(item.text), _key(item.text)
        if item.label not in intents:
            result.unknown_intents[str(item.label)] += 1
            continue
        handled.append(item.id)
        if key in evaluation:
            result.evaluation_lines += 1
        elif key in known or not key:
            result.already_known += 1
        else:
            known.add(key)
            merged[str(item.label)].append(text)
            result.written[str(item.label)].append(text)
    if result.written:
        write_examples(out, merged)
    mark_exported(session, ids=handled, at=datetime.now(UTC))
    return result


def _summary(result: ExportResult, out: Path) -> str:
    written = sum(len(texts) for texts in result.written.values())
    lines = [f"wrote {written} new training lines to {out}"]
    lines += [f"  {intent}: {len(texts)}" for intent, texts in sorted(result.written.items())]
    lines.append(f"left out {result.already_known} already in the training data")
    lines.append(f"left out {result.evaluation_lines} found in the evaluation data (never trained on)")
    for intent, count in sorted(result.unknown_intents.items()):
        lines.append(
            f"NOT EXPORTED: {count} labelled '{intent}', which is not an intent of the domain. Add "
            f"'- {intent}' under intents: in domain.yml (with a response and a rule for it), then run the "
            "export again."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff_api.nlu_export", description=__doc__)
    parser.add_argument("--data", type=Path, default=REPO_ROOT / "data", help="the training data to check")
    parser.add_argument("--domain", type=Path, default=REPO_ROOT / "domain.yml")
    parser.add_argument("--out", type=Path, required=True, help="the inbox's training file")
    parser.add_argument("--excluded", type=Path, required=True, help="evaluation data: never exported")
    args = parser.parse_args(argv)
    if not args.excluded.is_dir():
        print(
            f"error: evaluation data {args.excluded} not found; refusing to export unchecked", file=sys.stderr
        )
        return 2
    engine = create_db_engine(Settings().DATABASE_URL)
    try:
        with Session(engine) as session:
            result = export(
                session, data_dir=args.data, domain=args.domain, out=args.out, excluded_dir=args.excluded
            )
    finally:
        engine.dispose()
    print(_summary(result, args.out))
    return 1 if result.unknown_intents else 0


if __name__ == "__main__":
    sys.exit(main())
