"""Rule-based entities for the bank's messages, with normalised values.

Lexicon entities (card_type, emotion) come from a spaCy blank ``zh`` pipeline with an EntityRuler;
number-shaped entities (card_tail, phone, verification_code, ticket_id, amount, date) from regexes,
because their meaning depends on the words around the digits. Offsets index into the text given,
which in the pipeline is the normalised text (Simplified, half-width).

Digits may come spaced or hyphenated ("12 34 56"); values drop the separators.
Values: card_tail/phone/verification_code digit strings; ticket_id ``T`` and its digits; amount an int
or float; bill_cycle how many statements back (本期 0, 上期 1); date as bot.dates describes;
card_type one of standard/gold/platinum/diamond/credit/debit; emotion ``angry``;
frustration ``misunderstood``; hardship ``cannot_pay``;
not_own_card ``someone_else`` or ``other_bank``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.dates import find_dates
from bot.numerals import CHINESE_NUMBER, parse_number

ENTITY_TYPES = (
    "ticket_id",
    "phone",
    "verification_code",
    "card_tail",
    "bill_cycle",
    "date",
    "amount",
    "card_type",
    "emotion",
    "frustration",
    "hardship",
    "not_own_card",
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

# The customer says the bot does not understand them: an apology and a human, not another guess.
FRUSTRATION_PHRASES = [
    "懂不懂",
    "听不懂",
    "听不听得懂",
    "听得懂吗",
    "不明白我",
    "答非所问",
    "说了半天",
    "说了好几遍",
    "说了几遍",
    "说了三遍",
    "说了多少遍",
    "问了好几次",
    "问你好几次",
    "说了好几次",
    "鸡同鸭讲",
    "对牛弹琴",
    "太笨",
    "真笨",
    "笨死",
    "还是没用",
    "根本没用",
    "一点用都没有",
    "don't understand",
    "dont understand",
    "not understand",
    "useless",
]
# Trouble paying: concrete options (instalment, minimum payment, a human), not a general answer.
HARDSHIP_PHRASES = [
    "周转不开",
    "周转不过来",
    "还不上",
    "还不起",
    "还不了",
    "没钱还",
    "拿不出钱",
    "手头紧",
    "工资没发",
    "工资拖",
    "拖欠工资",
    "失业了",
    "没有收入",
]
# Another bank's card: only this bank's cards are served here.
OTHER_BANKS = [
    "招商银行",
    "招行",
    "建设银行",
    "建行",
    "农业银行",
    "农行",
    "中国银行",
    "交通银行",
    "交行",
    "浦发",
    "中信银行",
    "光大银行",
    "民生银行",
    "兴业银行",
    "广发银行",
    "平安银行",
    "华夏银行",
    "邮储",
    "别的银行",
    "其他银行",
]

# Someone else's card: a relation right before the card or what is asked about it ("我老婆那张卡",
# "朋友尾号2345", "她的积分"), or a service done for him or her ("帮他挂失"); a relative merely mentioned
# ("我女儿结婚") is not.
_RELATIONS = (
    "老婆|老公|妻子|丈夫|爱人|媳妇|对象|男朋友|女朋友|我妈|我爸|妈妈|爸爸|父母|儿子|女儿|孩子"
    "|朋友|同事|亲戚|家人|别人|(?<!其)他|(?<!其)她"
)
_SOMEONE_ELSES = re.compile(
    rf"(?:{_RELATIONS})(?:的|那张|这张|那|的那张)?(?:信用卡|卡|尾号|账单|积分|额度)"
    r"|[帮替给](?:他|她)(?:挂失|冻结|解冻|激活|注销|销卡|补卡|提额|改密码|重置密码|查)"
)

# Digits as people type them: "123456", "12 34 56", "1234-5678" (the normaliser made them half-width).
_SPACED_DIGITS = r"\d(?:[ -]?\d)*"
_FILLER = r"[^\d,.!?;尾末后]{0,8}?"
# A message that is only an answer to the bot's question: digits, perhaps hedged ("应该是1111那张吧").
_BARE_ANSWER = re.compile(
    r"[\s.,!?~:]*(?:我的|卡号|号码)?(?:应该|大概|好像|可能|就)?(?:是|为)?[\s:]*"
    rf"({_SPACED_DIGITS})"
    r"(?:的|这张|那张)?(?:卡)?(?:吧|啊|呀|哦|嗯|呢|哈)?[\s.,!?~]*"
)
_TICKET = re.compile(r"(?<![A-Za-z0-9])[Tt][ -]?(\d(?:[ -]?\d){2,13})(?!\d)")
# An id given after its name, perhaps without the leading T ("工单号 2611 2300 01"); any such token is
# taken, so that an id the customer mistyped is answered as unknown instead of being ignored.
_TICKET_NAMED = re.compile(
    r"(?:工单|(?<!订)单号|编号)(?:号|编号)?(?:是|为|:)?\s*"
    r"([A-Za-z0-9](?:[ -]?[A-Za-z0-9]){3,15})(?![A-Za-z0-9])"
)
_PHONE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d(?:[ -]?\d{4}){2})(?!\d)")
_CODE = re.compile(
    rf"(?:验证码|校验码|动态码|短信码|(?<![密四4尾])码|(?i:code|otp)){_FILLER}(?:是|为|:)?\s*(?:多少)?\s*"
    r"(\d(?:[ -]?\d){3,7})(?![ -]?\d)"
)
_TAIL_WORD = (
    r"(?:尾号|尾码|尾数|卡尾|(?:卡号)?(?:最后|后|末)(?:四|4)(?:位|码|个数字|个数|位数)?"
    r"|(?i:ending(?: in| with)?|last (?:4|four)(?: digits)?))"
)
_TAIL = re.compile(
    rf"{_TAIL_WORD}{_FILLER}(?:是|为|:)?\s*(\d(?:[ -]?\d){{3}})(?![ -]?\d)"
    r"|(?<![\d.])(\d{4})(?=(?:的|这张|那张|这个)?(?:卡|这张|那张))"
)
# A card number the front door masked (contract/pii.py keeps the last four: "************7890"): its tail.
_MASKED_CARD = re.compile(r"(?<![\d*])\*{8,}[ -]?(\d{4})(?![ -]?\d)")
# 本期/这期 name the statement most recently issued, 上期 the one before: a count of statements back,
# not a calendar month (the bill of "this month" may not be issued yet).
_BILL_CYCLES = {
    "本期": 0,
    "这期": 0,
    "这一期": 0,
    "当期": 0,
    "最近一期": 0,
    "上期": 1,
    "上一期": 1,
    "前一期": 1,
    "上上期": 2,
}
_BILL_CYCLE = re.compile("|".join(sorted(map(re.escape, _BILL_CYCLES), key=len, reverse=True)))
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
    # 那笔2000的, 一笔6800的机票, 3000多的那笔: a number naming one spending is its amount
    re.compile(rf"笔\s*(\d+(?:\.\d+)?){_NOT_MONEY_AFTER}"),
    re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)多?的(?:那|这)一?笔"),
]
# Chinese numerals with a magnitude (两千五, 一万二, 三百) and no money word: still an amount here.
_CN_AMOUNT = re.compile(rf"({CHINESE_NUMBER}){_NOT_MONEY_AFTER}")

# Earlier entity types win an overlap: a ticket number holds digits that also look like an amount.
_PRIORITY = {name: rank for rank, name in enumerate(ENTITY_TYPES)}


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
        patterns += [
            {"label": "frustration", "pattern": phrase, "id": "misunderstood"}
            for phrase in FRUSTRATION_PHRASES
        ]
        patterns += [
            {"label": "hardship", "pattern": phrase, "id": "cannot_pay"} for phrase in HARDSHIP_PHRASES
        ]
        patterns += [{"label": "not_own_card", "pattern": bank, "id": "other_bank"} for bank in OTHER_BANKS]
        ruler.add_patterns(patterns)
        return nlp

    def extract(self, text: str) -> list[FoundEntity]:
        if not text:
            return []
        candidates = [
            *self._lexicon(text),
            *self._someone_elses(text),
            *self._numbers(text),
            *self._dates(text),
        ]
        return _resolve_overlaps(candidates)

    def _lexicon(self, text: str) -> Iterator[FoundEntity]:
        for ent in self._nlp(text).ents:
            yield FoundEntity(ent.label_, ent.start_char, ent.end_char, ent.ent_id_, ent.text)

    def _someone_elses(self, text: str) -> Iterator[FoundEntity]:
        for m in _SOMEONE_ELSES.finditer(text):
            yield FoundEntity("not_own_card", m.start(), m.end(), "someone_else", m.group(0))

    def _numbers(self, text: str) -> Iterator[FoundEntity]:
        for m in _TICKET.finditer(text):
            yield FoundEntity("ticket_id", m.start(), m.end(), ticket_id_value(m.group(0)), m.group(0))
        for m in _TICKET_NAMED.finditer(text):
            yield _group("ticket_id", m, 1, ticket_id_value(m.group(1)))
        for m in _PHONE.finditer(text):
            yield _group("phone", m, 1, _digits(m.group(1)))
        for m in _CODE.finditer(text):
            yield _group("verification_code", m, 1, _digits(m.group(1)))
        for m in _MASKED_CARD.finditer(text):
            yield _group("card_tail", m, 1, m.group(1))
        for m in _TAIL.finditer(text):
            group = 1 if m.group(1) else 2
            yield _group("card_tail", m, group, _digits(m.group(group)))
        bare = _BARE_ANSWER.fullmatch(text)
        if bare:
            # A message that only gives digits answers the bot's question: 4 → card tail, 6 → code.
            kind = {4: "card_tail", 6: "verification_code"}.get(len(_digits(bare.group(1))))
            if kind:
                yield _group(kind, bare, 1, _digits(bare.group(1)))
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
        for m in _BILL_CYCLE.finditer(text):
            yield FoundEntity("bill_cycle", m.start(), m.end(), _BILL_CYCLES[m.group(0)], m.group(0))
        for span in find_dates(text, self._today()):
            yield FoundEntity("date", span.start, span.end, span.value, text[span.start : span.end])


def ticket_id_value(typed: str) -> str:
    """A ticket id as the ticket API spells it: upper case, no separators, a missing leading T added."""
    value = re.sub(r"[\s-]", "", typed).upper()
    return "T" + value if value.isdigit() else value


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _group(entity: str, m: re.Match[str], group: int, value: Any) -> FoundEntity:
    return FoundEntity(entity, m.start(group), m.end(group), value, m.group(group))


def _resolve_overlaps(candidates: Iterable[FoundEntity]) -> list[FoundEntity]:
    ranked = sorted(candidates, key=lambda e: (_PRIORITY[e.entity], -(e.end - e.start), e.start))
    chosen: list[FoundEntity] = []
    for found in ranked:
        if all(found.end <= c.start or found.start >= c.end for c in chosen):
            chosen.append(found)
    return sorted(chosen, key=lambda e: e.start)
