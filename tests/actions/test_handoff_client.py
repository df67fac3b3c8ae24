from __future__ import annotations

import pytest

from actions.clients.handoff import HandoffClient, HandoffError, HandoffRequest, _parse_result
from contract.names import HandoffStatus


def test_parses_queued_answer() -> None:
    result = _parse_result(
        {
            "status": "queued",
            "group": "vip",
            "position": 1,
            "estimated_wait_seconds": 30,
            "estimated_wait_text": "预计等待约 30 秒",
        }
    )

    assert (result.status, result.group, result.position, result.estimated_wait_seconds) == (
        HandoffStatus.QUEUED,
        "vip",
        1,
        30,
    )
    assert result.estimated_wait_text == "预计等待约 30 秒"


@pytest.mark.parametrize("payload", [{}, {"status": "weird"}, None, ["queued"]])
def test_unusable_answer_is_a_typed_error(payload) -> None:
    with pytest.raises(HandoffError):
        _parse_result(payload)


async def test_unreachable_service_is_a_typed_error() -> None:
    # Port 9 (discard) on localhost: nothing listens, the connection is refused at once.
    client = HandoffClient(base_url="http://127.0.0.1:9", service_token="t", timeout_seconds=1)
    request = HandoffRequest(conversation_id="c", customer_id=None, tier=None, intent=None, reason="r")

    with pytest.raises(HandoffError):
        await client.request_handoff(request)


async def test_slow_service_times_out() -> None:
    from tests.actions.fake_servers import serve, slow_handoff_api

    request = HandoffRequest(conversation_id="c", customer_id="C1", tier="gold", intent="greet", reason="r")
    async with serve(slow_handoff_api(delay=1.0)) as url:
        with pytest.raises(HandoffError):
            await HandoffClient(base_url=url, service_token="t", timeout_seconds=0.2).request_handoff(request)
        result = await HandoffClient(base_url=url, service_token="t", timeout_seconds=3).request_handoff(
            request
        )
    assert result.status is HandoffStatus.QUEUED
