from __future__ import annotations

from pathlib import Path

import joblib
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.char_ngram_classifier import CharNgramIntentClassifier, _pinyin_vectorizer

_EXAMPLES = {
    "report_lost_card": ["我的卡丢了", "卡被偷了", "帮我挂失", "卡找不到了要挂失"],
    "unfreeze_card": ["帮我解冻", "卡被冻结了怎么解开", "取消挂失", "解挂"],
    "query_points": ["我有多少积分", "积分怎么兑换", "积分会不会过期", "查积分"],
}


def _training_data() -> TrainingData:
    examples = [
        Message(data={"text": text, "intent": intent})
        for intent, texts in _EXAMPLES.items()
        for text in texts
    ]
    return TrainingData(examples, regex_features=[{"name": "kw_lost", "pattern": "丢|挂失"}])


def _classify(classifier: CharNgramIntentClassifier, text: str, tokenizer=None) -> Message:
    message = Message(data={"text": text})
    if tokenizer is not None:
        tokenizer.process([message])
    classifier.process([message])
    return message


def test_trains_persists_and_predicts(model_storage, resource, execution_context, make_tokenizer) -> None:
    tokenizer = make_tokenizer()
    training_data = tokenizer.process_training_data(_training_data())
    config = CharNgramIntentClassifier.get_default_config()
    CharNgramIntentClassifier.create(config, model_storage, resource, execution_context).train(training_data)

    loaded = CharNgramIntentClassifier.load(config, model_storage, resource, execution_context)
    message = _classify(loaded, "积分还剩多少", tokenizer)

    assert message.get("intent")["name"] == "query_points"
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking][0] == "query_points"
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6


def test_untrained_model_leaves_messages_alone(model_storage, resource, execution_context) -> None:
    config = CharNgramIntentClassifier.get_default_config()
    loaded = CharNgramIntentClassifier.load(config, model_storage, resource, execution_context)

    assert _classify(loaded, "你好").get("intent") is None


def test_pinyin_ngrams_let_a_homophone_typo_share_features_with_the_right_word() -> None:
    pinyin_ngrams = _pinyin_vectorizer().build_analyzer()
    assert pinyin_ngrams("账担") == pinyin_ngrams("账单") == ["zhang", "dan", "zhang dan"]
    assert "ji huo" in pinyin_ngrams("机活信用卡")
    # Digits and Latin letters stay as they are.
    assert "app" in " ".join(pinyin_ngrams("app登不上"))


def test_pinyin_features_classify_a_homophone_typo(model_storage, resource, execution_context) -> None:
    examples = {
        "activate_card": ["激活", "卡要激活", "激活新卡"],
        "query_bill": ["账单", "查账单", "本月账单"],
    }
    training_data = TrainingData(
        [Message(data={"text": t, "intent": i}) for i, texts in examples.items() for t in texts]
    )
    config = {**CharNgramIntentClassifier.get_default_config(), "word_features": False}
    predictions = {}
    for pinyin in (False, True):
        classifier = CharNgramIntentClassifier.create(
            {**config, "pinyin_features": pinyin}, model_storage, resource, execution_context
        )
        classifier.train(training_data)
        predictions[pinyin] = [_classify(classifier, text).get("intent")["name"] for text in ("机活", "帐担")]

    # No character of 机活 or 帐担 occurs in the training data: only their sound points to the intent.
    assert predictions[True] == ["activate_card", "query_bill"]
    assert predictions[False] != predictions[True]


def test_network_ensemble_trains_persists_and_predicts(
    model_storage, resource, execution_context, make_tokenizer
) -> None:
    tokenizer = make_tokenizer()
    training_data = tokenizer.process_training_data(_training_data())
    config = {**CharNgramIntentClassifier.get_default_config(), "mlp_hidden_units": 16, "mlp_epochs": 200}
    CharNgramIntentClassifier.create(config, model_storage, resource, execution_context).train(training_data)

    loaded = CharNgramIntentClassifier.load(config, model_storage, resource, execution_context)
    for text, intent in [("积分还剩多少", "query_points"), ("卡丢了怎么办", "report_lost_card")]:
        ranking = _classify(loaded, text, tokenizer).get("intent_ranking")
        assert ranking[0]["name"] == intent
        assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    # The optimiser's state (two moment estimates per weight) is training's alone: not kept, not loaded.
    with model_storage.read_from(resource) as directory:
        stored = joblib.load(Path(directory) / "char_ngram_classifier.joblib")
    for bundle in (stored, loaded._bundle):
        network = bundle["model"].named_estimators_["network"]
        assert network.coefs_ and not hasattr(network, "_optimizer")


def test_sentence_encoder_decides_what_the_first_model_is_unsure_about(
    model_storage, resource, execution_context, make_tokenizer
) -> None:
    tokenizer = make_tokenizer()
    training_data = tokenizer.process_training_data(_training_data())
    config = CharNgramIntentClassifier.get_default_config()
    classifiers = {}
    for weight in (0.0, 1.0):
        classifiers[weight] = CharNgramIntentClassifier.create(
            {**config, "sentence_encoder_weight": weight}, model_storage, resource, execution_context
        )
        classifiers[weight].train(training_data)

    def intents(weight: float, text: str) -> list[dict]:
        return _classify(classifiers[weight], text, tokenizer).get("intent_ranking")

    english = {
        "someone stole my credit card": "report_lost_card",
        "how many reward points have I got": "query_points",
    }
    for text, intent in english.items():
        # Trained on Chinese only: no feature of the first model fires on English, so it is unsure...
        assert intents(0.0, text)[0]["confidence"] < config["sentence_encoder_below"]
        # ...and the second model, which also sees the multilingual sentence embedding, knows the meaning.
        assert intents(1.0, text)[0]["name"] == intent
    # A message the first model is sure of is its answer alone.
    assert intents(0.0, "帮我挂失")[0]["confidence"] >= config["sentence_encoder_below"]
    assert intents(1.0, "帮我挂失") == intents(0.0, "帮我挂失")


def test_linear_weights_are_stored_for_a_copy_free_prediction(
    model_storage, resource, execution_context, make_tokenizer
) -> None:
    tokenizer = make_tokenizer()
    config = {**CharNgramIntentClassifier.get_default_config(), "mlp_hidden_units": 8}
    classifier = CharNgramIntentClassifier.create(config, model_storage, resource, execution_context)
    classifier.train(tokenizer.process_training_data(_training_data()))

    linear = classifier._bundle["model"].estimators_[0]
    # Prediction multiplies by coef_.T: it must be C-contiguous, or scipy copies all weights per message.
    assert linear.coef_.T.flags["C_CONTIGUOUS"]


def _clause_reader(
    max_clauses: int, tokenizer, model_storage, resource, execution_context
) -> CharNgramIntentClassifier:
    """A classifier trained, persisted and loaded with clause readings for up to max_clauses clauses."""
    config = {**CharNgramIntentClassifier.get_default_config(), "max_clauses": max_clauses}
    classifier = CharNgramIntentClassifier.create(config, model_storage, resource, execution_context)
    classifier.train(tokenizer.process_training_data(_training_data()))
    return CharNgramIntentClassifier.load(config, model_storage, resource, execution_context)


def test_clauses_are_classified_on_their_own_words(
    model_storage, resource, execution_context, make_tokenizer
) -> None:
    tokenizer = make_tokenizer()
    loaded = _clause_reader(3, tokenizer, model_storage, resource, execution_context)

    two = _classify(loaded, "我的卡丢了，另外查积分", tokenizer)
    one = _classify(loaded, "我的卡丢了", tokenizer)

    readings = two.get("clause_intents")
    assert [(r["name"], r["text"], r["start"], r["end"]) for r in readings] == [
        ("report_lost_card", "我的卡丢了", 0, 5),
        ("query_points", "另外查积分", 6, 11),
    ]
    assert one.get("clause_intents") is None
    # Not part of the parse output: the RequestSplitter decides what the dialogue sees.
    assert "clause_intents" not in two.as_dict(only_output_properties=True)


def test_a_long_message_is_read_by_its_last_clause_that_asks(
    model_storage, resource, execution_context, make_tokenizer
) -> None:
    tokenizer = make_tokenizer()
    loaded = _clause_reader(2, tokenizer, model_storage, resource, execution_context)

    story = _classify(loaded, "上周出差，我的卡丢了，想查积分，回来再说", tokenizer)

    assert story.get("clause_intents") is None
    reading = story.get("request_clause")
    assert (reading["name"], reading["text"], reading["start"]) == ("query_points", "想查积分", 11)
