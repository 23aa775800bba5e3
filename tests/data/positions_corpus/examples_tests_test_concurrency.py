import asyncio

import pytest


# ASL303: the responses are gathered, and only their number is checked.
@pytest.mark.asyncio
async def test_concurrent_signups(client):
    payloads = [{"name": f"user{i}", "email": f"user{i}@example.com"} for i in range(3)]
    responses = await asyncio.gather(*(client.post("/users", json=p) for p in payloads))
    assert len(responses) == 3


@pytest.mark.asyncio
async def test_concurrent_reads(client, repo):
    await repo.add(name="Ada", email="ada@example.com")
    responses = await asyncio.gather(client.get("/users"), client.get("/users"))
    assert [r.status_code for r in responses] == [200, 200]


# ASL302: the request is sent, and nothing is checked.
@pytest.mark.asyncio
async def test_listing_users(client):
    await client.get("/users")
