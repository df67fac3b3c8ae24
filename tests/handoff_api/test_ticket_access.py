"""Who sees a ticket (docs/contract.md): the agent serving or who served the customer's conversation, the
ticket's group, or a supervisor; everyone else gets 404. Descriptions are stored masked; a callback's phone is
a field of its own, seen only by those allowed to see the ticket."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.handoff_api.conftest import ON_BOTH_DATABASES, SERVICE_TOKEN, Customer, login

pytestmark = ON_BOTH_DATABASES

SERVICE = {"X-Service-Token": SERVICE_TOKEN}
# Typed as phones and IMEs type them: full-width digits, spaces, an ID number ending in X.
FULL_WIDTH_CARD = "６２２２ ０２１２ ３４５６ ７８９０"
SPACED_MOBILE = "138 1234 5678"
FULL_WIDTH_MOBILE = "１３９８７６５４３２１"
ID_NUMBER = "11010519491231002X"
RAW_FORMS = [
    FULL_WIDTH_CARD,
    "6222021234567890",
    "６２２２０２１２３４５６７８９０",
    SPACED_MOBILE,
    "13812345678",
    FULL_WIDTH_MOBILE,
    "13987654321",
    ID_NUMBER,
]


@pytest.fixture
def routing_overrides() -> dict[str, object]:
    return {"auto_assign": False}  # assignments by hand (claim)


async def _file(client: httpx.AsyncClient, customer_id: str, **fields: object) -> dict:
    body = {
        "category": "complaint",
        "customer_id": customer_id,
        "tier": "standard",
        "conversation_id": None,
        "description": "服务态度很差",
        **fields,
    }
    response = await client.post("/api/internal/tickets", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    return response.json()


async def _visible_ids(client: httpx.AsyncClient, agent: dict[str, str], customer_id: str) -> list[str]:
    response = await client.get(f"/api/agent/customers/{customer_id}/tickets", headers=agent)
    assert response.status_code == 200, response.text
    return [ticket["id"] for ticket in response.json()]


async def _can_read(client: httpx.AsyncClient, agent: dict[str, str], ticket_id: str) -> bool:
    response = await client.get(f"/api/agent/tickets/{ticket_id}", headers=agent)
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


async def test_an_agent_outside_the_rule_can_neither_read_nor_change_a_ticket(
    client: httpx.AsyncClient,
) -> None:
    dispute = await _file(client, "C1001", category="dispute")  # the rules give disputes to 风险专线
    assert dispute["group"] == "risk"
    general = await login(client, "general_1")
    assert await _visible_ids(client, general, "C1001") == []
    assert not await _can_read(client, general, dispute["id"])
    patched = await client.patch(
        f"/api/agent/tickets/{dispute['id']}", json={"status": "closed"}, headers=general
    )
    assert patched.status_code == 404 and patched.json() == {"detail": "ticket not found"}
    unchanged = await client.get(f"/api/internal/tickets/{dispute['id']}", headers=SERVICE)
    assert unchanged.json()["status"] == "open"
    for allowed in ("risk_1", "supervisor"):
        headers = await login(client, allowed)
        assert await _visible_ids(client, headers, "C1001") == [dispute["id"]]
        assert await _can_read(client, headers, dispute["id"])


async def test_the_serving_agent_sees_the_customers_tickets_and_keeps_those_of_the_conversation(
    client: httpx.AsyncClient,
) -> None:
    customer = await Customer.start(client, "C1001")
    earlier = await _file(client, "C1001")  # 投诉处理组, from another conversation
    this_one = await _file(client, "C1001", conversation_id=customer.conversation_id)
    general = await login(client, "general_1")
    assert await _visible_ids(client, general, "C1001") == []
    assert (await customer.hand_off()).status_code == 201
    path = f"/api/agent/conversations/{customer.conversation_id}"
    assert (await client.post(f"{path}/claim", headers=general)).status_code == 200
    assert await _visible_ids(client, general, "C1001") == [this_one["id"], earlier["id"]]
    moved = await client.patch(
        f"/api/agent/tickets/{earlier['id']}", json={"status": "in_progress"}, headers=general
    )
    assert moved.status_code == 200, moved.text
    assert (
        await client.post(f"{path}/close", json={"wrap_up": "resolved"}, headers=general)
    ).status_code == 200
    # Served: the ticket of the conversation stays theirs to follow up; the customer's others do not.
    assert await _visible_ids(client, general, "C1001") == [this_one["id"]]
    assert not await _can_read(client, general, earlier["id"])


async def test_ticket_text_is_stored_and_shown_masked_and_the_callback_phone_kept_apart(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    description = (
        f"卡号{FULL_WIDTH_CARD}被盗刷，身份证{ID_NUMBER}，请打{SPACED_MOBILE}或{FULL_WIDTH_MOBILE}回电"
    )
    callback = await _file(
        client,
        "C1001",
        category="callback",
        description=description,
        details={"card": "６２２２０２１２３４５６７８９０"},
    )
    assert callback["contact_phone"] == "13812345678"  # the first number the customer gave
    given = await _file(
        client, "C1002", category="callback", description="请尽快回电", contact_phone="+86 139-8765-4321"
    )
    assert given["contact_phone"] == "13987654321"
    supervisor = await login(client, "supervisor")
    moved = await client.patch(
        f"/api/agent/tickets/{callback['id']}",
        json={"status": "in_progress", "note": f"已致电{FULL_WIDTH_MOBILE}"},
        headers=supervisor,
    )
    listed = await client.get("/api/agent/customers/C1001/tickets", headers=supervisor)
    for body in (
        moved.text,
        listed.text,
        (await client.get(f"/api/agent/tickets/{callback['id']}", headers=supervisor)).text,
    ):
        shown = body.replace('"contact_phone":"13812345678"', "")
        assert not [raw for raw in RAW_FORMS if raw in shown], shown
        assert "７８９０" in shown and "002X" in shown  # the tails agents refer to stay
    with app.state.context.engine.connect() as connection:
        stored = connection.execute(text("SELECT description, details FROM tickets")).all()
        notes = connection.execute(text("SELECT note FROM ticket_status_changes")).scalars().all()
    dump = repr(stored) + repr(notes)
    assert not [raw for raw in RAW_FORMS if raw in dump], dump
    assert "\\uff16" not in dump  # no full-width digits escaped in the JSON either


async def test_a_contact_phone_that_is_no_mobile_number_is_refused(client: httpx.AsyncClient) -> None:
    body = {
        "category": "callback",
        "customer_id": "C1001",
        "tier": "standard",
        "description": "回电",
        "contact_phone": "12345",
    }
    response = await client.post("/api/internal/tickets", json=body, headers=SERVICE)
    assert response.status_code == 422
