"""Which card operation each card-service intent asks for (the intent names are fixed: shared/intents.md)."""

from __future__ import annotations

from actions.backends.base import CardOperation

SERVICE_BY_INTENT = {
    "activate_card": CardOperation.activate,
    "report_lost_card": CardOperation.report_lost,
    "freeze_card": CardOperation.freeze,
    "unfreeze_card": CardOperation.unfreeze,
    "replace_card": CardOperation.replace,
    "raise_credit_limit": CardOperation.raise_permanent_limit,
    "reset_password": CardOperation.reset_password,
    "cancel_card": CardOperation.cancel,
}


def intent_of_service(service: str | None) -> str | None:
    """The intent that asks for `service` (a CardOperation value); both raises are raise_credit_limit."""
    if service == CardOperation.raise_temporary_limit.value:
        return "raise_credit_limit"
    return next((intent for intent, op in SERVICE_BY_INTENT.items() if op.value == service), None)
