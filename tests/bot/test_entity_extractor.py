from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.components.entity_extractor import BankingEntityExtractor


def _make(execution_context, model_storage, resource, **overrides) -> BankingEntityExtractor:
    config = {
        **BankingEntityExtractor.get_default_config(),
        "reference_date": "2026-11-23",
        **overrides,
    }
    return BankingEntityExtractor.create(config, model_storage, resource, execution_context)


def test_sets_normalised_entities(execution_context, model_storage, resource) -> None:
    message = Message(data={"text": "上个月尾号1234的卡被刷了两千块"})

    _make(execution_context, model_storage, resource).process([message])

    assert message.get("entities") == [
        {
            "entity": "date",
            "start": 0,
            "end": 3,
            "value": "2026-10",
            "confidence": 1.0,
            "extractor": "BankingEntityExtractor",
        },
        {
            "entity": "card_tail",
            "start": 5,
            "end": 9,
            "value": "1234",
            "confidence": 1.0,
            "extractor": "BankingEntityExtractor",
        },
        {
            "entity": "amount",
            "start": 14,
            "end": 16,
            "value": 2000,
            "confidence": 1.0,
            "extractor": "BankingEntityExtractor",
        },
    ]


def test_only_configured_entities(execution_context, model_storage, resource) -> None:
    message = Message(data={"text": "气死了，尾号1234"})

    _make(execution_context, model_storage, resource, entities=["emotion"]).process([message])

    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("emotion", "angry")]


def test_keeps_entities_from_other_extractors(execution_context, model_storage, resource) -> None:
    earlier = {"entity": "card_type", "start": 0, "end": 2, "value": "gold", "extractor": "Other"}
    message = Message(data={"text": "金卡 验证码583920", "entities": [earlier]})

    _make(execution_context, model_storage, resource, entities=["verification_code"]).process([message])

    assert message.get("entities")[0] == earlier
    assert message.get("entities")[1]["value"] == "583920"


def test_message_without_entities_is_untouched(execution_context, model_storage, resource) -> None:
    message = Message(data={"text": "你好"})

    _make(execution_context, model_storage, resource).process([message])

    assert message.get("entities") is None


def test_traditional_full_width_spaced_digits_after_the_normaliser(
    execution_context, model_storage, resource
) -> None:
    from bot.components.normalizer import ChineseTextNormalizer

    normalizer = ChineseTextNormalizer.create({}, model_storage, resource, execution_context)
    message = Message(data={"text": "末四碼是 １２ ３４，驗證碼：５８ ３９ ２０"})

    normalizer.process([message])
    _make(execution_context, model_storage, resource).process([message])

    assert message.get("text") == "末四码是12 34,验证码:58 39 20"
    assert [(e["entity"], e["start"], e["end"], e["value"]) for e in message.get("entities")] == [
        ("card_tail", 4, 9, "1234"),
        ("verification_code", 14, 22, "583920"),
    ]


def test_relative_weekday_and_chinese_amount(execution_context, model_storage, resource) -> None:
    message = Message(data={"text": "上个礼拜五刷了一千八百五十元"})

    _make(execution_context, model_storage, resource).process([message])

    assert [(e["entity"], e["start"], e["end"], e["value"]) for e in message.get("entities")] == [
        ("date", 0, 5, "2026-11-20"),
        ("amount", 7, 13, 1850),
    ]
