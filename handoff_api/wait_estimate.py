"""Estimated wait for a queued customer."""

import math


def estimate_wait_seconds(*, position: int, online_agents: int, average_assign_seconds: int) -> int:
    # Until per-group assignment rates are observed, assume each online agent takes one conversation
    # every average_assign_seconds.
    return math.ceil(position * average_assign_seconds / max(online_agents, 1))
