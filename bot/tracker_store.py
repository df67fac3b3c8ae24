"""Rasa's Redis tracker store, bounded: a turn costs the same at the hundredth message as at the first.

Rasa's RedisTrackerStore keeps every event of a conversation and, at each turn, loads and replays all of
them, loads and replays them again to merge on save, and serialises all of them; the policies then featurise
the whole history to use its last `max_history` turns. So a turn's cost grows with the conversation (9× at
100 turns).

This store keeps the latest session (what Rasa hands the policies and actions anyway), and of it the last
`keep_turns` customer messages and what followed them, and up to half as many again: once a session holds
more than one and a half times `keep_turns`, its older events are replaced by a snapshot of the state they
left (the slots that differ from their initial values, the active form, and a pause), back down to
`keep_turns`. Cutting once every `keep_turns / 2` turns, not at every turn, lets the process use the
tracker it saved for the next turn (bot/kept_trackers.py) at the turns in between.

Nothing the bot decides on is lost: the policies look back `max_history` turns (5, config.yml), rules and
actions a few turns (fallback misses, a shown bill, the identity of the latest messages); the full
transcript is the handoff service's message stream, not the tracker. Trackers expire `record_exp` seconds
after the last turn, like every key in Redis.

Trackers are written and read with ujson (pinned with Rasa, requirements/rasa.lock.txt): the same JSON as
the standard library's for about half to three quarters of its cost (45 → 25 µs to write a 10-turn tracker,
33 → 24 µs to read it), where their JSON was about a thirteenth of a Rasa turn's CPU.

endpoints.yml: `tracker_store: {type: bot.tracker_store.BoundedRedisTrackerStore, keep_turns, kept_trackers,
record_exp…}`.
"""

from __future__ import annotations

from typing import Any

import ujson
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.answered_turns import pending_answer_for
from bot.kept_trackers import KeptTrackers
from bot.redis_endpoint import store_options


def snapshot(tracker: DialogueStateTracker, *, timestamp: float) -> list[Event]:
    """Events that rebuild the tracker's state from nothing: its set slots, active form and pause."""
    events: list[Event] = [
        SlotSet(name, slot.value, timestamp=timestamp)
        for name, slot in tracker.slots.items()
        if slot.value != slot.initial_value
    ]
    if tracker.active_loop_name:
        events.append(ActiveLoop(tracker.active_loop_name, timestamp=timestamp))
    if tracker.is_paused():
        events.append(ConversationPaused(timestamp=timestamp))
    return events


def latest_session(events: list[Event]) -> list[Event]:
    """The events of the latest session, from its action_session_start on: what Rasa itself hands the
    policies and actions (earlier sessions' slots are carried over by SlotSet events in the new one)."""
    starts = [i for i, event in enumerate(events) if isinstance(event, SessionStarted)]
    if not starts:
        return events
    start = starts[-1]
    before = events[start - 1] if start else None
    if isinstance(before, ActionExecuted) and before.action_name == ACTION_SESSION_START_NAME:
        start -= 1
    return events[start:]


def bounded_events(
    tracker: DialogueStateTracker, domain: Domain, keep_turns: int, *, slack: int = 0
) -> list[Event]:
    """The latest session's events; once they hold more than `keep_turns + slack` customer messages,
    everything before the last `keep_turns` replaced by the snapshot of the state it left."""
    events = latest_session(list(tracker.events))
    user_messages = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
    if len(user_messages) <= keep_turns + slack:
        return events
    # The kept part starts at the action_listen before that customer message, as every turn does.
    cut = max(user_messages[-keep_turns] - 1, 0)
    before = DialogueStateTracker.from_events(tracker.sender_id, events[:cut], slots=domain.slots)
    return [*snapshot(before, timestamp=events[cut].timestamp), *events[cut:]]


class BoundedRedisTrackerStore(RedisTrackerStore):
    def __init__(
        self, domain: Domain, *, keep_turns: int | str, kept_trackers: int | str, **kwargs: Any
    ) -> None:
        # endpoints.yml gives strings: "false" would be TLS, "" a password.
        super().__init__(domain, **{**kwargs, **store_options(kwargs)})
        self.keep_turns = int(keep_turns)
        self.kept = KeptTrackers(int(kept_trackers))
        if self.record_exp is not None:
            self.record_exp = int(self.record_exp)  # endpoints.yml gives a string; Redis wants whole seconds

    async def save(self, tracker: DialogueStateTracker, timeout: int | None = None) -> None:
        """Write the bounded tracker over the stored one (retrieve gave all there is, so no merge), and with
        it the answer of the turn it holds (bot/answered_turns.py)."""
        await self.stream_events(tracker)
        events = bounded_events(tracker, self.domain, self.keep_turns, slack=self.keep_turns // 2)
        serialised = ujson.dumps(
            Dialogue(tracker.sender_id, events).as_dict(), ensure_ascii=False, escape_forward_slashes=False
        )
        answer = pending_answer_for(tracker)
        # With the running turn's answer in one transaction: a retry finds both or neither.
        with self.red.pipeline(transaction=answer is not None) as pipe:
            pipe.set(self.key_prefix + tracker.sender_id, serialised, ex=timeout or self.record_exp)
            if answer is not None:
                answer.write(pipe)
            pipe.execute()
        if answer is not None:
            answer.written = True
        # Kept only when stored whole: a cut tracker reads back as a different one.
        if len(events) == len(tracker.events) and (not events or events[0] is tracker.events[0]):
            self.kept.keep(tracker, serialised)
        else:
            self.kept.forget(tracker.sender_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The whole stored tracker (the latest session, bounded already): save writes it back whole. The
        one this process saved, if Redis still holds what it wrote."""
        stored = self.red.get(self.key_prefix + sender_id)
        if stored is None:
            return None
        kept = self.kept.take(sender_id, stored)
        return kept if kept is not None else self.deserialise_tracker(sender_id, stored)

    def deserialise_tracker(
        self, sender_id: str, serialised_tracker: str | bytes
    ) -> DialogueStateTracker | None:
        """Rasa's, with ujson; what ujson cannot read goes to Rasa's own, to fail there as it always did."""
        try:
            dialogue = Dialogue.from_parameters(ujson.loads(serialised_tracker))
        except ValueError:
            return super().deserialise_tracker(sender_id, serialised_tracker)
        tracker = self.init_tracker(sender_id)
        tracker.recreate_from_dialogue(dialogue)
        return tracker
