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
