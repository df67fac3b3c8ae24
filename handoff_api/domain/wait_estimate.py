"""Estimated wait for a queued customer: their position times the group's seconds per assignment."""

import math


def seconds_per_assignment(
    *, observed: float | None, online_agents: int, default_assign_seconds: int
) -> float:
    # Until a group has had an assignment, assume each online agent takes one conversation every
    # default_assign_seconds.
    return observed if observed is not None else default_assign_seconds / max(online_agents, 1)


def estimate_wait_seconds(*, position: int, seconds_per_assignment: float) -> int:
    return math.ceil(position * seconds_per_assignment)
