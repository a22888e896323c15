"""``/matomo.php`` and ``/piwik.php``: Matomo's Tracking API, so matomo.js and Matomo's SDKs send here unchanged.

GET with a query, POST form-encoded (``$_GET + $_POST``), or a bulk JSON body (detected by ``"requests"`` in the raw
body, whatever the Content-Type). The answers are Matomo 5's (reference/matomo.md §1): a 43-byte GIF (200), 204 with
``send_image=0``, 400 for a refused hit, an HTML text when nothing could be logged, and the bulk answer
``{"status", "tracked", "invalid"[, "invalid_indices"]}``. ``token_auth`` is never logged.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.matomo_bulk import is_bulk, merged_params, parse_bulk, query_params
from trackbridge.domain.matomo_hits import HitRejection, RejectionKind
from trackbridge.domain.privacy import client_ip
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.body import read_limited
from trackbridge.entrypoints.http.deps import get_container
from trackbridge.entrypoints.http.responses import JsonAnswer
from trackbridge.services.ingest import InboxWriter
from trackbridge.services.matomo_tracking import TrackingResult, Transport, track

log = logging.getLogger(__name__)

PATHS = ("/matomo.php", "/piwik.php")
MAX_BODY_BYTES = 5 * 1024 * 1024
GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")
"""A transparent 1x1 GIF, 43 bytes, as Matomo answers."""
ENDPOINT_TEXT = (
    "This resource is part of trackbridge: the endpoint of its Matomo-compatible tracking API. "
    "See docs/api.md, section Matomo Tracking API.\n"
)


def _cors(request: Request) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": request.headers.get("origin") or "*",
        "Access-Control-Allow-Credentials": "true",
    }


def _image(status: int, send_image: bool, headers: dict[str, str]) -> Response:
    headers = {**headers, "Cache-Control": "no-store"}
    if not send_image:
        return Response(status_code=204 if status == 200 else status, headers=headers)
    return Response(GIF, status_code=status, media_type="image/gif", headers=headers)


def _text(status: int, headers: dict[str, str]) -> Response:
    return Response(ENDPOINT_TEXT, status_code=status, media_type="text/html", headers=headers)


def _transport(request: Request) -> Transport:
    """The request's time, client address (``X-Forwarded-For`` only from trusted proxies) and headers."""
    peer = request.client.host if request.client else None
    trusted = get_container(request).settings.trusted_proxies
    return Transport(
        received_at=datetime.now(UTC),
        ip=client_ip(peer, request.headers.get("x-forwarded-for"), trusted),
        user_agent=request.headers.get("user-agent"),
        accept_language=request.headers.get("accept-language"),
    )


async def _single(request: Request, body: bytes, headers: dict[str, str], writer: InboxWriter) -> Response:
    params = merged_params(query_params(request.url.query), query_params(body.decode("utf-8", "replace")))
    if not params:
        return _text(200 if request.method == "GET" else 400, headers)
    send_image = params.get("send_image", "").strip() != "0"
    container = get_container(request)
    result = await run_in_threadpool(track, container.uow, [params], _transport(request), writer=writer)
    outcome = result.outcomes[0]
    if isinstance(outcome, HitRejection):
        log.debug("matomo hit refused", extra={"reason": outcome.reason})
        if outcome.kind is RejectionKind.NOT_LOGGED:
            return _text(400, headers)
        return _image(400, send_image, headers)
    return _image(200, send_image, headers)


async def _bulk(request: Request, body: bytes, headers: dict[str, str], writer: InboxWriter) -> Response:
    try:
        bulk = parse_bulk(body)
    except InvalidInput as error:
        log.debug("matomo bulk refused", extra={"reason": error.message})
        return JsonAnswer({"status": "error", "tracked": 0, "invalid": 0}, status_code=400, headers=headers)
    container = get_container(request)
    result: TrackingResult = await run_in_threadpool(
        track, container.uow, bulk.requests, _transport(request), token_auth=bulk.token_auth, writer=writer
    )
    if not bulk.send_image:
        return Response(status_code=204, headers=headers)
    answer: dict[str, object] = {"status": "success", "tracked": result.tracked, "invalid": len(result.invalid_indices)}
    if result.authenticated:
        answer["invalid_indices"] = result.invalid_indices
    return JsonAnswer(answer, headers=headers)


def build_router(container: Container) -> APIRouter:
    router = APIRouter(tags=["tracking"])
    writer = InboxWriter(container.uow)  # group commit for hits without orders

    async def tracking(request: Request) -> Response:
        headers = _cors(request) if request.method == "POST" else {}
        body = await read_limited(request, MAX_BODY_BYTES) if request.method == "POST" else b""
        if request.method == "POST" and is_bulk(body):
            return await _bulk(request, body, headers, writer)
        return await _single(request, body, headers, writer)

    async def preflight(request: Request) -> Response:
        headers = {
            **_cors(request),
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": request.headers.get("access-control-request-headers") or "Content-Type",
            "Access-Control-Max-Age": "86400",
        }
        return Response(status_code=204, headers=headers)

    for path in PATHS:
        for method in ("GET", "POST"):
            router.add_api_route(
                path,
                tracking,
                methods=[method],
                operation_id=f"matomo_track_{method.lower()}",
                summary=f"Matomo Tracking API ({'single hit' if method == 'GET' else 'form-encoded hit or bulk JSON'})",
                description="Matomo 5's Tracking API; see docs/api.md, section Matomo Tracking API.",
                response_class=Response,
                responses={
                    200: {"description": "Tracked: a 1x1 GIF (a bulk: its JSON answer)."},
                    204: {"description": "Tracked with send_image=0."},
                    400: {"description": "Refused (unknown idsite, bad cid, cip or old cdt without token_auth, ...)."},
                    413: {"description": "The body is larger than 5 MB."},
                },
                include_in_schema=path == PATHS[0],
            )
        router.add_api_route(path, preflight, methods=["OPTIONS"], include_in_schema=False)
    return router
