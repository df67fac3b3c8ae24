import httpx


async def test_pages_are_served(client: httpx.AsyncClient) -> None:
    chat, console = await client.get("/"), await client.get("/agent")
    assert chat.status_code == console.status_code == 200
    assert 'id="customer-picker"' in chat.text and 'id="human-button"' in chat.text
    assert 'id="login-view"' in console.text and 'id="queue-list"' in console.text


async def test_supervisor_page_is_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/supervisor")
    assert page.status_code == 200
    assert 'id="dashboard"' in page.text and 'id="group-rows"' in page.text


async def test_trainer_page_is_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/trainer")
    assert page.status_code == 200
    assert 'id="inbox-list"' in page.text and 'id="waiting-count"' in page.text
