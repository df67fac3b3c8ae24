from __future__ import annotations

from datetime import date

import pytest

from bot.dates import find_dates
from bot.entity_rules import EntityRules

# A Monday, so that "this week" and "last week" are easy to check by eye.
MONDAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def rules() -> EntityRules:
    return EntityRules(today=lambda: MONDAY)


def _dates(rules: EntityRules, text: str) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.value) for e in rules.extract(text) if e.entity == "date"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上个礼拜五那笔", [(0, 5, "2026-11-20")]),
        ("上周五", [(0, 3, "2026-11-20")]),
        ("上星期一", [(0, 4, "2026-11-16")]),
        ("上上周三", [(0, 4, "2026-11-11")]),
        ("这周三", [(0, 3, "2026-11-25")]),
        ("本周日", [(0, 3, "2026-11-29")]),
        # a bare weekday is the latest one, today included
        ("周五刷的", [(0, 2, "2026-11-20")]),
        ("礼拜天买的", [(0, 3, "2026-11-22")]),
        ("星期一", [(0, 3, "2026-11-23")]),
        ("大前天", [(0, 3, "2026-11-20")]),
        ("前天", [(0, 2, "2026-11-21")]),
        # a week without a day stays a week
        ("上周", [(0, 2, "2026-W47")]),
        ("上上周", [(0, 3, "2026-W46")]),
        ("上个礼拜的消费", [(0, 4, "2026-W47")]),
        ("上上个月", [(0, 4, "2026-09")]),
    ],
)
def test_relative_days_and_weeks(rules: EntityRules, text: str, expected: list) -> None:
    assert _dates(rules, text) == expected


def test_reference_day_is_injected() -> None:
    sunday = date(2026, 11, 29)
    assert [span.value for span in find_dates("上个礼拜五", sunday)] == ["2026-11-20"]
    assert [span.value for span in find_dates("周五", sunday)] == ["2026-11-27"]


def test_across_a_year_boundary() -> None:
    new_year = date(2027, 1, 4)  # a Monday
    assert [span.value for span in find_dates("上周五", new_year)] == ["2027-01-01"]
    assert [s.value for s in find_dates("大前天", new_year)] == ["2027-01-01"]
    assert [s.value for s in find_dates("上个月", new_year)] == ["2026-12"]
