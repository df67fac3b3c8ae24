from __future__ import annotations

import pytest

from bot.numerals import parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("两千", 2000),
        ("两千五", 2500),
        ("一万二", 12000),
        ("一万五千", 15000),
        ("一千零五", 1005),
        ("一千二百三十", 1230),
        ("十五", 15),
        ("三百", 300),
        ("十万", 100000),
        ("5千", 5000),
        ("1.5万", 15000),
        ("3w", 30000),
        ("3,500", 3500),
        ("1299.5", 1299.5),
        ("一二三四", 1234),
    ],
)
def test_parses_numbers(text: str, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "块", "千千", "一二千"])
def test_rejects_non_numbers(text: str) -> None:
    assert parse_number(text) is None
