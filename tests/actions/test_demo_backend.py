from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

import pytest

from actions.backends.base import (
    BackendError,
    CardNotFound,
    CardOperation,
    CardStatus,
    CustomerNotFound,
    OperationRefused,
)
from actions.backends.demo import DemoBackend
from actions.settings import REPO_ROOT
from contract.names import CustomerTier
from tests.actions.conftest import DEMO_CUSTOMERS


async def test_seeds_from_demo_customers(demo_backend: DemoBackend) -> None:
    customer = await demo_backend.get_customer("C1003")

    assert customer.name == "王芳"
    assert customer.tier is CustomerTier.PLATINUM
    card = customer.card("3456")
    assert card is not None
    assert (card.product, card.status, card.credit_limit, card.available_credit) == (
        "白金卡",
        CardStatus.active,
        150000.0,
        128800.0,
    )


async def test_secretary_is_seeded(demo_backend: DemoBackend) -> None:
    assert (await demo_backend.get_customer("C1005")).secretary == "vip_senior_1"
    assert (await demo_backend.get_customer("C1001")).secretary is None


async def test_unknown_customer(demo_backend: DemoBackend) -> None:
    with pytest.raises(CustomerNotFound):
        await demo_backend.get_customer("C9999")


async def test_unknown_card(demo_backend: DemoBackend) -> None:
    with pytest.raises(CardNotFound):
        await demo_backend.set_card_status("C1001", "0000", CardStatus.frozen)


async def test_changes_survive_a_new_instance(tmp_path) -> None:
    state = tmp_path / "state" / "demo_backend.json"
    first = DemoBackend(state_path=state, seed_path=DEMO_CUSTOMERS)
    await first.set_card_status("C1001", "1234", CardStatus.frozen)

    second = DemoBackend(state_path=state, seed_path=DEMO_CUSTOMERS)
    card = (await second.get_customer("C1001")).card("1234")

    assert card is not None and card.status is CardStatus.frozen
    assert state.exists()
    assert not list(state.parent.glob(".demo_backend.*"))


async def test_state_file_wins_over_seed(tmp_path) -> None:
    state = tmp_path / "demo_backend.json"
    await DemoBackend(state_path=state, seed_path=DEMO_CUSTOMERS).set_card_status(
        "C1002", "2345", CardStatus.lost
    )
    missing_seed = tmp_path / "nope.yml"

    customer = await DemoBackend(state_path=state, seed_path=missing_seed).get_customer("C1002")

    assert customer.cards[0].status is CardStatus.lost


async def test_every_tier_is_seeded(demo_backend: DemoBackend) -> None:
    tiers = {(await demo_backend.get_customer(f"C100{n}")).tier for n in range(1, 7)}

    assert tiers == set(CustomerTier)


async def test_relative_seed_dates_become_absolute(demo_backend: DemoBackend) -> None:
    today = date.today()
    customer = await demo_backend.get_customer("C1001")

    assert customer.transactions[0].date == (today - timedelta(days=1)).isoformat()
    assert customer.transactions[0].merchant == "美团外卖"
    bill = customer.latest_bill("1234")
    assert bill is not None and (bill.amount_due, bill.minimum_payment) == (3769.5, 376.95)
    statement = date.fromisoformat(bill.statement_date)
    assert statement.day == 5 and statement <= today and (today - statement).days < 32
    assert date.fromisoformat(bill.due_date) - statement == timedelta(days=20)
    assert customer.points.balance == 3280
    assert customer.points.expiring_on == (today + timedelta(days=38)).isoformat()


async def test_operation_is_applied_and_persisted(tmp_path) -> None:
    state = tmp_path / "demo_backend.json"
    first = DemoBackend(state_path=state, seed_path=DEMO_CUSTOMERS)

    result = await first.perform("C1002", "8888", CardOperation.activate)

    assert result.card.status is CardStatus.active
    reread = await DemoBackend(state_path=state, seed_path=DEMO_CUSTOMERS).get_customer("C1002")
    assert reread.card("8888").status is CardStatus.active


async def test_refused_operation_changes_nothing(demo_backend: DemoBackend) -> None:
    with pytest.raises(OperationRefused):
        await demo_backend.perform("C1001", "1234", CardOperation.cancel)

    assert (await demo_backend.get_customer("C1001")).card("1234").status is CardStatus.active


async def test_operation_on_unknown_card(demo_backend: DemoBackend) -> None:
    with pytest.raises(CardNotFound):
        await demo_backend.perform("C1001", "0000", CardOperation.freeze)


async def test_one_time_code(tmp_path) -> None:
    backend = DemoBackend(state_path=tmp_path / "s.json", seed_path=DEMO_CUSTOMERS, otp_code="246810")

    sent = await backend.send_code("C1001", "1234")

    assert (sent.masked_phone, sent.demo_code) == ("138****8001", "246810")
    assert await backend.check_code("C1001", "246810") is True
    assert await backend.check_code("C1001", "123456") is False
    with pytest.raises(CardNotFound):
        await backend.send_code("C1001", "9999")


async def test_damaged_state_file_is_a_backend_error(tmp_path) -> None:
    state = tmp_path / "demo_backend.json"
    state.write_text("{not json", encoding="utf-8")

    with pytest.raises(BackendError):
        await DemoBackend(state_path=state, seed_path=DEMO_CUSTOMERS).get_customer("C1001")


async def test_an_operation_repeated_with_its_idempotency_key_is_not_performed_again(tmp_path) -> None:
    backend = DemoBackend(state_path=tmp_path / "s.json", seed_path=DEMO_CUSTOMERS)

    first = await backend.perform("C1001", "1234", CardOperation.freeze, idempotency_key="turn-1")
    await backend.perform("C1001", "1234", CardOperation.unfreeze, idempotency_key="turn-2")
    repeated = await backend.perform("C1001", "1234", CardOperation.freeze, idempotency_key="turn-1")

    assert repeated.card == first.card and first.card.status is CardStatus.frozen
    # The repeat answered from the record: the card stays as the later operation left it.
    assert (await backend.get_customer("C1001")).card("1234").status is CardStatus.active
    reread = DemoBackend(state_path=tmp_path / "s.json", seed_path=DEMO_CUSTOMERS)
    again = await reread.perform("C1001", "1234", CardOperation.freeze, idempotency_key="turn-1")
    assert again.card == first.card


_TOGGLE_CARD = """
import asyncio, sys
from pathlib import Path
from actions.backends.base import CardOperation
from actions.backends.demo import DemoBackend

async def main(state, seed, customer, tail, rounds):
    backend = DemoBackend(state_path=Path(state), seed_path=Path(seed))
    for i in range(int(rounds)):
        for op in (CardOperation.freeze, CardOperation.unfreeze):
            await backend.perform(customer, tail, op, idempotency_key=f"{customer}-{i}-{op.value}")

asyncio.run(main(*sys.argv[1:]))
"""


def test_action_servers_sharing_the_state_file_lose_no_change(tmp_path) -> None:
    """Two action servers (RASA_PROCESSES=2) change different cards in one file at the same time."""
    state = tmp_path / "s.json"
    cards = [("C1001", "1234"), ("C1003", "3456")]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _TOGGLE_CARD, str(state), str(DEMO_CUSTOMERS), customer, tail, "25"],
            cwd=REPO_ROOT,
        )
        for customer, tail in cards
    ]
    assert [worker.wait() for worker in workers] == [0, 0]

    recorded = json.loads(state.read_text(encoding="utf-8"))["operations"]
    assert len(recorded) == 2 * 2 * 25
