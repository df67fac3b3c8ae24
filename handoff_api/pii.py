"""Masking of card, mobile and ID numbers in text shown to agents."""

import re

# Order matters: an 18-character ID number is also a run of digits that the card pattern would take.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_CARD_NUMBER = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9]{9}(?![0-9])")


def _keep_tail(match: re.Match[str], keep: int = 4) -> str:
    digits = re.sub(r"[ -]", "", match.group())
    return "*" * (len(digits) - keep) + digits[-keep:]


def _mask_mobile(match: re.Match[str]) -> str:
    number = match.group()[-11:]
    return f"{number[:3]}****{number[-4:]}"


def mask_pii(text: str) -> str:
    text = _ID_NUMBER.sub(_keep_tail, text)
    text = _MOBILE.sub(_mask_mobile, text)
    return _CARD_NUMBER.sub(_keep_tail, text)
