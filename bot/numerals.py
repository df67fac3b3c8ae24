"""Chinese and Arabic numerals to numbers: 两千五 → 2500, 一万二 → 12000, 5千 → 5000, 1.5万 → 15000.

Chinese numerals are read by cn2an (its "smart" mode also takes mixed forms such as 1万2); what cn2an
does not know is handled here: thousands separators (3,500), the chat shorthands k and w (3w), and the
colloquial 俩 for 两.
"""

from __future__ import annotations

import re

# A run of Chinese numeral characters (the pattern the entity rules search for amounts with).
CHINESE_NUMBER = "[零〇一幺二两俩三四五六七八九十拾百佰千仟万萬亿]+"
_ARABIC = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s?([十百千万萬亿kKwW]*)")
_UNITS = {
    "十": 10,
    "百": 100,
    "千": 1000,
    "万": 10_000,
    "萬": 10_000,
    "亿": 100_000_000,
    "k": 1000,
    "K": 1000,
    "w": 10_000,
    "W": 10_000,
}


def _rounded(value: float) -> int | float:
    return int(value) if value == int(value) else round(value, 2)


def _arabic(match: re.Match[str]) -> int | float:
    value = float(match.group(1).replace(",", ""))
    for unit in match.group(2):
        value *= _UNITS[unit]
    return _rounded(value)


def _chinese(text: str) -> int | float | None:
    import cn2an

    try:
        return _rounded(float(cn2an.cn2an(text.replace("俩", "两"), "smart")))
    except ValueError:  # cn2an's answer to anything that is not a well-formed numeral
        return None


def parse_number(text: str) -> int | float | None:
    """The number written in text (Arabic, Chinese or mixed like 5千/1.5万); None if it is not one."""
    text = text.strip()
    if not text:
        return None
    match = _ARABIC.fullmatch(text)
    return _arabic(match) if match else _chinese(text)
