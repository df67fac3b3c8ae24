"""A yes/no setting written as text."""

from __future__ import annotations

import pytest

from contract.flags import is_on


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "On", True])
def test_these_are_on(value: object) -> None:
    assert is_on(value)


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "", "treu", None, False])
def test_anything_else_is_off(value: object) -> None:
    assert not is_on(value)
