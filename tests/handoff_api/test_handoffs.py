"""The handoff lifecycle over HTTP: request, queue, claim, reply, close, back to the bot."""

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff_api.services.bot_turns import BOT_DELAYED_NOTICE
from handoff_api.sql.models import ClosedConversation
from tests.handoff_api.conftest import Customer, login


@pytest.fixture
def routing_overrides() -> dict[str, object]:
    # These tests drive assignment by hand (claim); test_dispatcher.py covers automatic assignment.
    return {"auto_assign": False}


def _conversation_path(customer: Customer, action: str = "") -> str:
    return f"/api/agent/conversations/{customer.conversation_id}{action}"


async def _queued(client: httpx.AsyncClient, customer_id: str, **handoff: object) -> Customer:
    customer = await Customer.start(client, customer_id)
    response = await customer.hand_off(**handoff)
    assert response.status_code == 201, response.text
    return customer


@pytest.mark.parametrize(
    ("headers", "detail"),
    [({}, "invalid service token"), ({"X-Service-Token": "wrong"}, "invalid service token")],
)
async def test_handoff_needs_the_service_token(client: httpx.AsyncClient, headers, detail) -> None:
    customer = await Customer.start(client, "C1001")
    body = {
        "conversation_id": customer.conversation_id,
        "customer_id": "C1001",
        "tier": "standard",
        "intent": "request_human",
        "reason": "explicit_request",
    }
    response = await client.post("/api/internal/handoffs", json=body, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    assert (await customer.status())["state"] == "bot"


async def test_no_agent_online_leaves_the_bot_in_charge(client: httpx.AsyncClient) -> None:
    customer = await Customer.start(client, "C1001")
    response = await customer.hand_off()
    assert response.status_code == 200
    assert response.json() == {
        "status": "no_agent",
        "group": "general",
        "position": None,
        "estimated_wait_seconds": None,
        "estimated_wait_text": None,
    }
    assert (await customer.status())["state"] == "bot"


@pytest.mark.parametrize(
    ("customer_id", "intent", "reason", "agent", "group"),
    [
        ("C1003", "request_human", "explicit_request", "vip_1", "vip"),  # platinum → vip
        ("C1003", "report_lost_card", "task_needs_human", "risk_1", "risk"),  # risk beats tier
        ("C1001", "complain", "negative_emotion", "complaints_1", "complaints"),
        ("C1002", "query_bill", "verification_failed", "risk_1", "risk"),
        ("C1002", "request_human", "explicit_request", "general_1", "general"),
    ],
)
async def test_handoff_queues_in_the_group_the_rules_choose(
    client: httpx.AsyncClient, customer_id, intent, reason, agent, group
) -> None:
    await login(client, agent)
    customer = await Customer.start(client, customer_id)
    response = await customer.hand_off(intent=intent, reason=reason)
    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    assert response.json()["group"] == group
    assert response.json()["position"] == 1
    assert (await customer.status())["state"] == "queued"
    notice = (await customer.messages())[-1]
    assert notice["role"] == "system"
    assert notice["meta"]["event"] == "queued" and notice["meta"]["position"] == 1


async def test_queue_is_ordered_by_tier_deadline(client: httpx.AsyncClient) -> None:
    await login(client, "general_1")
    standard = await _queued(client, "C1001")  # target 120 s
    gold = await _queued(client, "C1002")  # target 60 s: queued later, deadline earlier
    gold_status, standard_status = await gold.status(), await standard.status()
    assert (gold_status["position"], standard_status["position"]) == (1, 2)
    assert standard_status["estimated_wait_seconds"] >= gold_status["estimated_wait_seconds"]
    again = await standard.hand_off()
    assert (again.status_code, again.json()["position"]) == (201, 2)


async def test_customer_messages_while_queued_are_stored_not_forwarded(client: httpx.AsyncClient) -> None:
    await login(client, "general_1")
    customer = await _queued(client, "C1001")
    stored = await customer.say("还要等多久？")
    # Rasa is down in these tests: a message for the bot would have produced the catching-up notice.
    assert [m["role"] for m in stored] == ["customer"]
    assert BOT_DELAYED_NOTICE not in [m["text"] for m in await customer.messages()]


async def test_full_flow_claim_reply_close_returns_to_bot(client: httpx.AsyncClient, app: FastAPI) -> None:
    agent = await login(client, "vip_1")
    customer = await _queued(
        client,
        "C1003",
        slots={"phone": "13800138003"},
        transcript=[{"role": "customer", "text": "我的卡号6222021234567890123被盗刷了"}],
    )
    queue = (await client.get("/api/agent/queue", headers=agent)).json()
    assert [line["conversation_id"] for line in queue] == [customer.conversation_id]
    assert queue[0]["customer_name"] == "王芳" and queue[0]["tier"] == "platinum"

    claimed = await client.post(_conversation_path(customer, "/claim"), headers=agent)
    assert claimed.status_code == 200, claimed.text
    view = claimed.json()
    assert view["summary"]["state"] == "agent" and view["summary"]["agent"] == "vip_1"
    assert view["packet"]["transcript"][0]["text"] == "我的卡号***************0123被盗刷了"
    assert view["packet"]["slots"] == {"phone": "138****8003"}
    assert (await customer.status())["state"] == "agent"
    joined = (await customer.messages())[-1]
    assert joined["meta"]["event"] == "agent_joined" and joined["meta"]["agent_name"] == "吴磊"
    assert (await client.get("/api/agent/queue", headers=agent)).json() == []
    mine = (await client.get("/api/agent/conversations", headers=agent)).json()
    assert [line["conversation_id"] for line in mine] == [customer.conversation_id]

    assert [m["role"] for m in await customer.say("我手机13800138003")] == ["customer"]
    seen_by_agent = (await client.get(_conversation_path(customer), headers=agent)).json()["messages"]
    assert seen_by_agent[-1]["text"] == "我手机138****8003"

    reply = await client.post(
        _conversation_path(customer, "/messages"), json={"text": "您好，我来处理"}, headers=agent
    )
    assert reply.status_code == 201
    assert (await customer.messages())[-1]["role"] == "agent"

    closed = await client.post(
        _conversation_path(customer, "/close"), json={"wrap_up": "resolved"}, headers=agent
    )
    assert closed.status_code == 200
    assert (await customer.status())["state"] == "bot"
    assert "returned_to_bot" in [m["meta"].get("event") for m in await customer.messages()]
    assert (await client.get("/api/agent/conversations", headers=agent)).json() == []
    # Back with the bot: the next message is for the bot again (which is down: its answer stays pending).
    sent = await customer.send("谢谢")
    assert sent["bot_reply_pending"] and sent["messages"][0]["role"] == "customer"

    with Session(app.state.context.engine) as session:
        record = session.scalars(select(ClosedConversation)).one()
    assert (record.conversation_id, record.agent, record.group) == (customer.conversation_id, "vip_1", "vip")
    assert (record.outcome, record.wrap_up, record.intent) == ("resolved", "resolved", "request_human")


async def test_agent_cannot_read_or_act_on_a_conversation_not_theirs(client: httpx.AsyncClient) -> None:
    owner, other = await login(client, "vip_1"), await login(client, "vip_senior_1")
    customer = await _queued(client, "C1003")
    assert (await client.post(_conversation_path(customer, "/claim"), headers=owner)).status_code == 200

    for method, action, body in [
        ("GET", "", None),
        ("POST", "/messages", {"text": "hi"}),
        ("POST", "/close", {"wrap_up": "resolved"}),
    ]:
        response = await client.request(
            method, _conversation_path(customer, action), headers=other, json=body
        )
        assert response.status_code == 403, action
        assert response.json() == {"detail": "conversation not assigned to this agent"}
    supervisor = await login(client, "supervisor")
    assert (await client.get(_conversation_path(customer), headers=supervisor)).status_code == 200


async def test_claim_errors(client: httpx.AsyncClient) -> None:
    vip, general = await login(client, "vip_1"), await login(client, "general_1")
    customer = await _queued(client, "C1003")
    wrong_group = await client.post(_conversation_path(customer, "/claim"), headers=general)
    assert (wrong_group.status_code, wrong_group.json()["detail"]) == (403, "agent does not serve this group")
    assert (await client.post(_conversation_path(customer, "/claim"), headers=vip)).status_code == 200
    senior = await login(client, "vip_senior_1")
    taken = await client.post(_conversation_path(customer, "/claim"), headers=senior)
    assert (taken.status_code, taken.json()["detail"]) == (409, "conversation is not queued")
    customer_token = await client.get("/api/agent/queue", headers=customer.headers)
    assert (customer_token.status_code, customer_token.json()["detail"]) == (403, "agent token required")


async def test_concurrent_claims_over_http_have_one_winner(client: httpx.AsyncClient) -> None:
    names = ["vip_1", "vip_senior_1"]
    agents = [await login(client, name) for name in names]
    customer = await _queued(client, "C1004")
    responses = await asyncio.gather(
        *(client.post(_conversation_path(customer, "/claim"), headers=agents[i % 2]) for i in range(20))
    )
    # A claim by the agent who already has it succeeds without change (a double click, or the dispatcher
    # was faster): every claim of the winner is 200, every claim of the other is 409.
    codes_by_agent = [{r.status_code for r in responses[i::2]} for i in range(2)]
    assert sorted(codes_by_agent, key=min) == [{200}, {409}]
    winner = names[codes_by_agent.index({200})]
    supervisor = await login(client, "supervisor")
    conversation = (await client.get(_conversation_path(customer), headers=supervisor)).json()
    assert conversation["summary"]["agent"] == winner


async def test_agent_capacity_is_enforced(client: httpx.AsyncClient) -> None:
    agent = await login(client, "vip_1")  # capacity 2 in config/agents.demo.yml
    customers = [await _queued(client, "C1003") for _ in range(3)]
    codes = [
        (await client.post(_conversation_path(c, "/claim"), headers=agent)).status_code for c in customers
    ]
    assert codes == [200, 200, 409]


async def test_login_rejects_wrong_password(client: httpx.AsyncClient) -> None:
    for username, password in [("vip_1", "wrong"), ("nobody", "demo1234")]:
        response = await client.post("/api/auth/login", json={"username": username, "password": password})
        assert (response.status_code, response.json()) == (401, {"detail": "invalid username or password"})
