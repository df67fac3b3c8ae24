"""The conversation suite for trainers, without pytest: starts the system as the integration fixture does,
runs the chosen conversations and prints the report (also saved under test-artifacts/conversations/).

    python -m tests.integration.conversation_suite [FILE|CATEGORY|ID ...] [--concurrency N]

Exits 1 when the results miss the bar (overall 95%, each category 90%), 2 on a case-file error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from tests.integration.conversation_suite.report import render, save, shortfalls
from tests.integration.conversation_suite.runner import DEFAULT_CONCURRENCY, ConversationResult, run_suite
from tests.integration.conversation_suite.schema import ConversationFileError, load_suite, select
from tests.integration.system import running_system


def _progress(result: ConversationResult) -> None:
    print("." if result.passed else "F", end="", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "selectors", nargs="*", help="case files, categories or conversation ids (default: all)"
    )
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    args = parser.parse_args(argv)
    try:
        conversations = select(load_suite(), args.selectors)
    except ConversationFileError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"starting the system for {len(conversations)} conversations ...", file=sys.stderr)
    with (
        tempfile.TemporaryDirectory(prefix="conversations-") as var_dir,
        running_system(Path(var_dir)) as system,
    ):
        results = asyncio.run(
            run_suite(system, conversations, concurrency=args.concurrency, progress=_progress)
        )
    print(file=sys.stderr)
    text = render(results)
    print(text)
    print(f"\nreport saved to {save(text)}", file=sys.stderr)
    return 1 if shortfalls(results) else 0


if __name__ == "__main__":
    sys.exit(main())
