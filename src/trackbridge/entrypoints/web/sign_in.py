"""Signing in and out, and ``/``: the sign-in form for a stranger, the first project's dashboard for a user.

The sign-in form is protected from cross-site posting by a double-submit token (a cookie and a hidden field that must
match): before sign-in there is no session to hold a CSRF token.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from trackbridge.domain.errors import NotFound, Unauthenticated
from trackbridge.domain.users import SESSION_LIFETIME, new_token, tokens_match
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.web.pages import (
    CSRF_REFUSED,
    SESSION_COOKIE,
    SignedIn,
    SignedInPost,
    cookie_is_secure,
    current_user,
    page_router,
    project_path,
    redirect_to,
    render,
    session_token,
)
from trackbridge.services import users as user_service

log = logging.getLogger(__name__)

SIGN_IN_COOKIE = "tb_signin"
SECTIONS = ("dashboard", "customers", "reports", "uploads", "settings")


def _safe_next(value: str | None) -> str:
    """Only a path on this server (never ``//elsewhere`` or ``https://...``) is followed after sign-in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _form(
    request: Request, next_path: str, *, error: str | None = None, email: str = "", status: int = 200
) -> Response:
    token = request.cookies.get(SIGN_IN_COOKIE) or new_token()
    answer = render(
        request,
        "sign_in.html",
        None,
        status_code=status,
        signin_token=token,
        next_path=next_path,
        error=error,
        email=email,
    )
    answer.set_cookie(
        SIGN_IN_COOKIE, token, httponly=True, samesite="strict", secure=cookie_is_secure(request), path="/sign-in"
    )
    return answer


def build_router(container: Container) -> APIRouter:
    router = page_router()

    @router.get("/")
    async def home(request: Request) -> Response:
        user = await current_user(request)
        if user is None:
            return redirect_to("/sign-in")
        if not user.projects:
            return render(request, "no_project.html", user)
        return redirect_to(project_path(user.projects[0]))

    @router.get("/switch")
    async def switch(user: SignedIn, project: str = "", section: str = "dashboard") -> Response:
        """The project switcher: the same section of another project."""
        chosen = next((p for p in user.projects if p.name == project), None)
        if chosen is None:
            raise NotFound(f"There is no project named “{project}” that you may see.")
        parts = [] if section not in SECTIONS or section == "dashboard" else [section]
        return redirect_to(project_path(chosen, *parts))

    @router.get("/sign-in")
    async def sign_in_form(request: Request, next: str | None = None) -> Response:
        if await current_user(request) is not None:
            return redirect_to(_safe_next(next))
        return _form(request, _safe_next(next))

    @router.post("/sign-in")
    async def sign_in(
        request: Request,
        email: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        signin_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        next_path = _safe_next(next)
        if not tokens_match(request.cookies.get(SIGN_IN_COOKIE) or "", signin_token) or not signin_token:
            return _form(request, next_path, error=CSRF_REFUSED, email=email, status=403)
        try:
            opened = await run_in_threadpool(user_service.sign_in, container.uow, container.passwords, email, password)
        except Unauthenticated as refused:
            return _form(request, next_path, error=f"Sign-in failed: {refused.message}.", email=email, status=401)
        answer = redirect_to(next_path)
        answer.set_cookie(
            SESSION_COOKIE,
            opened.token,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=cookie_is_secure(request),
            path="/",
        )
        answer.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
        return answer

    @router.post("/sign-out")
    async def sign_out(request: Request, _user: SignedInPost) -> Response:
        await run_in_threadpool(user_service.sign_out, container.uow, session_token(request))
        answer = redirect_to("/sign-in")
        answer.delete_cookie(SESSION_COOKIE, path="/")
        return answer

    return router
