from __future__ import annotations

import pytest

from bot.pii import mask_pii


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("卡号6222021234567890", "卡号************7890"),
        ("卡号 6222 0212 3456 7890 123", "卡号 ***************0123"),
        ("卡号6222-0212-3456-7890", "卡号************7890"),
        ("手机13812345678", "手机138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("身份证11010519491231002X", "身份证110105********002X"),
        ("身份证110105194912310021号", "身份证110105********0021号"),
    ],
)
def test_masks_personal_numbers(raw: str, expected: str) -> None:
    assert mask_pii(raw) == expected


@pytest.mark.parametrize(
    "text",
    ["尾号1234", "验证码583920", "金额12345.67元", "工单T20261101001", "2026年11月23日", "你好"],
)
def test_leaves_other_numbers_alone(text: str) -> None:
    assert mask_pii(text) == text
