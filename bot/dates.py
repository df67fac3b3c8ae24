"""Date expressions in customer messages, resolved against a reference day ("today").

Values: a day ``YYYY-MM-DD`` (昨天, 上个礼拜五, 3月5号), a month ``YYYY-MM`` (本月, 十月), an ISO week
``YYYY-Www`` (上周) or a year ``YYYY`` (去年). Customers ask about the past, so an expression that could
name a past or a future day (周五, 12月, 28号) names the latest one that is not in the future.
Rules rather than a date library: the Chinese parsers on PyPI either pull in a large toolkit or do not
know colloquial weeks (礼拜, 上上周), and these few rules are tested one by one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from bot.numerals import parse_number


@dataclass(frozen=True)
class DateSpan:
    start: int
    end: int
    value: str


_CN_SMALL = "一二三四五六七八九十两"
_MONTH = rf"(\d{{1,2}}|[{_CN_SMALL}]{{1,3}})"
_ABS_DATE = re.compile(rf"(?:(\d{{4}})年)?{_MONTH}月份?(?:{_MONTH}[日号])?")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DAY_ONLY = re.compile(rf"(?<![\d月{_CN_SMALL}])(\d{{1,2}})[号日](?![码卡])")

RELATIVE_MONTHS = {
    "本月": 0,
    "这个月": 0,
    "这月": 0,
    "当月": 0,
    "上个月": -1,
    "上月": -1,
    "上上个月": -2,
    "上上月": -2,
    "下个月": 1,
    "下月": 1,
}
_RELATIVE_DAYS = {
    "今天": 0,
    "今日": 0,
    "昨天": -1,
    "昨日": -1,
    "前天": -2,
    "前日": -2,
    "大前天": -3,
    "明天": 1,
    "后天": 2,
}
_WEEK_WORD = "(?:个)?(?:周|星期|礼拜|禮拜)"
_WEEK_OFFSETS = {"": 0, "本": 0, "这": 0, "上": -1, "上上": -2, "下": 1}
_RELATIVE_WEEK = re.compile(rf"(上上|上|本|这|下){_WEEK_WORD}(?![一二三四五六日天1-7])")
_WEEKDAY = re.compile(rf"(上上|上|本|这|下)?{_WEEK_WORD}([一二三四五六日天1-7])")
_WEEKDAY_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
_RELATIVE_YEARS = {"今年": 0, "去年": -1, "前年": -2}
_RELATIVE = re.compile(
    "|".join(
        sorted(map(re.escape, [*RELATIVE_MONTHS, *_RELATIVE_DAYS, *_RELATIVE_YEARS]), key=len, reverse=True)
    )
)


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def find_dates(text: str, today: date) -> Iterator[DateSpan]:
    """Every date expression in text; overlapping ones too (the longest should win)."""
    yield from _relative_words(text, today)
    yield from _weeks(text, today)
    yield from _weekdays(text, today)
    for m in _ISO_DATE.finditer(text):
        value = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if value:
            yield DateSpan(m.start(), m.end(), value.isoformat())
    for m in _ABS_DATE.finditer(text):
        absolute = _absolute(m, today)
        if absolute:
            yield DateSpan(m.start(), m.end(), absolute)
    for m in _DAY_ONLY.finditer(text):
        day = int(m.group(1))
        # "5号那笔" means the latest 5th that has passed.
        year, month = (
            (today.year, today.month) if day <= today.day else shift_month(today.year, today.month, -1)
        )
        value = _safe_date(year, month, day)
        if value:
            yield DateSpan(m.start(), m.end(), value.isoformat())


def _relative_words(text: str, today: date) -> Iterator[DateSpan]:
    for m in _RELATIVE.finditer(text):
        word = m.group(0)
        if word in RELATIVE_MONTHS:
            year, month = shift_month(today.year, today.month, RELATIVE_MONTHS[word])
            value = f"{year:04d}-{month:02d}"
        elif word in _RELATIVE_DAYS:
            value = (today + timedelta(days=_RELATIVE_DAYS[word])).isoformat()
        else:
            value = f"{today.year + _RELATIVE_YEARS[word]:04d}"
        yield DateSpan(m.start(), m.end(), value)


def _weeks(text: str, today: date) -> Iterator[DateSpan]:
    for m in _RELATIVE_WEEK.finditer(text):
        year, week, _ = (today + timedelta(weeks=_WEEK_OFFSETS[m.group(1)])).isocalendar()
        yield DateSpan(m.start(), m.end(), f"{year:04d}-W{week:02d}")


def _weekdays(text: str, today: date) -> Iterator[DateSpan]:
    for m in _WEEKDAY.finditer(text):
        weekday = _WEEKDAY_NUMBERS.get(m.group(2)) or int(m.group(2))
        prefix = m.group(1)
        if prefix is None:
            # A bare 周五 is the latest Friday, today included.
            day = today - timedelta(days=(today.isoweekday() - weekday) % 7)
        else:
            monday = today - timedelta(days=today.isoweekday() - 1)
            day = monday + timedelta(weeks=_WEEK_OFFSETS[prefix], days=weekday - 1)
        yield DateSpan(m.start(), m.end(), day.isoformat())


def _small_number(text: str) -> int | None:
    value = parse_number(text)
    return value if isinstance(value, int) else None


def _absolute(m: re.Match[str], today: date) -> str | None:
    month = _small_number(m.group(2))
    if month is None or not 1 <= month <= 12:
        return None
    day = _small_number(m.group(3)) if m.group(3) else None
    year = int(m.group(1)) if m.group(1) else today.year
    if day is None:
        # Customers ask about past statements: "3月" in November of 2026 is March 2026, but
        # "12月" then means last December.
        if not m.group(1) and (year, month) > shift_month(today.year, today.month, 1):
            year -= 1
        return f"{year:04d}-{month:02d}"
    value = _safe_date(year, month, day)
    if value and not m.group(1) and value > today + timedelta(days=31):
        value = _safe_date(year - 1, month, day)
    return value.isoformat() if value else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
