"""Chinese and Arabic numerals to numbers: 两千五 → 2500, 一万二 → 12000, 5千 → 5000, 1.5万 → 15000."""

from __future__ import annotations

import re

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "w": 10_000, "W": 10_000, "k": 1000, "K": 1000}

# A run of Chinese numeral characters.
CHINESE_NUMBER = "[零〇一幺二两俩三四五六七八九十拾百佰千仟万萬亿]+"
_ARABIC = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s?([十百千万萬亿kKwW]*)")


def _section(text: str) -> int | None:
    """Value of a numeral below 万 (一千二百三十 / 一千二 / 十五 / 三百); None if malformed."""
    total, digit, last_unit, zero = 0, None, None, False
    for ch in text:
        if ch in DIGITS:
            if digit is not None and digit != 0:
                return None  # two digits in a row ("一二") is a digit string, not a quantity
            digit = DIGITS[ch]
            zero = zero or digit == 0
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if last_unit is not None and unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if digit:
        # 一千二 means 1200: a trailing digit counts in the unit below the last one said.
        # 一千零五 is 1005: after a 零 the digit is a plain unit.
        total += digit * (last_unit // 10 if last_unit and not zero else 1)
    return total


def _chinese(text: str) -> int | None:
    if all(ch in DIGITS for ch in text):  # 一二三四 read digit by digit
        return int("".join(str(DIGITS[ch]) for ch in text)) if len(text) > 1 else DIGITS[text]
    total, rest = 0, text
    for big_char, big_value in (("亿", 100_000_000), ("万", 10_000), ("萬", 10_000)):
        if big_char in rest:
            head, rest = rest.split(big_char, 1)
            value = _section(head) if head else 1
            if value is None:
                return None
            total += value * big_value
            if rest and all(ch in DIGITS for ch in rest) and len(rest) == 1:
                # 一万二 means 12000: one trailing digit counts in thousands.
                return total + DIGITS[rest] * big_value // 10
    if rest:
        value = _section(rest)
        if value is None:
            return None
        total += value
    return total


def parse_number(text: str) -> int | float | None:
    """The number written in text (Arabic, Chinese or mixed like 5千/1.5万); None if it is not one."""
    text = text.strip()
    if not text:
        return None
    match = _ARABIC.fullmatch(text)
    if match:
        value = float(match.group(1).replace(",", ""))
        for unit in match.group(2):
            value *= SMALL_UNITS.get(unit) or BIG_UNITS[unit]
        return int(value) if value == int(value) else round(value, 2)
    return _chinese(text)
