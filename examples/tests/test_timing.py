import pytest
import pytest_asyncio

from app.db import UserRepository


# ASL104: the event_loop fixture was removed in pytest-asyncio 1.0.
@pytest.mark.asyncio
async def test_add_is_quick(event_loop, repo):
    started = event_loop.time()
    await repo.add(name="Linus", email="linus@example.com")
    assert event_loop.time() - started < 5


# ASL404 (a): a module-scoped async fixture on a function-scoped loop fails with ScopeMismatch.
@pytest_asyncio.fixture(scope="module")
async def report_repo():
    repository = UserRepository()
    await repository.add(name="Margaret", email="margaret@example.com")
    yield repository
    await repository.aclose()


@pytest.mark.asyncio
async def test_report_counts(report_repo):
    assert await report_repo.count() == 1
