"""NLU parse latency and throughput of the trained model, single process, on the held-out texts.

Run in the Rasa environment:  .venv-rasa/bin/python -m bench.nlu_bench [--model PATH] [--rounds N]

Prints p50/p95/max per message and messages per second for:
- `ours`: the full NLU pipeline of models/current.tar.gz (Agent.parse_message, as the server parses);
- `front`: our normaliser + banking jieba tokenizer alone, measured in the same run, as the yardstick
  the ratio is taken against (it is the part that scales with text, not with the model);
- `baseline`: the stock Rasa Chinese pipeline from scripts/evaluate.sh, when a trained one exists.

Also prints the process's resident memory after each model is loaded and has parsed every text: the
whole model (NLU and dialogue policies) held by Agent.load, as `rasa run` holds it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HELDOUT = Path("tests/nlu/heldout.yml")


@dataclass(frozen=True)
class Timing:
    name: str
    per_message_ms: list[float]
    wall_seconds: float

    @property
    def count(self) -> int:
        return len(self.per_message_ms)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.per_message_ms)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    @property
    def per_second(self) -> float:
        return self.count / self.wall_seconds if self.wall_seconds else float("inf")


def _time_each(name: str, texts: Sequence[str], rounds: int, call: Callable[[str], object]) -> Timing:
    call(texts[0])  # warm-up: lazy loading is not a per-message cost
    times = []
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            call(text)
            times.append((time.perf_counter() - t0) * 1000)
    return Timing(name, times, time.perf_counter() - started)


def _agent_parser(model: Path) -> Callable[[str], object]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def _front_parser() -> Callable[[str], object]:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message

    from bot.components.tokenizer import BankingJiebaTokenizer
    from bot.normalization import normalize

    config = BankingJiebaTokenizer.get_default_config()
    storage = LocalModelStorage(Path("var/bench-storage"))
    tokenizer = BankingJiebaTokenizer.create(
        config, storage, Resource("bench"), ExecutionContext(GraphSchema({}), "bench")
    )

    def parse(text: str) -> object:
        return tokenizer.tokenize(Message(data={"text": normalize(text).text}), "text")

    return parse


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _latest_baseline() -> Path | None:
    models = sorted(Path("models/baseline").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def _print(timings: list[Timing], reference: Timing) -> None:
    header = ("pipeline", "msgs", "p50 ms", "p95 ms", "max ms", "msg/s", "p50 ×front")
    print(f"{header[0]:<10} " + " ".join(f"{h:>8}" for h in header[1:]))
    for t in timings:
        ratio = t.percentile(0.5) / reference.percentile(0.5) if reference.percentile(0.5) else float("nan")
        print(
            f"{t.name:<10} {t.count:>6} {t.percentile(0.5):>8.2f} {t.percentile(0.95):>8.2f} "
            f"{max(t.per_message_ms):>8.2f} {t.per_second:>8.1f} {ratio:>8.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nlu_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("models/current.tar.gz"))
    parser.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT, help="Rasa NLU YAML with the texts")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the texts per pipeline")
    parser.add_argument("--no-baseline", action="store_true", help="skip the stock Rasa baseline model")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # otherwise every parse is logged at debug level
    from bot.evaluation.dataset import load_dataset

    texts = [example.text for example in load_dataset(args.heldout).examples]
    print(f"{len(texts)} held-out texts × {args.rounds} rounds, one process, sequential parses")

    front = _time_each("front", texts, args.rounds, _front_parser())
    memory = [("before any model", _rss_mb())]
    timings = [front, _time_each("ours", texts, args.rounds, _agent_parser(args.model))]
    memory.append(("with ours loaded", _rss_mb()))
    baseline = None if args.no_baseline else _latest_baseline()
    if baseline is not None:
        timings.append(_time_each("baseline", texts, args.rounds, _agent_parser(baseline)))
        memory.append(("with the baseline loaded too", _rss_mb()))
    _print(timings, front)
    print("\nprocess RSS: " + ", ".join(f"{label} {mb:.0f} MB" for label, mb in memory))
    ours = timings[1]
    print(
        f"\nours: p50 {ours.percentile(0.5):.2f} ms, p95 {ours.percentile(0.95):.2f} ms, "
        f"{ours.per_second:.1f} msg/s, mean {statistics.fmean(ours.per_message_ms):.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
