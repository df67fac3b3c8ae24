"""The bot's readings and the trainer's inbox, on both databases: what enters, grouping, labelling, roles."""

import httpx
import pytest
from fastapi import FastAPI

from handoff_api.core.config import Settings
from handoff_api.schemas import BotReading
from handoff_api.services import readings
from tests.handoff_api.conftest import ON_BOTH_DATABASES, Customer, login

pytestmark = ON_BOTH_DATABASES


def _reading(
    intent: str, confidence: float, runner_up_confidence: float = 0.0, **extra: object
) -> BotReading:
    return BotReading.model_validate(
        {
            "intent": intent,
            "confidence": confidence,
            "runner_up": "query_bill",
            "runner_up_confidence": runner_up_confidence,
            "ranking": [{"name": intent, "confidence": confidence}],
            "entities": [],
            **extra,
        }
    )


async def _record(
    app: FastAPI, conversation_id: str, message_id: str, text: str, reading: BotReading
) -> None:
    await readings.record(
        app.state.context,
        conversation_id=conversation_id,
        message_id=message_id,
        text=text,
        reading=reading,
        replies=["您好，请问您想办理什么业务？"],
        while_agent=False,
    )


async def _inbox(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> dict:
    response = await client.get("/api/trainer/inbox", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("username", ["general_1", "vip_1"])
async def test_agents_may_not_read_or_label_the_inbox(client: httpx.AsyncClient, username: str) -> None:
    headers = await login(client, username)
    listed = await client.get("/api/trainer/inbox", headers=headers)
    labelled = await client.post("/api/trainer/inbox/1/label", json={"discard": True}, headers=headers)
    assert (listed.status_code, labelled.status_code) == (403, 403)
    assert listed.json()["detail"] == "trainer or supervisor role required"
    assert (await client.get("/api/trainer/inbox")).status_code == 401


async def test_misunderstood_messages_enter_masked_and_grouped_most_frequent_first(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await _record(app, "c-1", "1-0", "这个东西怎么弄啊 我手机13812345678", _reading("query_points", 0.3))
    await _record(app, "c-2", "1-0", "这个东西 怎么弄啊！我手机13987654321", _reading("query_points", 0.25))
    await _record(app, "c-3", "1-0", "转账限额是多少", _reading("query_limit", 0.9, 0.85))
    await _record(app, "c-4", "1-0", "嗯嗯", _reading("affirm", 0.5, fallback=True))
    await _record(app, "c-5", "1-0", "我的账单多少钱", _reading("query_bill", 0.95, 0.02))  # understood

    for headers in (await login(client, "trainer"), await login(client, "supervisor")):
        page = await _inbox(client, headers)
        # Equal counts: the latest group first.
        assert [(item["reason"], item["count"]) for item in page["items"]] == [
            ("low_confidence", 2),
            ("fallback", 1),
            ("ambiguous", 1),
        ]
        top = page["items"][0]
        assert top["text"] == "这个东西 怎么弄啊！我手机139****4321"
        assert (top["predicted_intent"], top["confidence"], top["conversation_id"]) == (
            "query_points",
            0.25,
            "c-2",
        )
        assert top["context_after"] == "您好，请问您想办理什么业务？"
        assert (page["waiting"], page["groups"]) == (4, 3)
        assert "13812345678" not in str(page) and "13987654321" not in str(page)


async def test_filters_by_reason_intent_and_date(client: httpx.AsyncClient, app: FastAPI) -> None:
    await _record(app, "c-1", "1-0", "积分那个", _reading("query_points", 0.3))
    await _record(app, "c-2", "1-0", "额度那个", _reading("query_limit", 0.9, 0.88))
    headers = await login(client, "trainer")

    by_reason = await _inbox(client, headers, reason="ambiguous")
    by_intent = await _inbox(client, headers, intent="query_points")
    future = await _inbox(client, headers, since="2100-01-01T00:00:00Z")

    assert [item["text"] for item in by_reason["items"]] == ["额度那个"]
    assert [item["text"] for item in by_intent["items"]] == ["积分那个"]
    assert (future["items"], future["waiting"], future["groups"]) == ([], 0, 0)
    assert (
        await client.get("/api/trainer/inbox", params={"reason": "x"}, headers=headers)
    ).status_code == 422


class TestPaging:
    PAGE_LIMIT = 3

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"NLU_INBOX_PAGE_LIMIT": self.PAGE_LIMIT})

    async def test_pages_of_groups_most_frequent_first_with_the_totals_on_each(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        # Five patterns with 1 to 5 members; a member's text differs from the others' only in punctuation.
        for size, pattern in enumerate(["一", "二", "三", "四", "五"], start=1):
            for n in range(size):
                text = f"第{pattern}种说法" + "！" * n
                await _record(app, f"c-{pattern}-{n}", "1-0", text, _reading("greet", 0.1))
        headers = await login(client, "trainer")

        pages = [await _inbox(client, headers, limit="2", offset=str(offset)) for offset in (0, 2, 4, 5)]
        clamped = await _inbox(client, headers, limit="50")

        assert [[item["count"] for item in page["items"]] for page in pages] == [[5, 4], [3, 2], [1], []]
        assert {(page["waiting"], page["groups"]) for page in pages} == {(15, 5)}
        assert [item["count"] for item in clamped["items"]] == [5, 4, 3]
        assert (
            await client.get("/api/trainer/inbox", params={"offset": "-1"}, headers=headers)
        ).status_code == 422


async def test_labelling_a_group_labels_all_its_members_once(client: httpx.AsyncClient, app: FastAPI) -> None:
    for n in range(3):
        await _record(app, f"c-{n}", "1-0", "卡片年费怎么收？" + "?" * n, _reading("query_fee", 0.2))
    await _record(app, "c-9", "1-0", "随便说说", _reading("chitchat", 0.1))
    headers = await login(client, "trainer")
    item = (await _inbox(client, headers))["items"][0]
    assert item["count"] == 3

    labelled = await client.post(
        f"/api/trainer/inbox/{item['id']}/label",
        json={"intent": "ask_annual_fee", "note": "新意图"},
        headers=headers,
    )
    again = await client.post(
        f"/api/trainer/inbox/{item['id']}/label", json={"discard": True}, headers=headers
    )

    assert labelled.status_code == 200 and labelled.json() == {"labelled": 3}
    assert again.status_code == 404
    page = await _inbox(client, headers)
    assert ([i["text"] for i in page["items"]], page["waiting"], page["labelled_this_week"]) == (
        ["随便说说"],
        1,
        3,
    )


async def test_discard_bulk_label_and_bad_bodies(client: httpx.AsyncClient, app: FastAPI) -> None:
    for n, text in enumerate(["一", "二", "三"]):
        await _record(app, f"c-{n}", "1-0", f"第{text}种说法", _reading("greet", 0.1))
    headers = await login(client, "supervisor")
    ids = [item["id"] for item in (await _inbox(client, headers))["items"]]

    bulk = await client.post(
        "/api/trainer/inbox/bulk-label", json={"ids": ids[:2], "intent": "out_of_scope"}, headers=headers
    )
    discard = await client.post(f"/api/trainer/inbox/{ids[2]}/label", json={"discard": True}, headers=headers)
    both = await client.post(
        f"/api/trainer/inbox/{ids[2]}/label", json={"intent": "greet", "discard": True}, headers=headers
    )
    bad_name = await client.post(
        f"/api/trainer/inbox/{ids[2]}/label", json={"intent": "积分"}, headers=headers
    )

    assert (bulk.json(), discard.json()) == ({"labelled": 2}, {"labelled": 1})
    assert (both.status_code, bad_name.status_code) == (422, 422)
    page = await _inbox(client, headers)
    assert (page["waiting"], page["labelled_this_week"]) == (0, 2)


async def test_a_retried_turn_is_kept_once(client: httpx.AsyncClient, app: FastAPI) -> None:
    for _ in range(2):
        await _record(app, "c-1", "7-0", "没听懂你说的", _reading("greet", 0.1))
    page = await _inbox(client, await login(client, "trainer"))
    assert [item["count"] for item in page["items"]] == [1]


async def test_a_handoff_for_repeated_misunderstanding_marks_the_readings_once_its_turn_is_kept(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    ctx = app.state.context
    customer = await Customer.start(client, "C1001")
    texts = ["早上好", "我要问个事", "那个什么来着", "就是那个"]  # read confidently, yet not understood
    for n, text in enumerate(texts[:-1]):
        await _record(app, customer.conversation_id, f"{n + 1}-0", text, _reading("greet", 0.97))
    headers = await login(client, "trainer")

    # Asked for by the action server inside the last message's turn, whose reading is kept after the turn.
    response = await customer.hand_off(intent="nlu_fallback", reason="repeated_misunderstanding")

    assert response.status_code in (200, 201), response.text
    assert (await _inbox(client, headers))["items"] == []  # nothing marked yet: "早上好" would be
    key = ctx.stores.conversations.keys.conversation(customer.conversation_id)
    assert await ctx.stores.redis.hexists(key, readings.MISUNDERSTANDING_HANDOFF_MARK)
    # What the worker that finishes the turn does once it took the mark (store/bot_turns.py finish).
    await _record(app, customer.conversation_id, "4-0", texts[-1], _reading("greet", 0.97))
    await readings.after_misunderstanding_handoff(ctx, customer.conversation_id)
    page = await _inbox(client, headers, reason="handoff")
    assert sorted(item["text"] for item in page["items"]) == sorted(texts[1:])
