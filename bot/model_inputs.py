"""What a trained model depends on, and its hash: the key of scripts/train.sh's model cache.

The inputs are the training data (TRAINING_DATA) and the repository's Python code the pipeline runs: a
component named in config.yml (`bot.components.normalizer.ChineseTextNormalizer`) runs its module and
everything that module imports from this repository, at any depth and from inside functions too, plus the
`__init__.py` of every package on the way. The code is found by following the imports, so a new helper module
counts as soon as a component imports it.

Usage: python -m bot.model_inputs [--hash]   (the input files, one per line, or their hash)
"""

from __future__ import annotations

import ast
import hashlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG = "config.yml"
# Files and folders read by training besides the code; the lock files pin the libraries the components use.
TRAINING_DATA = (
    CONFIG,
    "domain.yml",
    "data",
    "bot/resources",
    "requirements/rasa.lock.txt",
    "requirements/rasa-extra.lock.txt",
)


def component_modules(config: dict) -> list[str]:
    """Modules of the custom pipeline components and policies (Rasa's own are named without a dot)."""
    names = [entry["name"] for key in ("pipeline", "policies") for entry in config.get(key) or []]
    return [name.rpartition(".")[0] for name in names if "." in name]


def module_file(module: str, root: Path) -> Path | None:
    """The file of a repository module or package, or None when it is not in the repository."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(path: Path, root: Path) -> Iterator[str]:
    """Every module an import statement in the file names, absolute or relative, with its submodules."""
    # Relative imports start from the folder: a module's package, or the package an __init__.py opens.
    package = path.parent.relative_to(root).parts
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                base = node.module or ""
            yield base
            # `from bot import numerals` imports the module bot.numerals.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _with_parents(module: str) -> Iterator[str]:
    parts = module.split(".")
    yield from (".".join(parts[:end]) for end in range(1, len(parts) + 1))


def code_files(modules: Iterable[str], root: Path) -> set[Path]:
    """The files of the modules and of everything they import from root."""
    pending = [parent for module in modules for parent in _with_parents(module)]
    found: set[Path] = set()
    while pending:
        path = module_file(pending.pop(), root)
        if path is None or path in found:
            continue
        found.add(path)
        for module in imported_modules(path, root):
            pending.extend(_with_parents(module))
    return found


def model_inputs(root: Path = REPO_ROOT) -> list[Path]:
    data = {
        path
        for name in TRAINING_DATA
        for path in ([root / name] if (root / name).is_file() else (root / name).rglob("*"))
        if path.is_file() and path.suffix != ".pyc"
    }
    config = yaml.safe_load((root / CONFIG).read_text(encoding="utf-8"))
    return sorted(data | code_files(component_modules(config), root))


def inputs_hash(paths: Iterable[Path], root: Path = REPO_ROOT) -> str:
    """Hash of the files' names and contents: a renamed or moved input changes it too."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def main(argv: list[str]) -> int:
    paths = model_inputs()
    if argv == ["--hash"]:
        print(inputs_hash(paths))
    else:
        print("\n".join(str(path.relative_to(REPO_ROOT)) for path in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
