"""Expectations checked against what the system did in a step (or, for `finally`, in the whole conversation).

Each check returns the reasons it failed, in words a trainer can act on; an empty list is a pass.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tests.integration.conversation_suite.backend_state import DemoBackendState
from tests.integration.conversation_suite.schema import Expect, HandoffExpectation, TicketExpectation
from tests.integration.conversation_suite.system_api import Outcome, SuiteApi
from tests.integration.conversation_suite.values import same_value
from tests.integration.test_skeleton_flow import Session

ASSIGNMENT_TIMEOUT_S = 30
CARD_FIELDS = ("status", "credit_limit", "temporary_limit")


@dataclass
class Observed:
    """What a step did, and how to read the rest of the system's state after it."""

    api: SuiteApi
    backend: DemoBackendState
    session: Session
    customer_id: str
    messages: list[dict]
    actions: list[str]
    slots: dict[str, Any]
    start_cards: dict[str, dict]
    tickets_before: list[dict] = field(default_factory=list)
    outcomes_before: int = 0
    today: date = field(default_factory=date.today)

    def texts(self, *roles: str) -> list[str]:
        return [m["text"] for m in self.messages if m["role"] in roles]

    async def new_tickets(self) -> list[dict]:
        known = {t["id"] for t in self.tickets_before}
        tickets = await self.api.tickets(self.customer_id, self.session.conversation_id)
        return [t for t in tickets if t["id"] not in known]

    async def new_outcomes(self) -> list[Outcome]:
        return (await self.api.outcomes(self.session.conversation_id))[self.outcomes_before :]


def needs_baseline(expect: Expect | None) -> bool:
    """Whether the step's tickets and handoff endings must be counted before it runs."""
    if expect is None:
        return False
    return expect.ticket is not None or expect.handoff is not None or any(map(needs_baseline, expect.any_of))


def _subsequence(wanted: list[str], ran: list[str]) -> bool:
    remaining = iter(ran)
    return all(name in remaining for name in wanted)


def _quoted(texts: list[str]) -> str:
    return " | ".join(texts) if texts else "(nothing)"


def check_actions(expect: Expect, seen: Observed) -> list[str]:
    failures = []
    if expect.actions and not _subsequence(expect.actions, seen.actions):
        failures.append(f"expected actions {expect.actions} in this order; ran {seen.actions}")
    if forbidden := [name for name in expect.actions_not if name in seen.actions]:
        failures.append(f"ran {forbidden}, which must not run here (ran {seen.actions})")
    return failures


def check_slots(expect: Expect, seen: Observed) -> list[str]:
    return [
        f"slot {name} is {seen.slots.get(name)!r}, expected {value!r}"
        for name, value in expect.slots.items()
        if not same_value(value, seen.slots.get(name), seen.today)
    ]


def check_replies(expect: Expect, seen: Observed) -> list[str]:
    failures = []
    said = seen.texts("bot")
    shown = seen.texts("bot", "system")
    if expect.reply_contains_any and not any(w in text for text in said for w in expect.reply_contains_any):
        failures.append(
            f"no bot reply contains any of {expect.reply_contains_any}; the bot said {_quoted(said)}"
        )
    if missing := [w for w in expect.reply_contains_all if not any(w in text for text in said)]:
        failures.append(f"no bot reply contains {missing}; the bot said {_quoted(said)}")
    if found := [w for w in expect.reply_contains_none if any(w in text for text in shown)]:
        failures.append(f"a reply contains {found}, which must not appear: {_quoted(shown)}")
    if found := [p for p in expect.reply_matches_none if any(re.search(p, text) for text in shown)]:
        failures.append(f"a reply matches {found}, which must not appear: {_quoted(shown)}")
    if expect.offers_buttons is not None:
        offered = any(m["buttons"] for m in seen.messages if m["role"] == "bot")
        if offered != expect.offers_buttons:
            failures.append(
                f"expected {'' if expect.offers_buttons else 'no '}buttons; the bot said {_quoted(said)}"
            )
    if expect.silent and (said or seen.actions):
        failures.append(f"the bot must stay silent, but said {_quoted(said)} and ran {seen.actions}")
    return failures


def check_cards(expect: Expect, seen: Observed) -> list[str]:
    if not expect.cards and not expect.cards_unchanged:
        return []
    now = seen.backend.cards(seen.customer_id)
    failures = []
    for wanted in expect.cards:
        card = now.get(wanted.tail)
        if card is None:
            failures.append(f"the customer has no card {wanted.tail}")
            continue
        for name in CARD_FIELDS:
            value = getattr(wanted, name)
            if value is not None and not same_value(value, card.get(name), seen.today):
                failures.append(f"card {wanted.tail}: {name} is {card.get(name)!r}, expected {value!r}")
    if expect.cards_unchanged and now != seen.start_cards:
        changed = [tail for tail in now if now[tail] != seen.start_cards.get(tail)]
        failures.append(f"cards changed in the back-end: {[{t: now[t]['status']} for t in changed]}")
    return failures


def _ticket_matches(wanted: TicketExpectation, ticket: dict, today: date) -> bool:
    description = ticket.get("description") or ""
    return (
        wanted.category in (None, ticket["category"])
        and (
            not wanted.description_contains_any
            or any(w in description for w in wanted.description_contains_any)
        )
        and all(same_value(v, (ticket.get("details") or {}).get(k), today) for k, v in wanted.details.items())
    )


async def check_ticket(expect: Expect, seen: Observed) -> list[str]:
    if expect.ticket is None:
        return []
    new = await seen.new_tickets()
    summary = [{k: t.get(k) for k in ("id", "category", "description", "details")} for t in new]
    if expect.ticket == "none":
        return [f"no ticket may be filed here; filed {summary}"] if new else []
    if not any(_ticket_matches(expect.ticket, t, seen.today) for t in new):
        return [
            f"expected a ticket {expect.ticket.model_dump(exclude_defaults=True)}; filed {summary or 'none'}"
        ]
    return []


async def _status_once_settled(seen: Observed) -> dict:
    """The conversation's status, once a queued conversation is assigned (the dispatcher works after the
    bot's turn) or the wait for it is over."""
    status = await seen.api.status(seen.session)
    try:
        async with asyncio.timeout(ASSIGNMENT_TIMEOUT_S):
            while status["state"] == "queued":
                await asyncio.sleep(0.2)
                status = await seen.api.status(seen.session)
    except TimeoutError:
        pass
    return status


async def _check_handoff_packet(wanted: HandoffExpectation, seen: Observed) -> list[str]:
    if not (wanted.reason or wanted.intent or wanted.packet_has_ticket):
        return []
    packet = await seen.api.packet(seen.session.conversation_id) or {}
    failures = []
    for name in ("reason", "intent"):
        if getattr(wanted, name) and packet.get(name) != getattr(wanted, name):
            failures.append(
                f"handoff packet {name} is {packet.get(name)!r}, expected {getattr(wanted, name)!r}"
            )
    if wanted.packet_has_ticket:
        filed = {t["id"] for t in await seen.api.tickets(seen.customer_id, seen.session.conversation_id)}
        if (packet.get("slots") or {}).get("ticket_id") not in filed or not filed:
            failures.append(
                f"handoff packet slots {packet.get('slots')} lack this conversation's ticket {filed}"
            )
    return failures


async def check_handoff(expect: Expect, seen: Observed) -> list[str]:
    wanted = expect.handoff
    if wanted is None:
        return []
    if wanted == "none":
        new, status = await seen.new_outcomes(), await seen.api.status(seen.session)
        if new or status["state"] != "bot":
            return [f"no handoff may happen here; endings {new}, conversation {status['state']}"]
        return []
    status = await (
        _status_once_settled(seen) if wanted.outcome == "assigned" else seen.api.status(seen.session)
    )
    new = await seen.new_outcomes()
    if wanted.outcome == "queued":
        found = status["state"] == "queued" and wanted.group in (None, status["group"])
        seen_as = f"conversation {status['state']} in {status['group']}"
    else:
        found = any(
            o.outcome == wanted.outcome
            and wanted.group in (None, o.group)
            and wanted.agent in (None, o.agent)
            for o in new
        )
        seen_as = f"endings {new or 'none'}, conversation {status['state']}"
    if not found:
        return [f"expected handoff {wanted.model_dump(exclude_defaults=True)}; {seen_as}"]
    return await _check_handoff_packet(wanted, seen)


async def check_state(expect: Expect, seen: Observed) -> list[str]:
    if expect.conversation is None:
        return []
    status = await seen.api.status(seen.session)
    wanted = expect.conversation
    if status["state"] != wanted.state or wanted.group not in (None, status["group"]):
        return [
            f"conversation is {status['state']} in {status['group']}, "
            f"expected {wanted.model_dump(exclude_none=True)}"
        ]
    return []


async def check_csat(expect: Expect, seen: Observed) -> list[str]:
    if expect.csat is None:
        return []
    record = await seen.api.csat(seen.session.conversation_id)
    score, comment = (record.csat_score, record.csat_comment or "") if record else (None, "")
    wanted = expect.csat
    if score not in wanted.scores or (
        wanted.comment_contains_any and not any(w in comment for w in wanted.comment_contains_any)
    ):
        stored = f"score {score}, comment {comment!r}" if record else "no resolved handoff recorded"
        return [f"expected rating {wanted.model_dump(exclude_defaults=True)} stored; stored {stored}"]
    return []


SyncCheck = Callable[[Expect, Observed], list[str]]
AsyncCheck = Callable[[Expect, Observed], Awaitable[list[str]]]
SYNC_CHECKS: tuple[SyncCheck, ...] = (check_actions, check_slots, check_replies, check_cards)
ASYNC_CHECKS: tuple[AsyncCheck, ...] = (check_ticket, check_handoff, check_state, check_csat)


async def failures_of(expect: Expect, seen: Observed) -> list[str]:
    failures = [reason for check in SYNC_CHECKS for reason in check(expect, seen)]
    for check in ASYNC_CHECKS:
        failures += await check(expect, seen)
    if expect.any_of:
        alternatives = [await failures_of(alternative, seen) for alternative in expect.any_of]
        if all(alternatives):
            described = " OR ".join(f"[{'; '.join(reasons)}]" for reasons in alternatives)
            failures.append(f"none of the alternatives held: {described}")
    return failures
