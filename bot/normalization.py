"""Text normalisation for customer messages, with a map back to the original offsets.

Every step keeps a record of which original character each output character came from, so entity
annotations in the training data (start/end offsets) can be moved onto the normalised text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# opencc's t2s gives the variant 帐 where mainland banks write 账; same length, so offsets hold.
_VARIANT_FIXES = {
    "帐单": "账单",
    "帐户": "账户",
    "帐号": "账号",
    "转帐": "转账",
    "到帐": "到账",
    "入帐": "入账",
    "还帐": "还账",
    "对帐": "对账",
    "帐务": "账务",
}
_VARIANT_RE = re.compile("|".join(map(re.escape, _VARIANT_FIXES)))

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_FULLWIDTH_SPACE = "\u3000"
# Punctuation whose repetition ("？？？", "!!!", "。。。") carries no meaning for intent classification.
_REPEATABLE_PUNCT = set("?!.,~。，！？、…-")


@dataclass(frozen=True)
class NormalizedText:
    text: str
    # origin[i] is the index in the original text of output character i.
    origin: tuple[int, ...]

    def map_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Maps an original [start, end) span onto the normalised text; None if nothing survived."""
        kept = [i for i, o in enumerate(self.origin) if start <= o < end]
        if not kept:
            return None
        return kept[0], kept[-1] + 1


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _to_simplified(text: str) -> str:
    converted = _t2s().convert(text)
    if len(converted) != len(text):
        # A phrase rule changed the length; per-character conversion keeps offsets one-to-one.
        converted = "".join(_t2s().convert(ch) if len(_t2s().convert(ch)) == 1 else ch for ch in text)
    return _VARIANT_RE.sub(lambda m: _VARIANT_FIXES[m.group(0)], converted)


def _to_halfwidth(ch: str) -> str:
    code = ord(ch)
    if ch == _FULLWIDTH_SPACE:
        return " "
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    return ch


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _is_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Zs"


def normalize(text: str) -> NormalizedText:
    """Traditional→Simplified, full-width→half-width, whitespace and repeated punctuation clean-up."""
    chars = [_to_halfwidth(ch) for ch in _to_simplified(text)]
    pairs = [(ch, i) for i, ch in enumerate(chars) if ch not in _ZERO_WIDTH]

    out: list[tuple[str, int]] = []
    for idx, (ch, origin) in enumerate(pairs):
        if _is_space(ch):
            prev = out[-1][0] if out else ""
            nxt = next((c for c, _ in pairs[idx + 1 :] if not _is_space(c)), "")
            # Spaces inside Chinese text ("我 要 转 人 工") split words jieba would keep whole;
            # spaces between digits or Latin letters ("1234 5678", "app 登录") still separate things.
            if not prev or not nxt or prev == " " or _is_cjk(prev) or _is_cjk(nxt):
                continue
            out.append((" ", origin))
            continue
        if ch in _REPEATABLE_PUNCT and out and out[-1][0] == ch:
            continue
        out.append((ch, origin))

    return NormalizedText(text="".join(c for c, _ in out), origin=tuple(o for _, o in out))
