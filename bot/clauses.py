"""Where one message holds several requests: its clauses ("顺便问下积分，再帮我激活新卡" → two).

A clause ends at sentence or clause punctuation, and a new one starts at a connector that joins two
requests (另外, 顺便, 然后 ...). Pure string work on the normalised text; offsets are the message's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Punctuation that ends a clause (the normaliser has made full-width marks half-width already).
# A comma between digits is a thousands separator (3,500), not a boundary.
_BOUNDARY = re.compile(r"(?:(?<!\d)[,，]|[,，](?!\d)|[。!！?？;；\n])+")
# Words that start another request inside a run of text without punctuation ("查下积分顺便激活新卡").
_CONNECTOR = re.compile(r"(?=另外|顺便|然后|同时|并且|以及|再帮我|还要)")
MIN_CLAUSE_CHARS = 2
# Words that make a clause ask for something ("顺便问下积分", "积分多少"); a clause without any only tells
# ("积分兑换的东西寄来是坏的"), which next to a complaint is part of the complaint's story.
_ASKING = re.compile(r"查|问|多少|几|怎么|如何|什么|吗|么|呢|帮|想|要|能不能|可以|可不可以|麻烦|请|办|\?|？")
# Message attribute (not in the parse output) where the intent classifier puts each clause's reading.
CLAUSE_INTENTS = "clause_intents"
# Message attribute for a long message (a story): the reading of its last clause that asks for something.
REQUEST_CLAUSE = "request_clause"


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    text: str


def clauses(text: str) -> list[Clause]:
    """The clauses of `text` in order, each at least MIN_CLAUSE_CHARS long once trimmed."""
    found: list[Clause] = []
    start = 0
    for boundary in [*_BOUNDARY.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        found += _split_at_connectors(text, start, end)
        start = boundary.end() if boundary else len(text)
    return found


def _split_at_connectors(text: str, start: int, end: int) -> list[Clause]:
    cuts = [start, *(start + m.start() for m in _CONNECTOR.finditer(text[start:end]) if m.start()), end]
    pieces = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        stripped = text[left:right].strip()
        if len(stripped) >= MIN_CLAUSE_CHARS:
            offset = left + text[left:right].index(stripped)
            pieces.append(Clause(offset, offset + len(stripped), stripped))
    return pieces


def asks(clause: str) -> bool:
    """Whether the clause is worded as a question or a request, not only as a statement."""
    return _ASKING.search(clause) is not None
