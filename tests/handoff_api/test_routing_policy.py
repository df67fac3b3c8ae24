"""The routing policy as pure functions: one test per rule, no Redis."""

from datetime import UTC, datetime

import pytest

from contract.names import CustomerTier
from handoff_api.core.config import Settings
from handoff_api.domain.routing import RoutingConfig, WorkingHours, load_routing_config
from handoff_api.domain.routing_policy import Seat, Waiting, candidates, plan_assignments, serving_groups
from handoff_api.domain.states import AgentLevel

NOW = 1000.0


@pytest.fixture(scope="module")
def routing() -> RoutingConfig:
    return load_routing_config(Settings(_env_file=None).ROUTING_CONFIG_PATH)


def _seat(
    username: str, *groups: str, level: AgentLevel = AgentLevel.MID, capacity: int = 2, load: int = 0
) -> Seat:
    return Seat(username=username, level=level, groups=frozenset(groups), capacity=capacity, load=load)


def _waiting(
    group: str, tier: CustomerTier = CustomerTier.STANDARD, *, deadline: float = NOW + 60, **extra: object
) -> Waiting:
    return Waiting(
        conversation_id=f"{group}-{tier}-{deadline}", group=group, tier=tier, deadline=deadline, **extra
    )


def _names(seats: list[Seat]) -> list[str]:
    return [seat.username for seat in seats]


def test_only_seats_of_the_group_with_free_capacity(routing: RoutingConfig) -> None:
    seats = [_seat("g1", "general"), _seat("full", "general", load=2), _seat("v1", "vip")]
    assert _names(candidates(routing, _waiting("general"), seats, NOW)) == ["g1"]


def test_least_loaded_seat_first(routing: RoutingConfig) -> None:
    seats = [_seat("busy", "general", load=1), _seat("idle", "general")]
    assert _names(candidates(routing, _waiting("general"), seats, NOW)) == ["idle", "busy"]


def test_overflow_only_past_the_tier_target(routing: RoutingConfig) -> None:
    seats = [_seat("g1", "general", load=2), _seat("v1", "vip")]
    assert _names(candidates(routing, _waiting("vip", deadline=NOW + 1), [_seat("g1", "general")], NOW)) == []
    overdue = _waiting("vip", CustomerTier.PLATINUM, deadline=NOW - 1)
    assert _names(candidates(routing, overdue, [_seat("g1", "general"), *seats[1:]], NOW)) == ["v1", "g1"]


def test_overflow_of_other_groups_reaches_any_group(routing: RoutingConfig) -> None:
    seats = [_seat("v1", "vip"), _seat("r1", "risk"), _seat("c1", "complaints")]
    overdue = _waiting("general", deadline=NOW - 1)
    assert set(_names(candidates(routing, overdue, seats, NOW))) == {"v1", "r1", "c1"}


def test_senior_preferred_for_vip_tiers_in_risk_and_complaints(routing: RoutingConfig) -> None:
    seats = [_seat("a_mid", "risk"), _seat("z_senior", "risk", level=AgentLevel.SENIOR, load=1)]
    vip_case = _waiting("risk", CustomerTier.DIAMOND)
    assert _names(candidates(routing, vip_case, seats, NOW)) == ["z_senior", "a_mid"]
    ordinary_case = _waiting("risk", CustomerTier.GOLD)
    assert _names(candidates(routing, ordinary_case, seats, NOW)) == ["a_mid", "z_senior"]
    vip_general_case = _waiting("vip", CustomerTier.DIAMOND)
    vip_seats = [_seat("a_mid", "vip"), _seat("z_senior", "vip", level=AgentLevel.SENIOR, load=1)]
    assert _names(candidates(routing, vip_general_case, vip_seats, NOW)) == ["a_mid", "z_senior"]


def test_designated_secretary_first_when_online(routing: RoutingConfig) -> None:
    seats = [_seat("v1", "vip"), _seat("sec", "vip", level=AgentLevel.SENIOR, load=1)]
    case = _waiting("vip", CustomerTier.DIAMOND, secretary="sec")
    assert _names(candidates(routing, case, seats, NOW)) == ["sec"]


def test_busy_secretary_keeps_the_case_until_its_target_passes(routing: RoutingConfig) -> None:
    seats = [_seat("v1", "vip"), _seat("sec", "vip", load=2)]
    assert candidates(routing, _waiting("vip", CustomerTier.DIAMOND, secretary="sec"), seats, NOW) == []
    overdue = _waiting("vip", CustomerTier.DIAMOND, deadline=NOW - 1, secretary="sec")
    assert _names(candidates(routing, overdue, seats, NOW)) == ["v1"]


def test_offline_secretary_leaves_the_case_to_the_group(routing: RoutingConfig) -> None:
    case = _waiting("vip", CustomerTier.DIAMOND, secretary="sec")
    assert _names(candidates(routing, case, [_seat("v1", "vip")], NOW)) == ["v1"]


def test_plan_serves_earliest_deadline_first_and_counts_capacity(routing: RoutingConfig) -> None:
    late, early, middle = (_waiting("general", deadline=NOW + d) for d in (120, 15, 60))
    plan = plan_assignments(routing, [late, early, middle], [_seat("g1", "general", capacity=2)], NOW)
    assert [(w.conversation_id, s.username) for w, s in plan] == [
        (early.conversation_id, "g1"),
        (middle.conversation_id, "g1"),
    ]


def test_plan_spreads_work_over_seats(routing: RoutingConfig) -> None:
    queue = [_waiting("general", deadline=NOW + d) for d in range(4)]
    seats = [_seat("a", "general"), _seat("b", "general")]
    assert [s.username for _, s in plan_assignments(routing, queue, seats, NOW)] == ["a", "b", "a", "b"]


def test_no_agent_only_when_no_group_that_could_ever_serve_has_anyone(routing: RoutingConfig) -> None:
    # Its own group first (the enqueue script counts it for the pace), then where it overflows to, even
    # before its target passes: a busy agent there will take it in time.
    assert serving_groups(routing, _waiting("vip", deadline=NOW + 60)) == ["vip", "general"]
    assert serving_groups(routing, _waiting("general")) == ["general", "vip", "risk", "complaints"]


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (datetime(2026, 11, 23, 1, 0, tzinfo=UTC), True),  # Monday 09:00 in Shanghai
        (datetime(2026, 11, 23, 15, 0, tzinfo=UTC), False),  # Monday 23:00 in Shanghai
        (datetime(2026, 11, 22, 1, 0, tzinfo=UTC), False),  # Sunday
    ],
)
def test_working_hours(routing: RoutingConfig, moment: datetime, open_: bool) -> None:
    weekdays = WorkingHours(days=["mon", "tue", "wed", "thu", "fri"], open="08:00", close="22:00")
    assert routing.model_copy(update={"working_hours": weekdays}).is_open(moment) is open_
    assert routing.is_open(moment)  # the default is 24x7
