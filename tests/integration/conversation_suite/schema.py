"""The conversation case format (tests/conversations/README.md), validated as it loads.

Every model forbids unknown keys and every name is checked against the repo (vocabulary.py), so a typo in a
case is an error that names the file, the conversation and the key, not an expectation that never fires.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tests.integration.conversation_suite.values import check_placeholder
from tests.integration.conversation_suite.vocabulary import vocabulary

CONVERSATIONS_DIR = Path(__file__).resolve().parents[2] / "conversations"


class Category(StrEnum):
    # The numbered categories of issue 14 ("What goes wrong today").
    confirmation = "confirmation"  # 1 answering a confirmation in one's own words
    billing_cycle = "billing_cycle"  # 2 this/last statement, follow-ups, overdue
    two_requests = "two_requests"  # 3 two requests in one message
    handoff_routing = "handoff_routing"  # 4 the handoff goes where the conversation's task is
    frustration = "frustration"  # 5 repeated misunderstanding or frustration reaches a human
    ratings = "ratings"  # 6 CSAT typed, clicked, stored
    emotion = "emotion"  # 7 acknowledgement of anger or distress
    context = "context"  # 8 using what the customer already said
    boundaries = "boundaries"  # 9 what the service can and cannot do, said plainly
    waiting = "waiting"  # 10 honest wait estimates
    card_security = "card_security"  # 11 urgent card security never misread
    english_mixed = "english_mixed"  # 12 whole English and mixed-language messages
    entities = "entities"  # 13 codes, tails, amounts and dates as people type them
    # Coverage across the product.
    intents = "intents"  # every intent of domain.yml, in a conversation
    traditional = "traditional"  # Traditional Chinese wording
    typos = "typos"  # typos and homophones
    colloquial = "colloquial"  # colloquial and dialect wording
    long_messages = "long_messages"  # a request inside a long story
    corrections = "corrections"  # the customer corrects a value or a request
    cancellations = "cancellations"  # dropping a task midway
    digressions = "digressions"  # a side question inside a task, then back
    handoff_endings = "handoff_endings"  # assigned, no_agent, wait_timeout, cancelled, resolved


CardStatus = Literal["active", "inactive", "frozen", "lost", "cancelled"]
CardTail = Annotated[str, Field(pattern=r"^\d{4}$")]
AgentName = Annotated[str, Field(min_length=1)]
Score = Annotated[int, Field(ge=1, le=5)]
# Stand-ins in a customer's message for the latest ticket filed in the conversation, as customers type ids.
TICKET_PLACEHOLDERS = ("<ticket>", "<ticket:lower>", "<ticket:spaced>")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _known(kind: str, names: frozenset[str], value: str) -> str:
    if value not in names:
        raise ValueError(f"unknown {kind} {value!r}; known: {', '.join(sorted(names))}")
    return value


class CardExpectation(Model):
    """One card of the conversation's customer in the demo back-end after the step."""

    tail: CardTail
    status: CardStatus | None = None
    credit_limit: float | None = None
    temporary_limit: float | None = None


class TicketExpectation(Model):
    """A ticket filed for this conversation during the step (exactly one of the new ones must match)."""

    category: Literal["complaint", "dispute", "callback"] | None = None  # None: any category
    description_contains_any: list[str] = []
    details: dict[str, Any] = {}  # each given key must be in the ticket's details with this value


class HandoffExpectation(Model):
    """Where the conversation went: `queued` (waiting, no ending yet), `assigned` or `no_agent`."""

    outcome: Literal["queued", "assigned", "no_agent"]
    group: str | None = None
    agent: str | None = None
    reason: str | None = None  # the packet's reason (queued or assigned only: no_agent keeps no packet)
    intent: str | None = None  # the packet's topic intent (same)
    packet_has_ticket: bool = False  # the packet's slots carry a ticket filed in this conversation

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        return value and _known("group", vocabulary().groups, value)

    @field_validator("agent")
    @classmethod
    def _agent(cls, value: str | None) -> str | None:
        return value and _known("agent", vocabulary().agents, value)

    @model_validator(mode="after")
    def _packet_needs_a_queue(self) -> Self:
        if self.outcome == "no_agent" and (self.reason or self.intent or self.packet_has_ticket):
            raise ValueError(
                "a no_agent handoff keeps no packet: reason/intent/packet_has_ticket need a queue"
            )
        return self


class StateExpectation(Model):
    """GET /api/conversations/{id}."""

    state: Literal["bot", "queued", "agent"]
    group: str | None = None


class CsatExpectation(Model):
    """The rating stored for the conversation's latest resolved handoff (closed_conversations)."""

    score: Score | list[Score]  # a list: any of these
    comment_contains_any: list[str] = []

    @property
    def scores(self) -> list[int]:
        return self.score if isinstance(self.score, list) else [self.score]


class Expect(Model):
    """What must be true after a step. Unset keys are not checked; `any_of` passes when one block does."""

    actions: list[str] = []  # ran in this order during the step; other actions may run in between
    actions_not: list[str] = []  # none of these ran during the step
    slots: dict[str, Any] = {}  # tracker slot values after the step (null: unset); see values.py
    reply_contains_any: list[str] = []  # some bot message of the step contains one of these
    reply_contains_all: list[str] = []  # each of these is in some bot message of the step
    reply_contains_none: list[str] = []  # no bot or system message of the step contains any of these
    reply_matches_none: list[str] = []  # regular expressions no bot or system message of the step matches
    offers_buttons: bool | None = None  # a bot message of the step has (true) / none has (false) buttons
    silent: bool = False  # the bot said and did nothing (an agent owns the conversation)
    cards: list[CardExpectation] = []
    cards_unchanged: bool = False  # every card of the customer as at the start of the conversation
    ticket: TicketExpectation | Literal["none"] | None = None
    handoff: HandoffExpectation | Literal["none"] | None = None
    conversation: StateExpectation | None = None
    csat: CsatExpectation | None = None
    any_of: list[Expect] = []

    @field_validator("actions", "actions_not")
    @classmethod
    def _actions(cls, names: list[str]) -> list[str]:
        return [_known("action", vocabulary().actions, name) for name in names]

    @field_validator("slots")
    @classmethod
    def _slots(cls, slots: dict[str, Any]) -> dict[str, Any]:
        for name, value in slots.items():
            _known("slot", vocabulary().slots, name)
            check_placeholder(value)
        return slots

    @field_validator("reply_matches_none")
    @classmethod
    def _patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            re.compile(pattern)
        return patterns

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("an empty expect block checks nothing; remove it or say what must hold")
        return self


class PageRating(Model):
    """The web page's star panel: POST /api/conversations/{id}/csat."""

    score: Score
    comment: str = ""


WaitFor = Literal["agent_joined", "queue_timeout"]
_CUSTOMER_KINDS = ("say", "click", "leave_queue", "rate_on_page")
_AGENT_ACTIONS = ("claim", "reply", "close", "transfer_to_group", "transfer_to_agent", "presence")


class Step(Model):
    """One turn: exactly one of a customer message, a button click, leaving the queue, a page rating,
    an agent's action (`agent` with one of claim/reply/close/transfer_to_group/transfer_to_agent/presence),
    or a wait."""

    say: str | None = Field(default=None, min_length=1, max_length=2000)
    click: str | None = None  # a button of the latest bot message that has buttons, by title or payload
    leave_queue: Literal[True] | None = None  # the customer's "leave the queue" (POST .../cancel)
    rate_on_page: PageRating | None = None
    agent: AgentName | None = None
    claim: Literal[True] | None = None
    reply: str | None = None
    close: str | None = None  # the wrap-up code
    transfer_to_group: str | None = None
    transfer_to_agent: str | None = None
    note: str = ""  # with a transfer
    presence: Literal["online", "away", "offline"] | None = None
    wait: WaitFor | None = (
        None  # agent_joined: until an agent joins; queue_timeout: the wait ends as timed out
    )
    expect: Expect | None = None

    @field_validator("say")
    @classmethod
    def _placeholders(cls, text: str | None) -> str | None:
        for placeholder in re.findall(r"<[^<>]*>", text or ""):
            if placeholder not in TICKET_PLACEHOLDERS:
                raise ValueError(
                    f"unknown placeholder {placeholder}; known: {', '.join(TICKET_PLACEHOLDERS)}"
                )
        return text

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        kinds = [name for name in (*_CUSTOMER_KINDS, "agent", "wait") if getattr(self, name) is not None]
        if len(kinds) != 1:
            raise ValueError(
                f"a turn is exactly one of {', '.join((*_CUSTOMER_KINDS, 'agent', 'wait'))}; got {kinds}"
            )
        agent_actions = [name for name in _AGENT_ACTIONS if getattr(self, name) is not None]
        if self.agent is None and agent_actions:
            raise ValueError(f"{agent_actions} need `agent: <username>`")
        if self.agent is not None:
            _known("agent", vocabulary().agents, self.agent)
            if len(agent_actions) != 1:
                raise ValueError(
                    f"an agent turn does exactly one of {', '.join(_AGENT_ACTIONS)}; got {agent_actions}"
                )
        if self.transfer_to_group is not None:
            _known("group", vocabulary().groups, self.transfer_to_group)
        if self.transfer_to_agent is not None:
            _known("agent", vocabulary().agents, self.transfer_to_agent)
        return self

    @property
    def kind(self) -> str:
        return next(name for name in (*_CUSTOMER_KINDS, "agent", "wait") if getattr(self, name) is not None)


class Setup(Model):
    """Agents' presence for the conversation (every other agent is offline; default: nobody online), and
    the customer's demo data."""

    online: list[AgentName] = []
    busy: list[AgentName] = []  # online, with every seat taken by other customers' chats
    overdue: CardTail | None = None  # this card's latest bill: unpaid, issued last month, past its due date

    @field_validator("online", "busy")
    @classmethod
    def _agents(cls, names: list[str]) -> list[str]:
        return [_known("agent", vocabulary().agents, name) for name in names]

    @property
    def uses_agents(self) -> bool:
        return bool(self.online or self.busy)


class Conversation(Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    about: str = Field(min_length=1)  # what the conversation shows, in a line
    customer: str
    setup: Setup = Setup()
    turns: list[Step] = Field(min_length=1)
    finally_: Expect | None = Field(default=None, alias="finally")  # over the whole conversation
    category: Category  # the file's, given once at its top

    @field_validator("customer")
    @classmethod
    def _customer(cls, value: str) -> str:
        return _known("demo customer", vocabulary().customers, value)

    @model_validator(mode="after")
    def _own_cards(self) -> Self:
        tails = vocabulary().card_tails[self.customer]
        expects = [step.expect for step in self.turns if step.expect] + (
            [self.finally_] if self.finally_ else []
        )
        named = {card.tail for expect in _nested(expects) for card in expect.cards}
        if self.setup.overdue:
            named.add(self.setup.overdue)
        if unknown := named - tails:
            raise ValueError(f"{self.customer} has no card {sorted(unknown)}; their cards: {sorted(tails)}")
        return self


def _nested(expects: list[Expect]) -> list[Expect]:
    return [inner for expect in expects for inner in (expect, *_nested(expect.any_of))]


class ConversationFile(Model):
    category: Category
    conversations: list[Conversation] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _file_category(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("conversations"), list):
            return data
        for conversation in data["conversations"]:
            if isinstance(conversation, dict):
                if "category" in conversation:
                    raise ValueError("`category` is given once per file, not per conversation")
                conversation["category"] = data.get("category")
        return data


class ConversationFileError(ValueError):
    """A case file that does not follow the format; the message names file, conversation and key."""


def _describe(error: ValidationError, raw: Any) -> str:
    lines = []
    for item in error.errors():
        loc = list(item["loc"])
        if loc[:1] == ["conversations"] and loc[2:] == ["category"]:
            continue  # the file's category, copied into each conversation: reported once, for the file
        where = ".".join(str(part) for part in loc)
        if loc[:1] == ["conversations"] and len(loc) > 1 and isinstance(loc[1], int):
            try:
                where = f"conversation {raw['conversations'][loc[1]]['id']!r}: " + ".".join(map(str, loc[2:]))
            except (KeyError, IndexError, TypeError):
                pass
        given = item.get("input")
        shown = f" (given {given!r})" if isinstance(given, str | int | float) else ""
        lines.append(f"  {where}: {item['msg']}{shown}")
    return "\n".join(lines)


def load_file(path: Path) -> list[Conversation]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConversationFileError(f"{path}: not valid YAML: {error}") from None
    try:
        parsed = ConversationFile.model_validate(raw)
    except ValidationError as error:
        raise ConversationFileError(f"{path}:\n{_describe(error, raw)}") from None
    return list(parsed.conversations)


def load_suite(paths: list[Path] | None = None) -> list[Conversation]:
    """Every conversation of the given files (default: every file of tests/conversations/); ids are unique."""
    conversations: list[Conversation] = []
    for path in paths or sorted(CONVERSATIONS_DIR.glob("*.yml")):
        conversations += load_file(path)
    seen: set[str] = set()
    for conversation in conversations:
        if conversation.id in seen:
            raise ConversationFileError(f"conversation id {conversation.id!r} is used twice")
        seen.add(conversation.id)
    return conversations


def select(conversations: list[Conversation], selectors: list[str]) -> list[Conversation]:
    """The conversations named by file path, category or id (all of them when no selector is given)."""
    if not selectors:
        return conversations
    chosen: list[Conversation] = []
    for selector in selectors:
        path = Path(selector)
        if path.suffix == ".yml":
            ids = {c.id for c in load_file(path if path.exists() else CONVERSATIONS_DIR / path.name)}
            matched = [c for c in conversations if c.id in ids]
        else:
            matched = [c for c in conversations if selector in (c.category.value, c.id)]
        if not matched:
            raise ConversationFileError(f"{selector!r} names no file, category or conversation id")
        chosen += [c for c in matched if c not in chosen]
    return chosen
