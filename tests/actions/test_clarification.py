from __future__ import annotations

from actions.clarification import ActionClarifySecurity
from tests.actions.conftest import METADATA, make_tracker, user_event

RANKING = [
    ("nlu_security_unsure", 0.41),
    ("report_lost_card", 0.41),
    ("dispute_transaction", 0.33),
    ("out_of_scope", 0.1),
]


async def test_asks_which_of_the_two_with_buttons(dispatcher) -> None:
    tracker = make_tracker(
        [user_event("钱包被偷了卡也在里面", "nlu_security_unsure", METADATA, ranking=RANKING)]
    )

    events = await ActionClarifySecurity().run(dispatcher, tracker, {})

    assert events == []
    assert [(m["response"], m["buttons"]) for m in dispatcher.messages] == [
        (
            "utter_clarify_security",
            [
                {"title": "挂失信用卡", "payload": "/report_lost_card"},
                {"title": "交易争议", "payload": "/dispute_transaction"},
                {"title": "都不是，我换个说法", "payload": "/deny"},
            ],
        )
    ]


async def test_buttons_carry_what_the_customer_already_said(dispatcher) -> None:
    ranking = [("nlu_security_unsure", 0.5), ("freeze_card", 0.5), ("unfreeze_card", 0.4), ("deny", 0.1)]
    tracker = make_tracker(
        [
            user_event(
                "尾号1234那张冻结的先恢复",
                "nlu_security_unsure",
                METADATA,
                entities={"card_tail": "1234"},
                ranking=ranking,
            )
        ]
    )

    await ActionClarifySecurity().run(dispatcher, tracker, {})

    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        '/freeze_card{"card_tail": "1234"}',
        '/unfreeze_card{"card_tail": "1234"}',
        "/deny",
    ]


async def test_meta_intents_are_not_offered(dispatcher) -> None:
    ranking = [("nlu_security_unsure", 0.45), ("freeze_card", 0.45), ("deny", 0.3), ("complain", 0.1)]
    tracker = make_tracker([user_event("不要冻", "nlu_security_unsure", METADATA, ranking=ranking)])

    await ActionClarifySecurity().run(dispatcher, tracker, {})

    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [
        "冻结信用卡",
        "投诉建议",
        "都不是，我换个说法",
    ]
