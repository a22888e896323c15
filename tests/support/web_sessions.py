"""Signed-in TestClients for the web pages' integration tests: a user is created and signed in through the service, and
the client carries the session cookie; the CSRF token the pages' forms need comes back with it."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.testclient import TestClient

from trackbridge.domain.users import Role
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.web.pages import SESSION_COOKIE
from trackbridge.services import users as user_service


@dataclass
class WebClient:
    client: TestClient
    csrf: str


def web_client(
    app: FastAPI, container: Container, email: str, *, role: Role = Role.ADMIN, project: str | None = None
) -> WebClient:
    """A client signed in as a new user: admin of every project by default, else ``role`` in ``project``."""
    password = f"password-of-{email}"
    user_service.create_user(
        container.uow, container.passwords, email, password=password, role=role, project_name=project
    )
    opened = user_service.sign_in(container.uow, container.passwords, email, password)
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, opened.token)
    return WebClient(client, opened.session.csrf_token)
