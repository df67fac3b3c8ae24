"""Rule-based entities for the bank's messages, with normalised values.

Lexicon entities (card_type, emotion) come from a spaCy blank ``zh`` pipeline with an EntityRuler;
number-shaped entities (card_tail, phone, verification_code, ticket_id, amount, date) from regexes,
because their meaning depends on the words around the digits. Offsets index into the text given,
which in the pipeline is the normalised text (Simplified, half-width).

Values: card_tail/phone/verification_code digit strings; ticket_id upper-case; amount an int or float;
date ISO ``YYYY-MM-DD``, a month ``YYYY-MM``, an ISO week ``YYYY-Www`` or a year ``YYYY``;
card_type one of standard/gold/platinum/diamond/credit/debit; emotion ``angry``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.numerals import CHINESE_NUMBER, parse_number

ENTITY_TYPES = (
    "ticket_id",
    "phone",
    "verification_code",
    "card_tail",
    "date",
    "amount",
    "card_type",
    "emotion",
)


@dataclass(frozen=True)
class FoundEntity:
    entity: str
    start: int
    end: int
    value: Any
    text: str


# Normalised value → surface forms. Longer forms win over the shorter ones they contain (白金卡 > 金卡).
CARD_TYPES = {
    "standard": ["普卡", "普通卡", "标准卡"],
    "gold": ["金卡"],
    "platinum": ["白金卡", "白金信用卡"],
    "diamond": ["钻石卡", "钻石信用卡", "私人银行卡"],
    "credit": ["信用卡"],
    "debit": ["储蓄卡", "借记卡"],
}
# Strong negative emotion that should reach a human (abuse, fury, threats to go public or to the regulator).
ANGRY_PHRASES = [
    "气死",
    "气死我了",
    "太气人",
    "火大",
    "愤怒",
    "忍无可忍",
    "受够了",
    "烦死了",
    "烦死人",
    "垃圾",
    "破银行",
    "坑人",
    "坑爹",
    "骗子",
    "诈骗",
    "混蛋",
    "王八蛋",
    "他妈",
    "妈的",
    "tmd",
    "nmd",
    "尼玛",
    "操你",
    "滚蛋",
    "去死",
    "无语",
    "太差劲",
    "恶心",
    "欺人太甚",
    "岂有此理",
    "告你们",
    "曝光你们",
    "欺负人",
    "什么玩意",
    "有病",
    "脑残",
    "智障",
    "傻逼",
    "sb",
    "黑心",
    "流氓",
    "强盗",
    "不要脸",
    "太过分",
]

_DIGITS_ONLY = re.compile(r"[\s.,。，!！?？~]*(\d+)[\s.,。，!！?？~]*")
_TICKET = re.compile(r"(?<![A-Za-z0-9])[Tt]\d{8,14}(?!\d)")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d(?:[ -]?\d{4}){2})(?!\d)")
_CODE = re.compile(r"(?:验证码|校验码|动态码|短信码|(?<!密)码)\s*(?:是|为|:)?\s*(?:多少)?\s*(\d{4,8})(?!\d)")
_TAIL = re.compile(
    r"(?:尾号|尾数|后四位|后4位|末四位|末4位|最后四位|最后4位)\s*(?:是|为|:)?\s*(\d{4})(?!\d)"
    r"|(?<![\d.])(\d{4})(?=(?:的|这张|那张|这个)?(?:卡|这张|那张))"
)
_MONEY_UNIT = r"(?:元|块钱|块|rmb|RMB|人民币|美元|美金|刀)"
_NOT_MONEY_AFTER = r"(?![\d.]|\s*(?:期|个|次|天|号|日|月|年|%|位|分|点|岁|倍|周|笔|张|小时))"
_AMOUNT_RES = [
    # 5000元, 两千块, 1.5万元, 八百块钱
    re.compile(rf"(?<![\d.])(\d+(?:,\d{{3}})*(?:\.\d+)?\s?[千万kKwW]?)\s?{_MONEY_UNIT}"),
    re.compile(rf"({CHINESE_NUMBER})\s?{_MONEY_UNIT}"),
    # 5万, 3千, 2w (a multiplier makes it a quantity of money in this domain)
    re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?[千万kKwW]){_NOT_MONEY_AFTER}"),
    # 金额1299.5, 额度调到20000, 扣了300
    re.compile(
        r"(?:金额|额度|提到|调到|提高到|调高到|扣了|扣款|扣费|消费了?|刷了|取了|还了|多扣了?|少了|欠了?)"
        rf"\s*(?:是|为|有)?\s*(\d+(?:\.\d+)?){_NOT_MONEY_AFTER}"
    ),
]
# Chinese numerals with a magnitude (两千五, 一万二, 三百) and no money word: still an amount here.
_CN_AMOUNT = re.compile(rf"({CHINESE_NUMBER}){_NOT_MONEY_AFTER}")

_CN_SMALL = "一二三四五六七八九十两"
_MONTH = rf"(\d{{1,2}}|[{_CN_SMALL}]{{1,3}})"
_ABS_DATE = re.compile(rf"(?:(\d{{4}})年)?{_MONTH}月份?(?:{_MONTH}[日号])?")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DAY_ONLY = re.compile(rf"(?<![\d月{_CN_SMALL}])(\d{{1,2}})[号日](?![码卡])")

_RELATIVE_MONTHS = {
    "本月": 0,
    "这个月": 0,
    "这月": 0,
    "当月": 0,
    "本期": 0,
    "上个月": -1,
    "上月": -1,
    "上上个月": -2,
    "下个月": 1,
    "下月": 1,
}
_RELATIVE_DAYS = {
    "今天": 0,
    "今日": 0,
    "昨天": -1,
    "昨日": -1,
    "前天": -2,
    "大前天": -3,
    "明天": 1,
    "后天": 2,
}
_RELATIVE_WEEKS = {
    "本周": 0,
    "这周": 0,
    "这个星期": 0,
    "这星期": 0,
    "上周": -1,
    "上个星期": -1,
    "上星期": -1,
    "上个礼拜": -1,
    "上礼拜": -1,
    "下周": 1,
}
_RELATIVE_YEARS = {"今年": 0, "去年": -1, "前年": -2}
_RELATIVE = re.compile(
    "|".join(
        sorted(
            map(re.escape, [*_RELATIVE_MONTHS, *_RELATIVE_DAYS, *_RELATIVE_WEEKS, *_RELATIVE_YEARS]),
            key=len,
            reverse=True,
        )
    )
)

# Earlier entity types win an overlap: a ticket number holds digits that also look like an amount.
_PRIORITY = {name: rank for rank, name in enumerate(ENTITY_TYPES)}


def _small_number(text: str) -> int | None:
    value = parse_number(text)
    return value if isinstance(value, int) else None


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


class EntityRules:
    """Finds entities in one message. Build once (it loads a spaCy pipeline), call ``extract`` often."""

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        self._today = today
        self._nlp = self._build_nlp()

    @staticmethod
    def _build_nlp() -> Any:
        import spacy

        # The blank Chinese pipeline segments into characters, so phrase patterns match anywhere.
        nlp = spacy.blank("zh")
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
        patterns = [
            {"label": "card_type", "pattern": form, "id": value}
            for value, forms in CARD_TYPES.items()
            for form in forms
        ]
        patterns += [{"label": "emotion", "pattern": phrase, "id": "angry"} for phrase in ANGRY_PHRASES]
        ruler.add_patterns(patterns)
        return nlp

    def extract(self, text: str) -> list[FoundEntity]:
        if not text:
            return []
        candidates = [*self._lexicon(text), *self._numbers(text), *self._dates(text)]
        return _resolve_overlaps(candidates)

    def _lexicon(self, text: str) -> Iterator[FoundEntity]:
        for ent in self._nlp(text).ents:
            yield FoundEntity(ent.label_, ent.start_char, ent.end_char, ent.ent_id_, ent.text)

    def _numbers(self, text: str) -> Iterator[FoundEntity]:
        for m in _TICKET.finditer(text):
            yield FoundEntity("ticket_id", m.start(), m.end(), m.group(0).upper(), m.group(0))
        for m in _PHONE.finditer(text):
            yield _group("phone", m, 1, re.sub(r"\D", "", m.group(1)))
        for m in _CODE.finditer(text):
            yield _group("verification_code", m, 1, m.group(1))
        for m in _TAIL.finditer(text):
            group = 1 if m.group(1) else 2
            yield _group("card_tail", m, group, m.group(group))
        bare = _DIGITS_ONLY.fullmatch(text)
        if bare:
            # A message that is only digits answers the bot's question: 4 → card tail, 6 → code.
            kind = {4: "card_tail", 6: "verification_code"}.get(len(bare.group(1)))
            if kind:
                yield _group(kind, bare, 1, bare.group(1))
        for pattern in _AMOUNT_RES:
            for m in pattern.finditer(text):
                value = parse_number(m.group(1))
                if value is not None:
                    yield _group("amount", m, 1, value)
        for m in _CN_AMOUNT.finditer(text):
            value = parse_number(m.group(1))
            if isinstance(value, int) and value >= 100 and any(u in m.group(1) for u in "百千万"):
                yield _group("amount", m, 1, value)

    def _dates(self, text: str) -> Iterator[FoundEntity]:
        today = self._today()
        for m in _RELATIVE.finditer(text):
            word = m.group(0)
            if word in _RELATIVE_MONTHS:
                year, month = _shift_month(today.year, today.month, _RELATIVE_MONTHS[word])
                value = f"{year:04d}-{month:02d}"
            elif word in _RELATIVE_DAYS:
                value = (today + timedelta(days=_RELATIVE_DAYS[word])).isoformat()
            elif word in _RELATIVE_WEEKS:
                year, week, _ = (today + timedelta(weeks=_RELATIVE_WEEKS[word])).isocalendar()
                value = f"{year:04d}-W{week:02d}"
            else:
                value = f"{today.year + _RELATIVE_YEARS[word]:04d}"
            yield FoundEntity("date", m.start(), m.end(), value, word)
        for m in _ISO_DATE.finditer(text):
            value = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if value:
                yield FoundEntity("date", m.start(), m.end(), value.isoformat(), m.group(0))
        for m in _ABS_DATE.finditer(text):
            value = self._absolute(m, today)
            if value:
                yield FoundEntity("date", m.start(), m.end(), value, m.group(0))
        for m in _DAY_ONLY.finditer(text):
            day = int(m.group(1))
            # "5号那笔" means the latest 5th that has passed.
            year, month = (
                (today.year, today.month) if day <= today.day else _shift_month(today.year, today.month, -1)
            )
            value = _safe_date(year, month, day)
            if value:
                yield FoundEntity("date", m.start(), m.end(), value.isoformat(), m.group(0))

    @staticmethod
    def _absolute(m: re.Match[str], today: date) -> str | None:
        month = _small_number(m.group(2))
        if month is None or not 1 <= month <= 12:
            return None
        day = _small_number(m.group(3)) if m.group(3) else None
        year = int(m.group(1)) if m.group(1) else today.year
        if day is None:
            # Customers ask about past statements: "3月" in November of 2026 is March 2026, but
            # "12月" then means last December.
            if not m.group(1) and (year, month) > _shift_month(today.year, today.month, 1):
                year -= 1
            return f"{year:04d}-{month:02d}"
        value = _safe_date(year, month, day)
        if value and not m.group(1) and value > today + timedelta(days=31):
            value = _safe_date(year - 1, month, day)
        return value.isoformat() if value else None


def _group(entity: str, m: re.Match[str], group: int, value: Any) -> FoundEntity:
    return FoundEntity(entity, m.start(group), m.end(group), value, m.group(group))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve_overlaps(candidates: Iterable[FoundEntity]) -> list[FoundEntity]:
    ranked = sorted(candidates, key=lambda e: (_PRIORITY[e.entity], -(e.end - e.start), e.start))
    chosen: list[FoundEntity] = []
    for found in ranked:
        if all(found.end <= c.start or found.start >= c.end for c in chosen):
            chosen.append(found)
    return sorted(chosen, key=lambda e: e.start)
