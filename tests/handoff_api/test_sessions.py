from pathlib import Path

import httpx
import pytest
import yaml

from contract.demo_secrets import SECRET_NAMES, PublicSecret
from handoff_api.core.config import Settings
from handoff_api.core.security import hash_password
from handoff_api.main import create_app
from tests.handoff_api.conftest import Customer


async def test_demo_customers_show_their_tier(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/demo/customers")
    assert response.status_code == 200
    by_id = {customer["id"]: customer for customer in response.json()}
    assert by_id["C1003"] == {"id": "C1003", "name": "王芳", "tier": "platinum", "tier_label": "白金卡"}
    assert by_id["C1001"]["tier"] == "standard"


async def test_demo_session_starts_a_bot_conversation(client: httpx.AsyncClient) -> None:
    customer = await Customer.start(client, "C1002")
    assert await customer.status() == {
        "conversation_id": customer.conversation_id,
        "state": "bot",
        "group": None,
        "position": None,
        "estimated_wait_seconds": None,
        "estimated_wait_text": None,
    }
    assert await customer.messages() == []


async def test_unknown_customer_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/sessions/demo", json={"customer_id": "C9999"})
    assert response.status_code == 404
    assert response.json() == {"detail": "unknown customer"}


def _own_agents_file(settings: Settings, folder: Path) -> Path:
    """The demo agents with a password of this deployment."""
    agents = yaml.safe_load(settings.AGENTS_CONFIG_PATH.read_text(encoding="utf-8"))
    password_hash = hash_password("a-password-of-this-deployment")
    for agent in agents["agents"]:
        agent["password_hash"] = password_hash
    path = folder / "agents.yml"
    path.write_text(yaml.safe_dump(agents, allow_unicode=True), encoding="utf-8")
    return path


class TestOutsideDemoMode:
    @pytest.fixture
    def settings(self, settings: Settings, tmp_path: Path) -> Settings:
        private = {name: f"{name.lower()}-of-this-test-deployment-{'x' * 16}" for name in SECRET_NAMES}
        own_agents = _own_agents_file(settings, tmp_path)
        return settings.model_copy(update={**private, "DEMO_MODE": False, "AGENTS_CONFIG_PATH": own_agents})

    async def test_agents_with_the_published_demo_password_are_refused(self, settings: Settings) -> None:
        demo_agents = Settings(_env_file=None).AGENTS_CONFIG_PATH
        app = create_app(settings.model_copy(update={"AGENTS_CONFIG_PATH": demo_agents}))
        with pytest.raises(PublicSecret, match="demo password"):
            async with app.router.lifespan_context(app):
                pass

    async def test_the_demo_picker_does_not_exist(self, client: httpx.AsyncClient) -> None:
        listing = await client.get("/api/demo/customers")
        session = await client.post("/api/sessions/demo", json={"customer_id": "C1001"})

        assert (listing.status_code, session.status_code) == (404, 404)
        assert "/api/sessions/demo" not in (await client.get("/openapi.json")).json()["paths"]
        # The portal's door stays: without a portal key configured, it refuses every token.
        assert (await client.post("/api/sessions/portal", json={"token": "x"})).status_code == 401
