"""The conversation case files and their format, without a running system: every file loads, and a typo in
a case is a clear error instead of an expectation that silently passes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.integration.conversation_suite.backend_state import overdue_bills
from tests.integration.conversation_suite.runner import typed_ticket_id
from tests.integration.conversation_suite.schema import Category, ConversationFileError, load_file, load_suite
from tests.integration.conversation_suite.values import resolve, same_value

MIN_CONVERSATIONS = 200
MIN_PER_CATEGORY = 5


def test_every_case_file_loads_and_the_suite_is_big_enough() -> None:
    conversations = load_suite()
    assert len(conversations) >= MIN_CONVERSATIONS
    per_category = dict.fromkeys(Category, 0)
    for conversation in conversations:
        per_category[conversation.category] += 1
    assert min(per_category.values()) >= MIN_PER_CATEGORY, per_category


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.yml"
    path.write_text(text, encoding="utf-8")
    return path


VALID = """
category: confirmation
conversations:
  - id: one
    about: a valid case
    customer: C1001
    turns:
      - say: 你好
        expect: {actions: [utter_greet]}
"""


def test_a_valid_case_loads(tmp_path: Path) -> None:
    [conversation] = load_file(_write(tmp_path, VALID))
    assert conversation.category is Category.confirmation
    assert conversation.turns[0].expect.actions == ["utter_greet"]


@pytest.mark.parametrize(
    ("typo", "named"),
    [
        (VALID.replace("actions: [utter_greet]", "actoins: [utter_greet]"), "actoins"),
        (VALID.replace("utter_greet]", "utter_greeet]"), "utter_greeet"),
        (VALID.replace("customer: C1001", "customer: C9999"), "C9999"),
        (VALID.replace("category: confirmation", "category: confirmations"), "confirmations"),
        (
            VALID.replace("expect: {actions: [utter_greet]}", "expect: {slots: {card_tial: '1234'}}"),
            "card_tial",
        ),
        (VALID.replace("- say: 你好", "- say: 你好\n        click: 确认"), "exactly one of"),
        (VALID.replace("- say: 你好", "- agent: general_1\n        say: 你好"), "exactly one of"),
        (VALID.replace("- say: 你好", "- agent: general_2\n        claim: true"), "general_2"),
        (VALID.replace("expect: {actions: [utter_greet]}", "expect: {}"), "checks nothing"),
        (
            VALID.replace("expect: {actions: [utter_greet]}", "expect: {slots: {date: '@date:yesterday'}}"),
            "placeholder",
        ),
    ],
)
def test_a_typo_in_a_case_is_an_error_naming_it(tmp_path: Path, typo: str, named: str) -> None:
    with pytest.raises(ConversationFileError, match=named) as raised:
        load_file(_write(tmp_path, typo))
    assert "case.yml" in str(raised.value)


def test_date_placeholders_resolve_against_today() -> None:
    wednesday = date(2026, 11, 25)
    assert resolve("@date:-3", wednesday) == "2026-11-22"
    assert resolve("@weekday:-1:fri", wednesday) == "2026-11-20"
    assert resolve("@weekday:0:mon", wednesday) == "2026-11-23"
    assert same_value(1850, "1850.0", wednesday) and not same_value(1850, 1851, wednesday)
    assert same_value(None, None, wednesday) and not same_value(None, "x", wednesday)


@pytest.mark.parametrize(
    "today", [date(2026, 12, 1), date(2026, 12, 28), date(2026, 12, 31), date(2027, 3, 1)]
)
@pytest.mark.parametrize("due_days", [20, 25])
def test_an_overdue_bill_was_issued_last_month_and_is_past_due(today: date, due_days: int) -> None:
    bills = [
        {
            "card_tail": "1234",
            "period": "2026-11",
            "statement_date": "2026-11-05",
            "amount_due": 100.0,
            "paid": 0.0,
        },
        {
            "card_tail": "1234",
            "period": "2026-10",
            "statement_date": "2026-10-05",
            "amount_due": 80.0,
            "paid": 80.0,
        },
        {
            "card_tail": "9999",
            "period": "2026-11",
            "statement_date": "2026-11-05",
            "amount_due": 5.0,
            "paid": 5.0,
        },
    ]
    for bill in bills:
        bill["due_date"] = (date.fromisoformat(bill["statement_date"]) + timedelta(days=due_days)).isoformat()
    moved = overdue_bills(bills, "1234", today)
    latest, earlier = sorted(
        (b for b in moved if b["card_tail"] == "1234"), key=lambda b: b["period"], reverse=True
    )
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assert latest["period"] == latest["statement_date"][:7] == last_month
    assert date.fromisoformat(latest["due_date"]) < today
    assert (latest["amount_due"], latest["paid"]) == (100.0, 0.0)
    assert earlier["period"] < latest["period"] and (earlier["amount_due"], earlier["paid"]) == (80.0, 80.0)
    assert [b for b in moved if b["card_tail"] == "9999"] == [bills[2]]


def test_ticket_ids_typed_as_customers_type_them() -> None:
    assert typed_ticket_id("T2612010001", "<ticket>") == "T2612010001"
    assert typed_ticket_id("T2612010001", "<ticket:lower>") == "t2612010001"
    assert typed_ticket_id("T2612010001", "<ticket:spaced>") == "T 2612 0100 01"
