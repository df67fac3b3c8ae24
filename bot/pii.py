"""Masking of personal data in text shown to agents or written to logs.

Card numbers keep their last four digits (agents and customers refer to cards by 尾号), mobile
numbers keep the first three and last four, ID numbers keep the first six (region) and last four.
Customers type from phones and IMEs: digits may be full-width (１３８…) and grouped by spaces,
hyphens or their full-width forms, so every pattern accepts those. ``\\d`` matches full-width digits.
"""

from __future__ import annotations

import re

# One separator between digit groups: space, full-width space, hyphens and dashes, middle dot.
_SEP = "[ \u3000\\-\u2010\u2011\u2012\u2013\u2014\uff0d\u00b7_]"
_X = "[XxＸｘ]"
# Digits must not touch other digits, so a long number is never masked as a shorter one.
_ID_NUMBER = re.compile(rf"(?<!\d)\d(?:{_SEP}?\d){{16}}{_SEP}?(?:\d|{_X})(?![\dXxＸｘ])")
_CARD_NUMBER = re.compile(rf"(?<!\d)\d(?:{_SEP}?\d){{12,18}}(?!\d)")
_MOBILE = re.compile(
    rf"(?<!\d)(?<!\d{_SEP})(?:[+＋]?[8８][6６]{_SEP}?)?([1１][3-9３-９]\d){_SEP}?\d{{4}}{_SEP}?(\d{{4}})(?!\d)"
)


def _kept(match: re.Match[str]) -> str:
    return re.sub(rf"{_SEP}", "", match.group(0))


def _mask_id(match: re.Match[str]) -> str:
    chars = _kept(match)
    return f"{chars[:6]}********{chars[-4:]}"


def _mask_card(match: re.Match[str]) -> str:
    digits = _kept(match)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_pii(text: str) -> str:
    """Returns text with ID numbers, card numbers and mainland mobile numbers masked."""
    text = _ID_NUMBER.sub(_mask_id, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _CARD_NUMBER.sub(_mask_card, text)
