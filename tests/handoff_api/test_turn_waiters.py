"""Waiting for the bot's answer in this process (services/turn_waiters.py)."""

from handoff_api.schemas import MessagePublic
from handoff_api.services.turn_waiters import TurnAnswer, TurnWaiters

# Stream entry ids are unique only within a conversation: two customers typing in the same millisecond.
SAME_ID = "1764590000000-0"


def _reply(text: str) -> MessagePublic:
    return MessagePublic(id="1764590000001-0", role="bot", text=text, ts=0.0)


async def test_each_conversation_gets_its_own_answer_even_with_the_same_message_id() -> None:
    waiters = TurnWaiters()
    mine, theirs = waiters.expect("c-mine", SAME_ID), waiters.expect("c-theirs", SAME_ID)

    waiters.answered("c-theirs", SAME_ID, [_reply("您的积分为 15,620 分")])

    assert not mine.done()
    assert theirs.result() == TurnAnswer([_reply("您的积分为 15,620 分")], bot_answered=True)
    waiters.answered("c-mine", SAME_ID, [_reply("您的积分为 3,200 分")])
    assert mine.result().messages[0].text == "您的积分为 3,200 分"


async def test_a_delay_answers_every_waiter_of_that_conversation_only() -> None:
    waiters = TurnWaiters()
    first, second = waiters.expect("c1", "1-0"), waiters.expect("c1", "2-0")
    other = waiters.expect("c2", "1-0")

    waiters.delayed("c1", [])

    assert first.result() == second.result() == TurnAnswer([], bot_answered=False)
    assert not other.done()


async def test_a_forgotten_waiter_is_not_answered() -> None:
    waiters = TurnWaiters()
    future = waiters.expect("c1", SAME_ID)
    waiters.forget("c1", SAME_ID)

    waiters.answered("c1", SAME_ID, [_reply("迟到的回复")])

    assert not future.done()
