"""An honest estimate of a queued customer's wait: from who can take the conversation and how long they take.

A customer waits until enough of the group's seats come free for everyone ahead of them and then for them.
Seats free up as agents finish conversations, at about (online capacity) / (average handling time) per
second, so the wait is the conversations to get through before a seat is free for this one, times the handling
time, over the capacity (the queueing estimate contact centres use: position × handling time / active agents).

The handling time is the group's observed average, updated at every close as A = (1 − w)·A′ + w·W (w = 0.1
by default, Salesforce's weighting). Until enough closes were observed it is the configured default, and the
estimate is given as a range; with nobody online who can take the conversation no number is honest at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class WaitKind(StrEnum):
    SOON = "soon"  # a seat is free for this customer now: the dispatcher assigns within moments
    ABOUT = "about"  # an estimate from observed handling times
    RANGE = "range"  # handling times not yet observed: a range around the configured default
    UNKNOWN = "unknown"  # nobody online can take it now (a secretary or overflow may): no number


@dataclass(frozen=True)
class GroupCapacity:
    """The online agents who can take the group's conversations, as the estimate needs them."""

    seats: int  # their concurrent conversations, all together
    free_seats: int  # of which free now
    handle_seconds: float | None  # observed average handling time; None before any close
    handle_samples: int  # closes observed


@dataclass(frozen=True)
class WaitEstimate:
    kind: WaitKind
    seconds: int | None  # the figure shown (the middle of the range for RANGE); None for UNKNOWN
    low_seconds: int | None
    high_seconds: int | None


# Below this many closes the observed average is too thin to state a single figure.
_RANGE_FACTORS = (0.5, 2.0)
_SOON_SECONDS = 10


def estimate_wait(
    *, position: int, capacity: GroupCapacity, default_handle_seconds: float, min_samples: int
) -> WaitEstimate:
    if capacity.seats <= 0:
        return WaitEstimate(WaitKind.UNKNOWN, None, None, None)
    ahead = position - 1
    if ahead < capacity.free_seats:
        return WaitEstimate(WaitKind.SOON, _SOON_SECONDS, 0, _SOON_SECONDS)
    observed = capacity.handle_seconds is not None and capacity.handle_samples >= min_samples
    handle = capacity.handle_seconds if observed and capacity.handle_seconds else default_handle_seconds
    # Seats that must come free: everyone ahead who has no free seat yet, and then this customer.
    completions = ahead - capacity.free_seats + 1
    seconds = math.ceil(completions * handle / capacity.seats)
    if observed:
        return WaitEstimate(WaitKind.ABOUT, seconds, seconds, seconds)
    low, high = (math.ceil(seconds * factor) for factor in _RANGE_FACTORS)
    return WaitEstimate(WaitKind.RANGE, seconds, low, high)


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} 秒"
    return f"{round(seconds / 60)} 分钟"


def describe(estimate: WaitEstimate) -> str:
    """What the customer reads, in Simplified Chinese."""
    if estimate.kind is WaitKind.SOON:
        return "即将为您接入"
    if estimate.kind is WaitKind.UNKNOWN or estimate.seconds is None:
        return "请您稍等片刻"
    if estimate.kind is WaitKind.ABOUT:
        return f"预计等待约 {_duration(estimate.seconds)}"
    low, high = estimate.low_seconds or 0, estimate.high_seconds or 0
    if high < 90:
        return f"预计等待 {low}–{high} 秒"
    return f"预计等待 {max(1, round(low / 60))}–{max(1, round(high / 60))} 分钟"
