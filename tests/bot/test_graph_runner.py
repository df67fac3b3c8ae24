"""The model's graph run in a fixed order: each node after what it needs, and the same parse as with dask."""

from __future__ import annotations

import asyncio

from rasa.core.agent import Agent

from bot.graph_runner import InOrderGraphRunner
from tests.bot.conftest import speedups_installed

# Written for this test (two requests, a card tail, an amount, Traditional script, a fallback), not eval data.
TEXTS = (
    "你好",
    "我的卡丢了，尾号4321",
    "那笔2000的能分期吗",
    "幫我查一下帳單",
    "顺便问下积分，再帮我激活新卡",
    "嗯嗯",
)


def test_each_node_runs_after_the_nodes_it_needs(agents: tuple[Agent, Agent]) -> None:
    runner = agents[1].processor.graph_runner
    assert isinstance(runner, InOrderGraphRunner)
    targets = runner._graph_schema.target_names or list(runner._graph_schema.nodes)
    plan = runner._plan(tuple(targets))
    order = [name for name, _, _ in plan]
    assert len(order) == len(set(order))
    for position, (_, _, needs) in enumerate(plan):
        assert all(need not in runner._graph_schema.nodes or need in order[:position] for need in needs)


def test_a_parse_is_the_same_as_with_dask(agents: tuple[Agent, Agent]) -> None:
    plain, in_order = agents

    def parse(agent: Agent, text: str) -> dict:
        data = asyncio.run(agent.parse_message(text))
        return {key: data.get(key) for key in ("intent", "entities", "intent_ranking", "text")}

    for text in TEXTS:
        with speedups_installed():
            sped_up = parse(in_order, text)
        assert sped_up == parse(plain, text), text
