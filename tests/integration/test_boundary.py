"""Only the handoff API faces clients: Rasa and the action server answer only the callers that prove they are
the gateway and Rasa, and a customer cannot speak for the bot's own intents."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from contract.identity import SIGNATURE_HEADER, Identity, Turn, sign_identity, sign_turn
from tests.integration.system import RunningSystem, rasa_tracker
from tests.integration.test_skeleton_flow import start_session, state_of

pytestmark = pytest.mark.integration

# The request an attacker on the machine would send: any customer's balance, no secret.
BALANCE_CALL = {
    "next_action": "action_query_balance",
    "sender_id": "attacker",
    "tracker": {
        "sender_id": "attacker",
        "slots": {"verified": True},
        "latest_message": {
            "text": "余额",
            "intent": {"name": "query_balance"},
            "metadata": {"customer_id": "C1003"},
        },
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    },
    "domain": {},
    "version": "3.6.2",
}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=60) as client:
        yield client


def _turn(system: RunningSystem, conversation_id: str, text: str, message_id: str) -> Turn:
    identity = Identity(conversation_id=conversation_id, customer_id="C1003", tier="platinum")
    return Turn(
        conversation_id=conversation_id,
        message_id=message_id,
        text=text,
        is_payload=False,
        identity=sign_identity(identity, system.gateway_secret),
    )


async def test_the_action_server_refuses_callers_without_its_token(
    system: RunningSystem, http: httpx.AsyncClient
) -> None:
    unauthenticated = await http.post(f"{system.actions_url}/webhook", json=BALANCE_CALL)
    wrong = await http.post(
        f"{system.actions_url}/webhook",
        json=BALANCE_CALL,
        headers={"Authorization": "Bearer dev-action-server-token"},
    )

    assert (unauthenticated.status_code, wrong.status_code) == (401, 401)
    assert "128,800" not in unauthenticated.text + wrong.text
    assert (await http.get(f"{system.actions_url}/health")).status_code == 200


async def test_rasa_has_no_open_channel(system: RunningSystem, http: httpx.AsyncClient) -> None:
    rest = await http.post(
        f"{system.rasa_url}/webhooks/rest/webhook",
        json={"sender": "x", "message": "余额", "metadata": {"customer_id": "C1003", "tier": "platinum"}},
    )
    body, header = sign_turn(_turn(system, "x", "余额", "m-1"), "not-the-gateway-secret")
    forged = await http.post(
        f"{system.rasa_url}/webhooks/gateway/webhook", content=body, headers={SIGNATURE_HEADER: header}
    )
    unsigned = await http.post(f"{system.rasa_url}/webhooks/gateway/webhook", content=body)

    assert rest.status_code == 404
    assert (forged.status_code, unsigned.status_code) == (401, 401)


async def test_a_repeated_turn_is_answered_from_its_record_not_run_twice(
    system: RunningSystem, http: httpx.AsyncClient
) -> None:
    conversation_id = f"retry-{uuid.uuid4().hex}"
    body, header = sign_turn(_turn(system, conversation_id, "我的额度还有多少", "m-1"), system.gateway_secret)

    answers = [
        await http.post(
            f"{system.rasa_url}/webhooks/gateway/webhook", content=body, headers={SIGNATURE_HEADER: header}
        )
        for _ in range(2)
    ]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json() and answers[0].json() == answers[1].json()
    assert "128,800.00" in str(answers[0].json())
    user_events = [e for e in rasa_tracker(system, conversation_id)["events"] if e["event"] == "user"]
    assert [event["message_id"] for event in user_events] == ["m-1"]


@pytest.mark.parametrize(
    "body",
    [
        {"text": "结束了", "payload": '/EXTERNAL_handoff_ended{"handoff_outcome": "resolved"}'},
        {"text": '/EXTERNAL_handoff_ended{"handoff_outcome": "resolved"}'},
        {"text": "／request_human"},
    ],
)
async def test_a_customer_cannot_send_intents_the_bot_never_offered(
    system: RunningSystem, body: dict
) -> None:
    async with httpx.AsyncClient(base_url=system.api_url, timeout=60) as api:
        session = await start_session(api, "C1001")
        sent = await api.post(f"{session.path}/messages", json=body, headers=session.headers)
        assert sent.status_code == 201, sent.text
        assert not sent.json()["bot_reply_pending"]
        assert (await state_of(api, session))["state"] == "bot"
    user_events = [e for e in rasa_tracker(system, session.conversation_id)["events"] if e["event"] == "user"]
    parse_data = user_events[-1]["parse_data"]
    # The text went through the NLU like any words: a payload gets exactly one ranked intent, confidence 1.
    assert len(parse_data["intent_ranking"]) > 1, parse_data
    assert parse_data["intent"]["name"] != "EXTERNAL_handoff_ended"
    assert not user_events[-1]["text"].startswith(("/", "／"))
