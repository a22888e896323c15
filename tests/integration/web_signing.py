"""Signing a TestClient in to the web UI, for the integration tests of its pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from trackbridge.domain.users import Role
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import users as user_service

_HIDDEN = re.compile(r'name="(signin_token|csrf_token)" value="([^"]+)"')


def hidden(html: str, name: str) -> str:
    found = dict(_HIDDEN.findall(html))
    assert name in found, f"no {name} in the page"
    return found[name]


def sign_in_as(
    client: TestClient, container: Container, email: str, *, role: Role | None = None, project: str | None = None
) -> str:
    """Creates the user (an admin of every project unless ``role`` and ``project``), signs ``client`` in, and answers
    the session's CSRF token (read from a page)."""
    password = "a-long-enough-password"
    if role is None:
        user_service.create_user(container.uow, container.passwords, email, password=password)
    else:
        user_service.create_user(
            container.uow, container.passwords, email, password=password, role=role, project_name=project
        )
    client.cookies.clear()
    form = client.get("/sign-in")
    token = hidden(form.text, "signin_token")
    answer = client.post(
        "/sign-in",
        data={"email": email, "password": password, "signin_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return hidden(client.get("/", follow_redirects=True).text, "csrf_token")
