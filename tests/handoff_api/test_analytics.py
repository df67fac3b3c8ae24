"""Bot analytics from a scripted set of conversations whose figures are known, on both databases; and the
Prometheus series the handoff endings move."""

import re

import httpx
import pytest
from fastapi import FastAPI

from handoff_api.schemas import BotReading
from handoff_api.services import readings
from tests.handoff_api.conftest import ON_BOTH_DATABASES, Customer, login
from tests.progress import wait_while_progressing

pytestmark = ON_BOTH_DATABASES


@pytest.fixture
def routing_overrides() -> dict[str, object]:
    return {"auto_assign": False}  # the script decides who is assigned, and when


async def _read(app: FastAPI, customer: Customer, text: str, *, fallback: bool = False) -> None:
    said = await customer.say(text)
    await readings.record(
        app.state.context,
        conversation_id=customer.conversation_id,
        message_id=said[0]["id"],
        text=text,
        reading=BotReading(intent="query_bill", confidence=0.3 if fallback else 0.9, fallback=fallback),
        replies=[],
        while_agent=False,
    )


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(rf"^{name}\{{(.*)\}} (\S+)$", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return 0.0


async def test_the_figures_of_a_scripted_day(client: httpx.AsyncClient, app: FastAPI) -> None:
    scraper = {"Authorization": f"Bearer {app.state.context.settings.METRICS_TOKEN}"}
    before = (await client.get("/metrics", headers=scraper)).text
    agent = await login(client, "general_1")
    served, abandoned, kept, also_kept = [
        await Customer.start(client, c) for c in ("C1001", "C1002", "C1006", "C1003")
    ]
    for customer in (served, abandoned, kept):
        await _read(app, customer, "这期账单多少")
    await _read(app, also_kept, "嗯？", fallback=True)
    await _read(app, also_kept, "账单")

    assert (await served.hand_off(reason="explicit_request")).status_code == 201
    assert (await abandoned.hand_off(reason="negative_emotion")).status_code == 201
    claimed = await client.post(f"/api/agent/conversations/{served.conversation_id}/claim", headers=agent)
    assert claimed.status_code == 200, claimed.text
    closed = await client.post(
        f"/api/agent/conversations/{served.conversation_id}/close", json={}, headers=agent
    )
    assert closed.status_code == 200, closed.text
    rated = await client.post(
        f"/api/conversations/{served.conversation_id}/csat", json={"score": 4}, headers=served.headers
    )
    assert rated.status_code == 201, rated.text
    assert (
        await client.post(f"/api/conversations/{abandoned.conversation_id}/cancel", headers=abandoned.headers)
    ).status_code == 200
    supervisor = await login(client, "supervisor")

    async def totals() -> dict:
        return (await client.get("/api/supervisor/analytics", headers=supervisor)).json()["totals"]

    figures = await wait_while_progressing(
        totals, lambda t: t["queued"] == 2, what="handoff endings recorded"
    )

    assert figures == {
        "start": None,
        "conversations": 4,
        "contained": 2,
        "containment": 0.5,
        "handoffs": 2,
        "handoff_rate": 0.5,
        "readings": 5,
        "fallback_rate": 0.2,
        "queued": 2,
        "abandonment": 0.5,
        "sla_attainment": {"standard": 1.0, "gold": 0.0, "platinum": None, "diamond": None},
        "csat_average": 4.0,
        "csat_count": 1,
    }
    report = (
        await client.get("/api/supervisor/analytics", params={"bucket": "hour"}, headers=supervisor)
    ).json()
    assert [row["conversations"] for row in report["rows"]] == [4]
    assert report["handoffs_by_reason"] == {"explicit_request": 1, "negative_emotion": 1}
    assert report["top_intents"] == [{"intent": "query_bill", "count": 4}]
    csv = await client.get("/api/supervisor/analytics.csv", headers=supervisor)
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[-1] == "total,4,0.5000,2,0.5000,0.2000,0.5000,1.0000,0.0000,,,4.0000,1"

    after = (await client.get("/metrics", headers=scraper)).text
    for outcome, count in (("assigned", 1), ("resolved", 1), ("cancelled", 1)):
        moved = _metric(after, "handoff_outcomes_total", group="general", outcome=outcome)
        assert moved - _metric(before, "handoff_outcomes_total", group="general", outcome=outcome) == count
    assigned = _metric(after, "handoff_assignments_total", group="general", tier="standard")
    assert assigned - _metric(before, "handoff_assignments_total", group="general", tier="standard") == 1
    waits = _metric(after, "handoff_wait_seconds_count", group="general", tier="standard")
    assert waits - _metric(before, "handoff_wait_seconds_count", group="general", tier="standard") == 1


async def test_analytics_are_for_supervisors(client: httpx.AsyncClient) -> None:
    for username in ("general_1", "trainer"):
        response = await client.get("/api/supervisor/analytics", headers=await login(client, username))
        assert response.status_code == 403


async def test_a_range_ending_in_the_calendars_first_week_starts_at_its_first_day(
    client: httpx.AsyncClient,
) -> None:
    supervisor = await login(client, "supervisor")
    response = await client.get(
        "/api/supervisor/analytics", params={"until": "0001-01-03T07:10:14+01:01"}, headers=supervisor
    )

    assert response.status_code == 200, response.text
    assert response.json()["since"].startswith("0001-01-01T00:00:00")
    assert response.json()["rows"] == []


async def test_a_moment_out_of_the_calendar_in_utc_is_refused(client: httpx.AsyncClient) -> None:
    supervisor = await login(client, "supervisor")
    for path in ("/api/supervisor/analytics", "/api/supervisor/analytics.csv", "/api/trainer/inbox"):
        response = await client.get(path, params={"since": "0001-01-01T00:00:00+01:00"}, headers=supervisor)

        assert response.status_code == 422, (path, response.text)
        assert "date out of range" in response.text
