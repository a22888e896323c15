"""GET /tracker.js?token=...: the browser tracker, with the project's token and this server's address filled in.

The script itself is static/tracker.js (hand-written, no build step). Its last line takes a configuration object,
which this router renders per project: ``{"token", "base", "siteId"}``. Answers carry an ETag and a short cache
lifetime, so a token rotation or an upgrade reaches browsers within minutes. An unknown token gets a 404 whose body is
a JavaScript comment, so the page's console shows why nothing is tracked.
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.errors import Unauthenticated
from trackbridge.entrypoints.http.deps import ContainerDep
from trackbridge.services import projects as project_service

log = logging.getLogger(__name__)

JAVASCRIPT = "application/javascript; charset=utf-8"
CACHE_SECONDS = 300
CONFIG_PLACEHOLDER = "__TRACKBRIDGE_CONFIG__"
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def load_template() -> str:
    template = files("trackbridge.entrypoints.http").joinpath("static/tracker.js").read_text(encoding="utf-8")
    if CONFIG_PLACEHOLDER not in template:
        raise RuntimeError("static/tracker.js lost its configuration placeholder")
    return template


def render(template: str, *, token: str, base_url: str, site_id: int) -> str:
    """The script for one project: the configuration literal replaces the placeholder on the last line."""
    config = json.dumps({"token": token, "base": base_url.rstrip("/"), "siteId": site_id}, ensure_ascii=True)
    return template.replace(CONFIG_PLACEHOLDER, config.translate(_SCRIPT_SAFE))


def _comment_answer(status: int, reason: str) -> Response:
    body = f"/* trackbridge: {reason}; nothing on this page is tracked. */\n"
    return Response(body, status_code=status, media_type=JAVASCRIPT, headers={"Cache-Control": "no-store"})


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    return header.strip() == "*" or etag in {part.strip().removeprefix("W/") for part in header.split(",")}


def build_router() -> APIRouter:
    template = load_template()
    router = APIRouter(tags=["tracking"])

    @router.get(
        "/tracker.js",
        summary="The JavaScript tracker for a project",
        response_class=Response,
        responses={
            200: {"content": {"application/javascript": {}}, "description": "The tracker, configured for the project."},
            304: {"description": "The copy the browser holds (If-None-Match) is current."},
            400: {"content": {"application/javascript": {}}, "description": "No token parameter."},
            404: {"content": {"application/javascript": {}}, "description": "No project has that token."},
        },
    )
    async def tracker_js(
        request: Request,
        container: ContainerDep,
        token: Annotated[str | None, Query(description="The project's public token.")] = None,
    ) -> Response:
        if not token:
            return _comment_answer(400, "the script address needs ?token=<project token>")
        try:
            project = await run_in_threadpool(project_service.project_by_token, container.uow, token)
        except Unauthenticated:
            log.info("tracker.js asked for an unknown token")
            return _comment_answer(404, "no project has this token (check the token in the script address)")
        body = render(template, token=project.token, base_url=str(request.base_url), site_id=project.site_id)
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={CACHE_SECONDS}"}
        if _etag_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=JAVASCRIPT, headers=headers)

    return router
