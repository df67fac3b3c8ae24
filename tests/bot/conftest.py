from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import redis
from rasa.core.agent import Agent
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.trackers import DialogueStateTracker

from tests.bot.trackers import prediction_trackers

if TYPE_CHECKING:
    from bot.tracker_store import BoundedRedisTrackerStore


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
    from bot import rasa_speedups

    for owner, name, replacement in rasa_speedups.REPLACEMENTS:
        # What Rasa lacks (Slot.__copy__) is set here only so that undoing deletes it again.
        patch.setattr(owner, name, owner.__dict__.get(name, replacement), raising=False)


@contextmanager
def speedups_installed() -> Iterator[None]:
    """bot.rasa_speedups installed, as in the bot's servers, and Rasa's own code put back afterwards."""
    from bot import rasa_speedups

    with pytest.MonkeyPatch.context() as patch:
        put_back_after(patch)
        rasa_speedups.install()
        yield


@pytest.fixture(scope="session")
def agents() -> tuple[Agent, Agent]:
    """The trained model (scripts/test.sh trains it first) loaded as Rasa loads it, and as the bot's
    servers load it. Run the second inside `speedups_installed()`: some speedups act at each turn."""
    model = str(Path("models/current.tar.gz"))
    plain = Agent.load(model)
    with speedups_installed():
        sped_up = Agent.load(model)
    return plain, sped_up


@pytest.fixture(scope="session")
def trackers(agents: tuple[Agent, Agent]) -> list[DialogueStateTracker]:
    """Trackers to compare predictions on (tests/bot/trackers.py), built once with Rasa's own agent."""
    return prediction_trackers(agents[0])


@pytest.fixture
def prefix() -> Iterator[str]:
    """A Redis key prefix of the test's own, its keys deleted afterwards."""
    prefix = f"testbot{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis()
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def store(prefix: str) -> BoundedRedisTrackerStore:
    """The bounded tracker store as endpoints.yml sets it up (strings), under the test's own prefix."""
    from rasa.shared.core.domain import Domain

    from bot.tracker_store import BoundedRedisTrackerStore

    return BoundedRedisTrackerStore(
        Domain.load("domain.yml"),
        host="127.0.0.1",
        keep_turns="10",
        kept_trackers="10",
        record_exp="600",
        key_prefix=prefix,
    )
