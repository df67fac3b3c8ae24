"""The handoff service's own enumerations, stored as their string values; the names it shares with the
bot side are in contract/names.py."""

from enum import StrEnum


class ConversationState(StrEnum):
    BOT = "bot"  # Rasa answers; customer messages are forwarded to it
    QUEUED = "queued"  # waiting for an agent; customer messages are stored only
    AGENT = "agent"  # an agent owns it; Rasa is paused


class MessageRole(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"  # notices from the handoff service itself (queued, agent joined, apology)


class PresenceStatus(StrEnum):
    ONLINE = "online"  # receives work
    AWAY = "away"  # logged in, keeps their conversations, receives no new ones
    OFFLINE = "offline"  # signed off


class AgentLevel(StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"


class AgentRole(StrEnum):
    AGENT = "agent"  # serves the queues of their groups
    SUPERVISOR = "supervisor"  # may also read any conversation
    TRAINER = "trainer"  # works the NLU inbox (/trainer); takes no conversations


class TokenKind(StrEnum):
    CUSTOMER = "customer"  # bound to one conversation and one customer
    AGENT = "agent"
