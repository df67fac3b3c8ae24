"""The wait estimate (domain/wait_estimate.py): honest about what it knows."""

import pytest

from handoff_api.domain.wait_estimate import GroupCapacity, WaitEstimate, WaitKind, describe, estimate_wait

OBSERVED = GroupCapacity(seats=4, free_seats=0, handle_seconds=120.0, handle_samples=20)


def _estimate(position: int, capacity: GroupCapacity) -> WaitEstimate:
    return estimate_wait(position=position, capacity=capacity, default_handle_seconds=240, min_samples=5)


def test_nobody_of_the_group_online_gives_no_number() -> None:
    estimate = _estimate(1, GroupCapacity(seats=0, free_seats=0, handle_seconds=5.0, handle_samples=50))
    assert estimate.kind is WaitKind.UNKNOWN and estimate.seconds is None
    assert describe(estimate) == "请您稍等片刻"


def test_a_free_seat_means_moments_not_a_computed_second() -> None:
    capacity = GroupCapacity(seats=4, free_seats=2, handle_seconds=120.0, handle_samples=20)
    assert _estimate(2, capacity).kind is WaitKind.SOON
    assert describe(_estimate(2, capacity)) == "即将为您接入"
    assert _estimate(3, capacity).kind is WaitKind.ABOUT  # two ahead take both free seats


def test_the_wait_grows_with_the_position_and_shrinks_with_the_seats() -> None:
    # Position 5 with no seat free: five closes among four seats of two minutes each.
    assert _estimate(5, OBSERVED) == WaitEstimate(WaitKind.ABOUT, 150, 150, 150)
    assert describe(_estimate(5, OBSERVED)) == "预计等待约 2 分钟"
    more_seats = GroupCapacity(seats=8, free_seats=0, handle_seconds=120.0, handle_samples=20)
    assert _estimate(5, more_seats).seconds == 75
    assert _estimate(1, OBSERVED).seconds == 30


@pytest.mark.parametrize("samples", [0, 4])
def test_too_few_closes_give_a_range_around_the_default(samples: int) -> None:
    # A handful of quick closes must not make "约1秒": the default handling time, as a range.
    capacity = GroupCapacity(seats=2, free_seats=0, handle_seconds=1.0, handle_samples=samples)
    estimate = _estimate(1, capacity)
    assert (estimate.kind, estimate.seconds, estimate.low_seconds, estimate.high_seconds) == (
        WaitKind.RANGE,
        120,
        60,
        240,
    )
    assert describe(estimate) == "预计等待 1–4 分钟"


def test_short_ranges_are_said_in_seconds() -> None:
    capacity = GroupCapacity(seats=8, free_seats=0, handle_seconds=None, handle_samples=0)
    assert describe(_estimate(1, capacity)) == "预计等待 15–60 秒"
