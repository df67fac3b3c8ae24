"""Masking of personal data in text shown to agents or written to logs.

Card numbers keep their last four digits (agents and customers refer to cards by 尾号), mobile
numbers keep the first three and last four, ID numbers keep the first six (region) and last four.
"""

from __future__ import annotations

import re

# Digits must not touch other digits, so a long number is never masked as a shorter one.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")
_CARD_NUMBER = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?<!\d[ -])(?:\+?86[ -]?)?(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)")


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_pii(text: str) -> str:
    """Returns text with ID numbers, card numbers and mainland mobile numbers masked."""
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _CARD_NUMBER.sub(_mask_card, text)
