"""Agent assist over HTTP: the bot's readings of the customer's messages, the bot's answer for the latest,
and "the bot misread this" into the trainer's inbox; only for the agent who has the conversation."""

import httpx
import pytest
from fastapi import FastAPI

from handoff_api.schemas import BotReading
from handoff_api.services import readings
from tests.handoff_api.conftest import Customer, login

STANDARD_ANNUAL_FEE = (
    "您持有的普卡年费为每年100元"  # actions/knowledge/policies.yml, ask_annual_fee, standard
)


@pytest.fixture
def routing_overrides() -> dict[str, object]:
    return {"auto_assign": False}


async def _with_agent(client: httpx.AsyncClient) -> tuple[Customer, dict[str, str], list[dict]]:
    agent = await login(client, "general_1")
    customer = await Customer.start(client, "C1001")
    said = await customer.say("年费怎么收的")  # the bot is down in these tests: stored only
    assert (await customer.hand_off()).status_code == 201
    claimed = await client.post(f"/api/agent/conversations/{customer.conversation_id}/claim", headers=agent)
    assert claimed.status_code == 200, claimed.text
    return customer, agent, said


async def test_the_agent_sees_the_reading_and_the_bots_answer(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    customer, agent, said = await _with_agent(client)
    message_id = said[0]["id"]
    reading = BotReading(intent="ask_annual_fee", confidence=0.82, runner_up="ask_installment")
    await readings.record(
        app.state.context,
        conversation_id=customer.conversation_id,
        message_id=message_id,
        text="年费怎么收的",
        reading=reading,
        replies=[],
        while_agent=False,
    )

    view = (
        await client.get(f"/api/agent/conversations/{customer.conversation_id}/assist", headers=agent)
    ).json()

    assert view["readings"] == [
        {
            "message_id": message_id,
            "intent": "ask_annual_fee",
            "confidence": 0.82,
            "runner_up": "ask_installment",
            "entities": [],
            "fallback": False,
            "flagged": False,
        }
    ]
    assert [s["intent"] for s in view["suggestions"]] == ["ask_annual_fee"]
    assert view["suggestions"][0]["text"].startswith(STANDARD_ANNUAL_FEE)


async def test_the_suggestion_answers_the_latest_message_whichever_reading_was_kept_last(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    customer, agent, said = await _with_agent(client)
    later = (await customer.say("我换手机号了"))[0]["id"]
    # The later message's parse finished first.
    for message_id, intent in ((later, "ask_annual_fee"), (said[0]["id"], "ask_installment")):
        await readings.record(
            app.state.context,
            conversation_id=customer.conversation_id,
            message_id=message_id,
            text="…",
            reading=BotReading(intent=intent, confidence=0.9),
            replies=[],
            while_agent=True,
        )

    view = (
        await client.get(f"/api/agent/conversations/{customer.conversation_id}/assist", headers=agent)
    ).json()

    assert [r["message_id"] for r in view["readings"]] == [said[0]["id"], later]
    assert [s["intent"] for s in view["suggestions"]] == ["ask_annual_fee"]


async def test_a_misread_message_reaches_the_inbox_with_the_agents_intent(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    customer, agent, said = await _with_agent(client)
    message_id = said[0]["id"]
    await readings.record(
        app.state.context,
        conversation_id=customer.conversation_id,
        message_id=message_id,
        text="年费怎么收的",
        reading=BotReading(intent="ask_installment", confidence=0.95),
        replies=[],
        while_agent=True,
    )
    path = f"/api/agent/conversations/{customer.conversation_id}/messages"
    other = await login(client, "risk_1")

    refused = await client.post(
        f"{path}/{message_id}/misread", json={"intent": "ask_annual_fee"}, headers=other
    )
    unknown = await client.post(f"{path}/9-9/misread", json={"intent": "ask_annual_fee"}, headers=agent)
    flagged = await client.post(
        f"{path}/{message_id}/misread", json={"intent": "ask_annual_fee"}, headers=agent
    )

    assert (refused.status_code, unknown.status_code, flagged.status_code) == (403, 404, 200)
    inbox = (await client.get("/api/trainer/inbox", headers=await login(client, "trainer"))).json()
    assert [
        (i["text"], i["reason"], i["predicted_intent"], i["suggested_intent"]) for i in inbox["items"]
    ] == [("年费怎么收的", "agent_flag", "ask_installment", "ask_annual_fee")]
    view = (
        await client.get(f"/api/agent/conversations/{customer.conversation_id}/assist", headers=agent)
    ).json()
    assert view["readings"][0]["flagged"] is True
