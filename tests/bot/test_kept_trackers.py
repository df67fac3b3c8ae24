"""The trackers a Rasa process saved, kept for their next turn only while Redis holds what was saved."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.kept_trackers import KeptTrackers


def _tracker(sender_id: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender_id, [ActionExecuted("action_listen"), UserUttered("你好")])


def test_a_tracker_is_handed_out_once_for_what_it_was_saved_as() -> None:
    kept = KeptTrackers(capacity=5)
    tracker = _tracker("c1")
    kept.keep(tracker, '{"saved": 1}')

    assert kept.take("c1", '{"saved": 1}') is tracker
    assert kept.take("c1", '{"saved": 1}') is None  # the turn that took it may change it


def test_what_redis_holds_now_decides() -> None:
    kept = KeptTrackers(capacity=5)
    kept.keep(_tracker("c1"), '{"saved": 1}')

    # Another process served a turn since: its tracker, not this one, is the conversation's.
    assert kept.take("c1", '{"saved": 2}') is None
    assert kept.take("c1", '{"saved": 1}') is None  # and it is gone


def test_a_tracker_changed_after_its_save_is_not_handed_out() -> None:
    kept = KeptTrackers(capacity=5)
    grown, replaced = _tracker("c1"), _tracker("c2")
    kept.keep(grown, "a")
    kept.keep(replaced, "b")

    grown.update(ActionExecuted("utter_greet"))
    replaced.events.pop()
    replaced.events.append(UserUttered("另一句"))

    assert kept.take("c1", "a") is None
    assert kept.take("c2", "b") is None


def test_a_later_save_replaces_the_kept_one_and_forget_drops_it() -> None:
    kept = KeptTrackers(capacity=5)
    first, second = _tracker("c1"), _tracker("c1")
    kept.keep(first, "a")
    kept.keep(second, "b")
    assert kept.take("c1", "b") is second

    kept.keep(first, "a")
    kept.forget("c1")
    assert kept.take("c1", "a") is None


def test_only_the_latest_saved_conversations_are_kept() -> None:
    kept = KeptTrackers(capacity=3)
    trackers = {f"c{i}": _tracker(f"c{i}") for i in range(5)}
    for sender_id, tracker in trackers.items():
        kept.keep(tracker, sender_id)
    kept.keep(trackers["c2"], "c2")  # saved again: the most recent

    assert len(kept) == 3
    assert [kept.take(s, s) is trackers[s] for s in trackers] == [False, False, True, True, True]


def test_a_capacity_of_zero_keeps_nothing() -> None:
    kept = KeptTrackers(capacity=0)
    kept.keep(_tracker("c1"), "a")

    assert len(kept) == 0 and kept.take("c1", "a") is None
    with pytest.raises(ValueError, match="negative"):
        KeptTrackers(capacity=-1)
