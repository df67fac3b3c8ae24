"""What every action that reads or changes the customer's account shares: the back-end, the customer,
and the apology when the back-end fails."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backends import get_backend
from actions.backends.base import AccountBackend, BackendError, Customer, CustomerNotFound
from actions.boundaries import refuse_if_not_own_card
from actions.context import customer_context

logger = logging.getLogger(__name__)


def format_amount(value: float) -> str:
    return f"{value:,.2f}"


class BackendAction(Action, ABC):
    """An action over the account back-end; tests pass a back-end, the server uses the configured one."""

    def __init__(self, backend: AccountBackend | None = None) -> None:
        self._backend = backend

    @abstractmethod
    def name(self) -> str: ...

    @property
    def backend(self) -> AccountBackend:
        return self._backend if self._backend is not None else get_backend()

    async def load_customer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Customer | None:
        """The customer, or None after telling them why not (a card that is not theirs is refused as such)."""
        if refuse_if_not_own_card(dispatcher, tracker):
            return None
        context = customer_context(tracker)
        if context.customer_id is None:
            dispatcher.utter_message(response="utter_customer_unknown")
            return None
        try:
            return await self.backend.get_customer(context.customer_id)
        except CustomerNotFound:
            dispatcher.utter_message(response="utter_customer_unknown")
        except BackendError:
            backend_failed(dispatcher, tracker)
        return None


class CustomerReadAction(BackendAction, ABC):
    """An action that answers from the customer's record: loading it (and apologising) is done once here."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer = await self.load_customer(dispatcher, tracker)
        if customer is not None:
            self.answer(dispatcher, tracker, customer)
        return []

    @abstractmethod
    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, customer: Customer) -> None: ...


def backend_failed(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    logger.exception("Account back-end failed (conversation %s)", customer_context(tracker).conversation_id)
    dispatcher.utter_message(response="utter_backend_unavailable")
