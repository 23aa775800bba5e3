"""The HTTP API: users CRUD."""

from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Request, Response, status

from app.db import DuplicateEmail, UserNotFound, UserRepository
from app.models import User, UserIn, UserOut, UserUpdate
from app.notifications import NotificationClient, NotificationError


def get_repository(request: Request) -> UserRepository:
    return request.app.state.repository


def create_app(repository: UserRepository, notifier: NotificationClient | None = None) -> FastAPI:
    app = FastAPI(title="users")
    app.state.repository = repository
    app.state.notifier = notifier

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/users", response_model=list[UserOut])
    async def list_users(repo: UserRepository = Depends(get_repository)) -> list[User]:
        return await repo.list()

    @app.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
    async def create_user(data: UserIn, request: Request,
                          repo: UserRepository = Depends(get_repository)) -> User:
        try:
            user = await repo.create(data)
        except DuplicateEmail:
            raise HTTPException(status.HTTP_409_CONFLICT, "email already registered") from None
        if request.app.state.notifier is not None:
            try:
                await request.app.state.notifier.send_welcome(user)
            except NotificationError:
                pass  # the account exists; the e-mail is retried by a background job
        return user

    @app.get("/users/{user_id}", response_model=UserOut)
    async def get_user(user_id: int, repo: UserRepository = Depends(get_repository)) -> User:
        try:
            return await repo.get(user_id)
        except UserNotFound:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "user not found") from None

    @app.patch("/users/{user_id}", response_model=UserOut)
    async def update_user(user_id: int, changes: UserUpdate,
                          repo: UserRepository = Depends(get_repository)) -> User:
        try:
            return await repo.update(user_id, changes)
        except UserNotFound:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "user not found") from None

    @app.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete_user(user_id: int, repo: UserRepository = Depends(get_repository)) -> Response:
        try:
            await repo.delete(user_id)
        except UserNotFound:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "user not found") from None
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return app
