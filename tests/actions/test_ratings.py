from __future__ import annotations

import pytest
from aiohttp import web
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered

from actions.clients.csat import CsatClient, CsatError, Rated
from actions.ratings import NOT_RATED, ActionRatingDone, ValidateCsatForm, typed_comment, typed_score
from tests.actions.conftest import METADATA, make_tracker, responses, user_event
from tests.actions.fake_servers import serve


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("打5分", 5),
        ("给个四星", 4),
        ("一般吧，两分", 2),
        ("三颗星吧", 3),
        ("满分", 5),
        ("4分，解决得挺快", 4),
        ("差评，根本没帮上忙", 1),
        ("不满意", 2),
        ("非常满意", 5),
        ("打 ５ 分", 5),
        ("再帮我查下积分", None),
        ("10分", None),
    ],
)
def test_typed_score(text: str, score: int | None) -> None:
    assert typed_score(text) == score


@pytest.mark.parametrize(
    ("text", "comment"),
    [
        ("打5分", ""),
        ("给个四星吧", ""),
        ("一般吧，两分", ""),
        ("4分，解决得挺快", "4分，解决得挺快"),
        ("差评，根本没帮上忙", "差评，根本没帮上忙"),
    ],
)
def test_typed_comment(text: str, comment: str) -> None:
    assert typed_comment(text) == comment


class FakeCsatClient(CsatClient):
    def __init__(self, answer: Rated = Rated.STORED, fail: bool = False) -> None:
        self.answer, self.fail = answer, fail
        self.ratings: list[tuple[str, int, str]] = []
        self.comments: list[tuple[str, str]] = []

    async def rate(self, conversation_id: str, *, score: int, comment: str = "") -> Rated:
        if self.fail:
            raise CsatError("down")
        self.ratings.append((conversation_id, score, comment))
        return self.answer

    async def comment(self, conversation_id: str, comment: str) -> Rated:
        self.comments.append((conversation_id, comment))
        return self.answer


def _at_question(text: str, intent: str, *, requested: str = "csat_score", **kwargs):
    return make_tracker(
        [user_event(text, intent, METADATA, **kwargs)],
        slots={"requested_slot": requested},
        active_loop="csat_form",
    )


async def _validate(client: FakeCsatClient, tracker, dispatcher) -> list[dict]:
    return await ValidateCsatForm(client).run(dispatcher, tracker, {"forms": {"csat_form": {}}})


async def test_a_clicked_score_is_stored_and_a_comment_asked(dispatcher) -> None:
    client = FakeCsatClient()
    tracker = _at_question('/rate_service{"csat_score": 3}', "rate_service", entities={"csat_score": 3})

    events = await _validate(client, tracker, dispatcher)

    assert client.ratings == [("conv-42", 3, "")]
    assert SlotSet("csat_score", 3) in events and SlotSet("requested_slot", "csat_comment") in events
    assert dispatcher.messages == []


async def test_a_typed_score_with_a_remark_is_stored_with_it(dispatcher) -> None:
    client = FakeCsatClient()

    events = await _validate(client, _at_question("4分，解决得挺快", "complain"), dispatcher)

    assert client.ratings == [("conv-42", 4, "4分，解决得挺快")]
    assert SlotSet("requested_slot", None) in events
    assert responses(dispatcher) == ["utter_csat_thanks"]


async def test_a_low_score_offers_a_follow_up(dispatcher) -> None:
    client = FakeCsatClient()

    events = await _validate(client, _at_question("差评，根本没帮上忙", "complain"), dispatcher)

    assert client.ratings == [("conv-42", 1, "差评，根本没帮上忙")]
    assert SlotSet("pending_offer", "callback") in events and SlotSet("requested_slot", None) in events
    assert responses(dispatcher) == ["utter_csat_follow_up"]


async def test_a_handoff_rated_on_the_page_is_not_rated_again(dispatcher) -> None:
    client = FakeCsatClient(Rated.ALREADY)

    events = await _validate(client, _at_question("5分", "inform"), dispatcher)

    assert SlotSet("requested_slot", None) in events
    assert responses(dispatcher) == ["utter_csat_already_given"]


async def test_a_failed_store_is_said(dispatcher) -> None:
    events = await _validate(FakeCsatClient(fail=True), _at_question("5分", "inform"), dispatcher)

    assert SlotSet("requested_slot", None) in events
    assert responses(dispatcher) == ["utter_csat_failed"]


async def test_no_rating_at_the_question_ends_the_form_unanswered(dispatcher) -> None:
    client = FakeCsatClient()

    events = await _validate(client, _at_question("再帮我查下积分", "query_points"), dispatcher)

    assert client.ratings == []
    assert SlotSet("csat_score", NOT_RATED) in events and SlotSet("requested_slot", None) in events


async def test_the_comment_after_a_rating_is_kept(dispatcher) -> None:
    client = FakeCsatClient()
    text = "客服挺耐心的，就是排队等得太久了"
    tracker = make_tracker(
        # action_extract_slots fills the comment from the text before the form runs
        [user_event(text, "complain", METADATA), {"event": "slot", "name": "csat_comment", "value": text}],
        slots={"requested_slot": "csat_comment", "csat_score": 3, "csat_comment": text},
        active_loop="csat_form",
    )

    events = await _validate(client, tracker, dispatcher)

    assert client.comments == [("conv-42", text)]
    assert SlotSet("requested_slot", None) in events
    assert responses(dispatcher) == ["utter_csat_comment_thanks"]


async def test_a_request_at_the_comment_question_is_no_comment(dispatcher) -> None:
    client = FakeCsatClient()
    tracker = make_tracker(
        [
            user_event("再帮我查下积分", "query_points", METADATA),
            {"event": "slot", "name": "csat_comment", "value": "再帮我查下积分"},
        ],
        slots={"requested_slot": "csat_comment", "csat_score": 4, "csat_comment": "再帮我查下积分"},
        active_loop="csat_form",
    )

    events = await _validate(client, tracker, dispatcher)

    assert client.comments == []
    assert SlotSet("csat_reread", True) in events and SlotSet("requested_slot", None) in events


async def test_rating_done_reads_an_unanswered_message_again(dispatcher) -> None:
    tracker = make_tracker(
        [user_event("再帮我查下积分", "query_points", METADATA)],
        slots={"csat_score": NOT_RATED, "pending_offer": "csat"},
    )

    events = await ActionRatingDone().run(dispatcher, tracker, {})

    assert events[:4] == [
        SlotSet("csat_score", None),
        SlotSet("csat_comment", None),
        SlotSet("csat_reread", None),
        SlotSet("pending_offer", None),
    ]
    assert events[4] == ActionExecuted("action_listen")
    assert events[5]["event"] == UserUttered("x")["event"] and events[5]["text"] == "再帮我查下积分"
    assert events[5]["parse_data"]["intent"]["name"] == "query_points"


async def test_rating_done_keeps_a_follow_up_offer(dispatcher) -> None:
    tracker = make_tracker(
        [user_event("1分", "inform", METADATA)], slots={"csat_score": 1, "pending_offer": "callback"}
    )

    events = await ActionRatingDone().run(dispatcher, tracker, {})

    assert events == [
        SlotSet("csat_score", None),
        SlotSet("csat_comment", None),
        SlotSet("csat_reread", None),
    ]


SEEN = web.AppKey("seen", list)


def _csat_api(answers: list[tuple[int, dict]]) -> web.Application:
    seen: list[tuple[str, dict, str | None]] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append((request.path, await request.json(), request.headers.get("X-Service-Token")))
        status, body = answers.pop(0)
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_post("/api/internal/conversations/{id}/csat", handle)
    app.router.add_post("/api/internal/conversations/{id}/csat/comment", handle)
    app[SEEN] = seen
    return app


async def test_client_maps_the_api_answers() -> None:
    app = _csat_api(
        [
            (201, {"score": 5}),
            (409, {"detail": "csat already given for this handoff"}),
            (409, {"detail": "no resolved handoff to rate"}),
            (200, {"comment": "好"}),
            (409, {"detail": "csat comment already given"}),
            (500, {"detail": "internal error"}),
        ]
    )
    async with serve(app) as url:
        client = CsatClient(base_url=url, service_token="svc", timeout_seconds=2)
        answers = [
            await client.rate("c 1", score=5, comment="好"),
            await client.rate("c1", score=4),
            await client.rate("c1", score=4),
            await client.comment("c1", "好"),
            await client.comment("c1", "好"),
        ]
        with pytest.raises(CsatError):
            await client.rate("c1", score=3)

    assert answers == [Rated.STORED, Rated.ALREADY, Rated.NOTHING_TO_RATE, Rated.STORED, Rated.ALREADY]
    assert app[SEEN][0] == ("/api/internal/conversations/c 1/csat", {"score": 5, "comment": "好"}, "svc")
    assert app[SEEN][3][:2] == ("/api/internal/conversations/c1/csat/comment", {"comment": "好"})


async def test_client_unreachable_is_an_error() -> None:
    client = CsatClient(base_url="http://127.0.0.1:9", service_token="svc", timeout_seconds=1)
    with pytest.raises(CsatError):
        await client.rate("c1", score=5)
