"""The bounded tracker store: the last turns kept as they were, older ones folded into the state they left."""

from __future__ import annotations

import json

from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import BoundedRedisTrackerStore, bounded_events

DOMAIN = Domain.load("domain.yml")


def _turn(i: int, *extra: object) -> list:
    return [
        ActionExecuted("action_listen", timestamp=i * 10.0),
        UserUttered(
            f"第{i}句", {"name": "greet", "confidence": 1.0}, message_id=f"m{i}", timestamp=i * 10.0 + 1
        ),
        *extra,
        ActionExecuted("utter_greet", timestamp=i * 10.0 + 2),
        BotUttered(f"回复{i}", timestamp=i * 10.0 + 3),
    ]


def _tracker(turns: int, early: list) -> DialogueStateTracker:
    events = [ActionExecuted("action_session_start", timestamp=0.0)]
    for i in range(1, turns + 1):
        events += _turn(i, *(early if i == 2 else []))
    events.append(ActionExecuted("action_listen", timestamp=turns * 10.0 + 5))
    return DialogueStateTracker.from_events("conv-1", events, slots=DOMAIN.slots)


def _user_ids(events: list) -> list[str]:
    return [event.message_id for event in events if isinstance(event, UserUttered)]


def test_a_short_conversation_is_kept_whole() -> None:
    tracker = _tracker(4, [])

    assert bounded_events(tracker, DOMAIN, keep_turns=10) == list(tracker.events)


def test_older_turns_become_the_state_they_left() -> None:
    early = [SlotSet("card_tail", "1234"), ActiveLoop("card_service_form"), ConversationPaused()]
    tracker = _tracker(30, early)

    events = bounded_events(tracker, DOMAIN, keep_turns=10)
    rebuilt = DialogueStateTracker.from_events("conv-1", events, slots=DOMAIN.slots)

    assert _user_ids(events) == [f"m{i}" for i in range(21, 31)]
    assert rebuilt.current_slot_values() == tracker.current_slot_values()
    assert rebuilt.get_slot("card_tail") == "1234"
    assert rebuilt.active_loop_name == tracker.active_loop_name == "card_service_form"
    assert rebuilt.is_paused() and tracker.is_paused()
    # The kept turns start as every turn does, and keep their own events untouched.
    first_kept = next(i for i, event in enumerate(events) if isinstance(event, ActionExecuted))
    assert events[first_kept].action_name == "action_listen"
    assert events[first_kept:] == list(tracker.events)[-len(events) + first_kept :]
    assert rebuilt.past_states(DOMAIN)[-5:] == tracker.past_states(DOMAIN)[-5:]


def test_with_slack_the_cut_waits_until_the_slack_is_used_up() -> None:
    assert _user_ids(bounded_events(_tracker(15, []), DOMAIN, keep_turns=10, slack=5)) == [
        f"m{i}" for i in range(1, 16)
    ]
    assert _user_ids(bounded_events(_tracker(16, []), DOMAIN, keep_turns=10, slack=5)) == [
        f"m{i}" for i in range(7, 17)
    ]


def test_only_the_latest_session_is_kept() -> None:
    old = _tracker(3, [SlotSet("card_tail", "1234")])
    events = [
        *old.events,
        ActionExecuted("action_session_start", timestamp=100.0),
        SessionStarted(timestamp=100.0),
        SlotSet("card_tail", "1234", timestamp=100.0),  # carried over by action_session_start
        *_turn(11),
    ]
    tracker = DialogueStateTracker.from_events("conv-1", events, slots=DOMAIN.slots)

    kept = bounded_events(tracker, DOMAIN, keep_turns=10)

    assert kept == events[len(old.events) :]
    assert _user_ids(kept) == ["m11"]


async def test_the_store_keeps_a_long_conversation_bounded_and_expiring(
    store: BoundedRedisTrackerStore,
) -> None:
    await store.save(_tracker(100, [SlotSet("card_tail", "5678")]))

    loaded = await store.retrieve("conv-1")

    assert _user_ids(list(loaded.events)) == [f"m{i}" for i in range(91, 101)]
    assert loaded.get_slot("card_tail") == "5678"
    assert 0 < store.red.ttl(store.key_prefix + "conv-1") <= 600
    await store.save(loaded)  # saving again what was loaded changes nothing
    assert list((await store.retrieve("conv-1")).events) == list(loaded.events)


async def test_trackers_are_standard_json_both_ways(store: BoundedRedisTrackerStore) -> None:
    parse = {
        "name": "greet",
        "confidence": 0.1 + 0.2,
        "intent_ranking": [{"name": "deny", "confidence": 1e-7}],
    }
    tracker = _tracker(3, [UserUttered('卡号/网址 https://例子.cn/a?b=1 "引号"', parse, message_id="odd")])
    await store.save(tracker)
    stored = store.red.get(store.key_prefix + "conv-1")

    assert json.loads(stored) == json.loads(json.dumps(Dialogue("conv-1", list(tracker.events)).as_dict()))
    assert list((await store.retrieve("conv-1")).events) == list(tracker.events)
    # A tracker Rasa's own store wrote (ASCII-escaped) reads back the same.
    store.red.set(store.key_prefix + "conv-1", json.dumps(Dialogue("conv-1", list(tracker.events)).as_dict()))
    assert list((await store.retrieve("conv-1")).events) == list(tracker.events)


async def test_the_store_cuts_once_half_as_many_turns_again_were_added(
    store: BoundedRedisTrackerStore,
) -> None:
    await store.save(_tracker(15, []))
    assert len(_user_ids(list((await store.retrieve("conv-1")).events))) == 15

    await store.save(_tracker(16, []))
    assert _user_ids(list((await store.retrieve("conv-1")).events)) == [f"m{i}" for i in range(7, 17)]


def _stored_events(store: BoundedRedisTrackerStore, sender_id: str = "conv-1") -> list:
    return list(store.deserialise_tracker(sender_id, store.red.get(store.key_prefix + sender_id)).events)


async def test_the_next_turn_gets_the_tracker_this_process_saved(store: BoundedRedisTrackerStore) -> None:
    tracker = _tracker(4, [SlotSet("card_tail", "1234")])
    states = tracker.past_states(DOMAIN)
    await store.save(tracker)

    loaded = await store.retrieve("conv-1")

    assert loaded is tracker  # not rebuilt from its JSON: what it worked out for the policies is kept
    rebuilt = store.deserialise_tracker("conv-1", store.red.get(store.key_prefix + "conv-1"))
    assert list(loaded.events) == list(rebuilt.events)
    assert loaded.current_slot_values() == rebuilt.current_slot_values()
    assert rebuilt.past_states(DOMAIN) == states


async def test_a_turn_another_process_served_since_is_read_from_redis(
    store: BoundedRedisTrackerStore,
) -> None:
    prefix = store.key_prefix.split(":")[0]
    other_process = BoundedRedisTrackerStore(
        DOMAIN, host="127.0.0.1", keep_turns="10", kept_trackers="10", record_exp="600", key_prefix=prefix
    )
    await store.save(_tracker(3, []))
    await other_process.save(_tracker(4, []))

    loaded = await store.retrieve("conv-1")

    assert _user_ids(list(loaded.events)) == ["m1", "m2", "m3", "m4"]


async def test_a_turn_that_failed_before_its_save_leaves_the_stored_tracker(
    store: BoundedRedisTrackerStore,
) -> None:
    await store.save(_tracker(3, []))
    failed_turn = await store.retrieve("conv-1")
    failed_turn.update(UserUttered("没保存的一句", message_id="lost"))

    loaded = await store.retrieve("conv-1")

    assert loaded is not failed_turn
    assert _user_ids(list(loaded.events)) == ["m1", "m2", "m3"]


async def test_a_cut_or_expired_tracker_is_read_from_redis(store: BoundedRedisTrackerStore) -> None:
    cut = _tracker(16, [])
    await store.save(cut)

    loaded = await store.retrieve("conv-1")
    assert loaded is not cut and list(loaded.events) == _stored_events(store)

    await store.save(loaded)
    store.red.delete(store.key_prefix + "conv-1")
    assert await store.retrieve("conv-1") is None
