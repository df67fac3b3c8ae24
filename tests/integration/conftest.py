from collections.abc import Iterator

import pytest

from tests.integration.system import RunningSystem, running_system


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """One real running system (Rasa, action server, handoff API) shared by all integration tests."""
    with running_system(tmp_path_factory.mktemp("system")) as running:
        yield running
