from __future__ import annotations

from pathlib import Path

import pytest

from bot.model_inputs import REPO_ROOT, component_modules, inputs_hash, model_inputs

CONFIG = """
pipeline:
  - name: WhitespaceTokenizer
  - name: shop.components.reader.Reader
policies:
  - name: RulePolicy
"""
FILES = {
    "config.yml": CONFIG,
    "domain.yml": "intents: [greet]\n",
    "data/nlu.yml": "nlu: []\n",
    "shop/__init__.py": "",
    "shop/components/__init__.py": "",
    # Relative, absolute, inside a function, and `from package import module`.
    "shop/components/reader.py": (
        "import os\nfrom . import cleaning\n\n\n"
        "def load():\n    from shop.rules import RULES\n    return RULES\n"
    ),
    "shop/components/cleaning.py": "from .. import numbers\n",
    "shop/numbers.py": "import re\n",
    "shop/rules.py": "from shop.numbers import parse\n",
    "shop/unused.py": "",
    "shop/tools/__init__.py": "",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_custom_components_only() -> None:
    config = {"pipeline": [{"name": "WhitespaceTokenizer"}, {"name": "a.b.C"}], "policies": [{"name": "x.P"}]}

    assert component_modules(config) == ["a.b", "x"]


def test_inputs_follow_every_import_from_the_repository(repo: Path) -> None:
    names = {str(path.relative_to(repo)) for path in model_inputs(repo)}

    assert names == {
        "config.yml",
        "domain.yml",
        "data/nlu.yml",
        "shop/__init__.py",
        "shop/components/__init__.py",
        "shop/components/reader.py",
        "shop/components/cleaning.py",
        "shop/numbers.py",
        "shop/rules.py",
    }


@pytest.mark.parametrize("changed", ["shop/numbers.py", "shop/rules.py", "data/nlu.yml", "config.yml"])
def test_changing_an_input_changes_the_hash(repo: Path, changed: str) -> None:
    before = inputs_hash(model_inputs(repo), repo)
    with (repo / changed).open("a", encoding="utf-8") as file:
        file.write("\n# changed\n")

    assert inputs_hash(model_inputs(repo), repo) != before


def test_changing_code_the_pipeline_does_not_import_keeps_the_hash(repo: Path) -> None:
    before = inputs_hash(model_inputs(repo), repo)
    (repo / "shop/unused.py").write_text("CHANGED = True\n", encoding="utf-8")

    assert inputs_hash(model_inputs(repo), repo) == before


def test_this_repository_hashes_the_modules_its_components_use() -> None:
    names = {str(path.relative_to(REPO_ROOT)) for path in model_inputs()}

    assert {"bot/normalization.py", "bot/entity_rules.py", "bot/numerals.py"} <= names
    assert {"bot/components/normalizer.py", "bot/components/char_ngram_classifier.py"} <= names
    assert "bot/data_validation.py" not in names
