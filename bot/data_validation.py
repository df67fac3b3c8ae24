"""`rasa data validate --fail-on-warnings` that fails on every warning but the two Rasa 3.6 cannot avoid.

Rasa 3.6's flag fails on conflicts, duplicates and unknown names, but only prints its other warnings. These
fail here too, except the ones Rasa 3.6 gives for how this project is built:
- "Slot auto-fill has been removed in 3.0": printed on every domain load (Rasa's own EXPECTED_WARNINGS);
- a response "not used in any story or rule" that a custom action sends (`utter_message(response=...)`) or
  that a form sends to ask for one of its slots (`utter_ask_<form>_<slot>`, `utter_ask_<slot>`);
- an intent "not found in the NLU training data" that only a button payload or the handoff API's
  trigger_intent sends, or that one of our components predicts (INTENTS_WITHOUT_EXAMPLES): examples would
  let the classifier predict it from free text.
A response that no story, action or form sends fails.

Usage: python -m bot.data_validation [--config config.yml] [--domain domain.yml] [--data data] [--actions DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# EXTERNAL_handoff_ended: the handoff API's trigger_intent; rate_service: the CSAT buttons' payload;
# nlu_security_unsure and multiple_requests: predicted by our components (security_clarifier,
# request_splitter), never trained.
INTENTS_WITHOUT_EXAMPLES = frozenset(
    {"EXTERNAL_handoff_ended", "rate_service", "nlu_security_unsure", "multiple_requests"}
)

_AUTO_FILL_REMOVED = "Slot auto-fill has been removed in 3.0 "
_UNUSED_RESPONSE = re.compile(r"^The utterance '(?P<name>[^']+)' is not used in any story or rule\.$")
_INTENT_WITHOUT_EXAMPLES = re.compile(
    r"^The intent '(?P<name>[^']+)' is listed in the domain file, "
    r"but is not found in the NLU training data\.$"
)
# A response named in code: a literal "utter_x", or the fixed start of f"utter_x_{...}".
_RESPONSE_IN_CODE = re.compile(r"""["'](?P<name>utter_\w*)(?P<formatted>\{)?""")


@dataclass(frozen=True)
class SentResponses:
    """The responses that actions' code or forms send, by exact name or by the start of a formatted name."""

    names: frozenset[str]
    prefixes: frozenset[str]

    @classmethod
    def find(cls, action_sources: Iterable[str], forms: Mapping[str, Iterable[str]]) -> SentResponses:
        """action_sources: the actions' Python code; forms: each form's required slots."""
        names = {
            f"utter_ask_{ask}"
            for form, slots in forms.items()
            for slot in slots
            for ask in (slot, f"{form}_{slot}")
        }
        prefixes: set[str] = set()
        for source in action_sources:
            for match in _RESPONSE_IN_CODE.finditer(source):
                (prefixes if match["formatted"] else names).add(match["name"])
        return cls(frozenset(names), frozenset(prefixes))

    def sends(self, response: str) -> bool:
        return response in self.names or any(response.startswith(prefix) for prefix in self.prefixes)


def is_unavoidable(message: str, responses: SentResponses) -> bool:
    if message.startswith(_AUTO_FILL_REMOVED):
        return True
    if unused := _UNUSED_RESPONSE.match(message):
        return responses.sends(unused["name"])
    if intent := _INTENT_WITHOUT_EXAMPLES.match(message):
        return intent["name"] in INTENTS_WITHOUT_EXAMPLES
    return False


def unexpected_warnings(messages: Iterable[str], responses: SentResponses) -> list[str]:
    return [message for message in messages if not is_unavoidable(message, responses)]


def _validate(config: str, domain: str, data: str) -> tuple[list[str], dict[str, list[str]]]:
    """Runs Rasa's own validation with --fail-on-warnings (exiting as Rasa does when that fails).

    Returns the warnings and each form's required slots.
    """
    from rasa.cli.utils import validate_files
    from rasa.shared.importers.importer import TrainingDataImporter

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        importer = TrainingDataImporter.load_from_config(config, domain, [data])
        validate_files(fail_on_warnings=True, max_history=None, importer=importer)
        forms = {name: form.get("required_slots", []) for name, form in importer.get_domain().forms.items()}
    # Libraries' deprecation notices are not about the data.
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)], forms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--domain", default="domain.yml")
    parser.add_argument("--data", default="data")
    parser.add_argument("--actions", default="actions", type=Path, help="the action server's package")
    args = parser.parse_args(argv)
    messages, forms = _validate(args.config, args.domain, args.data)
    action_sources = (path.read_text(encoding="utf-8") for path in sorted(args.actions.rglob("*.py")))
    unexpected = unexpected_warnings(messages, SentResponses.find(action_sources, forms))
    for message in unexpected:
        print(f"warning not allowed: {message}", file=sys.stderr)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
