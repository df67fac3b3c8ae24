from __future__ import annotations

import pytest

from actions.backends.base import CardNotFound, CardStatus, CustomerNotFound, Tier
from actions.backends.demo import DemoBackend
from tests.actions.conftest import DEMO_CUSTOMERS


async def test_seeds_from_demo_customers(demo_backend: DemoBackend) -> None:
    customer = await demo_backend.get_customer("C1003")

    assert customer.name == "王芳"
    assert customer.tier is Tier.platinum
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
