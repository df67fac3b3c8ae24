"""Drives each conversation through the real gateway API, as the web chat and the agent console do, and
records what happened in every step for the expectations and the report.

Isolation: conversations of one customer run one after another, each after its customer's back-end state is
restored (backend_state.py). Conversations without agents run a few at a time, every agent offline, so any
handoff among them ends as no_agent. Conversations with agents run alone, one by one, each from a reset
agent pool (agent_pool.py), since presence and seats are shared by the whole system.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.integration.conversation_suite.agent_pool import AgentPool
from tests.integration.conversation_suite.backend_state import DemoBackendState
from tests.integration.conversation_suite.checks import Observed, failures_of, needs_baseline
from tests.integration.conversation_suite.schema import TICKET_PLACEHOLDERS, Conversation, Expect, Step
from tests.integration.conversation_suite.system_api import SuiteApi
from tests.integration.system import RunningSystem
from tests.integration.test_skeleton_flow import Session

# One conversation at a time: on 2 cores three at once were only ~15% faster, and concurrent customer
# messages stored in the same millisecond share a stream id, which the gateway's HTTP reply waiters confuse.
DEFAULT_CONCURRENCY = 1
WAIT_TIMEOUT_S = 30
# A bot turn is retried until answered (RASA_TURN_TIMEOUT_SECONDS is 60 s by default): bounded above that.
BOT_ANSWER_TIMEOUT_S = 90
WARM_UP_QUESTION = "帮我查一下我的信用卡还有多少可用额度"
BOT_DELAYED = "bot_delayed"


class StepFailed(Exception):
    """The step itself could not be done (a button not offered, a refused agent action...)."""


@dataclass
class UserTurn:
    """How the NLU read one customer message (for the trainer's eye in the report)."""

    text: str
    intent: str | None
    confidence: float | None
    entities: list[str]


@dataclass
class StepRecord:
    index: int
    step: Step
    messages: list[dict] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    understood: list[UserTurn] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass
class ConversationResult:
    conversation: Conversation
    conversation_id: str = ""  # the system's id, to find the conversation in the services' logs
    steps: list[StepRecord] = field(default_factory=list)
    final_failures: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.final_failures and not any(s.failures for s in self.steps)


@dataclass
class Live:
    """A conversation in progress."""

    conversation: Conversation
    session: Session
    start_cards: dict[str, dict]
    cursor: str = "0"
    events_seen: int = 0
    all_messages: list[dict] = field(default_factory=list)
    all_actions: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)


@dataclass
class Suite:
    api: SuiteApi
    backend: DemoBackendState
    agents: AgentPool

    # ---- messages
    async def read_new(self, live: Live) -> list[dict]:
        new = await self.api.messages_after(live.session, live.cursor)
        if new:
            live.cursor = new[-1]["id"]
            live.all_messages += new
        return new

    async def send_and_collect(self, live: Live, text: str, payload: str | None = None) -> list[dict]:
        """One customer message and everything stored after it until the bot's turn is complete.

        The turn is complete when it has left the conversation's bot inbox: the worker stores the replies
        (`meta.reply_to` = the customer message's id) and ends the turn in one step. The stream is what the
        customer reads; the POST's body, which may carry the replies too, must agree with it.
        """
        sent = await self.api.post_message(live.session, text, payload)
        await self.until_answered(live, sent["messages"][0]["id"])
        new = await self.read_new(live)
        stream = {m["id"]: m["text"] for m in live.all_messages}
        if foreign := [m["text"] for m in sent["messages"] if stream.get(m["id"]) != m["text"]]:
            raise StepFailed(
                f"the POST's response carried messages that are not this conversation's: {foreign}"
            )
        return new

    async def until_answered(self, live: Live, message_id: str) -> None:
        """Until the bot's turn for this message has ended (its replies, if any, are then on the stream:
        the worker stores them and ends the turn in one step)."""
        try:
            async with asyncio.timeout(BOT_ANSWER_TIMEOUT_S):
                while message_id in await self.api.pending_bot_turns(live.session.conversation_id):
                    await asyncio.sleep(0.1)
        except TimeoutError:
            raise StepFailed(f"the bot did not answer within {BOT_ANSWER_TIMEOUT_S}s") from None

    async def after_hand_back(self, live: Live) -> list[dict]:
        """The messages of a step that handed the conversation back to the bot synchronously (an agent's
        close, the customer leaving the queue): the notice, then the bot's turn it queued, answered."""
        new = await self.read_new(live)
        notices = [m["id"] for m in new if _owner_notice(m) == "returned_to_bot"]
        if not notices:
            return new
        await self.until_answered(live, notices[-1])
        return new + await self.read_new(live)

    async def wait_until(self, live: Live, done: Callable[[list[dict]], bool], what: str) -> list[dict]:
        """Reads the stream until `done(every message so far)`; returns the messages that came meanwhile."""
        start = len(live.all_messages)
        try:
            async with asyncio.timeout(WAIT_TIMEOUT_S):
                while not done(live.all_messages):
                    await asyncio.sleep(0.2)
                    await self.read_new(live)
        except TimeoutError:
            raise StepFailed(f"{what} did not happen within {WAIT_TIMEOUT_S}s") from None
        return live.all_messages[start:]

    # ---- steps
    async def perform(self, live: Live, step: Step) -> list[dict]:
        """Do the step; returns the messages it produced."""
        kind = step.kind
        if kind == "say":
            return await self.send_and_collect(live, await self._with_ticket_id(live, step.say or ""))
        if kind == "click":
            title, payload = _button(live.all_messages, step.click or "")
            return await self.send_and_collect(live, title, payload)
        if kind == "leave_queue":
            _require(await self.api.leave_queue(live.session), "leaving the queue")
            return await self.after_hand_back(live)
        if kind == "rate_on_page":
            rating = step.rate_on_page
            assert rating is not None
            _require(
                await self.api.rate_on_page(live.session, rating.score, rating.comment), "the page rating"
            )
            return await self.read_new(live)
        if kind == "agent":
            await self._agent_step(live, step)
            return await self.after_hand_back(live)
        return await self._wait(live, step)

    async def _with_ticket_id(self, live: Live, text: str) -> str:
        """The message with its ticket placeholders replaced by the conversation's latest ticket id."""
        used = [p for p in TICKET_PLACEHOLDERS if p in text]
        if not used:
            return text
        tickets = await self.api.tickets(live.conversation.customer, live.session.conversation_id)
        if not tickets:
            raise StepFailed(f"{used} need a ticket filed earlier in the conversation; none was")
        ticket_id = tickets[-1]["id"]
        for placeholder in used:
            text = text.replace(placeholder, typed_ticket_id(ticket_id, placeholder))
        return text

    async def _agent_step(self, live: Live, step: Step) -> None:
        agent, conversation_id = step.agent or "", live.session.conversation_id
        if step.presence is not None:
            await self.agents.set_presence(agent, step.presence)
            return
        path = f"/conversations/{conversation_id}"
        if step.claim:
            response = await self.api.agent_call(agent, "POST", f"{path}/claim")
        elif step.reply is not None:
            response = await self.api.agent_call(agent, "POST", f"{path}/messages", {"text": step.reply})
        elif step.close is not None:
            response = await self.api.agent_call(agent, "POST", f"{path}/close", {"wrap_up": step.close})
        else:
            target = (
                {"group": step.transfer_to_group}
                if step.transfer_to_group
                else {"agent": step.transfer_to_agent}
            )
            response = await self.api.agent_call(
                agent, "POST", f"{path}/transfer", {**target, "note": step.note}
            )
        _require(response, f"{agent}'s {step.model_dump(exclude_none=True, exclude={'expect', 'agent'})}")

    async def _wait(self, live: Live, step: Step) -> list[dict]:
        if step.wait == "agent_joined":
            # The notice may already have come with the previous step (the dispatcher is quick): what counts
            # is that an agent joined after the conversation was last queued.
            return await self.wait_until(
                live, lambda seen: _latest_owner_notice(seen) == "agent_joined", "an agent joining"
            )
        status = await self.api.status(live.session)
        if status["state"] != "queued":
            raise StepFailed(f"a queue timeout needs a queued conversation; it is {status['state']}")
        await self.api.make_queue_timeout_due(live.session.conversation_id)
        start = len(live.all_messages)

        def answered_after_return(seen: list[dict]) -> bool:
            notices = {m["id"] for m in seen[start:] if _owner_notice(m) == "returned_to_bot"}
            return any(m["role"] == "bot" and m.get("meta", {}).get("reply_to") in notices for m in seen)

        # The dispatcher's hand-back notice, then the bot's answer to the ending (a callback offer).
        return await self.wait_until(live, answered_after_return, "the queue timeout and the bot's answer")

    async def run_step(self, live: Live, index: int, step: Step) -> StepRecord:
        record = StepRecord(index=index, step=step)
        tickets_before, outcomes_before = [], 0
        if needs_baseline(step.expect):
            tickets_before = await self.api.tickets(live.conversation.customer, live.session.conversation_id)
            outcomes_before = len(await self.api.outcomes(live.session.conversation_id))
        await self.agents.keep_online()
        try:
            async with self.backend.lock.step():
                record.messages = await self.perform(live, step)
        except StepFailed as failure:
            record.failures.append(str(failure))
        await self._read_tracker(live, record)
        if any(m.get("meta", {}).get("event") == BOT_DELAYED for m in record.messages):
            record.failures.append("the handoff API could not reach the bot (a bot_delayed notice)")
        if step.expect is not None and not record.failures:
            seen = self._observed(live, record.messages, record.actions)
            seen.tickets_before, seen.outcomes_before = tickets_before, outcomes_before
            record.failures += await failures_of(step.expect, seen)
        return record

    def _observed(self, live: Live, messages: list[dict], actions: list[str]) -> Observed:
        return Observed(
            api=self.api,
            backend=self.backend,
            session=live.session,
            customer_id=live.conversation.customer,
            messages=messages,
            actions=actions,
            slots=live.slots,
            start_cards=live.start_cards,
        )

    async def _read_tracker(self, live: Live, record: StepRecord) -> None:
        tracker = await self.api.tracker(live.session.conversation_id)
        events = tracker.get("events") or []
        new, live.events_seen = events[live.events_seen :], len(events)
        record.actions = [
            e["name"] for e in new if e.get("event") == "action" and e["name"] != "action_listen"
        ]
        record.understood = [_user_turn(e) for e in new if e.get("event") == "user"]
        live.all_actions += record.actions
        live.slots = tracker.get("slots") or {}

    # ---- conversations
    async def run_conversation(self, conversation: Conversation) -> ConversationResult:
        result = ConversationResult(conversation)
        try:
            await self.backend.restore_customer(
                conversation.customer, overdue_tail=conversation.setup.overdue
            )
            live = Live(
                conversation,
                await self.api.start_session(conversation.customer),
                self.backend.cards(conversation.customer),
            )
            result.conversation_id = live.session.conversation_id
            for index, step in enumerate(conversation.turns, start=1):
                record = await self.run_step(live, index, step)
                result.steps.append(record)
                if record.failures:
                    break
            if result.passed and conversation.finally_ is not None:
                result.final_failures = await self._final_failures(live, conversation.finally_)
            await self._leave_queue_if_waiting(live)
        except (httpx.HTTPError, AssertionError, KeyError, TimeoutError) as error:
            result.error = f"{type(error).__name__}: {error}"
        return result

    async def _final_failures(self, live: Live, expect: Expect) -> list[str]:
        seen = self._observed(live, live.all_messages, live.all_actions)
        return [f"(whole conversation) {reason}" for reason in await failures_of(expect, seen)]

    async def _leave_queue_if_waiting(self, live: Live) -> None:
        if (await self.api.status(live.session))["state"] == "queued":
            await self.api.leave_queue(live.session)


def _require(response: httpx.Response, what: str) -> None:
    if response.is_error:
        raise StepFailed(f"{what} was refused: {response.status_code} {response.text}")


# System notices that change who owns the conversation (handoff_api/notices.py, queue_status.py).
OWNER_NOTICES = frozenset({"queued", "agent_joined", "returned_to_bot"})


def _owner_notice(message: dict) -> str | None:
    event = message.get("meta", {}).get("event")
    return event if message["role"] == "system" and event in OWNER_NOTICES else None


def _latest_owner_notice(messages: list[dict]) -> str | None:
    return next((event for m in reversed(messages) if (event := _owner_notice(m))), None)


def _button(messages: list[dict], label: str) -> tuple[str, str]:
    """The button of the latest bot message with buttons whose title is, or contains, `label`, or whose
    payload is `label`."""
    offered = next((m["buttons"] for m in reversed(messages) if m["role"] == "bot" and m["buttons"]), [])
    for matches in (
        lambda b: b["title"] == label,
        lambda b: label in b["title"],
        lambda b: b["payload"] == label,
    ):
        if button := next((b for b in offered if matches(b)), None):
            return button["title"], button["payload"]
    raise StepFailed(f"no button {label!r} offered; the latest buttons: {[b['title'] for b in offered]}")


def typed_ticket_id(ticket_id: str, placeholder: str) -> str:
    if placeholder == "<ticket:lower>":
        return ticket_id.lower()
    if placeholder == "<ticket:spaced>":  # T2612010001 as "T 2612 0100 01"
        digits = ticket_id[1:]
        return " ".join([ticket_id[0], *(digits[i : i + 4] for i in range(0, len(digits), 4))])
    return ticket_id


def _user_turn(event: dict) -> UserTurn:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    entities = [f"{e.get('entity')}={e.get('value')}" for e in parse.get("entities") or []]
    return UserTurn(event.get("text") or "", intent.get("name"), intent.get("confidence"), entities)


# ---- the whole suite
async def _ensure_backend_state(api: SuiteApi, backend: DemoBackendState) -> None:
    """The demo back-end writes its state file on its first read; one question makes it do so."""
    if backend.path.exists():
        return
    session = await api.start_session("C1001")
    sent = await api.post_message(session, WARM_UP_QUESTION)
    async with asyncio.timeout(BOT_ANSWER_TIMEOUT_S):
        while sent["bot_reply_pending"] and await api.pending_bot_turns(session.conversation_id):
            await asyncio.sleep(0.1)
    if not backend.path.exists():
        raise RuntimeError(f"the demo back-end wrote no state file at {backend.path}")


def _uses_agents(conversation: Conversation) -> bool:
    return conversation.setup.uses_agents or any(step.agent for step in conversation.turns)


async def _one_customer_at_a_time(
    conversations: list[Conversation],
    run: Callable[[Conversation], Awaitable[ConversationResult]],
    concurrency: int,
) -> list[ConversationResult]:
    pending, busy = list(conversations), set[str]()
    changed = asyncio.Condition()
    results: list[ConversationResult] = []

    async def worker() -> None:
        while True:
            async with changed:
                await changed.wait_for(lambda: not pending or any(c.customer not in busy for c in pending))
                if not pending:
                    return
                conversation = next(c for c in pending if c.customer not in busy)
                pending.remove(conversation)
                busy.add(conversation.customer)
            try:
                results.append(await run(conversation))
            finally:
                async with changed:
                    busy.discard(conversation.customer)
                    changed.notify_all()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


async def run_suite(
    system: RunningSystem,
    conversations: list[Conversation],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[ConversationResult], None] = lambda _: None,
) -> list[ConversationResult]:
    """Every conversation, in the order given, whatever order they ran in."""
    api = SuiteApi.open(system)
    backend = DemoBackendState(system.var_dir / "demo_backend.json")
    suite = Suite(api, backend, AgentPool(api))

    async def run(conversation: Conversation) -> ConversationResult:
        result = await suite.run_conversation(conversation)
        progress(result)
        return result

    try:
        await suite.agents.reset()
        await _ensure_backend_state(api, backend)
        backend.take_snapshot()
        try:
            alone = [c for c in conversations if _uses_agents(c)]
            together = [c for c in conversations if not _uses_agents(c)]
            results = await _one_customer_at_a_time(together, run, concurrency)
            for conversation in alone:
                await suite.agents.prepare(conversation.setup)
                results.append(await run(conversation))
            await suite.agents.reset()
        finally:
            await backend.restore_all()
    finally:
        await api.close()
    order = {c.id: i for i, c in enumerate(conversations)}
    return sorted(results, key=lambda r: order[r.conversation.id])
