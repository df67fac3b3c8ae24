"""Enumerations stored in Redis and the database as their string values."""

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


class HandoffStatus(StrEnum):
    """Answer to a handoff request."""

    QUEUED = "queued"  # waiting in a group queue
    NO_AGENT = "no_agent"  # nobody eligible is online; the bot offers a callback instead


class HandoffOutcome(StrEnum):
    """How a handoff ended, as recorded in the closed-conversation summary."""

    ASSIGNED = "assigned"  # an agent took it from the queue
    NO_AGENT = "no_agent"  # nobody eligible online, or outside working hours; never queued
    WAIT_TIMEOUT = "wait_timeout"  # queued past the queue timeout
    CANCELLED = "cancelled"  # the customer left the queue
    RESOLVED = "resolved"  # an agent closed it


class PresenceStatus(StrEnum):
    ONLINE = "online"  # receives work
    AWAY = "away"  # logged in, keeps their conversations, receives no new ones
    OFFLINE = "offline"  # signed off


class CustomerTier(StrEnum):
    STANDARD = "standard"  # 普卡
    GOLD = "gold"  # 金卡
    PLATINUM = "platinum"  # 白金卡
    DIAMOND = "diamond"  # 钻石/私人银行


class AgentLevel(StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"


class AgentRole(StrEnum):
    AGENT = "agent"  # serves the queues of their groups
    SUPERVISOR = "supervisor"  # may also read any conversation


class TokenKind(StrEnum):
    CUSTOMER = "customer"  # bound to one conversation and one customer
    AGENT = "agent"


class TicketCategory(StrEnum):
    COMPLAINT = "complaint"  # 投诉: the complaints team answers within the SLA
    DISPUTE = "dispute"  # 争议交易: a charge the customer does not recognise or accept
    CALLBACK = "callback"  # 回电: left when no agent was available or the wait timed out


class TicketStatus(StrEnum):
    OPEN = "open"  # filed, nobody has picked it up
    IN_PROGRESS = "in_progress"  # an agent is working on it
    RESOLVED = "resolved"  # answered; may be reopened (back to in_progress) or closed
    CLOSED = "closed"  # final
