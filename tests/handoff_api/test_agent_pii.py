"""Full-width, spaced and X-suffixed PII is masked in every response an agent reads: the queue, the
conversation view (messages, handoff packet), the agent's list, transfer notes, the socket and tickets."""

import json

import httpx
import pytest

from tests.conversation_socket import conversation_socket
from tests.handoff_api.conftest import SERVICE_TOKEN, Customer, login

FULL_WIDTH_MOBILE = "１３８１２３４５６７８"
SPACED_MOBILE = "139 8765 4321"
DASHED_MOBILE = "+86-137-2468-1357"
FULL_WIDTH_CARD = "６２２２ ０２１２ ３４５６ ７８９０"
ID_NUMBER = "11010519491231002X"
TYPED = f"手机{FULL_WIDTH_MOBILE}或{SPACED_MOBILE}或{DASHED_MOBILE}，卡{FULL_WIDTH_CARD}，证件{ID_NUMBER}"
RAW = [
    FULL_WIDTH_MOBILE,
    "13812345678",
    SPACED_MOBILE,
    "13987654321",
    DASHED_MOBILE,
    "13724681357",
    FULL_WIDTH_CARD,
    "６２２２０２１２３４５６７８９０",
    "6222021234567890",
    ID_NUMBER,
    "110105194912310",
]


@pytest.fixture
def routing_overrides() -> dict[str, object]:
    return {"auto_assign": False}


def _leaks(body: str) -> list[str]:
    text = json.loads(body) if body.startswith(("{", "[")) else body
    flat = json.dumps(text, ensure_ascii=False)
    return [raw for raw in RAW if raw in flat]


async def test_every_agent_facing_response_masks_pii(server: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{server}") as http:
        general, supervisor = await login(http, "general_1"), await login(http, "supervisor")
        customer = await Customer.start(http, "C1001")
        await customer.say(TYPED)
        handoff = await customer.hand_off(
            slots={"phone": SPACED_MOBILE, "card": FULL_WIDTH_CARD},
            transcript=[{"role": "customer", "text": TYPED}],
        )
        assert handoff.status_code == 201, handoff.text
        path = f"/api/agent/conversations/{customer.conversation_id}"
        read = [await http.get("/api/agent/queue", headers=general)]
        read.append(await http.post(f"{path}/claim", headers=general))
        read += [
            await http.get(path, headers=general),
            await http.get("/api/agent/conversations", headers=general),
        ]
        token = general["Authorization"].removeprefix("Bearer ")
        async with conversation_socket(f"ws://{server}", customer.conversation_id, token) as socket:
            pushed = [await socket.recv() for _ in range(4)]  # customer message, notices, agent joined
        note = {"group": "risk", "note": f"客户留了电话{FULL_WIDTH_MOBILE}"}
        assert (await http.post(f"{path}/transfer", json=note, headers=general)).status_code == 200
        read += [
            await http.get("/api/agent/queue", headers=supervisor),
            await http.get(path, headers=supervisor),
        ]
        ticket = {"category": "complaint", "customer_id": "C1001", "tier": "standard", "description": TYPED}
        filed = await http.post(
            "/api/internal/tickets", json=ticket, headers={"X-Service-Token": SERVICE_TOKEN}
        )
        assert filed.status_code == 201
        read.append(await http.get("/api/agent/customers/C1001/tickets", headers=supervisor))
        read.append(await http.get("/api/supervisor/overview", headers=supervisor))
    assert all(response.status_code == 200 for response in read), [r.text for r in read]
    assert any(TYPED[:2] in response.text for response in read)  # the message itself is shown
    assert [(r.url.path, leak) for r in read for leak in _leaks(r.text)] == []
    assert [leak for frame in pushed for leak in _leaks(frame)] == []
    assert any("002X" in frame for frame in pushed)
