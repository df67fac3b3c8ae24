"""The names both sides of the system store and exchange, with the Chinese labels the pages show.

Members are stored and sent as their string values. static/config.js carries the same labels for the pages;
a test checks that the two agree.
"""

from __future__ import annotations

from enum import StrEnum

# The header that makes a request safe to repeat (ticket API, core system): one key, one effect.
IDEMPOTENCY_HEADER = "Idempotency-Key"


class CustomerTier(StrEnum):
    STANDARD = "standard"  # 普卡
    GOLD = "gold"  # 金卡
    PLATINUM = "platinum"  # 白金卡
    DIAMOND = "diamond"  # 钻石/私人银行


class HandoffStatus(StrEnum):
    """The answer to a handoff request."""

    QUEUED = "queued"  # waiting in a group queue; position and estimated wait are set
    NO_AGENT = "no_agent"  # nobody eligible is online, or outside working hours: the bot offers a callback


class HandoffOutcome(StrEnum):
    """How a handoff ended; every handoff ends in exactly one of these."""

    ASSIGNED = "assigned"  # an agent took it from the queue
    NO_AGENT = "no_agent"  # nobody eligible online, or outside working hours; never queued
    WAIT_TIMEOUT = "wait_timeout"  # queued past the queue timeout
    CANCELLED = "cancelled"  # the customer left the queue
    RESOLVED = "resolved"  # an agent closed it


class HandoffReason(StrEnum):
    """Why the bot asked for a human (the action server sends it; routing rules may match it)."""

    EXPLICIT_REQUEST = "explicit_request"  # the customer asked for a human
    NEGATIVE_EMOTION = "negative_emotion"  # strong negative emotion (entity emotion=angry)
    REPEATED_MISUNDERSTANDING = "repeated_misunderstanding"  # the bot failed to understand several times
    VERIFICATION_FAILED = "verification_failed"  # identity check failed too often; routed to risk
    BOT_ESCALATION = "bot_escalation"  # the task needs a human


class TicketCategory(StrEnum):
    COMPLAINT = (
        "complaint"  # 投诉: about service, staff, fees or delays; the complaints team answers in the SLA
    )
    DISPUTE = "dispute"  # 争议交易: a charge the customer does not recognise or accept
    CALLBACK = "callback"  # 回电: left when no agent was available or the wait timed out


class TicketStatus(StrEnum):
    OPEN = "open"  # filed, nobody has picked it up
    IN_PROGRESS = "in_progress"  # an agent is working on it
    RESOLVED = "resolved"  # answered; may be reopened (back to in_progress) or closed
    CLOSED = "closed"  # final


HANDOFF_OUTCOME_LABELS: dict[HandoffOutcome, str] = {
    HandoffOutcome.ASSIGNED: "已接入",
    HandoffOutcome.NO_AGENT: "无坐席",
    HandoffOutcome.WAIT_TIMEOUT: "等待超时",
    HandoffOutcome.CANCELLED: "客户取消",
    HandoffOutcome.RESOLVED: "已解决",
}
HANDOFF_REASON_LABELS: dict[HandoffReason, str] = {
    HandoffReason.EXPLICIT_REQUEST: "客户要求转人工",
    HandoffReason.NEGATIVE_EMOTION: "客户情绪激动",
    HandoffReason.REPEATED_MISUNDERSTANDING: "多次未理解",
    HandoffReason.VERIFICATION_FAILED: "身份核验失败",
    HandoffReason.BOT_ESCALATION: "需人工办理",
}
TICKET_CATEGORY_LABELS: dict[TicketCategory, str] = {
    TicketCategory.COMPLAINT: "投诉",
    TicketCategory.DISPUTE: "争议交易",
    TicketCategory.CALLBACK: "回访",
}
TICKET_STATUS_LABELS: dict[TicketStatus, str] = {
    TicketStatus.OPEN: "待处理",
    TicketStatus.IN_PROGRESS: "处理中",
    TicketStatus.RESOLVED: "已解决",
    TicketStatus.CLOSED: "已关闭",
}


# Card tasks: each runs a form (verification, then the task), so a turn can take only one of them.
CARD_TASK_INTENTS: tuple[str, ...] = (
    "activate_card",
    "report_lost_card",
    "freeze_card",
    "unfreeze_card",
    "replace_card",
    "raise_credit_limit",
    "reset_password",
    "cancel_card",
)
# The intents that ask for one of the centre's services (a question answered or a card task done): what the
# request splitter counts as a request of its own, and what ends the rating question as a new request.
SERVICE_INTENTS: tuple[str, ...] = (
    "query_balance",
    "query_bill",
    "query_transactions",
    "query_points",
    "ask_annual_fee",
    "ask_installment",
    "ask_repayment",
    "ask_card_application",
    "ask_service_info",
    *CARD_TASK_INTENTS,
)
# Requests about a problem, each filed as a ticket through the ticket form.
GRIEVANCE_INTENTS: tuple[str, ...] = ("complain", "dispute_transaction")
