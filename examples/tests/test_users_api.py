"""The users endpoints, through the ASGI app."""

import pytest


@pytest.mark.asyncio
async def test_health(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_create_user(client):
    response = await client.post("/users", json={"name": "Bob", "email": "bob@example.com"})
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Bob"
    assert body["id"] == 1


async def test_create_user_rejects_a_bad_email(client):
    response = await client.post("/users", json={"name": "Bob", "email": "not-an-email"})
    assert response.status_code == 422


@pytest.mark.asyncio
async def test_create_user_rejects_a_duplicate_email(client, ada):
    response = await client.post("/users", json={"name": "Other", "email": ada.email})
    assert response.status_code == 409


@pytest.mark.asyncio
async def test_get_user(client, ada):
    response = await client.get(f"/users/{ada.id}")
    assert response.status_code == 200
    assert response.json()["email"] == "ada@example.com"


async def test_get_missing_user_is_404(client):
    response = await client.get("/users/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "user not found"}


@pytest.mark.asyncio(scope="function")
async def test_list_users(client, ada):
    await client.post("/users", json={"name": "Bob", "email": "bob@example.com"})
    response = await client.get("/users")
    assert [user["name"] for user in response.json()] == ["Ada", "Bob"]


@pytest.mark.asyncio
def test_user_id_must_be_an_integer(app):
    # FastAPI validates path parameters before the endpoint runs.
    route = next(r for r in app.routes if getattr(r, "path", None) == "/users/{user_id}")
    assert route.param_convertors == {} or "user_id" in route.path


class TestUpdateAndDelete:
    async def test_rename(self, client, ada):
        response = await client.patch(f"/users/{ada.id}", json={"name": "Adah"})
        assert response.status_code == 200
        assert response.json()["name"] == "Adah"

    @pytest.mark.asyncio
    async def test_update_with_an_empty_name_is_422(self, client, ada):
        response = await client.patch(f"/users/{ada.id}", json={"name": ""})
        assert response.status_code == 422

    async def test_delete(self, client, ada):
        response = await client.delete(f"/users/{ada.id}")
        assert response.status_code == 204
        assert (await client.get(f"/users/{ada.id}")).status_code == 404

    @pytest.mark.asyncio
    async def test_delete_missing_user_is_404(self, client):
        response = await client.delete("/users/42")
        assert response.status_code == 404
