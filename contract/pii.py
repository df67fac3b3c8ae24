"""Masking of card, ID and mobile numbers, wherever text leaves its owner: agent views, logs, storage.

Card and ID numbers keep their last four characters (customers and agents refer to a card by its 尾号);
mobile numbers keep the first three and the last four digits. Customers type from phones and IMEs:
digits may be full-width (１３８…) and grouped by spaces, hyphens or their full-width forms, and every
pattern accepts those (``\\d`` matches full-width digits too).
"""

from __future__ import annotations

import re

# One separator between digit groups: space, full-width space, hyphens and dashes, middle dot, underscore.
_SEP = "[ \u3000\\-\u2010\u2011\u2012\u2013\u2014\uff0d\u00b7_]"
_X = "[XxＸｘ]"
# Digits must not touch other digits, so a long number is never masked as a shorter one. A mainland ID number
# is 17 digits and a check character that may be X. One alternation, tried in this order at each position: an
# ID number would otherwise be taken for a card, and a mobile with its +86 prefix (13 digits) too.
_ID_NUMBER = rf"(?<!\d)\d(?:{_SEP}?\d){{16}}{_SEP}?(?:\d|{_X})(?![\dXxＸｘ])"
_MOBILE = (
    rf"(?<!\d)(?<!\d{_SEP})(?:[+＋]?[8８][6６]{_SEP}?)?"
    rf"(?P<mobile_head>[1１][3-9３-９]\d){_SEP}?\d{{4}}{_SEP}?(?P<mobile_tail>\d{{4}})(?!\d)"
)
_CARD_NUMBER = rf"(?<!\d)\d(?:{_SEP}?\d){{12,18}}(?!\d)"
_NUMBERS = re.compile(rf"(?P<id>{_ID_NUMBER})|(?P<mobile>{_MOBILE})|(?P<card>{_CARD_NUMBER})")
_KEPT_TAIL = 4


def _keep_tail(number: str) -> str:
    chars = re.sub(_SEP, "", number)
    return "*" * (len(chars) - _KEPT_TAIL) + chars[-_KEPT_TAIL:]


def _masked(match: re.Match[str], *, mobiles: bool) -> str:
    if match.group("mobile") is None:
        return _keep_tail(match.group(0))
    if not mobiles:
        return match.group(0)
    return f"{match.group('mobile_head')}****{match.group('mobile_tail')}"


def mask_account_numbers(text: str) -> str:
    """Card and ID numbers only: what the front door masks before storage and before the bot sees the text,
    since the bot needs no more than a card's last four digits. Mobile numbers stay, for callbacks."""
    return _NUMBERS.sub(lambda match: _masked(match, mobiles=False), text)


def find_mobile(text: str) -> str | None:
    """The first mainland mobile number in the text, as 11 ASCII digits (a callback's contact phone)."""
    for match in _NUMBERS.finditer(text):
        if match.group("mobile") is not None:
            digits = "".join(str(int(char)) for char in match.group(0) if char.isdecimal())
            return digits[-11:]
    return None


def mask_pii(text: str) -> str:
    """Card, ID and mainland mobile numbers masked: what agents and logs see."""
    return _NUMBERS.sub(lambda match: _masked(match, mobiles=True), text)
