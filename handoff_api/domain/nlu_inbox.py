"""Which customer messages the trainer should look at, and which of them are the same pattern."""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from handoff_api.schemas import BotReading


class InboxReason(StrEnum):
    FALLBACK = "fallback"  # the bot's fallback fired: it did not understand
    LOW_CONFIDENCE = "low_confidence"  # the top intent's confidence is below the threshold
    AMBIGUOUS = "ambiguous"  # the top two intents are within the margin
    HANDOFF = "handoff"  # a handoff for repeated misunderstanding followed within a few turns
    AGENT_FLAG = "agent_flag"  # an agent marked the bot's reading as wrong


class InboxStatus(StrEnum):
    WAITING = "waiting"  # for a trainer
    LABELLED = "labelled"  # has an intent, not yet in the training data
    DISCARDED = "discarded"
    EXPORTED = "exported"  # written to data/nlu/inbox.yml


@dataclass(frozen=True)
class InboxPolicy:
    confidence_below: float
    margin: float

    def reason_for(self, reading: BotReading) -> InboxReason | None:
        if reading.fallback:
            return InboxReason.FALLBACK
        if reading.confidence < self.confidence_below:
            return InboxReason.LOW_CONFIDENCE
        if (
            reading.runner_up_confidence is not None
            and reading.confidence - reading.runner_up_confidence < self.margin
        ):
            return InboxReason.AMBIGUOUS
        return None


# Punctuation, symbols and spaces do not change what a message asks; masked and plain digits are one digit.
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_DIGITS = re.compile(r"[\d*]+")
GROUP_KEY_CHARS = 200


def group_key(text: str) -> str:
    """Near-duplicates share this key: width, case, punctuation, spacing and the digits themselves ignored."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _DIGITS.sub("0", _NOISE.sub("", folded))[:GROUP_KEY_CHARS]
