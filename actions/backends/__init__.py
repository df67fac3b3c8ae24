"""Account/card back-ends behind one interface (base.AccountBackend), chosen by ACCOUNT_BACKEND."""

from __future__ import annotations

from functools import lru_cache

from actions.backends.base import AccountBackend
from actions.settings import Settings, get_settings


def make_backend(settings: Settings) -> AccountBackend:
    if settings.account_backend == "http":
        from actions.backends.http import HttpBackend

        return HttpBackend.from_settings(settings)
    from actions.backends.demo import DemoBackend

    return DemoBackend.from_settings(settings)


@lru_cache(maxsize=1)
def get_backend() -> AccountBackend:
    """One back-end per action server, so the demo's file lock and cache are shared by every action."""
    return make_backend(get_settings())
