"""Reading a customer's words again as a turn of their own.

A message that a form took but was not for it (a new request typed at the rating question), and the second
request of a message that asked for two things, are put back on the tracker as a user turn after
`action_listen`. Rasa then predicts for it as for any message, so the rules and forms of that intent run as
usual and the turn's actions are what they would have been had the customer sent it alone.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import ActionExecuted, UserUttered


def reread(parse_data: dict[str, Any]) -> list[dict[str, Any]]:
    """Events that make `parse_data` (a message's NLU reading) the customer's latest turn."""
    text = parse_data.get("text") or ""
    reading = {
        "text": text,
        "intent": parse_data.get("intent") or {},
        "intent_ranking": parse_data.get("intent_ranking") or [],
        "entities": parse_data.get("entities") or [],
    }
    return [ActionExecuted("action_listen"), UserUttered(text, parse_data=reading)]
