"""Trackers the bot's predictions are compared on: every prefix of the test and training stories, and
conversations of random intents that follow no story."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.test import _create_data_generator
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

STORIES = ("tests/stories", "data/stories")
CONVERSATIONS, USER_TURNS, MAX_ACTIONS_PER_TURN = 30, 3, 5


def story_prefixes(agent: Agent) -> list[DialogueStateTracker]:
    """Each test and training story cut before each of its actions: the trackers a prediction sees."""
    asyncio.set_event_loop(asyncio.new_event_loop())  # Rasa's story reader wants a loop of the thread
    prefixes = []
    for path in STORIES:
        generator = _create_data_generator(path, agent, use_conversation_test_files=path.startswith("tests"))
        for story in generator.generate_story_trackers():
            events = list(story.events)
            for index, event in enumerate(events[1:], start=1):
                if isinstance(event, ActionExecuted):
                    prefixes.append(
                        DialogueStateTracker.from_events(story.sender_id, events[:index], agent.domain.slots)
                    )
    return prefixes


def unseen_conversations(agent: Agent) -> Iterator[DialogueStateTracker]:
    """Conversations of random intents, no story's path: where TED's own prediction is needed.

    Each user turn is followed by the actions Rasa predicts until it listens (their effects are not run).
    """
    pick = random.Random(15)
    intents = sorted(agent.domain.intents)
    for number in range(CONVERSATIONS):
        tracker = DialogueStateTracker.from_events(
            f"unseen-{number}", [ActionExecuted(ACTION_LISTEN_NAME)], agent.domain.slots
        )
        for _ in range(USER_TURNS):
            tracker.update(UserUttered("…", {"name": pick.choice(intents), "confidence": 0.9}))
            for _ in range(MAX_ACTIONS_PER_TURN):
                yield tracker.copy()
                action = agent.processor._predict_next_with_tracker(tracker.copy()).max_confidence_index
                name = agent.domain.action_names_or_texts[action]
                tracker.update(ActionExecuted(name))
                if name == ACTION_LISTEN_NAME:
                    break


def prediction_trackers(agent: Agent) -> list[DialogueStateTracker]:
    """Both kinds: where a rule or a story decides, and where TED's own prediction is needed."""
    return [*story_prefixes(agent), *unseen_conversations(agent)]


def rule_policy(agent: Agent) -> RulePolicy:
    """The agent's loaded RulePolicy."""
    nodes = agent.processor.graph_runner._instantiated_nodes  # type: ignore[union-attr]
    return next(n._component for n in nodes.values() if isinstance(n._component, RulePolicy))
