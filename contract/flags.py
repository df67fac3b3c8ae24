"""How a yes/no setting written as text (an environment variable, a substituted YAML value) is read."""

from __future__ import annotations

_YES = frozenset({"1", "true", "yes", "on"})


def is_on(value: object) -> bool:
    """True for 1, true, yes or on in any case (and YAML's true); anything else, unset included, is off."""
    return str(value).strip().lower() in _YES
