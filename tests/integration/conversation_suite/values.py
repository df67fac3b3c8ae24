"""Expected slot and ticket values, with placeholders for dates that depend on the day the suite runs.

- `@date:-3`: today minus 3 days (ISO date), e.g. for 大前天.
- `@weekday:-1:fri`: the Friday of last week (weeks start on Monday), e.g. for 上个礼拜五.
Numbers compare by value (1850 equals 1850.0 and "1850").
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

_DAY_OFFSET = re.compile(r"^@date:(?P<days>[+-]?\d+)$")
_WEEKDAY = re.compile(r"^@weekday:(?P<weeks>[+-]?\d+):(?P<day>mon|tue|wed|thu|fri|sat|sun)$")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def check_placeholder(value: Any) -> None:
    """Raises ValueError for a string that looks like a placeholder but is none of the known ones."""
    if isinstance(value, str) and value.startswith("@") and resolve(value, date.today()) == value:
        raise ValueError(f"unknown placeholder {value!r}: use @date:<±days> or @weekday:<±weeks>:<mon..sun>")


def resolve(value: Any, today: date) -> Any:
    if not isinstance(value, str):
        return value
    if match := _DAY_OFFSET.match(value):
        return (today + timedelta(days=int(match["days"]))).isoformat()
    if match := _WEEKDAY.match(value):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=int(match["weeks"]))
        return (monday + timedelta(days=_WEEKDAYS.index(match["day"]))).isoformat()
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def same_value(expected: Any, actual: Any, today: date) -> bool:
    expected = resolve(expected, today)
    if expected is None or actual is None:
        return expected is actual
    wanted, got = _number(expected), _number(actual)
    if wanted is not None and got is not None:
        return wanted == got
    return str(expected) == str(actual)
