"""Writing the bot's readings to the database on a thread of their own, in batches, in the order given.

Every bot turn keeps a reading. Sent to the thread pool one by one, each cost the event loop a pool round trip
(about 6% of the handoff API's busy time at 20 customers) and the database a transaction of its own. Here a
write costs the loop a queue put and, per batch, one wake-up; the thread writes whatever has queued up
meanwhile in one transaction (sql/readings.py `write_in_order`), so a backlog is written in a few steps.
Order is kept within the process: a handoff's mark sees every reading this process was given before it.
"""

import asyncio
import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from handoff_api.sql import readings as sql

MAX_BATCH = 500  # writes per transaction: a backlog after a database blip is written in a few steps


class ReadingWriterStopped(RuntimeError):
    """A write came after the writer stopped (the process is shutting down)."""


@dataclass(frozen=True)
class _Pending:
    write: sql.ReadingWrite
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[None]


class ReadingWriter:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self._thread = threading.Thread(target=self._run, name="reading-writer", daemon=True)
        self._thread.start()
        try:
            yield
        finally:
            thread, self._thread = self._thread, None
            self._queue.put(None)  # after what is queued: it is all written before the thread ends
            await asyncio.to_thread(thread.join)

    async def write(self, write: sql.ReadingWrite) -> None:
        """Returns once written; raises what the database raised for this write alone."""
        if self._thread is None:
            raise ReadingWriterStopped
        loop = asyncio.get_running_loop()
        pending = _Pending(write, loop, loop.create_future())
        self._queue.put(pending)
        await pending.done

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop once this batch is written
                    break
                batch.append(more)
            self._write(batch)

    def _write(self, batch: Sequence[_Pending]) -> None:
        try:
            sql.write_in_order(self._engine, [pending.write for pending in batch])
            outcomes: list[tuple[_Pending, Exception | None]] = [(pending, None) for pending in batch]
        except Exception as error:  # noqa: BLE001 - handed to the writes' callers, who report it
            # One bad write must not lose the others: each again, alone, in order.
            outcomes = [(batch[0], error)] if len(batch) == 1 else [(p, self._alone(p)) for p in batch]
        for loop in {pending.loop for pending, _ in outcomes}:
            mine = [(pending, error) for pending, error in outcomes if pending.loop is loop]
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits any more
                loop.call_soon_threadsafe(_settle, mine)

    def _alone(self, pending: _Pending) -> Exception | None:
        try:
            sql.write_in_order(self._engine, [pending.write])
        except Exception as error:  # noqa: BLE001 - handed to the write's caller
            return error
        return None


def _settle(outcomes: Sequence[tuple[_Pending, Exception | None]]) -> None:
    for pending, error in outcomes:
        if pending.done.done():  # its writer was cancelled: the write happened all the same
            continue
        if error is None:
            pending.done.set_result(None)
        else:
            pending.done.set_exception(error)
