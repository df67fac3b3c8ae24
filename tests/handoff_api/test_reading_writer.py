"""The readings writer (services/reading_writer.py), on both databases: batched, in order, nothing lost."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, select

from handoff_api.domain.nlu_inbox import InboxReason
from handoff_api.services.reading_writer import ReadingWriter, ReadingWriterStopped
from handoff_api.sql.models import NluReading
from handoff_api.sql.readings import RecentMark, write_in_order
from tests.handoff_api.conftest import ON_BOTH_DATABASES

pytestmark = ON_BOTH_DATABASES

_START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _row(conversation_id: str, n: int, **changes: object) -> dict[str, object]:
    return {
        "conversation_id": conversation_id,
        "message_id": f"{n}-0",
        "text": f"第{n}句",
        "group_key": f"第{n}句",
        "intent": "greet",
        "confidence": 0.97,
        "runner_up": None,
        "runner_up_confidence": None,
        "ranking": [{"name": "greet", "confidence": 0.97}],
        "entities": [],
        "fallback": False,
        "while_agent": False,
        "context_before": None,
        "context_after": None,
        "created_at": _START + timedelta(seconds=n),
        "reason": None,
        "status": None,
        **changes,
    }


def _commits(engine: Engine) -> list[None]:
    commits: list[None] = []
    event.listen(engine, "commit", lambda _connection: commits.append(None))
    return commits


def _stored(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        rows = connection.execute(select(NluReading.message_id, NluReading.reason)).all()
    return dict(rows)


async def test_writes_that_come_together_share_transactions_and_are_all_written(engine: Engine) -> None:
    commits = _commits(engine)
    writer = ReadingWriter(engine)
    async with writer.running():
        await asyncio.gather(*(writer.write(_row("c1", n)) for n in range(200)))

    assert len(_stored(engine)) == 200
    assert len(commits) < 50  # one transaction per batch, not per reading


def test_a_mark_sees_the_readings_written_before_it_in_its_transaction_and_none_after(engine: Engine) -> None:
    mark = RecentMark("c1", turns=2, reason=InboxReason.HANDOFF)

    write_in_order(engine, [_row("c1", 1), _row("c1", 2), _row("c1", 3), mark, _row("c1", 4)])

    assert _stored(engine) == {"1-0": None, "2-0": "handoff", "3-0": "handoff", "4-0": None}


async def test_the_writer_keeps_the_order_it_was_given(engine: Engine) -> None:
    writer = ReadingWriter(engine)
    mark = RecentMark("c1", turns=2, reason=InboxReason.HANDOFF)
    async with writer.running():
        await asyncio.gather(*(writer.write(write) for write in [_row("c1", 1), _row("c1", 2), mark]))
        await writer.write(_row("c1", 3))

    assert _stored(engine) == {"1-0": "handoff", "2-0": "handoff", "3-0": None}


async def test_a_failing_write_fails_alone(engine: Engine) -> None:
    writer = ReadingWriter(engine)
    async with writer.running():
        written = await asyncio.gather(
            writer.write(_row("c1", 1)),
            writer.write(_row("c1", 2, text=None)),  # the text is required
            writer.write(_row("c1", 3)),
            return_exceptions=True,
        )

    assert written[0] is None and written[2] is None
    assert isinstance(written[1], Exception)
    assert set(_stored(engine)) == {"1-0", "3-0"}


async def test_a_retried_turn_writes_its_reading_once(engine: Engine) -> None:
    writer = ReadingWriter(engine)
    async with writer.running():
        await asyncio.gather(writer.write(_row("c1", 1)), writer.write(_row("c1", 1, intent="affirm")))

    with engine.connect() as connection:
        assert connection.execute(select(NluReading.intent)).scalars().all() == ["greet"]


async def test_what_was_given_is_written_before_it_stops_and_nothing_after(engine: Engine) -> None:
    writer = ReadingWriter(engine)
    async with writer.running():
        pending = [asyncio.ensure_future(writer.write(_row("c1", n))) for n in range(20)]
        await asyncio.sleep(0)  # queued, not yet written
    assert len(_stored(engine)) == 20
    await asyncio.gather(*pending)

    with pytest.raises(ReadingWriterStopped):
        await writer.write(_row("c1", 99))
