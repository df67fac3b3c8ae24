"""The inbox's statements can read the partial indexes of waiting and labelled readings, on both databases.

They can only if the status is in the SQL as a literal (sql/readings.py) and, on SQLite, the date bounds
are weighed as broad: otherwise a planner may visit every reading instead, which no functional test notices.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from psycopg.sql import Literal
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from handoff_api.domain.nlu_inbox import InboxReason
from handoff_api.sql import readings as sql
from tests.handoff_api.conftest import ON_BOTH_DATABASES

pytestmark = ON_BOTH_DATABASES

WAITING_INDEX = "ix_nlu_readings_waiting"
LABELLED_INDEX = "ix_nlu_readings_labelled"


def _statements(engine: Engine, call: Callable[[Session], object]) -> list[tuple[str, object]]:
    """The SQL statements (with their parameters) that call sends, as the driver receives them."""
    sent: list[tuple[str, object]] = []

    def record(_conn: Connection, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            call(session)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


def _plan(engine: Engine, statement: str, parameters: object) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return _generic_plan(connection, statement, parameters)
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return "\n".join(str(row[-1]) for row in rows)


def _generic_plan(connection: Connection, statement: str, parameters: object) -> str:
    """PostgreSQL's plan for the statement prepared, made without the parameters' values: the generic plan it
    may settle on once psycopg prepares a statement that runs often (a parameter there cannot choose a partial
    index). Scans are made dear: an empty table is cheapest to scan whole, the question is whether the index
    is usable at all."""
    assert isinstance(parameters, dict)
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", statement)))
    numbered = re.sub(r"%\((\w+)\)s", lambda match: f"${names.index(match[1]) + 1}", statement)
    driver = connection.connection.driver_connection
    values = ", ".join(Literal(parameters[name]).as_string(driver) for name in names)
    arguments = f"({values})" if names else ""
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    connection.exec_driver_sql(f"PREPARE inbox_statement AS {numbered}")
    try:
        rows = connection.exec_driver_sql(f"EXPLAIN EXECUTE inbox_statement{arguments}").all()
    finally:
        connection.exec_driver_sql("DEALLOCATE inbox_statement")
    return "\n".join(str(row[0]) for row in rows)


FILTERS = [
    sql.InboxFilter(),
    sql.InboxFilter(reason=InboxReason.FALLBACK, intent="greet"),
    sql.InboxFilter(since=datetime(2026, 1, 1, tzinfo=UTC), until=datetime(2027, 1, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize("where", FILTERS, ids=["all", "reason-intent", "dates"])
def test_the_inbox_page_groups_and_counts_from_the_waiting_index(
    engine: Engine, where: sql.InboxFilter
) -> None:
    sent = _statements(
        engine,
        lambda session: (
            sql.inbox_groups(session, where=where, limit=50, offset=0),
            sql.inbox_size(session, where=where),
        ),
    )
    assert len(sent) == 2
    for statement, parameters in sent:
        assert WAITING_INDEX in _plan(engine, statement, parameters), statement


def test_labelling_finds_the_groups_in_the_waiting_index_and_the_export_in_the_labelled_one(
    engine: Engine,
) -> None:
    label = _statements(
        engine,
        lambda session: sql.label_groups(
            session, ids=[1], label="greet", note="", by="trainer", at=datetime.now(UTC)
        ),
    )
    export = _statements(engine, sql.labelled_for_export)

    assert [WAITING_INDEX in _plan(engine, *sent) for sent in label] == [True]
    assert [LABELLED_INDEX in _plan(engine, *sent) for sent in export] == [True]
