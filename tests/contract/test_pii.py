import pytest

from contract.pii import find_mobile, mask_account_numbers, mask_pii


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("卡号6222021234567890", "卡号************7890"),
        ("卡号6222021234567890123", "卡号***************0123"),
        ("卡号 6222 0212 3456 7890 123", "卡号 ***************0123"),
        ("卡号 6222 0212 3456 7890 还款", "卡号 ************7890 还款"),
        ("卡号6222-0212-3456-7890", "卡号************7890"),
        ("手机13812345678", "手机138****5678"),
        ("手机 138 1234 5678", "手机 138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("电话+86 13800138001。", "电话138****8001。"),
        ("身份证11010519491231002X", "身份证**************002X"),
        ("身份证110105194912310021号", "身份证**************0021号"),
        ("身份证 110105 19491231 002x", "身份证 **************002x"),
        ("身份证１１０１０５１９４９１２３１００２Ｘ", "身份证**************００２Ｘ"),
        ("卡号６２２２０２１２３４５６７８９０", "卡号************７８９０"),
        ("卡号6222\u30000212\u30003456\u30007890", "卡号************7890"),
        ("卡号6222－0212－3456－7890", "卡号************7890"),
        ("手机１３８１２３４５６７８", "手机１３８****５６７８"),
        ("＋８６ １３８ １２３４ ５６７８", "１３８****５６７８"),
        ("电话138—1234—5678，卡6222 0212 3456 7890", "电话138****5678，卡************7890"),
    ],
)
def test_masks_personal_numbers(raw: str, expected: str) -> None:
    assert mask_pii(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "尾号1234",
        "尾号１２３４",
        "验证码583920",
        "金额12345.67元",
        "尾号1234，金额5000元",
        "工单T20261101001",
        "2026年11月23日",
        "2026-11-23",
        "你好",
    ],
)
def test_leaves_other_numbers_alone(text: str) -> None:
    assert mask_pii(text) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("卡号6222 0212 3456 7890，手机13812345678", "卡号************7890，手机13812345678"),
        ("身份证11010519491231002X", "身份证**************002X"),
        # A mobile with its country code is 13 digits, as long as the shortest card number: it stays a mobile.
        ("+86 138-1234-5678", "+86 138-1234-5678"),
        ("86 13812345678", "86 13812345678"),
    ],
)
def test_account_numbers_only_keeps_mobiles_for_callbacks(raw: str, expected: str) -> None:
    assert mask_account_numbers(raw) == expected


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("请打１３８ １２３４ ５６７８回我", "13812345678"),
        ("+86-139-8765-4321", "13987654321"),
        ("卡号6222021234567890，身份证11010519491231002X", None),  # no mobile among them
        ("座机010-12345678", None),
    ],
)
def test_find_mobile_gives_the_first_mobile_as_ascii_digits(text: str, number: str | None) -> None:
    assert find_mobile(text) == number
