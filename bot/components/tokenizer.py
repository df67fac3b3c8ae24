from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

DEFAULT_DICTIONARY = Path(__file__).resolve().parent.parent / "resources" / "banking_dict.txt"
_STORED_DICTIONARY_NAME = "banking_dict.txt"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class BankingJiebaTokenizer(Tokenizer):
    """Jieba with a banking user dictionary, as an isolated jieba instance (no global state).

    The dictionary is copied into the model at training time, so a trained model does not depend on
    the repository's copy of the file.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # jieba user dictionary (one "word [freq] [tag]" per line); None for jieba's own only
            "dictionary_path": str(DEFAULT_DICTIONARY),
            # Flag to check whether to split intents
            "intent_tokenization_flag": False,
            # Symbol on which intent should be split
            "intent_split_symbol": "_",
            # Regular expression to detect tokens
            "token_pattern": None,
            # Symbol on which prefix should be split
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["zh"]

    @staticmethod
    def required_packages() -> list[str]:
        return ["jieba"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        dictionary: Path | None,
    ) -> None:
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self._dictionary = dictionary
        self._jieba = self._build_jieba(dictionary)

    @staticmethod
    def _build_jieba(dictionary: Path | None) -> Any:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        instance = jieba.Tokenizer()
        if dictionary is not None:
            logger.debug("Loading jieba user dictionary %s", dictionary)
            # jieba leaves a file it opened itself unclosed; hand it a managed one.
            with open(dictionary, "rb") as handle:
                instance.load_userdict(handle)
        return instance

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BankingJiebaTokenizer:
        path = config["dictionary_path"]
        return cls(config, model_storage, resource, Path(path) if path else None)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> BankingJiebaTokenizer:
        if not config["dictionary_path"]:
            return cls(config, model_storage, resource, None)
        try:
            with model_storage.read_from(resource) as directory:
                # jieba reads the file while loading, so it must happen while the directory exists.
                return cls(config, model_storage, resource, Path(directory) / _STORED_DICTIONARY_NAME)
        except ValueError:
            logger.warning("No stored banking dictionary in the model; using jieba's own dictionary only.")
            return cls(config, model_storage, resource, None)

    def train(self, training_data: TrainingData) -> Resource:
        if self._dictionary is not None:
            with self._model_storage.write_to(self._resource) as directory:
                shutil.copyfile(self._dictionary, Path(directory) / _STORED_DICTIONARY_NAME)
        return self._resource

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute)
        tokens = [Token(word, start) for word, start, _end in self._jieba.tokenize(text) if word.strip()]
        return self._apply_token_pattern(tokens)
