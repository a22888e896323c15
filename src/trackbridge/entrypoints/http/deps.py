"""Dependencies that keep handlers short: the container and the API-key-authenticated project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.credentials import Scope
from trackbridge.domain.errors import Unauthenticated
from trackbridge.domain.projects import ApiKeyInfo, Project
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import projects as project_service

_bearer = HTTPBearer(auto_error=False, description="An API key of the project: `Authorization: Bearer tbk_...`.")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


@dataclass(frozen=True)
class Caller:
    project: Project
    key: ApiKeyInfo


def _caller(needed: Scope):  # type: ignore[no-untyped-def]
    async def dependency(
        container: Annotated[Container, Depends(get_container)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise Unauthenticated("an API key is required: Authorization: Bearer <API key>")
        project, key = await run_in_threadpool(
            project_service.authenticate_api_key, container.uow, credentials.credentials, needed
        )
        return Caller(project=project, key=key)

    return dependency


ContainerDep = Annotated[Container, Depends(get_container)]
ReadCaller = Annotated[Caller, Depends(_caller(Scope.READ))]
WriteCaller = Annotated[Caller, Depends(_caller(Scope.WRITE))]
