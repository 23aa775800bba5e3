import httpx
import pytest
import pytest_asyncio
from httpx import ASGITransport

from app.db import UserRepository
from app.main import create_app


@pytest_asyncio.fixture
async def repo():
    repository = UserRepository()
    yield repository
    await repository.aclose()


@pytest.fixture
def app(repo):
    return create_app(repo)


@pytest_asyncio.fixture
async def client(app):
    transport = ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


# ASL103: a plain @pytest.fixture on an async def; in strict mode no plugin runs it.
@pytest.fixture
async def ada(repo):
    return await repo.add(name="Ada", email="ada@example.com")
