"""Request and response bodies of the HTTP API."""

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from handoff_api.states import (
    AgentLevel,
    AgentRole,
    ConversationState,
    CustomerTier,
    HandoffStatus,
    MessageRole,
)

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


class CustomerMessageIn(BaseModel):
    text: MessageText
    payload: RasaPayload | None = None


class AgentMessageIn(BaseModel):
    text: MessageText


class DemoCustomerPublic(BaseModel):
    id: str
    name: str
    tier: CustomerTier
    tier_label: str


class DemoSessionCreate(BaseModel):
    customer_id: str = Field(max_length=64)


class SessionPublic(BaseModel):
    conversation_id: str
    token: str
    customer: DemoCustomerPublic


class ConversationStatus(BaseModel):
    conversation_id: str
    state: ConversationState
    group: str | None
    position: int | None
    estimated_wait_seconds: int | None


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


class AgentConversationView(BaseModel):
    summary: ConversationSummary
    packet: HandoffRequest | None
    messages: list[MessagePublic]


class CloseIn(BaseModel):
    wrap_up: str = Field(default="resolved", min_length=1, max_length=64)
