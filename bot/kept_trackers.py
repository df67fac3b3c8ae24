"""The trackers a Rasa process last saved, kept in memory for the conversation's next turn.

Every turn read its tracker back from Redis and rebuilt it: the JSON parsed, each event made again and
replayed into a new tracker, and the past states the policies ask for (bot/past_states.py) worked out
again from the first event, about a sixth of the Rasa process's time for a turn. The tracker saved at the
end of a turn is what the next turn of the conversation would rebuild, so the process keeps it, with the
JSON it wrote.

Redis stays the truth. A kept tracker is used only if the text read for the next turn is the very text
written with it: another Rasa process that served a turn in between, or an expiry, makes them differ. A
tracker is handed out at most once (the turn that takes it may change it and fail before saving), and
not if it gained events after its save. The most recently saved `capacity` conversations are kept.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker


@dataclass(frozen=True)
class _Kept:
    stored: str  # what the save wrote to Redis
    tracker: DialogueStateTracker
    event_count: int  # the tracker's events at the save
    last_event: Event | None


class KeptTrackers:
    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError("the number of kept trackers cannot be negative")
        self.capacity = capacity
        self._kept: OrderedDict[str, _Kept] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def keep(self, tracker: DialogueStateTracker, stored: str) -> None:
        """Keep `tracker`, just saved as `stored`, in place of the conversation's kept one."""
        self._kept.pop(tracker.sender_id, None)
        if not self.capacity:
            return
        last_event = tracker.events[-1] if tracker.events else None
        self._kept[tracker.sender_id] = _Kept(stored, tracker, len(tracker.events), last_event)
        while len(self._kept) > self.capacity:
            self._kept.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        self._kept.pop(sender_id, None)

    def take(self, sender_id: str, stored: str) -> DialogueStateTracker | None:
        """The kept tracker of the conversation, if `stored` (read from Redis now) is what it was saved as
        and it is as it was saved; it is no longer kept either way."""
        kept = self._kept.pop(sender_id, None)
        if kept is None or kept.stored != stored:
            return None
        events = kept.tracker.events
        unchanged = len(events) == kept.event_count and (events[-1] if events else None) is kept.last_event
        return kept.tracker if unchanged else None
