"""Who may take a waiting conversation, in what order, and which conversation goes first.

Pure functions over plain values, so every rule is tested without Redis; dispatcher.py feeds them a snapshot
and lets the claim script decide races between API processes.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from contract.names import CustomerTier
from handoff_api.domain.routing import RoutingConfig
from handoff_api.domain.states import AgentLevel


@dataclass(frozen=True)
class Seat:
    """An online agent as the dispatcher sees them."""

    username: str
    level: AgentLevel
    groups: frozenset[str]
    capacity: int
    load: int

    @property
    def free(self) -> int:
        return self.capacity - self.load


@dataclass(frozen=True)
class Waiting:
    """A queued conversation as the dispatcher sees it."""

    conversation_id: str
    group: str
    tier: CustomerTier
    deadline: float
    secretary: str | None = None

    def overdue(self, now: float) -> bool:
        return now > self.deadline


def allowed_groups(config: RoutingConfig, waiting: Waiting, now: float) -> list[str]:
    """The conversation's own group, widened by the overflow map once it is past its tier target."""
    if not waiting.overdue(now):
        return [waiting.group]
    return [waiting.group, *config.overflow.get(waiting.group, [])]


def _secretary_seat(waiting: Waiting, seats: Iterable[Seat]) -> Seat | None:
    return next((seat for seat in seats if seat.username == waiting.secretary), None)


def _preference(config: RoutingConfig, waiting: Waiting, seat: Seat) -> tuple[int, int, float, str]:
    outside_own_group = int(waiting.group not in seat.groups)
    wants_senior = waiting.tier in config.vip_tiers and waiting.group in config.senior_preferred_groups
    not_senior = int(wants_senior and seat.level is not AgentLevel.SENIOR)
    # Least loaded first spreads the work; the username only makes the order deterministic.
    return outside_own_group, not_senior, seat.load / seat.capacity, seat.username


def candidates(config: RoutingConfig, waiting: Waiting, seats: Sequence[Seat], now: float) -> list[Seat]:
    """Online seats with free capacity that may take the conversation now, best first."""
    secretary = _secretary_seat(waiting, seats)
    # The designated secretary, while online, has the conversation to themselves until its target passes.
    if secretary is not None and not waiting.overdue(now):
        return [secretary] if secretary.free > 0 else []
    groups = allowed_groups(config, waiting, now)
    eligible = [seat for seat in seats if seat.free > 0 and not seat.groups.isdisjoint(groups)]
    if secretary is not None and secretary.free > 0 and secretary not in eligible:
        eligible.append(secretary)
    eligible.sort(key=lambda seat: (seat is not secretary, *_preference(config, waiting, seat)))
    return eligible


def serving_groups(config: RoutingConfig, waiting: Waiting) -> list[str]:
    """Every group that could ever take the conversation, busy or not: with none of their agents online (nor
    the secretary) it is no_agent."""
    return allowed_groups(config, waiting, now=waiting.deadline + 1)


def plan_assignments(
    config: RoutingConfig, queue: Sequence[Waiting], seats: Sequence[Seat], now: float
) -> list[tuple[Waiting, Seat]]:
    """Earliest deadline first, each conversation to its best free seat, capacity counted as it fills."""
    current = {seat.username: seat for seat in seats}
    plan: list[tuple[Waiting, Seat]] = []
    for waiting in sorted(queue, key=lambda item: item.deadline):
        best = next(iter(candidates(config, waiting, list(current.values()), now)), None)
        if best is None:
            continue
        plan.append((waiting, best))
        current[best.username] = replace(best, load=best.load + 1)
        if not any(seat.free > 0 for seat in current.values()):
            break
    return plan
