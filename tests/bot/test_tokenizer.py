from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.tokenizer import BankingJiebaTokenizer


def _tokens(tokenizer: BankingJiebaTokenizer, text: str) -> list[tuple[str, int, int]]:
    return [(t.text, t.start, t.end) for t in tokenizer.tokenize(Message(data={"text": text}), "text")]


def test_tokens_and_offsets(make_tokenizer) -> None:
    assert _tokens(make_tokenizer(), "我要挂失信用卡") == [
        ("我要", 0, 2),
        ("挂失", 2, 4),
        ("信用卡", 4, 7),
    ]


@pytest.mark.parametrize("word", ["白金卡", "临时额度", "账单分期", "挂失", "转人工", "可用额度"])
def test_banking_words_stay_whole(make_tokenizer, word: str) -> None:
    text = f"请问{word}怎么办"
    tokens = _tokens(make_tokenizer(), text)

    assert (word, 2, 2 + len(word)) in tokens


def test_offsets_index_into_the_text(make_tokenizer) -> None:
    text = "尾号1234的白金卡临时额度能提到5万吗"
    for word, start, end in _tokens(make_tokenizer(), text):
        assert text[start:end] == word


def test_whitespace_tokens_are_dropped(make_tokenizer) -> None:
    tokens = _tokens(make_tokenizer(), "卡号 6222 0212")
    assert [t[0] for t in tokens] == ["卡号", "6222", "0212"]
    assert tokens[1][1:] == (3, 7)


def test_without_user_dictionary_banking_words_split(make_tokenizer) -> None:
    # Guards the point of the dictionary: jieba alone does not keep this domain term whole.
    plain = _tokens(make_tokenizer(dictionary_path=None), "临时额度")
    assert ("临时额度", 0, 4) not in plain


def test_dictionary_is_stored_in_the_model(
    make_tokenizer, model_storage, resource, execution_context
) -> None:
    tokenizer = make_tokenizer()
    tokenizer.train(TrainingData())

    loaded = BankingJiebaTokenizer.load(
        BankingJiebaTokenizer.get_default_config(), model_storage, resource, execution_context
    )

    assert ("账单分期", 0, 4) in _tokens(loaded, "账单分期")
