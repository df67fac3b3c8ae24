"""Agent authentication: logout revokes the token, login lock-outs, the same cost for unknown usernames,
password hashing that does not stall the service, and malformed tokens refused as 401."""

import asyncio
import statistics
import time

import httpx
import pytest
from fastapi import FastAPI

from handoff_api.core.config import Settings
from tests.handoff_api.conftest import PASSWORD, login

LOCKED_OUT = "too many failed logins, please try again later / 登录失败次数过多，请稍后再试"


async def _login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def test_logout_revokes_the_token_until_it_would_have_expired(
    client: httpx.AsyncClient, async_redis, keys, settings: Settings
) -> None:
    agent = await login(client, "general_1")
    assert (await client.get("/api/agent/me", headers=agent)).status_code == 200

    logout = await client.post("/api/auth/logout", headers=agent)
    after = await client.get("/api/agent/me", headers=agent)
    again = await client.post("/api/auth/logout", headers=agent)

    assert logout.status_code == 204
    assert (after.status_code, after.json()) == (401, {"detail": "token revoked"})
    assert again.status_code == 401
    [revoked] = [key async for key in async_redis.scan_iter(match=keys.revoked_token("*"))]
    assert 0 < await async_redis.ttl(revoked) <= settings.AGENT_TOKEN_TTL_SECONDS
    # Logging in again gives a fresh token; the agent was taken offline meanwhile.
    fresh = await login(client, "general_1")
    assert (await client.get("/api/agent/me", headers=fresh)).status_code == 200


async def test_a_customer_token_cannot_log_out(client: httpx.AsyncClient) -> None:
    session = (await client.post("/api/sessions/demo", json={"customer_id": "C1001"})).json()
    response = await client.post("/api/auth/logout", headers={"Authorization": f"Bearer {session['token']}"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "token", ["令牌", "eyJhbGciOiJIUzI1NiJ9.é.x", "a.b.c", "....", "Bearer", "e30.e30.e30", "x" * 4000]
)
async def test_malformed_or_non_ascii_tokens_are_401(client: httpx.AsyncClient, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}".encode()}  # raw UTF-8, as a hostile client sends it
    agent = await client.get("/api/agent/me", headers=headers)
    customer = await client.get("/api/conversations/c1", headers=headers)

    assert (agent.status_code, customer.status_code) == (401, 401)
    assert agent.json() == {"detail": "invalid token"}


class TestLockOut:
    MAX_PER_USERNAME = 3
    MAX_PER_ADDRESS = 5

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(
            update={
                "LOGIN_MAX_FAILURES_PER_USERNAME": self.MAX_PER_USERNAME,
                "LOGIN_MAX_FAILURES_PER_ADDRESS": self.MAX_PER_ADDRESS,
            }
        )

    async def test_a_username_is_locked_out_after_repeated_failures(
        self, client: httpx.AsyncClient, async_redis, keys, settings: Settings
    ) -> None:
        failures = [
            (await _login(client, "risk_1", "guess")).status_code for _ in range(self.MAX_PER_USERNAME)
        ]
        locked = await _login(client, "risk_1")  # even the right password, while locked out

        assert failures == [401] * self.MAX_PER_USERNAME
        assert (locked.status_code, locked.json()) == (429, {"detail": LOCKED_OUT})
        # Another agent from the same address is not locked out.
        assert (await _login(client, "general_1")).status_code == 200
        key = keys.login_failures("username", "risk_1")
        assert 0 < await async_redis.ttl(key) <= settings.LOGIN_LOCKOUT_SECONDS
        await async_redis.delete(key)  # what the TTL does when the lock-out ends
        assert (await _login(client, "risk_1")).status_code == 200

    async def test_an_address_is_locked_out_after_failures_on_any_usernames(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        sprayed = [
            (await _login(client, f"nobody_{n}", "guess")).status_code for n in range(self.MAX_PER_ADDRESS)
        ]
        locked = await _login(client, "general_1")
        elsewhere = httpx.ASGITransport(app=app, client=("192.0.2.20", 40000))
        async with httpx.AsyncClient(transport=elsewhere, base_url="http://handoff.test") as other_address:
            other = await _login(other_address, "general_1")

        assert sprayed == [401] * self.MAX_PER_ADDRESS
        assert locked.status_code == 429
        assert other.status_code == 200

    async def test_a_burst_of_concurrent_guesses_is_counted_too(self, client: httpx.AsyncClient) -> None:
        burst = await asyncio.gather(*(_login(client, "vip_1", f"guess{n}") for n in range(10)))

        codes = sorted(response.status_code for response in burst)
        assert codes == [401] * self.MAX_PER_USERNAME + [429] * (10 - self.MAX_PER_USERNAME)


class TestPasswordHashing:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(
            update={"LOGIN_MAX_FAILURES_PER_USERNAME": 1000, "LOGIN_MAX_FAILURES_PER_ADDRESS": 1000}
        )

    async def test_an_unknown_username_costs_as_much_as_a_wrong_password(
        self, client: httpx.AsyncClient
    ) -> None:
        async def seconds(username: str) -> float:
            start = time.perf_counter()
            assert (await _login(client, username, "wrong-password")).status_code == 401
            return time.perf_counter() - start

        known, unknown = [], []
        for _ in range(7):  # interleaved, so both see the same load on the machine
            known.append(await seconds("general_1"))
            unknown.append(await seconds("no_such_agent"))

        # Without the dummy hash an unknown name answered ~20x faster; now both run one scrypt.
        assert statistics.median(unknown) > statistics.median(known) / 2

    async def test_a_burst_of_logins_does_not_stall_other_requests(self, server: str) -> None:
        async with httpx.AsyncClient(base_url=f"http://{server}", timeout=120) as http:
            alone = []
            for _ in range(3):
                start = time.perf_counter()
                await _login(http, "general_1")
                alone.append(time.perf_counter() - start)
            one_login = min(alone)

            logins = [asyncio.create_task(_login(http, "general_1")) for _ in range(40)]
            await asyncio.sleep(0.05)  # the burst reaches the server and its hashing starts
            start = time.perf_counter()
            health = await http.get("/healthz")
            health_seconds = time.perf_counter() - start
            still_hashing = sum(not task.done() for task in logins)
            responses = await asyncio.gather(*logins)

        assert health.status_code == 200
        assert still_hashing > 0  # it was answered during the burst
        # Hashing on the event loop made it wait for the whole burst, about 40 logins' time; a margin of four
        # keeps a busy machine's noise (which slows both measures alike) from deciding the result.
        assert health_seconds < 10 * one_login
        assert {response.status_code for response in responses} == {200}
