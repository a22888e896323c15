"""Browser tests of the web UI: a live server with a project and users, signed-in Playwright pages that fail the test
on any browser console error, and screenshots saved as test artefacts (test-artifacts/screenshots/).

The fixtures are re-exported by tests/e2e/conftest.py, so a test module only names them:

    def test_dashboard_shows_visits(web_server: WebServer, web_page: Page) -> None:
        web_page.goto(project_url(web_server))
        screenshot(web_page, "dashboard")
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI

from tests.e2e.conftest import ARTIFACTS, DESKTOP_USER_AGENT
from tests.support.live_server import serve
from trackbridge.domain.projects import Project
from trackbridge.domain.users import Role
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import projects as project_service
from trackbridge.services import users as user_service

SCREENSHOTS = ARTIFACTS / "screenshots"
PROJECT_NAME = "shop"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-password-for-tests"
VIEWER_EMAIL = "viewer@example.com"
VIEWER_PASSWORD = "viewer-password-for-tests"
PHONE = {"width": 390, "height": 844}


@dataclass
class WebServer:
    """A running trackbridge at ``url`` with the project ``shop``, an admin of every project and a viewer of shop."""

    url: str
    container: Container
    project: Project
    admin_email: str = ADMIN_EMAIL
    admin_password: str = ADMIN_PASSWORD
    viewer_email: str = VIEWER_EMAIL
    viewer_password: str = VIEWER_PASSWORD


@dataclass
class ConsoleErrors:
    """Collects the browser's console errors and uncaught page errors of every page it watches.

    ``allow(pattern)`` lets an error the test expects pass (e.g. the 403 of a refused form).
    """

    messages: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            self.messages.append(f"{message.text} ({location.get('url', '?')})")

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [m for m in self.messages if not any(p.search(m) for p in self.allowed)]

    def check(self) -> None:
        unexpected = self.unexpected()
        if unexpected:
            pytest.fail("browser console errors:\n" + "\n".join(unexpected), pytrace=False)


def project_url(server: WebServer, *parts: str, project: str = PROJECT_NAME) -> str:
    """The URL of a page of ``project`` (default: shop): ``project_url(server, "customers")``."""
    return f"{server.url}/p/{quote(project, safe='')}/" + "/".join(quote(p, safe="") for p in parts)


def screenshot(page: Any, name: str) -> Path:
    """Saves the whole page as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, url: str, email: str, password: str) -> None:
    """Fills the sign-in form at ``url``/sign-in and sends it (the page ends where the server redirects)."""
    page.goto(f"{url}/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def make_user(server: WebServer, email: str, role: str = "viewer", project: str | None = PROJECT_NAME) -> str:
    """A new user with ``role`` in ``project`` (None: admin of every project); their password."""
    password = f"pw-{email}-long-enough"
    user_service.create_user(
        server.container.uow,
        server.container.passwords,
        email,
        password=password,
        role=Role(role),
        project_name=project,
    )
    return password


@pytest.fixture
def web_server(app: FastAPI, container: Container) -> Iterator[WebServer]:
    project = project_service.create_project(container.uow, container.box, PROJECT_NAME).project
    user_service.create_user(container.uow, container.passwords, ADMIN_EMAIL, password=ADMIN_PASSWORD)
    user_service.create_user(
        container.uow,
        container.passwords,
        VIEWER_EMAIL,
        password=VIEWER_PASSWORD,
        role=Role.VIEWER,
        project_name=PROJECT_NAME,
    )
    with serve(app) as url:
        yield WebServer(url=url, container=container, project=project)


@pytest.fixture
def console_errors() -> Iterator[ConsoleErrors]:
    """The console errors of the pages given by ``web_page``, ``viewer_page`` and ``new_page``; checked at the end."""
    errors = ConsoleErrors()
    yield errors
    errors.check()


@pytest.fixture
def new_page(browser: Any, console_errors: ConsoleErrors) -> Iterator[Callable[..., Any]]:
    """``new_page(viewport=None)``: a page in a fresh browser context (its own cookies), watched for console errors."""
    contexts: list[Any] = []

    def open_page(viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(
            user_agent=DESKTOP_USER_AGENT, viewport=viewport or {"width": 1280, "height": 800}
        )
        contexts.append(context)
        page = context.new_page()
        console_errors.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def web_page(web_server: WebServer, new_page: Callable[..., Any]) -> Any:
    """A page signed in as the admin (of every project)."""
    page = new_page()
    sign_in(page, web_server.url, web_server.admin_email, web_server.admin_password)
    return page


@pytest.fixture
def viewer_page(web_server: WebServer, new_page: Callable[..., Any]) -> Any:
    """A page signed in as a viewer of shop."""
    page = new_page()
    sign_in(page, web_server.url, web_server.viewer_email, web_server.viewer_password)
    return page
