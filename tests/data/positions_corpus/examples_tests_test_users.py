import asyncio

import pytest


# ASL101: no asyncio mark, so under strict mode this test never runs.
async def test_create_user(client):
    response = await client.post("/users", json={"name": "Grace", "email": "grace@example.com"})
    assert response.status_code == 201
    assert response.json()["email"] == "grace@example.com"


@pytest.mark.asyncio
async def test_get_user(client, ada):
    response = await client.get(f"/users/{ada.id}")
    assert response.status_code == 200
    assert response.json()["name"] == "Ada"


@pytest.mark.asyncio
async def test_get_missing_user(client):
    response = await client.get("/users/999")
    assert response.status_code == 404


# ASL102: the mark does nothing on a plain def.
@pytest.mark.asyncio
def test_user_out_fields():
    from app.main import UserOut

    assert set(UserOut.model_fields) == {"id", "name", "email"}


# ASL106: `scope` is the deprecated spelling of `loop_scope`.
@pytest.mark.asyncio(scope="function")
async def test_list_users(client, ada):
    response = await client.get("/users")
    assert [u["name"] for u in response.json()] == ["Ada"]


@pytest.mark.asyncio
async def test_delete_user(client, ada):
    # ASL107: get_event_loop() inside a coroutine; get_running_loop() is meant.
    loop = asyncio.get_event_loop()
    started = loop.time()
    response = await client.delete(f"/users/{ada.id}")
    assert response.status_code == 204
    assert loop.time() >= started


class TestRegistration:
    # ASL101 inside a test class.
    async def test_duplicate_email_is_rejected(self, client, ada):
        response = await client.post("/users", json={"name": "Ada 2", "email": "ada@example.com"})
        assert response.status_code == 409
