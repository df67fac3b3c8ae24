"""The inbox export: labelled items into Rasa YAML, never a known or an evaluation line, items marked."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from handoff_api.domain.nlu_inbox import InboxStatus, group_key
from handoff_api.nlu_export import ExportResult, export
from handoff_api.sql.models import NluReading
from tests.handoff_api.conftest import ON_BOTH_DATABASES

pytestmark = ON_BOTH_DATABASES

TRAINING = """version: "3.1"
nlu:
  - intent: query_points
    examples: |
      - 我有多少积分
      - 积分查询[尾号1234](card_tail)的卡
"""
DOMAIN = "intents:\n  - query_points\n  - out_of_scope\n  - ask_annual_fee: {use_entities: []}\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "points.yml").write_text(TRAINING, encoding="utf-8")
    (tmp_path / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "held.tsv").write_text(
        "text\tintent\n评估集里的一句话\tquery_points\n", encoding="utf-8"
    )
    return tmp_path


def _labelled(engine: Engine, *items: tuple[str, str]) -> None:
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        for n, (text, label) in enumerate(items):
            session.add(
                NluReading(
                    conversation_id=f"c-{n}",
                    message_id="1-0",
                    text=text,
                    group_key=group_key(text),
                    intent="greet",
                    confidence=0.1,
                    ranking=[],
                    entities=[],
                    fallback=False,
                    while_agent=False,
                    created_at=now,
                    reason="low_confidence",
                    status=InboxStatus.LABELLED.value,
                    label=label,
                    labelled_at=now,
                )
            )


def _run(engine: Engine, repo: Path) -> ExportResult:
    with Session(engine) as session:
        return export(
            session,
            data_dir=repo / "data",
            domain=repo / "domain.yml",
            out=repo / "data" / "nlu" / "inbox.yml",
            excluded_dir=repo / "eval",
        )


def _statuses(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(NluReading.status).order_by(NluReading.id)))


def test_new_lines_are_written_known_and_evaluation_lines_never(engine: Engine, repo: Path) -> None:
    _labelled(
        engine,
        ("积分还剩几个呀", "query_points"),
        ("积分 还剩几个呀！", "query_points"),  # the same pattern twice: written once
        ("我有多少积分？", "query_points"),  # already a training line
        ("积分查询尾号5678的卡", "query_points"),  # a training line once its annotation is read
        ("评估集里的一句话", "query_points"),  # an evaluation line
        ("帮我订机票 手机13812345678", "out_of_scope"),
        ("年费[怎么]算", "ask_annual_fee"),
    )

    result = _run(engine, repo)

    written = yaml.safe_load((repo / "data" / "nlu" / "inbox.yml").read_text(encoding="utf-8"))
    examples = {block["intent"]: block["examples"].splitlines() for block in written["nlu"]}
    assert examples == {
        "ask_annual_fee": ["- 年费（怎么）算"],
        "out_of_scope": ["- 帮我订机票 手机138****5678"],
        "query_points": ["- 积分还剩几个呀"],
    }
    assert (result.already_known, result.evaluation_lines) == (3, 1)
    assert _statuses(engine) == [InboxStatus.EXPORTED.value] * 7


def test_an_unknown_intent_is_kept_for_later_and_a_second_export_merges(engine: Engine, repo: Path) -> None:
    _labelled(engine, ("卡面能印猫吗", "card_design"), ("积分到底几个", "query_points"))
    first = _run(engine, repo)
    assert dict(first.unknown_intents) == {"card_design": 1}
    assert _statuses(engine) == [InboxStatus.LABELLED.value, InboxStatus.EXPORTED.value]

    (repo / "domain.yml").write_text(DOMAIN + "  - card_design\n", encoding="utf-8")
    second = _run(engine, repo)

    assert dict(second.written) == {"card_design": ["卡面能印猫吗"]}
    inbox = yaml.safe_load((repo / "data" / "nlu" / "inbox.yml").read_text(encoding="utf-8"))
    assert [block["intent"] for block in inbox["nlu"]] == ["card_design", "query_points"]
    assert _statuses(engine) == [InboxStatus.EXPORTED.value] * 2
