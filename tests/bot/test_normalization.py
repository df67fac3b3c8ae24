from __future__ import annotations

import pytest

from bot.normalization import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我的卡還有多少額度", "我的卡还有多少额度"),
        ("請幫我掛失信用卡", "请帮我挂失信用卡"),
        ("帳單分期", "账单分期"),
        ("尾號１２３４", "尾号1234"),
        ("ＡＰＰ登录不了", "APP登录不了"),
        ("我　要 转 人 工", "我要转人工"),
        ("卡号 6222 0212", "卡号6222 0212"),
        ("  在吗？？？  ", "在吗?"),
        ("转人工！！！", "转人工!"),
        ("额度\u200b多少", "额度多少"),
        ("你好", "你好"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_origin_points_back_to_original_characters() -> None:
    raw = "  尾號 １２３４ 的卡"
    result = normalize(raw)

    assert result.text == "尾号1234的卡"
    start = result.text.index("1234")
    assert [raw[result.origin[i]] for i in range(start, start + 4)] == list("１２３４")


def test_map_span_moves_entity_onto_normalised_text() -> None:
    raw = "卡 尾號 １２３４"
    result = normalize(raw)

    span = result.map_span(raw.index("１"), len(raw))

    assert span is not None
    assert result.text[span[0] : span[1]] == "1234"


def test_map_span_of_removed_characters_is_none() -> None:
    result = normalize("好   的")
    assert result.map_span(1, 4) is None
