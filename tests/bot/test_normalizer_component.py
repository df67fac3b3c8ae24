from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.normalizer import ChineseTextNormalizer


def _normalizer(model_storage, resource, execution_context) -> ChineseTextNormalizer:
    return ChineseTextNormalizer.create(
        ChineseTextNormalizer.get_default_config(), model_storage, resource, execution_context
    )


def test_process_rewrites_message_text(model_storage, resource, execution_context) -> None:
    message = Message(data={"text": "我的卡還有多少額度？？"})

    _normalizer(model_storage, resource, execution_context).process([message])

    assert message.get("text") == "我的卡还有多少额度?"


def test_training_entities_follow_the_rewritten_text(model_storage, resource, execution_context) -> None:
    text = "尾號 １２３４ 的卡掛失"
    start = text.index("１")
    message = Message(
        data={
            "text": text,
            "intent": "report_lost_card",
            "entities": [{"start": start, "end": start + 4, "value": "１２３４", "entity": "card_tail"}],
        }
    )

    _normalizer(model_storage, resource, execution_context).process_training_data(TrainingData([message]))

    assert message.get("text") == "尾号1234的卡挂失"
    assert message.get("entities") == [{"start": 2, "end": 6, "value": "1234", "entity": "card_tail"}]


def test_synonym_values_are_kept(model_storage, resource, execution_context) -> None:
    text = "我的 白金卡"
    message = Message(
        data={
            "text": text,
            "entities": [{"start": 3, "end": 6, "value": "platinum", "entity": "card_type"}],
        }
    )

    _normalizer(model_storage, resource, execution_context).process([message])

    assert message.get("text") == "我的白金卡"
    assert message.get("entities") == [{"start": 2, "end": 5, "value": "platinum", "entity": "card_type"}]


def test_messages_without_text_are_untouched(model_storage, resource, execution_context) -> None:
    message = Message(data={"action_name": "utter_greet"})

    _normalizer(model_storage, resource, execution_context).process([message])

    assert message.get("text") is None
