"""Keyword-only functions over the bot's readings and the trainer's inbox (models.NluReading)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    RowMapping,
    Select,
    and_,
    func,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from handoff_api.domain.nlu_inbox import InboxReason, InboxStatus
from handoff_api.sql.models import NluReading

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _status_is(status: InboxStatus) -> ColumnElement[bool]:
    """The status as a literal in the SQL, not a parameter, for the partial indexes of waiting and labelled
    readings: PostgreSQL's generic plan of a prepared statement (psycopg prepares those that run often)
    cannot choose a partial index through a parameter."""
    return NluReading.status == literal(status.value, literal_execute=True)


@dataclass(frozen=True)
class InboxFilter:
    reason: InboxReason | None = None
    intent: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self, dialect: str) -> list[ColumnElement[bool]]:
        conditions = [_status_is(InboxStatus.WAITING)]
        if self.reason is not None:
            conditions.append(NluReading.reason == self.reason.value)
        if self.intent is not None:
            conditions.append(NluReading.intent == self.intent)
        if self.since is not None:
            conditions.append(_broad(NluReading.created_at >= self.since, dialect))
        if self.until is not None:
            conditions.append(_broad(NluReading.created_at < self.until, dialect))
        return conditions


def _broad(condition: ColumnElement[bool], dialect: str) -> ColumnElement[bool]:
    """A date bound, for SQLite weighed as one that most rows meet: its planner keeps no statistics and would
    otherwise walk the created_at index through every reading in the range, not only the waiting ones."""
    if dialect != "sqlite":
        return condition
    return func.likelihood(condition, literal_column("0.9"))


@dataclass(frozen=True)
class RecentMark:
    """Put the conversation's latest `turns` readings into the inbox (those not there already)."""

    conversation_id: str
    turns: int
    reason: InboxReason


# A reading's row (the columns of NluReading but its id), or a mark over the readings written before it.
ReadingWrite = dict[str, object] | RecentMark


@cache
def _insert_once_per_message(dialect: str) -> Insert:
    """Built once: a statement built with its values costs 2 ms of SQLAlchemy work per call, and the
    parameters of a prepared one nothing. On the table, not the ORM class, whose inserts pass through the
    ORM's bulk machinery. Once per (conversation, message): a retried turn brings the same reading again."""
    insert = _INSERTS[dialect](NluReading.__table__)
    return insert.on_conflict_do_nothing(index_elements=["conversation_id", "message_id"])


def write_in_order(engine: Engine, writes: Sequence[ReadingWrite]) -> None:
    """One transaction, in the given order: each mark sees the readings written before it and none after.
    Consecutive rows go in one statement; plain connections, as an ORM session added 15% for nothing."""
    insert = _insert_once_per_message(engine.dialect.name)
    with engine.begin() as connection:
        rows: list[dict[str, object]] = []
        for write in writes:
            if not isinstance(write, RecentMark):
                rows.append(write)
                continue
            if rows:
                connection.execute(insert, rows)
                rows = []
            _mark_recent(connection, write)
        if rows:
            connection.execute(insert, rows)


def _mark_recent(connection: Connection, mark: RecentMark) -> None:
    latest = (
        select(NluReading.id)
        .where(NluReading.conversation_id == mark.conversation_id)
        .order_by(NluReading.created_at.desc(), NluReading.id.desc())
        .limit(mark.turns)
    )
    ids = list(connection.scalars(latest))
    connection.execute(
        update(NluReading)
        .where(NluReading.id.in_(ids), NluReading.status.is_(None))
        .values(reason=mark.reason.value, status=InboxStatus.WAITING.value)
    )


def flag_message(
    engine: Engine, *, conversation_id: str, message_id: str, suggested_intent: str | None
) -> bool:
    """An agent says the bot misread this message: into the inbox, whatever the reading's confidence."""
    with Session(engine) as session, session.begin():
        changed = session.execute(
            update(NluReading)
            .where(
                NluReading.conversation_id == conversation_id,
                NluReading.message_id == message_id,
                NluReading.status.is_(None) | (NluReading.status == InboxStatus.WAITING.value),
            )
            .values(
                reason=InboxReason.AGENT_FLAG.value,
                status=InboxStatus.WAITING.value,
                suggested_intent=suggested_intent,
            )
        )
    return bool(changed.rowcount)


# What an inbox item shows of its group's latest reading, named as schemas.InboxItem names it: not the full
# ranking, nor the labelling columns.
_ITEM_COLUMNS = (
    NluReading.id,
    NluReading.text,
    NluReading.intent.label("predicted_intent"),
    NluReading.confidence,
    NluReading.runner_up,
    NluReading.runner_up_confidence,
    NluReading.entities,
    NluReading.fallback,
    NluReading.reason,  # every waiting reading has one
    NluReading.suggested_intent,
    NluReading.conversation_id,
    NluReading.context_before,
    NluReading.context_after,
    NluReading.created_at,
)


def _groups(session: Session, where: InboxFilter) -> Select[tuple[int, int]]:
    """Each waiting group under the filters as its latest member's id and its size, from the inbox index."""
    return (
        select(func.max(NluReading.id).label("latest"), func.count().label("size"))
        .where(*where.conditions(session.get_bind().dialect.name))
        .group_by(NluReading.group_key)
    )


def inbox_groups(session: Session, *, where: InboxFilter, limit: int, offset: int) -> Sequence[RowMapping]:
    """Waiting groups, most frequent first, each as its latest member's columns and its size (`count`)."""
    groups = (
        _groups(session, where)
        .order_by(func.count().desc(), func.max(NluReading.id).desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    rows = session.execute(
        select(*_ITEM_COLUMNS, groups.c.size.label("count"))
        .join(groups, NluReading.id == groups.c.latest)
        .order_by(groups.c.size.desc(), NluReading.id.desc())
    )
    return rows.mappings().all()


def inbox_size(session: Session, *, where: InboxFilter) -> tuple[int, int]:
    """(waiting messages, groups) under the filters, both from one pass over the inbox index."""
    groups = _groups(session, where).subquery()
    waiting, count = session.execute(
        select(func.coalesce(func.sum(groups.c.size), 0), func.count()).select_from(groups)
    ).one()
    return int(waiting), count


def count_labelled_since(session: Session, *, since: datetime) -> int:
    labelled = NluReading.status.in_([InboxStatus.LABELLED.value, InboxStatus.EXPORTED.value])
    query = select(func.count()).select_from(NluReading).where(labelled, NluReading.labelled_at >= since)
    return session.scalar(query) or 0


def label_groups(
    session: Session, *, ids: Sequence[int], label: str | None, note: str, by: str, at: datetime
) -> int:
    """Label (or, with label None, discard) every waiting member of the groups of these items."""
    waiting = _status_is(InboxStatus.WAITING)
    keys = select(NluReading.group_key).where(NluReading.id.in_(ids), waiting)
    status = InboxStatus.DISCARDED if label is None else InboxStatus.LABELLED
    changed = session.execute(
        update(NluReading)
        .where(waiting, NluReading.group_key.in_(keys))
        .values(status=status.value, label=label, note=note, labelled_by=by, labelled_at=at)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return changed.rowcount


def labelled_for_export(session: Session) -> Sequence[NluReading]:
    query = select(NluReading).where(_status_is(InboxStatus.LABELLED)).order_by(NluReading.id)
    return session.scalars(query).all()


def mark_exported(session: Session, *, ids: Sequence[int], at: datetime) -> int:
    changed = session.execute(
        update(NluReading)
        .where(and_(NluReading.id.in_(ids), NluReading.status == InboxStatus.LABELLED.value))
        .values(status=InboxStatus.EXPORTED.value, exported_at=at)
    )
    session.commit()
    return changed.rowcount


def conversation_readings(engine: Engine, *, conversation_id: str) -> Sequence[NluReading]:
    query = select(NluReading).where(NluReading.conversation_id == conversation_id).order_by(NluReading.id)
    with Session(engine) as session:
        return session.scalars(query).all()
