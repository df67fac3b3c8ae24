from __future__ import annotations

from datetime import date

import pytest

from bot.entity_rules import EntityRules
from contract.pii import mask_account_numbers


@pytest.fixture(scope="module")
def rules() -> EntityRules:
    return EntityRules(today=lambda: date(2026, 11, 23))


def _found(rules: EntityRules, text: str) -> list[tuple[str, int, int, object]]:
    return [(e.entity, e.start, e.end, e.value) for e in rules.extract(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("尾号1234的卡丢了", [("card_tail", 2, 6, "1234")]),
        ("卡号后四位是0318", [("card_tail", 6, 10, "0318")]),
        ("7135这张", [("card_tail", 0, 4, "7135")]),
        ("5678", [("card_tail", 0, 4, "5678")]),
        ("我的手机是13512345678", [("phone", 5, 16, "13512345678")]),
        ("+86 138-1234-5678", [("phone", 4, 17, "13812345678")]),
        ("验证码是583920", [("verification_code", 4, 10, "583920")]),
        ("583920", [("verification_code", 0, 6, "583920")]),
        ("工单t20261101001进度", [("ticket_id", 2, 14, "T20261101001")]),
    ],
)
def test_digit_entities(rules: EntityRules, text: str, expected: list) -> None:
    assert _found(rules, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("两千块", [("amount", 0, 2, 2000)]),
        ("5千元", [("amount", 0, 2, 5000)]),
        ("一万二", [("amount", 0, 3, 12000)]),
        ("金额1299.5", [("amount", 2, 8, 1299.5)]),
        ("大概800块钱", [("amount", 2, 5, 800)]),
        ("额度提到5万", [("amount", 4, 6, 50000)]),
        ("分12期", []),
        ("消费了3次", []),
        ("京东那笔2000的", [("amount", 4, 8, 2000)]),
        ("一笔6800的机票", [("amount", 2, 6, 6800)]),
        ("3000多的那笔", [("amount", 0, 4, 3000)]),
        ("有3笔", []),
    ],
)
def test_amounts(rules: EntityRules, text: str, expected: list) -> None:
    assert _found(rules, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本月", [("date", 0, 2, "2026-11")]),
        ("上个月的账单", [("date", 0, 3, "2026-10")]),
        ("3月5号那笔", [("date", 0, 4, "2026-03-05")]),
        ("十月的账单", [("date", 0, 2, "2026-10")]),
        ("2026年3月5日", [("date", 0, 9, "2026-03-05")]),
        ("2026-02-30", []),
        ("昨天的", [("date", 0, 2, "2026-11-22")]),
        ("上周", [("date", 0, 2, "2026-W47")]),
        ("5号那笔", [("date", 0, 2, "2026-11-05")]),
        ("28号那笔", [("date", 0, 3, "2026-10-28")]),
        ("1月的流水", [("date", 0, 2, "2026-01")]),
    ],
)
def test_dates(rules: EntityRules, text: str, expected: list) -> None:
    assert _found(rules, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # spaced and hyphenated digits (full-width ones arrive half-width from the normaliser)
        ("12 34 56", [("verification_code", 0, 8, "123456")]),
        ("验证码是58 39 20", [("verification_code", 4, 12, "583920")]),
        ("12 34", [("card_tail", 0, 5, "1234")]),
        ("尾号是12-34的卡", [("card_tail", 3, 8, "1234")]),
        # extra words around the digits
        ("尾数是8888", [("card_tail", 3, 7, "8888")]),
        ("验证码发过来了:123456", [("verification_code", 8, 14, "123456")]),
        ("应该是1111那张", [("card_tail", 3, 7, "1111")]),
        ("应该是1111吧", [("card_tail", 3, 7, "1111")]),
        ("好像是 5678", [("card_tail", 4, 8, "5678")]),
        ("收到的码是 246810", [("verification_code", 6, 12, "246810")]),
        # the wording of Traditional text once normalised (末四碼 → 末四码), and other names of the tail
        ("末四码是1234", [("card_tail", 4, 8, "1234")]),
        ("卡号末4位5678", [("card_tail", 5, 9, "5678")]),
        ("尾码2345的卡", [("card_tail", 2, 6, "2345")]),
        # a code keyword earlier in the message does not take the tail named after it
        ("验证码没收到,尾号1234", [("card_tail", 9, 13, "1234")]),
        ("我的手机138 1234 5678", [("phone", 4, 17, "13812345678")]),
        ("1234 5678", []),
        # a full card number as the front door passes it on, masked but for its tail (contract/pii.py)
        ("************7890", [("card_tail", 12, 16, "7890")]),
        ("卡号是***************1234丢了", [("card_tail", 18, 22, "1234")]),
        ("****1234", []),
        # English
        ("the card ending in 4321", [("card_tail", 19, 23, "4321")]),
        ("Last four digits are 5678", [("card_tail", 21, 25, "5678")]),
        ("my code is 12 34 56", [("verification_code", 11, 19, "123456")]),
        ("OTP: 246810", [("verification_code", 5, 11, "246810")]),
    ],
)
def test_digits_as_people_type_them(rules: EntityRules, text: str, expected: list) -> None:
    assert _found(rules, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("t 2611 2300 01", [("ticket_id", 0, 14, "T2611230001")]),
        ("工单号2611230001怎么样了", [("ticket_id", 3, 13, "T2611230001")]),
        ("我的工单编号 t261123 0001", [("ticket_id", 7, 19, "T2611230001")]),
        # an id that cannot be right is still taken, so the bot can say it is unknown
        ("工单号ABC-1234", [("ticket_id", 3, 11, "ABC1234")]),
        ("订单号12345678扣了两次", []),
        ("查工单进度", []),
    ],
)
def test_ticket_ids_as_typed(rules: EntityRules, text: str, expected: list) -> None:
    assert _found(rules, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本期账单", [("bill_cycle", 0, 2, 0)]),
        ("这期最低还多少", [("bill_cycle", 0, 2, 0)]),
        ("上期的", [("bill_cycle", 0, 2, 1)]),
        ("上上期账单还了没", [("bill_cycle", 0, 3, 2)]),
    ],
)
def test_bill_cycles(rules: EntityRules, text: str, expected: list) -> None:
    assert _found(rules, text) == expected


def test_chinese_numeral_amount(rules: EntityRules) -> None:
    assert _found(rules, "还了一千八百五十元") == [("amount", 2, 8, 1850)]


def test_longest_card_type_wins(rules: EntityRules) -> None:
    assert _found(rules, "我的白金卡额度提到5万") == [
        ("card_type", 2, 5, "platinum"),
        ("amount", 9, 11, 50000),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [("是金卡", "gold"), ("普卡那张", "standard"), ("钻石卡", "diamond"), ("借记卡", "debit")],
)
def test_card_types(rules: EntityRules, text: str, value: str) -> None:
    [(entity, *_rest, found)] = _found(rules, text)
    assert (entity, found) == ("card_type", value)


def test_angry_emotion(rules: EntityRules) -> None:
    assert _found(rules, "气死我了，什么垃圾银行") == [
        ("emotion", 0, 4, "angry"),
        ("emotion", 7, 9, "angry"),
    ]


def test_case_insensitive_abuse(rules: EntityRules) -> None:
    assert _found(rules, "TMD") == [("emotion", 0, 3, "angry")]


@pytest.mark.parametrize("text", ["密码是123456", "你好", "积分能换什么", ""])
def test_no_entities(rules: EntityRules, text: str) -> None:
    assert _found(rules, text) == []


def test_ticket_digits_are_not_an_amount(rules: EntityRules) -> None:
    assert [e.entity for e in rules.extract("单号T20261020017还没处理")] == ["ticket_id"]


def test_offsets_index_into_the_text(rules: EntityRules) -> None:
    text = "尾号4411的白金卡昨天被刷了3000元，手机13912345678"
    for entity in rules.extract(text):
        assert text[entity.start : entity.end] == entity.text


@pytest.mark.parametrize("typed", ["6225 8888 1234 7890", "6225-8888-1234-7890", "卡号6225888812347890"])
def test_card_number_masked_at_the_front_door_gives_its_tail(rules: EntityRules, typed: str) -> None:
    found = rules.extract(mask_account_numbers(typed))
    assert [(e.entity, e.value) for e in found] == [("card_tail", "7890")]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("你到底懂不懂", "frustration", "misunderstood"),
        ("you dont understand", "frustration", "misunderstood"),
        ("实在还不上了", "hardship", "cannot_pay"),
        ("查下我老婆的账单", "not_own_card", "someone_else"),
        ("建行那张卡的账单", "not_own_card", "other_bank"),
    ],
)
def test_signals_for_the_dialogue(rules: EntityRules, text: str, entity: str, value: str) -> None:
    assert [(found[0], found[-1]) for found in _found(rules, text)] == [(entity, value)]


@pytest.mark.parametrize(
    "text", ["下个月我女儿结婚，额度不够用", "同事说积分能换里程", "还有其他卡吗", "是我老婆刷的"]
)
def test_a_relative_merely_mentioned_is_no_one_elses_card(rules: EntityRules, text: str) -> None:
    assert "not_own_card" not in [found[0] for found in _found(rules, text)]
