"""The retrain report: F1 per intent before and after, changed confusions, exported lines still misread."""

from pathlib import Path

from bot.evaluation.before_after import Comparison, report
from bot.evaluation.dataset import Dataset, Example


def _dataset(name: str, rows: list[tuple[str, str]]) -> Dataset:
    return Dataset(name, Path(f"{name}.tsv"), [Example(text, intent) for text, intent in rows])


def test_the_report_compares_before_with_after() -> None:
    heldout = _dataset(
        "heldout", [("积分多少", "query_points"), ("账单多少", "query_bill"), ("卡丢了", "report_lost_card")]
    )
    comparison = Comparison(
        heldout,
        before=["query_bill", "query_bill", "report_lost_card"],
        after=["query_points", "query_bill", "freeze_card"],
    )
    exported = _dataset(
        "inbox", [("卡面能印猫吗", "ask_card_application"), ("个性卡面", "ask_card_application")]
    )

    text = report([comparison], exported, ["ask_card_application", "nlu_fallback"])

    assert "| query_points | 1 | 0.000 | 1.000 | +1.000 |" in text
    assert "| query_bill | 1 | 0.667 | 1.000 | +0.333 |" in text
    assert "| report_lost_card | 1 | 1.000 | 0.000 | -1.000 |" in text
    assert "- query_points → query_bill: 1 → 0" in text
    assert "- report_lost_card → freeze_card: 0 → 1" in text
    assert "still misreads: 1 of 2 (1 as fallback)" in text
    assert "- 个性卡面: labelled ask_card_application, read as nlu_fallback" in text
    assert "卡面能印猫吗:" not in text


def test_without_a_model_before_only_after_is_shown() -> None:
    heldout = _dataset("heldout", [("积分多少", "query_points")])
    text = report([Comparison(heldout, before=None, after=["query_points"])], None, [])
    assert "| query_points | 1 | – | 1.000 | – |" in text
    assert "(no model before to compare with)" in text
