"""CSAT: rated by the customer once per resolved handoff, stored on the closed-conversation summary."""

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.names import HandoffOutcome
from handoff_api.sql.crud import record_closed_conversation
from handoff_api.sql.models import ClosedConversation
from tests.handoff_api.conftest import ON_BOTH_DATABASES, SERVICE_TOKEN, Customer, login

pytestmark = ON_BOTH_DATABASES


async def _ended(app: FastAPI, customer: Customer, outcome: HandoffOutcome) -> None:
    """Record the summary the lifecycle writes when a handoff ends (the lifecycle has its own tests)."""
    ctx = app.state.context
    conversation = await ctx.stores.conversations.get(customer.conversation_id)
    record_closed_conversation(
        ctx.engine, conversation=conversation, outcome=outcome, wrap_up="resolved", transcript=[]
    )


async def _rate(client: httpx.AsyncClient, customer: Customer, body: dict) -> httpx.Response:
    path = f"/api/conversations/{customer.conversation_id}/csat"
    return await client.post(path, json=body, headers=customer.headers)


SERVICE = {"X-Service-Token": SERVICE_TOKEN}


async def _rate_in_chat(client: httpx.AsyncClient, customer: Customer, body: dict) -> httpx.Response:
    path = f"/api/internal/conversations/{customer.conversation_id}/csat"
    return await client.post(path, json=body, headers=SERVICE)


async def _comment_in_chat(client: httpx.AsyncClient, customer: Customer, comment: str) -> httpx.Response:
    path = f"/api/internal/conversations/{customer.conversation_id}/csat/comment"
    return await client.post(path, json={"comment": comment}, headers=SERVICE)


def _ratings(app: FastAPI, conversation_id: str) -> list[tuple]:
    with Session(app.state.context.engine) as session:
        rows = session.scalars(
            select(ClosedConversation).where(ClosedConversation.conversation_id == conversation_id)
        )
        return [(row.outcome, row.csat_score, row.csat_comment) for row in rows]


async def test_rating_before_a_resolved_handoff_is_409(client: httpx.AsyncClient, app: FastAPI) -> None:
    customer = await Customer.start(client, "C1001")
    response = await _rate(client, customer, {"score": 5})
    assert response.status_code == 409 and response.json() == {"detail": "no resolved handoff to rate"}
    await _ended(app, customer, HandoffOutcome.WAIT_TIMEOUT)
    assert (await _rate(client, customer, {"score": 5})).status_code == 409


async def test_rating_is_stored_once_per_handoff(client: httpx.AsyncClient, app: FastAPI) -> None:
    customer = await Customer.start(client, "C1001")
    await _ended(app, customer, HandoffOutcome.RESOLVED)
    first = await _rate(client, customer, {"score": 4, "comment": "<b>很好</b>，谢谢"})
    assert first.status_code == 201, first.text
    assert first.json()["score"] == 4 and first.json()["comment"] == "<b>很好</b>，谢谢"
    again = await _rate(client, customer, {"score": 1})
    assert again.status_code == 409 and again.json() == {"detail": "csat already given for this handoff"}
    assert _ratings(app, customer.conversation_id) == [("resolved", 4, "<b>很好</b>，谢谢")]

    # A later handoff of the same conversation gets its own rating.
    await _ended(app, customer, HandoffOutcome.RESOLVED)
    assert (await _rate(client, customer, {"score": 2})).status_code == 201
    assert [r[1] for r in _ratings(app, customer.conversation_id)] == [4, 2]
    # Supervisors see every rating from the database, not one process's counters.
    supervisor = await login(client, "supervisor")
    overview = (await client.get("/api/supervisor/overview", headers=supervisor)).json()
    assert overview["csat"] == {"average": 3.0, "count": 2}


async def test_racing_ratings_store_one(client: httpx.AsyncClient, app: FastAPI) -> None:
    customer = await Customer.start(client, "C1001")
    await _ended(app, customer, HandoffOutcome.RESOLVED)
    responses = await asyncio.gather(*(_rate(client, customer, {"score": s}) for s in (1, 2, 3, 4, 5)))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]


async def test_only_the_conversations_customer_may_rate(client: httpx.AsyncClient, app: FastAPI) -> None:
    mine, theirs = await Customer.start(client, "C1001"), await Customer.start(client, "C1002")
    await _ended(app, theirs, HandoffOutcome.RESOLVED)
    response = await client.post(
        f"/api/conversations/{theirs.conversation_id}/csat", json={"score": 1}, headers=mine.headers
    )
    assert response.status_code == 403
    assert _ratings(app, theirs.conversation_id) == [("resolved", None, None)]


@pytest.mark.parametrize(
    "body", [{"score": 0}, {"score": 6}, {"score": "五"}, {}, {"score": 3, "comment": "长" * 501}]
)
async def test_invalid_rating_is_422(client: httpx.AsyncClient, app: FastAPI, body: dict) -> None:
    customer = await Customer.start(client, "C1001")
    await _ended(app, customer, HandoffOutcome.RESOLVED)
    assert (await _rate(client, customer, body)).status_code == 422


async def test_rating_in_chat_is_the_same_record_as_the_page(client: httpx.AsyncClient, app: FastAPI) -> None:
    customer = await Customer.start(client, "C1001")
    assert (await _rate_in_chat(client, customer, {"score": 3})).status_code == 409
    await _ended(app, customer, HandoffOutcome.RESOLVED)
    rated = await _rate_in_chat(client, customer, {"score": 3})
    assert rated.status_code == 201 and rated.json()["score"] == 3
    page = await _rate(client, customer, {"score": 5})
    assert page.status_code == 409 and page.json() == {"detail": "csat already given for this handoff"}
    assert _ratings(app, customer.conversation_id) == [("resolved", 3, "")]


async def test_comment_after_a_chat_rating_is_kept_once(client: httpx.AsyncClient, app: FastAPI) -> None:
    customer = await Customer.start(client, "C1001")
    await _ended(app, customer, HandoffOutcome.RESOLVED)
    early = await _comment_in_chat(client, customer, "排队太久")
    assert early.status_code == 409 and early.json() == {"detail": "no rating to comment on"}
    await _rate_in_chat(client, customer, {"score": 3})
    commented = await _comment_in_chat(client, customer, "客服耐心，排队太久")
    assert commented.status_code == 200 and commented.json()["comment"] == "客服耐心，排队太久"
    again = await _comment_in_chat(client, customer, "再说一句")
    assert again.status_code == 409 and again.json() == {"detail": "csat comment already given"}
    assert _ratings(app, customer.conversation_id) == [("resolved", 3, "客服耐心，排队太久")]


async def test_a_rating_given_with_its_comment_takes_no_other(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    customer = await Customer.start(client, "C1001")
    await _ended(app, customer, HandoffOutcome.RESOLVED)
    await _rate(client, customer, {"score": 4, "comment": "还行"})
    assert (await _comment_in_chat(client, customer, "改一下")).status_code == 409
    assert _ratings(app, customer.conversation_id) == [("resolved", 4, "还行")]


@pytest.mark.parametrize(
    "path", ["/api/internal/conversations/c1/csat", "/api/internal/conversations/c1/csat/comment"]
)
async def test_chat_ratings_need_the_service_token(client: httpx.AsyncClient, path: str) -> None:
    response = await client.post(
        path, json={"score": 5, "comment": "好"}, headers={"X-Service-Token": "wrong"}
    )
    assert response.status_code == 401 and response.json() == {"detail": "invalid service token"}
