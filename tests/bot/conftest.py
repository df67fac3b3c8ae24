from __future__ import annotations

from typing import Any

import pytest
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
