from pathlib import Path

import pytest

from bot.evaluation.baseline import BaselineTrainingError, seeded_config, training_hash
from bot.evaluation.cli import parse_args
from bot.evaluation.dataset import Dataset, DatasetError, Example, load_tsv
from bot.evaluation.metrics import (
    accuracy,
    confused_pairs,
    macro_f1,
    per_intent_scores,
    per_source_scores,
    percentile,
    score,
)
from bot.evaluation.predict import Prediction, to_prediction
from bot.evaluation.report import RunInfo, format_summary, paired_rows, write_run
from bot.evaluation.results import DatasetResult, ModelInfo, score_predictions

GOLD = ["greet", "greet", "greet", "deny", "deny", "thank"]
PREDICTED = ["greet", "greet", "deny", "deny", "greet", "nlu_fallback"]
TEXTS = ["t1", "t2", "t3", "t4", "t5", "t6"]


def test_accuracy_counts_exact_matches() -> None:
    assert accuracy(GOLD, PREDICTED) == pytest.approx(3 / 6)


def test_per_intent_precision_recall_f1() -> None:
    scores = per_intent_scores(GOLD, PREDICTED)
    greet, deny, thank = scores["greet"], scores["deny"], scores["thank"]
    assert (greet.precision, greet.recall, greet.support, greet.predicted) == (
        pytest.approx(2 / 3),
        pytest.approx(2 / 3),
        3,
        3,
    )
    assert greet.f1 == pytest.approx(2 / 3)
    assert (deny.precision, deny.recall) == (pytest.approx(1 / 2), pytest.approx(1 / 2))
    assert (thank.precision, thank.recall, thank.f1) == (0.0, 0.0, 0.0)
    assert scores["nlu_fallback"].support == 0
    assert scores["nlu_fallback"].predicted == 1


def test_macro_f1_only_averages_intents_with_enough_rows() -> None:
    assert macro_f1(GOLD, PREDICTED, min_support=1) == (
        pytest.approx((2 / 3 + 1 / 2 + 0) / 3),
        ["deny", "greet", "thank"],
    )
    assert macro_f1(GOLD, PREDICTED, min_support=2) == (pytest.approx((2 / 3 + 1 / 2) / 2), ["deny", "greet"])
    assert macro_f1(GOLD, PREDICTED, min_support=3) == (pytest.approx(2 / 3), ["greet"])
    assert macro_f1(GOLD, PREDICTED, min_support=4) == (0.0, [])


def test_fallback_is_a_wrong_prediction_that_lowers_no_average_by_itself() -> None:
    scores = score(GOLD, PREDICTED, TEXTS, min_support=1)
    assert "nlu_fallback" not in scores.macro_intents
    assert scores.fallback_rate == pytest.approx(1 / 6)


def test_confused_pairs_ranked_by_count_with_at_most_three_examples() -> None:
    gold = ["a", "a", "a", "a", "b", "b", "c"]
    predicted = ["b", "b", "b", "b", "c", "c", "a"]
    texts = ["x1", "x2", "x3", "x4", "y1", "y2", "z1"]
    pairs = confused_pairs(gold, predicted, texts, top=2)
    assert [(p.gold, p.predicted, p.count) for p in pairs] == [("a", "b", 4), ("b", "c", 2)]
    assert pairs[0].examples == ["x1", "x2", "x3"]


def test_per_source_breakdown() -> None:
    sources = ["s1", "s1", "s1", "s2", "s2", "s2"]
    by_source = {s.source: s for s in per_source_scores(GOLD, PREDICTED, sources)}
    assert by_source["s1"].rows == 3
    assert by_source["s1"].accuracy == pytest.approx(2 / 3)
    assert by_source["s2"].accuracy == pytest.approx(1 / 3)
    assert by_source["s2"].fallback_rate == pytest.approx(1 / 3)
    # s2 holds deny (P 1, R 1/2) and thank (0): macro over both intents present.
    assert by_source["s2"].macro_f1 == pytest.approx((2 / 3 + 0) / 2)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        accuracy(["a"], ["a", "b"])


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 0.5) == 10.0
    assert percentile(values, 0.95) == 19.0
    assert percentile([], 0.95) == 0.0


def test_top_non_fallback_intent_is_kept() -> None:
    parse = {
        "intent": {"name": "nlu_fallback", "confidence": 0.3},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.3},
            {"name": "greet", "confidence": 0.25},
        ],
    }
    prediction = to_prediction(parse, 4.0)
    assert (prediction.intent, prediction.top_intent, prediction.top_confidence) == (
        "nlu_fallback",
        "greet",
        0.25,
    )


def test_load_tsv_reads_rows_and_sources(tmp_path: Path) -> None:
    path = tmp_path / "labelled.tsv"
    path.write_text(
        'text\tintent\tsource\n你好\tgreet\tmine\n卡丢了 "急"\treport_lost_card\t\n\n', encoding="utf-8"
    )
    dataset = load_tsv(path)
    assert dataset.name == "labelled"
    assert dataset.examples == [
        Example("你好", "greet", "mine"),
        Example('卡丢了 "急"', "report_lost_card", None),
    ]
    assert dataset.has_sources


def test_load_tsv_bad_header_says_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("sentence\tlabel\n你好\tgreet\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad\.tsv: header must contain .*missing text, intent"):
        load_tsv(path)


def test_load_tsv_row_without_intent_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gaps.tsv"
    path.write_text("text\tintent\n你好\t\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"gaps\.tsv:2"):
        load_tsv(path)


def test_load_tsv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        load_tsv(tmp_path / "absent.tsv")


def _result(label: str, predicted: list[str], seed: int | None = None) -> tuple[ModelInfo, list[Prediction]]:
    info = ModelInfo(label, Path(f"models/{label}.tar.gz"), f"hash-{label}", 1.0, seed=seed)
    return info, [Prediction(p, 0.9, p, 0.9, 5.0) for p in predicted]


def test_report_has_side_by_side_rows_and_files(tmp_path: Path) -> None:
    dataset = Dataset(
        "demo",
        tmp_path / "demo.tsv",
        [Example(t, g, "s1" if i < 3 else "s2") for i, (t, g) in enumerate(zip(TEXTS, GOLD, strict=True))],
    )
    result = DatasetResult(dataset)
    ours_info, ours = _result("ours", PREDICTED)
    base_info, base = _result("baseline", ["greet"] * 6)
    result.models.append(score_predictions(ours_info, dataset, ours, min_support=2))
    result.models.append(score_predictions(base_info, dataset, base, min_support=2))
    run = RunInfo(
        started="2026-01-01T00:00:00", seconds=1.0, min_support=2, models=[ours_info, base_info], notes=[]
    )

    report = write_run(tmp_path / "out", run, [result])

    text = report.read_text(encoding="utf-8")
    # ours: accuracy 50.0, macro-F1 (greet 2/3, deny 1/2) = 58.3; baseline: 50.0, (greet 2/3, deny 0) = 33.3.
    assert "| demo | 6 | 50.0 | 50.0 | +0.0 | 58.3 | 33.3 | +25.0 | 33.3 | 16.7 |" in text
    assert "| greet | 3 | 66.7 | 66.7 | 66.7 | 50.0 | 100.0 | 66.7 | +0.0 |" in text
    assert "| thank * | 1 |" in text
    assert "| greet | deny | 1 | t3 |" in text
    assert "| s1 | 3 | 66.7 |" in text
    assert "NLU 评估报告" in text
    assert (tmp_path / "out" / "confusion_demo_ours.png").stat().st_size > 0
    predictions = (
        (tmp_path / "out" / "predictions_demo_baseline.tsv").read_text(encoding="utf-8").splitlines()
    )
    assert predictions[0].startswith("text\tintent\tpredicted")
    assert len(predictions) == 7
    assert "demo" in format_summary([result])


def test_paired_datasets_compare_row_for_row(tmp_path: Path) -> None:
    examples = [Example(t, g) for t, g in zip(TEXTS, GOLD, strict=True)]
    first, second = (
        DatasetResult(Dataset("simp", tmp_path, examples)),
        DatasetResult(Dataset("trad", tmp_path, examples)),
    )
    info, predictions = _result("ours", PREDICTED)
    first.models.append(score_predictions(info, first.dataset, predictions, min_support=2))
    _, all_greet = _result("ours", ["greet"] * 6)
    second.models.append(score_predictions(info, second.dataset, all_greet, min_support=2))

    # trad: accuracy 50.0 as simp, macro-F1 (greet 2/3, deny 0) = 33.3 vs 58.3; 3 of 6 predictions agree.
    assert paired_rows([first, second]) == [["trad vs simp", "ours", "+0.0", "-25.0", "50.0"]]
    assert "trad vs simp (ours): Δ acc +0.0, Δ macro-F1 -25.0, same prediction 50.0%" in format_summary(
        [first, second]
    )


def test_baseline_hash_follows_content_not_path(tmp_path: Path) -> None:
    config = tmp_path / "baseline_config.yml"
    config.write_text("pipeline: []\n", encoding="utf-8")
    (tmp_path / "nlu").mkdir()
    (tmp_path / "x").mkdir()
    data = tmp_path / "nlu" / "meta.yml"
    data.write_text("nlu: []\n", encoding="utf-8")
    first = training_hash(config, tmp_path / "nlu")
    assert training_hash(config, tmp_path / "x" / ".." / "nlu") == first
    data.write_text("nlu: [1]\n", encoding="utf-8")
    assert training_hash(config, tmp_path / "nlu") != first


def test_summary_averages_the_seeded_baseline_runs(tmp_path: Path) -> None:
    dataset = Dataset(
        "demo", tmp_path / "demo.tsv", [Example(t, g) for t, g in zip(TEXTS, GOLD, strict=True)]
    )
    result = DatasetResult(dataset)
    runs = [("ours", PREDICTED, None), ("baseline", ["greet"] * 6, 1), ("baseline_seed2", GOLD, 2)]
    infos = []
    for label, predicted, seed in runs:
        info, predictions = _result(label, predicted, seed)
        infos.append(info)
        result.models.append(score_predictions(info, dataset, predictions, min_support=2))
    run = RunInfo(started="2026-01-01T00:00:00", seconds=1.0, min_support=2, models=infos, notes=[])

    text = write_run(tmp_path / "out", run, [result]).read_text(encoding="utf-8")

    # baseline seed 1: accuracy 50.0, macro-F1 33.3; seed 2 is perfect: 100.0 and 100.0; means 75.0, 66.7.
    assert "| demo | 6 | 50.0 | 75.0 | -25.0 | 58.3 | 66.7 | -8.3 | 33.3/100.0 | 16.7 |" in text
    assert "| mean | 75.0 | 66.7 |" in text
    assert "| metric | ours | baseline (seed 1) | Δ |" in text
    assert (tmp_path / "out" / "predictions_demo_baseline_seed2.tsv").is_file()


def test_seeded_config_seeds_diet_only(tmp_path: Path) -> None:
    config = tmp_path / "baseline_config.yml"
    config.write_text(
        "pipeline:\n  - name: JiebaTokenizer\n  - name: DIETClassifier\n    epochs: 100\n", encoding="utf-8"
    )
    (tmp_path / "nlu").mkdir()
    (tmp_path / "nlu" / "meta.yml").write_text("nlu: []\n", encoding="utf-8")

    first, second = seeded_config(config, 1, tmp_path), seeded_config(config, 2, tmp_path)

    assert "random_seed: 1" in first.read_text(encoding="utf-8")
    assert first.read_text(encoding="utf-8").count("random_seed") == 1
    assert "epochs: 100" in second.read_text(encoding="utf-8")
    assert training_hash(first, tmp_path / "nlu") != training_hash(second, tmp_path / "nlu")


def test_seeded_config_without_diet_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "baseline_config.yml"
    config.write_text("pipeline:\n  - name: JiebaTokenizer\n", encoding="utf-8")
    with pytest.raises(BaselineTrainingError, match="no DIETClassifier"):
        seeded_config(config, 1, tmp_path)


def test_baseline_seeds_option() -> None:
    assert parse_args([]).baseline_seeds == (1, 2, 3)
    assert parse_args(["--baseline-seeds", "7"]).baseline_seeds == (7,)
    for bad in ("1,1", "a,b", "-1"):
        with pytest.raises(SystemExit):
            parse_args([f"--baseline-seeds={bad}"])
