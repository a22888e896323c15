"""What every web page needs: who is signed in, which project, may they, CSRF, rendering, and errors as HTML pages.

Page routers are built with :func:`page_router`: its routes (:class:`PageRoute`) answer a mistake with an HTML page
(400, 403, 404) instead of the API's JSON, and send a signed-out browser to the sign-in form.
See docs/web-ui.md for how a page area plugs in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from trackbridge.config import Environment
from trackbridge.domain.errors import ClientError, Conflict, Forbidden, NotFound, Unauthenticated
from trackbridge.domain.projects import Project
from trackbridge.domain.users import Role, UserAccess, tokens_match
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.errors import describe_validation
from trackbridge.entrypoints.web.templating import csrf_input, project_path, render_html
from trackbridge.services import users as user_service

log = logging.getLogger(__name__)

SESSION_COOKIE = "tb_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_REFUSED = "The form expired or was not sent by this trackbridge page. Go back, reload the page and try again."


class SignInRequired(Exception):
    """The browser has no valid session: it is sent to the sign-in form, then back to ``next_path``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Forbidden):
    def __init__(self) -> None:
        super().__init__(CSRF_REFUSED)


@dataclass(frozen=True)
class WebUser:
    """The signed-in user of this request, the projects they may see and their session's CSRF token."""

    access: UserAccess
    csrf_token: str
    projects: list[Project]

    @property
    def id(self) -> int:
        return self.access.user.id

    @property
    def email(self) -> str:
        return self.access.user.email

    @property
    def is_admin(self) -> bool:
        """Admin of every project."""
        return self.access.user.is_admin


@dataclass(frozen=True)
class ProjectPage:
    """A page of one project, seen by a user with ``role`` in it."""

    user: WebUser
    project: Project
    role: Role

    @property
    def projects(self) -> list[Project]:
        return self.user.projects

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def csrf_token(self) -> str:
        return self.user.csrf_token


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def cookie_is_secure(request: Request) -> bool:
    """Secure cookies over HTTPS, and always in production (where trackbridge must sit behind TLS)."""
    return request.url.scheme == "https" or container_of(request).settings.env is Environment.PRODUCTION


async def current_user(request: Request) -> WebUser | None:
    """The signed-in user, or None; looked up once per request."""
    if hasattr(request.state, "web_user"):
        found: WebUser | None = request.state.web_user
        return found
    container = container_of(request)

    def look_up() -> WebUser | None:
        found = user_service.session_access(container.uow, session_token(request))
        if found is None:
            return None
        projects = user_service.visible_projects(container.uow, found.access)
        return WebUser(found.access, found.session.csrf_token, projects)

    user = await run_in_threadpool(look_up)
    request.state.web_user = user
    return user


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def _signed_in(request: Request) -> WebUser:
    user = await current_user(request)
    if user is None:
        raise SignInRequired(_here(request) if request.method == "GET" else "/")
    return user


def _page(user: WebUser, project_name: str) -> ProjectPage:
    for project in user.projects:
        if project.name == project_name:
            role = user.access.role_in(project.id)
            assert role is not None  # visible projects are the ones with a role
            return ProjectPage(user, project, role)
    raise NotFound(f"There is no project named “{project_name}” that you may see.")


async def _viewer_page(project: str, user: Annotated[WebUser, Depends(_signed_in)]) -> ProjectPage:
    return _page(user, project)


async def _admin_page(page: Annotated[ProjectPage, Depends(_viewer_page)]) -> ProjectPage:
    if not page.is_admin:
        raise Forbidden("Only an admin of this project may open this page.")
    return page


async def check_csrf(request: Request, expected: str) -> None:
    """The form's ``csrf_token`` (or the X-CSRF-Token header) must be the session's token; 403 otherwise."""
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not tokens_match(expected, given):
        log.info("form refused: CSRF token missing or wrong", extra={"path": request.url.path})
        raise CsrfRefused()


async def _user_post(request: Request, user: Annotated[WebUser, Depends(_signed_in)]) -> WebUser:
    await check_csrf(request, user.csrf_token)
    return user


async def _viewer_post(request: Request, page: Annotated[ProjectPage, Depends(_viewer_page)]) -> ProjectPage:
    await check_csrf(request, page.csrf_token)
    return page


async def _admin_post(request: Request, page: Annotated[ProjectPage, Depends(_admin_page)]) -> ProjectPage:
    await check_csrf(request, page.csrf_token)
    return page


SignedIn = Annotated[WebUser, Depends(_signed_in)]
SignedInPost = Annotated[WebUser, Depends(_user_post)]
ViewerPage = Annotated[ProjectPage, Depends(_viewer_page)]
AdminPage = Annotated[ProjectPage, Depends(_admin_page)]
ViewerPost = Annotated[ProjectPage, Depends(_viewer_post)]
AdminPost = Annotated[ProjectPage, Depends(_admin_post)]


def render(
    request: Request,
    template: str,
    page: ProjectPage | WebUser | None,
    *,
    section: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A page in the base layout: ``page`` fills the nav, the project switcher and the CSRF token."""
    user = page.user if isinstance(page, ProjectPage) else page
    base: dict[str, Any] = {
        "user": user,
        "projects": user.projects if user else [],
        "project": page.project if isinstance(page, ProjectPage) else None,
        "role": page.role.value if isinstance(page, ProjectPage) else None,
        "is_admin": page.is_admin if isinstance(page, ProjectPage) else bool(user and user.is_admin),
        "section": section,
        "csrf_token": user.csrf_token if user else "",
        "csrf_input": csrf_input(user.csrf_token) if user else "",
    }
    return render_html(request, template, {**base, **context}, status_code)


def redirect_to(path: str) -> RedirectResponse:
    """Post/Redirect/Get: a 303 to ``path``."""
    return RedirectResponse(path, status_code=303)


def sign_in_path(next_path: str | None = None) -> str:
    return "/sign-in" + (f"?next={quote(next_path, safe='')}" if next_path and next_path != "/" else "")


async def error_page(request: Request, status: int, title: str, message: str) -> Response:
    user = getattr(request.state, "web_user", None)
    return render(request, "error.html", user, status_code=status, title=title, message=message)


_TITLES = {400: "That did not work", 403: "Not allowed", 404: "Not found", 405: "Not allowed", 409: "Conflict"}
_STATUS = {Forbidden: 403, NotFound: 404, Unauthenticated: 401, Conflict: 409}


class PageRoute(APIRoute):
    """A route whose mistakes are HTML pages; a signed-out browser goes to the sign-in form."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as needed:
                return redirect_to(sign_in_path(needed.next_path))
            except ClientError as error:
                status = next((s for kind, s in _STATUS.items() if isinstance(error, kind)), 400)
                if status == 401:
                    return redirect_to(sign_in_path(_here(request)))
                return await error_page(request, status, _TITLES.get(status, "Error"), error.message)
            except RequestValidationError as error:
                message = describe_validation(error).message
                return await error_page(request, 400, _TITLES[400], message)
            except StarletteHTTPException as error:
                return await error_page(
                    request, error.status_code, _TITLES.get(error.status_code, "Error"), str(error.detail)
                )

        return page_handler


def page_router() -> APIRouter:
    """The router every web page area is built on (see the module docstring)."""
    return APIRouter(route_class=PageRoute, include_in_schema=False)


__all__ = [
    "AdminPage",
    "AdminPost",
    "ProjectPage",
    "SignedIn",
    "SignedInPost",
    "ViewerPage",
    "ViewerPost",
    "WebUser",
    "page_router",
    "project_path",
    "redirect_to",
    "render",
]
