from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource


@pytest.fixture
def model_storage(tmp_path) -> LocalModelStorage:
    directory = tmp_path / "model"
    directory.mkdir()
    return LocalModelStorage(directory)


@pytest.fixture
def execution_context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model")


@pytest.fixture
def resource() -> Resource:
    return Resource("banking_tokenizer")


@pytest.fixture
def make_tokenizer(model_storage, resource, execution_context):
    from bot.components.tokenizer import BankingJiebaTokenizer

    def make(**overrides: Any) -> BankingJiebaTokenizer:
        config = {**BankingJiebaTokenizer.get_default_config(), **overrides}
        return BankingJiebaTokenizer.create(config, model_storage, resource, execution_context)

    return make


def put_back_after(patch: pytest.MonkeyPatch) -> None:
    """Rasa's own code, where bot.rasa_speedups.install replaces it, is put back when `patch` undoes."""
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import Event

    for owner, name in (
        (RemoteAction, "_validate_action_result"),
        (Event, "resolve_by_type"),
        (DaskGraphRunner, "create"),
    ):
        patch.setattr(owner, name, owner.__dict__[name])


@pytest.fixture(scope="session")
def agents() -> Iterator[tuple[Agent, Agent]]:
    """The trained model (scripts/test.sh trains it first) loaded as Rasa loads it, and as the bot's
    servers load it (bot.rasa_speedups installed, then Rasa's own code put back)."""
    from bot import rasa_speedups

    model = str(Path("models/current.tar.gz"))
    plain = Agent.load(model)
    with pytest.MonkeyPatch.context() as patch:
        put_back_after(patch)
        rasa_speedups.install()
        sped_up = Agent.load(model)
    yield plain, sped_up
