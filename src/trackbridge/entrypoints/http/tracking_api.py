"""POST /t: the JSON tracking endpoint for browsers (tracker.js, sendBeacon) and servers.

The hot path only validates, appends the batch to the inbox (group commit) and answers 202 once it is durable; the
worker does everything else. Browsers get CORS headers on every answer, errors included. Checks run in this order:
size (413), Content-Type (415), JSON (400), credentials (401 / 403), envelope and events (400, 413 for an event).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from trackbridge.domain.credentials import Scope
from trackbridge.domain.errors import ClientError, Forbidden, InvalidInput, Unauthenticated
from trackbridge.domain.privacy import client_ip
from trackbridge.domain.projects import Project
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.body import read_limited
from trackbridge.entrypoints.http.errors import STATUS, UnsupportedMediaType, error_responses
from trackbridge.entrypoints.http.responses import JsonAnswer
from trackbridge.entrypoints.http.tracking_payload import (
    MAX_REQUEST_BYTES,
    build_events,
    check_event_sizes,
    parse_json,
    read_call,
)
from trackbridge.services import projects as project_service
from trackbridge.services.ingest import InboxWriter

log = logging.getLogger(__name__)

TOKEN_CACHE_SECONDS = 10.0
"""How long a token → project answer is reused; a rotated token stops working within this time."""
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization",
    "Access-Control-Max-Age": "86400",
}
_MEDIA_TYPES = ("text/plain", "application/json", "")
STORE_FAILED = "the events could not be stored; nothing was accepted, send them again later"

DESCRIPTION = """Accepts one event or a batch for a visitor; answers `202 {"accepted": n}` once the batch is stored
durably. Body (sent as `text/plain` or `application/json`):

```json
{"token": "<project token>", "visitorId": "<16 lower-case hex>",
 "events": [{"id": "<unique, <=100 chars>", "type": "page_view", "time": 1767225600000, "url": "...",
             "referrer": "...", "title": "...", "properties": {}, "campaign": {"source": "...", "medium": "..."}}]}
```

A single event may be the body itself, with `token` and `visitorId` beside `type`. Limits: 32 KB an event, 500 KB a
request. With `Authorization: Bearer <write API key>` the token may be left out, client times are trusted whatever
their age (otherwise only within 10 minutes of the server clock), and `userAgent` / `ip` in the body are used.
See docs/api.md."""


class TokenCache:
    def __init__(self, container: Container) -> None:
        self._container = container
        self._entries: dict[str, tuple[Project, float]] = {}

    async def project(self, token: str) -> Project:
        now = time.monotonic()
        entry = self._entries.get(token)
        if entry is not None and entry[1] > now:
            return entry[0]
        project = await run_in_threadpool(project_service.project_by_token, self._container.uow, token)
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[token] = (project, now + TOKEN_CACHE_SECONDS)
        return project


def _error(error: ClientError) -> JsonAnswer:
    status, code = STATUS.get(type(error), (400, "invalid_input"))
    field = error.field if isinstance(error, InvalidInput) else None
    body = {"status": "error", "error": {"code": code, "message": error.message, "field": field}}
    headers = dict(CORS)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JsonAnswer(body, status_code=status, headers=headers)


def build_router(container: Container) -> APIRouter:
    router = APIRouter(tags=["tracking"])
    writer = InboxWriter(container.uow)
    tokens = TokenCache(container)
    trusted_proxies = container.settings.trusted_proxies

    async def authenticate(request: Request, token: str | None) -> tuple[Project, bool]:
        authorization = request.headers.get("authorization")
        if authorization:
            scheme, _, key = authorization.partition(" ")
            if scheme.lower() != "bearer" or not key.strip():
                raise Unauthenticated("Authorization must be 'Bearer <write API key>'")
            project, _info = await run_in_threadpool(
                project_service.authenticate_api_key, container.uow, key.strip(), Scope.WRITE
            )
            if token is not None and token != project.token:
                raise Forbidden("the API key belongs to another project than the token")
            return project, True
        if token is None:
            raise Unauthenticated("token is required (the project's public token)")
        return await tokens.project(token), False

    async def accept(request: Request) -> Response:
        body = await read_limited(request, MAX_REQUEST_BYTES)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in _MEDIA_TYPES:
            raise UnsupportedMediaType(f"Content-Type must be text/plain or application/json, not {media!r}")
        call = read_call(parse_json(body))
        project, authenticated = await authenticate(request, call.token)
        check_event_sizes(call, len(body))
        peer = request.client.host if request.client else None
        ip = client_ip(peer, request.headers.get("x-forwarded-for"), trusted_proxies)
        user_agent = request.headers.get("user-agent")
        if authenticated:
            ip, user_agent = call.ip or ip, call.user_agent or user_agent
        now = datetime.now(UTC)
        events = build_events(call, now=now, trust_time=authenticated, ip=ip, user_agent=user_agent)
        source = "server" if authenticated else "tracker"
        await asyncio.wrap_future(writer.submit(project, events, source=source, received_at=now))
        return JsonAnswer({"accepted": len(events)}, status_code=202, headers=CORS)

    @router.post(
        "/t",
        status_code=202,
        summary="Track events (browsers and servers)",
        description=DESCRIPTION,
        responses={
            202: {"description": 'Stored durably: `{"accepted": n}`.'},
            **error_responses(400, 401, 403, 413, 415),
        },
    )
    async def track(request: Request) -> Response:
        try:
            return await accept(request)
        except ClientError as error:
            return _error(error)
        except SQLAlchemyError:
            log.exception("tracked events could not be stored")
            body = {"status": "error", "error": {"code": "unavailable", "message": STORE_FAILED, "field": None}}
            return JsonAnswer(body, status_code=503, headers={**CORS, "Retry-After": "5"})

    @router.options("/t", include_in_schema=False)
    async def preflight() -> Response:
        return Response(status_code=204, headers=CORS)

    return router
