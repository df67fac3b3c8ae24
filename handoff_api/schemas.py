"""Request and response bodies of the HTTP API."""

from datetime import UTC, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contract.names import CustomerTier, HandoffStatus, TicketCategory, TicketStatus
from contract.pii import find_mobile
from handoff_api.domain.states import AgentLevel, AgentRole, ConversationState, MessageRole, PresenceStatus

MAX_TEXT_CHARS = 2000

MessageText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)
]
# A Rasa intent payload such as "/request_human" sent by a quick reply instead of its title.
RasaPayload = Annotated[str, StringConstraints(pattern=r"^/\S", max_length=500)]


class Button(BaseModel):
    title: str
    payload: str


class MessagePublic(BaseModel):
    id: str
    role: MessageRole
    text: str
    buttons: list[Button] = Field(default_factory=list)
    ts: float
    meta: dict[str, Any] = Field(default_factory=dict)


class MessageList(BaseModel):
    messages: list[MessagePublic]


class SentMessage(MessageList):
    """What a customer's POST stored, and the bot's replies if it answered in time."""

    bot_reply_pending: bool


class CustomerMessageIn(BaseModel):
    text: MessageText
    payload: RasaPayload | None = None


class AgentMessageIn(BaseModel):
    text: MessageText


class CustomerPublic(BaseModel):
    id: str
    name: str
    tier: CustomerTier
    tier_label: str


class DemoSessionCreate(BaseModel):
    customer_id: str = Field(max_length=64)


class PortalSessionCreate(BaseModel):
    token: str = Field(max_length=8192, description="the JWT the bank's portal signed for this customer")


class SessionPublic(BaseModel):
    conversation_id: str
    token: str
    customer: CustomerPublic


class ConversationStatus(BaseModel):
    conversation_id: str
    state: ConversationState
    group: str | None
    position: int | None
    estimated_wait_seconds: int | None  # None when no figure is honest (nobody of the group online)
    estimated_wait_text: str | None  # what the customer reads: "预计等待约 2 分钟", "请您稍等片刻", ...


class TranscriptLine(BaseModel):
    role: MessageRole
    text: str = Field(max_length=MAX_TEXT_CHARS * 2)


class HandoffRequest(BaseModel):
    conversation_id: str = Field(max_length=128)
    customer_id: str = Field(max_length=64)
    tier: CustomerTier
    intent: str = Field(max_length=100)
    reason: str = Field(max_length=100)
    slots: dict[str, Any] = Field(default_factory=dict)
    verified: bool = False
    transcript: list[TranscriptLine] = Field(default_factory=list, max_length=500)


class HandoffResult(BaseModel):
    status: HandoffStatus
    group: str
    position: int | None
    estimated_wait_seconds: int | None
    estimated_wait_text: str | None


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class AgentPublic(BaseModel):
    username: str
    name: str
    role: AgentRole
    level: AgentLevel
    groups: list[str]
    capacity: int
    presence: PresenceStatus


class LoginResult(BaseModel):
    token: str
    agent: AgentPublic


class ConversationSummary(BaseModel):
    """One line of the agent's queue or of their own conversations."""

    conversation_id: str
    customer_id: str
    customer_name: str | None
    tier: CustomerTier
    state: ConversationState
    group: str | None
    agent: str | None
    intent: str | None
    reason: str | None
    waited_seconds: int | None
    deadline: float | None
    note: str | None = None  # from the agent who transferred the conversation


class AgentConversationView(BaseModel):
    summary: ConversationSummary
    packet: HandoffRequest | None
    messages: list[MessagePublic]


class CloseIn(BaseModel):
    wrap_up: str = Field(default="resolved", min_length=1, max_length=64)


# PostgreSQL refuses NUL in text columns; refuse it at the door instead of failing at the database.
_NO_NUL = r"^[^\x00]*$"
RecordText = Annotated[str, StringConstraints(pattern=_NO_NUL, max_length=500)]
# Ticket details are flat facts the bot collected (amount, date, card tail), not a document store.
DetailKey = Annotated[str, StringConstraints(pattern=_NO_NUL, min_length=1, max_length=64)]
DetailValue = Annotated[str, StringConstraints(pattern=_NO_NUL, max_length=500)] | int | float | bool | None


def _mobile_number(text: str) -> str:
    number = find_mobile(text)
    if number is None:
        raise ValueError("not a mainland mobile number")
    return number


# A callback's contact phone as the customer typed it (+86, spaces, full-width digits); stored as 11 digits.
ContactPhone = Annotated[str, StringConstraints(max_length=32), AfterValidator(_mobile_number)]


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in the year 0 in UTC
        raise ValueError("date out of range") from None


# A moment a range is asked for with (?since=…&until=…): in UTC as the database stores it, or a 422.
RangeMoment = Annotated[datetime, AfterValidator(_in_utc)]


class TicketCreate(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    category: TicketCategory
    customer_id: Annotated[str, StringConstraints(pattern=_NO_NUL, min_length=1, max_length=64)]
    tier: CustomerTier
    conversation_id: Annotated[str, StringConstraints(pattern=_NO_NUL, max_length=128)] | None = None
    description: Annotated[
        str,
        StringConstraints(strip_whitespace=True, pattern=_NO_NUL, min_length=1, max_length=MAX_TEXT_CHARS),
    ]
    details: dict[DetailKey, DetailValue] = Field(default_factory=dict, max_length=30)
    contact_phone: ContactPhone | None = None


class TicketStatusUpdate(BaseModel):
    status: TicketStatus
    note: RecordText = ""


class TicketHistoryEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: TicketStatus
    at: datetime
    note: str
    by: str


class TicketPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    category: TicketCategory
    status: TicketStatus
    customer_id: str
    tier: CustomerTier
    conversation_id: str | None
    group: str | None  # the seat group responsible for it
    description: str  # masked (contract/pii.py)
    details: dict[str, Any]
    contact_phone: str | None  # where a callback goes; shown only to those allowed to see the ticket
    sla_due_at: datetime
    created_at: datetime
    history: list[TicketHistoryEntry]


class CsatCreate(BaseModel):
    score: int = Field(ge=1, le=5)
    comment: RecordText = ""


class CsatCommentIn(BaseModel):
    comment: Annotated[str, StringConstraints(pattern=_NO_NUL, min_length=1, max_length=500)]


class CsatPublic(BaseModel):
    conversation_id: str
    score: int
    comment: str
    rated_at: datetime


class TransferIn(BaseModel):
    """Exactly one target: a seat group (back into its queue) or an agent (straight to them)."""

    group: str | None = Field(default=None, max_length=64)
    agent: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=MAX_TEXT_CHARS)

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.group is None) == (self.agent is None):
            raise ValueError("give exactly one of group or agent")
        return self


class PresenceIn(BaseModel):
    status: PresenceStatus


class AgentSeatPublic(BaseModel):
    username: str
    name: str
    level: AgentLevel
    groups: list[str]
    presence: PresenceStatus
    load: int
    capacity: int


class GroupOverview(BaseModel):
    group: str
    label: str
    queue_length: int
    past_target: int  # queued conversations already past their tier's target wait
    oldest_wait_seconds: int | None  # the head of the queue (earliest deadline)
    oldest_target_seconds: int | None  # its tier's target wait
    seconds_per_assignment: float | None  # observed moving average; None until the first assignment


class CsatSummary(BaseModel):
    average: float | None  # None until the first rating
    count: int


class SupervisorOverview(BaseModel):
    groups: list[GroupOverview]
    agents: list[AgentSeatPublic]
    outcomes: dict[str, dict[str, int]]  # group -> outcome -> count
    handoff_reasons: dict[str, int]
    csat: CsatSummary


class IntentScore(BaseModel):
    name: str
    confidence: float


class EntityReading(BaseModel):
    entity: str
    value: str


class BotReading(BaseModel):
    """What the NLU made of a customer message (bot/reading.py builds it in the Rasa channel)."""

    intent: str | None
    confidence: float
    runner_up: str | None = None
    runner_up_confidence: float | None = None
    ranking: list[IntentScore] = Field(default_factory=list)
    entities: list[EntityReading] = Field(default_factory=list)
    fallback: bool = False


# An intent name as domain.yml spells them: what a trainer may label with, a new one included.
IntentName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]


class InboxItem(BaseModel):
    """One group of near-identical waiting messages, shown by its latest member."""

    id: int
    text: str  # PII-masked
    predicted_intent: str | None
    confidence: float
    runner_up: str | None
    runner_up_confidence: float | None
    entities: list[EntityReading]
    fallback: bool
    reason: str
    suggested_intent: str | None  # the agent's, for an agent-flagged message
    conversation_id: str
    context_before: str | None
    context_after: str | None
    created_at: datetime
    count: int


class InboxPage(BaseModel):
    items: list[InboxItem]
    waiting: int  # waiting messages (not groups) under the filters
    groups: int  # groups under the filters: the pages there are
    labelled_this_week: int


class LabelIn(BaseModel):
    """Label a group with an intent (existing or new), or discard it."""

    intent: IntentName | None = None
    note: RecordText = ""
    discard: bool = False

    @model_validator(mode="after")
    def _intent_or_discard(self) -> Self:
        if (self.intent is None) == (not self.discard):
            raise ValueError("give an intent, or discard: true")
        return self


# Row ids of the readings table, bounded so no database is handed an integer it cannot hold.
InboxItemId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class BulkLabelIn(LabelIn):
    ids: list[InboxItemId] = Field(min_length=1, max_length=500)


class LabelResult(BaseModel):
    labelled: int  # messages changed, all members of the groups


class ReadingPublic(BaseModel):
    """The bot's reading of one customer message, as agent assist shows it next to the message."""

    message_id: str
    intent: str | None
    confidence: float
    runner_up: str | None
    entities: list[EntityReading]
    fallback: bool
    flagged: bool  # an agent already sent it to the trainer's inbox


class Suggestion(BaseModel):
    intent: str
    text: str  # the answer the bot gives for the intent (the knowledge file, for the customer's tier)


class AssistView(BaseModel):
    readings: list[ReadingPublic]
    suggestions: list[Suggestion]  # for the latest customer message the bot read


class MisreadIn(BaseModel):
    intent: IntentName | None = None  # what the agent thinks the customer meant


class AnalyticsRow(BaseModel):
    """Bot figures of one period (an hour or a day, UTC) or of the whole range; rates None without data."""

    start: datetime | None  # None for the range's totals
    conversations: int  # with at least one customer message the bot read
    contained: int  # of those, ended without a handoff request
    containment: float | None
    handoffs: int
    handoff_rate: float | None  # handoffs per conversation
    readings: int
    fallback_rate: float | None
    queued: int  # handoffs that waited in a queue and ended there (assigned, timed out or cancelled)
    abandonment: float | None  # share of those the customer cancelled
    sla_attainment: dict[str, float | None]  # tier -> share of queued handoffs assigned within its target
    csat_average: float | None
    csat_count: int


class IntentCount(BaseModel):
    intent: str
    count: int


class AnalyticsReport(BaseModel):
    bucket: str  # hour or day
    since: datetime
    until: datetime
    rows: list[AnalyticsRow]
    totals: AnalyticsRow
    handoffs_by_reason: dict[str, int]
    handoffs_by_intent: dict[str, int]
    top_intents: list[IntentCount]
