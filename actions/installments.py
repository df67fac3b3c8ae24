"""Instalment of one named transaction ("昨天那笔六千八的机票能分期吗"): a quote for that transaction, and on
the customer's agreement an instalment request filed for staff to carry out (a callback ticket: the demo
back-end has no instalment operation). Any other instalment question gets the policy answer."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account import BackendAction, format_amount
from actions.account_queries import AMOUNT_TOLERANCE, latest_entity
from actions.backends.base import AccountBackend, Transaction
from actions.clients.tickets import TicketClient
from actions.confirmation import is_question
from actions.knowledge import Knowledge, get_knowledge
from actions.policy_answers import answer_policy_question
from actions.tickets import TicketAction, ticket_variables
from bot.normalization import normalize
from bot.numerals import CHINESE_NUMBER, parse_number
from contract.names import TicketCategory

_PERIODS = re.compile(rf"(\d+|{CHINESE_NUMBER})\s*期")
_NUMBER = re.compile(rf"\d+(?:\.\d+)?|{CHINESE_NUMBER}")
# A merchant is named by its first characters ("携程" for 携程旅行).
MERCHANT_PREFIX = 2


def mentioned_periods(text: str, offered: dict[int, float]) -> int | None:
    """The number of instalments named in the text ("分12期", "六期"), if it is one we offer."""
    for match in _PERIODS.finditer(text):
        value = parse_number(match.group(1))
        if isinstance(value, int) and value in offered:
            return value
    return None


def named_transaction(
    transactions: tuple[Transaction, ...], text: str, *, amount: float | None, on: str | None
) -> Transaction | None:
    """The one spending the message names: by its amount (as an entity or any number in the text), else by
    its merchant, else by its date when that day has only one."""
    spending = sorted((t for t in transactions if t.amount > 0), key=lambda t: t.date, reverse=True)
    numbers = {amount} if amount is not None else set()
    numbers |= {n for m in _NUMBER.finditer(text) if (n := parse_number(m.group(0))) is not None}
    for txn in spending:
        if any(abs(txn.amount - float(n)) <= AMOUNT_TOLERANCE for n in numbers):
            return txn
    for txn in spending:
        if txn.merchant[:MERCHANT_PREFIX] in text:
            return txn
    on_day = [t for t in spending if on is not None and t.date == on]
    return on_day[0] if len(on_day) == 1 else None


def quote_lines(amount: float, periods: list[int], knowledge: Knowledge) -> str:
    line = knowledge.formats["installment_line"]
    lines = []
    for count in periods:
        fee = round(amount * knowledge.installment_fee_rates[count], 2)
        principal = round(amount / count, 2)
        lines.append(
            line.format(
                periods=count,
                per=format_amount(principal + fee),
                principal=format_amount(principal),
                fee=format_amount(fee),
                total_fee=format_amount(fee * count),
            )
        )
    return "\n".join(lines)


def quoted_offer(tracker: Tracker) -> dict[str, Any] | None:
    """The instalment quoted in the bot's previous turn, which the latest message answers; an older quote
    is no longer on the table."""
    if tracker.get_slot("pending_offer") != "installment":
        return None
    messages = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            messages += 1
            if messages > 1:
                return None
        elif event.get("event") == "slot" and event.get("name") == "installment_offer":
            value = event.get("value")
            return value if isinstance(value, dict) else None
    return None


def agrees(tracker: Tracker, knowledge: Knowledge) -> bool:
    """The answer to the quote accepts it: affirm, or a "yes" or a number of instalments, not a question."""
    text = normalize(tracker.latest_message.get("text") or "").text.lower()
    if (tracker.latest_message.get("intent") or {}).get("name") == "affirm":
        return True
    if is_question(text, knowledge) or any(word in text for word in knowledge.confirmation_words["no"]):
        return False
    return mentioned_periods(text, knowledge.installment_fee_rates) is not None or any(
        word in text for word in knowledge.confirmation_words["yes"]
    )


class ActionInstallment(BackendAction):
    def __init__(self, backend: AccountBackend | None = None, client: TicketClient | None = None) -> None:
        super().__init__(backend)
        self._tickets = TicketAction(client)

    def name(self) -> str:
        return "action_installment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        knowledge = get_knowledge()
        offer = quoted_offer(tracker)
        if offer is not None and agrees(tracker, knowledge):
            return await self._file(dispatcher, tracker, offer, knowledge)
        if (tracker.latest_message.get("intent") or {}).get("name") == "affirm":
            # "好的" long after a quote: not an agreement to it any more.
            return [SlotSet("pending_offer", None), FollowupAction("utter_anything_else")]
        customer = await self.load_customer(dispatcher, tracker)
        if customer is None:
            return []
        text = normalize(tracker.latest_message.get("text") or "").text
        amount = latest_entity(tracker, "amount")
        txn = named_transaction(
            customer.transactions,
            text,
            amount=float(amount) if amount is not None else None,
            on=latest_entity(tracker, "date"),
        )
        if txn is None:
            answer_policy_question(dispatcher, tracker, "ask_installment", knowledge)
            return [SlotSet("pending_offer", None), SlotSet("installment_offer", None)]
        periods = mentioned_periods(text, knowledge.installment_fee_rates)
        dispatcher.utter_message(
            response="utter_installment_quote",
            date=txn.date,
            merchant=txn.merchant,
            amount=format_amount(txn.amount),
            lines=quote_lines(
                txn.amount, [periods] if periods else sorted(knowledge.installment_fee_rates), knowledge
            ),
        )
        offer = {
            "card_tail": txn.card_tail,
            "date": txn.date,
            "merchant": txn.merchant,
            "amount": txn.amount,
            "periods": periods,
        }
        return [SlotSet("pending_offer", "installment"), SlotSet("installment_offer", offer)]

    async def _file(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, offer: dict[str, Any], knowledge: Knowledge
    ) -> list[dict[str, Any]]:
        text = normalize(tracker.latest_message.get("text") or "").text
        periods = mentioned_periods(text, knowledge.installment_fee_rates) or offer.get("periods")
        if periods is None:
            dispatcher.utter_message(response="utter_installment_ask_periods")
            return []
        variables = {
            "date": offer["date"],
            "merchant": offer["merchant"],
            "amount": format_amount(offer["amount"]),
            "periods": periods,
            "card_tail": offer["card_tail"],
        }
        description = knowledge.formats["installment_request"].format(**variables)
        ticket = await self._tickets.file(dispatcher, tracker, TicketCategory.CALLBACK, description)
        events = [SlotSet("pending_offer", None), SlotSet("installment_offer", None)]
        if ticket is None:
            return events
        dispatcher.utter_message(response="utter_installment_filed", **variables, **ticket_variables(ticket))
        return [*events, SlotSet("ticket_id", ticket.id)]
