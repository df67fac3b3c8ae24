from __future__ import annotations

import pytest
import yaml

from actions.backends import make_backend
from actions.backends.base import (
    BackendError,
    CardNotFound,
    CardOperation,
    CardStatus,
    CustomerNotFound,
    OperationRefused,
)
from actions.backends.demo import DemoBackend, customer_to_dict, seed_customer
from actions.backends.http import HttpBackend
from actions.settings import Settings
from contract.names import CustomerTier
from tests.actions.conftest import DEMO_CUSTOMERS
from tests.actions.fake_servers import SEEN, core_system, serve


def _customers() -> dict[str, dict]:
    from datetime import date

    seed = yaml.safe_load(DEMO_CUSTOMERS.read_text(encoding="utf-8"))["customers"]
    return {c["id"]: customer_to_dict(seed_customer(c, date(2026, 11, 23))) for c in seed}


def _backend(url: str, token: str = "core", timeout: float = 2.0) -> HttpBackend:
    return HttpBackend(base_url=url, token=token, timeout_seconds=timeout)


async def test_reads_a_customer() -> None:
    async with serve(core_system(_customers())) as url:
        customer = await _backend(url).get_customer("C1003")

    assert (customer.name, customer.tier) == ("王芳", CustomerTier.PLATINUM)
    assert customer.card("3456").available_credit == 128800
    assert customer.bills[0].period == "2026-11" and customer.points.balance == 86400


async def test_unknown_customer_and_card() -> None:
    async with serve(core_system(_customers())) as url:
        with pytest.raises(CustomerNotFound):
            await _backend(url).get_customer("C9999")
        with pytest.raises(CardNotFound):
            await _backend(url).perform("C1001", "0000", CardOperation.freeze)


async def test_operation_and_refusal() -> None:
    async with serve(core_system(_customers())) as url:
        result = await _backend(url).perform("C1001", "1234", CardOperation.freeze)
        with pytest.raises(OperationRefused) as refused:
            await _backend(url).perform("C1001", "1234", CardOperation.cancel)

    assert result.card.status is CardStatus.frozen
    assert refused.value.code == "outstanding_balance"


async def test_one_time_code_is_never_shown() -> None:
    async with serve(core_system(_customers())) as url:
        sent = await _backend(url).send_code("C1001", "1234")
        good = await _backend(url).check_code("C1001", "654321")
        bad = await _backend(url).check_code("C1001", "123456")

    assert (sent.masked_phone, sent.demo_code, good, bad) == ("139****0000", None, True, False)


async def test_wrong_token_is_a_backend_error() -> None:
    async with serve(core_system(_customers())) as url:
        with pytest.raises(BackendError):
            await _backend(url, token="wrong").get_customer("C1001")


async def test_slow_core_system_times_out() -> None:
    async with serve(core_system(_customers(), delay=1.0)) as url:
        with pytest.raises(BackendError):
            await _backend(url, timeout=0.2).get_customer("C1001")


async def test_core_system_down() -> None:
    with pytest.raises(BackendError):
        await _backend("http://127.0.0.1:9").get_customer("C1001")


def test_backend_chosen_by_configuration(tmp_path) -> None:
    assert isinstance(make_backend(Settings(account_backend="http")), HttpBackend)
    assert isinstance(make_backend(Settings(demo_backend_path=tmp_path / "x.json")), DemoBackend)


async def test_an_operation_carries_its_idempotency_key() -> None:
    app = core_system(_customers())
    async with serve(app) as url:
        await _backend(url).perform("C1001", "1234", CardOperation.freeze, idempotency_key="k-7")

    assert app[SEEN][-1].headers["Idempotency-Key"] == "k-7"
