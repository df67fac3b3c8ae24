"""Freed heap pages go back to the system."""

from __future__ import annotations

import os

from bot.memory import return_freed_memory

_CHUNKS = 100_000
_CHUNK_BYTES = 1024  # malloc'd from the heap: above Python's small-object limit, below glibc's mmap one


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kb / 1024


def test_memory_freed_below_a_live_allocation_is_returned() -> None:
    chunks = [os.urandom(_CHUNK_BYTES) for _ in range(_CHUNKS)]
    pin = os.urandom(_CHUNK_BYTES)  # above the freed chunks: glibc cannot shrink the heap from its top
    loaded = _rss_mb()
    del chunks
    freed = _rss_mb()
    return_freed_memory()
    returned = _rss_mb()

    allocated = _CHUNKS * _CHUNK_BYTES / 2**20
    assert loaded - freed < allocated / 2  # glibc keeps what was freed...
    assert freed - returned > allocated / 2  # ...until it is told to give it back
    assert pin
