"""What the customer and Rasa are told when a conversation changes owner."""

import json
import logging
import time

from contract.names import HandoffOutcome
from handoff_api.domain.states import MessageRole
from handoff_api.services.context import AppContext
from handoff_api.store.bot_turns import BotTurn

logger = logging.getLogger(__name__)

HANDOFF_ENDED_INTENT = "EXTERNAL_handoff_ended"

_ENDING_TEXTS = {
    HandoffOutcome.RESOLVED: "本次人工服务已结束，智能助手将继续为您服务。",
    HandoffOutcome.CANCELLED: "您已取消排队，智能助手将继续为您服务。",
    HandoffOutcome.WAIT_TIMEOUT: "抱歉，当前人工客服繁忙，排队已超时，智能助手将继续为您服务。",
}


async def agent_joined(ctx: AppContext, conversation_id: str, *, agent_username: str, group: str) -> None:
    agent = ctx.directory.agents[agent_username]
    group_label = ctx.directory.routing.groups[group].label if group in ctx.directory.routing.groups else ""
    await ctx.stores.messages.append(
        conversation_id,
        MessageRole.SYSTEM,
        f"坐席 {agent.name}（{group_label}）已接入，为您服务。",
        meta={"event": "agent_joined", "agent_name": agent.name, "group": group, "group_label": group_label},
    )
    await ctx.rasa.set_paused(conversation_id, paused=True)


async def handed_back(ctx: AppContext, conversation_id: str, outcome: HandoffOutcome, **meta: str) -> None:
    """Tell the customer, resume the bot, and let it answer for the outcome (CSAT, callback offer, ...)."""
    notice = await ctx.stores.messages.append(
        conversation_id,
        MessageRole.SYSTEM,
        _ENDING_TEXTS[outcome],
        meta={"event": "returned_to_bot", "outcome": outcome.value, **meta},
    )
    resumed = await ctx.rasa.set_paused(conversation_id, paused=False)
    await ctx.stores.conversations.set_rasa_resume_pending(conversation_id, not resumed)
    # The bot's answer is a turn like any other, behind the customer's own: delivered once, whenever the bot
    # can take it, even if it is down right now.
    entities = json.dumps({"handoff_outcome": outcome.value})
    turn = BotTurn(message_id=notice.id, text=f"/{HANDOFF_ENDED_INTENT}{entities}", is_payload=True)
    await ctx.stores.bot_turns.enqueue(conversation_id, turn, now=time.time())
    ctx.turn_waiters.wakeup.set()
