"""The ASGI application, built by create_app() (nothing is built at import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.concurrency import run_in_threadpool

import trackbridge
from trackbridge.adapters.db.migrate import current_revision, head_revision
from trackbridge.config import Settings, load_settings
from trackbridge.entrypoints.bootstrap import Container, build_container
from trackbridge.entrypoints.http import cart_api, connectors_api, read_api, signed_api
from trackbridge.entrypoints.http.errors import install_error_handlers
from trackbridge.entrypoints.http.export_api import build_router as build_export_router
from trackbridge.entrypoints.http.exports_api import build_router as build_exports_router
from trackbridge.entrypoints.http.identity_api import build_router as build_identity_router
from trackbridge.entrypoints.http.lookups_api import build_router as build_lookups_router
from trackbridge.entrypoints.http.matomo_tracking import build_router as build_matomo_router
from trackbridge.entrypoints.http.order_settings_api import build_router as build_order_settings_router
from trackbridge.entrypoints.http.reports_api import build_router as build_reports_router
from trackbridge.entrypoints.http.responses import JsonAnswer
from trackbridge.entrypoints.http.timeline_api import build_router as build_timeline_router
from trackbridge.entrypoints.http.tracker_js import build_router as build_tracker_js_router
from trackbridge.entrypoints.http.tracking_api import build_router as build_tracking_router
from trackbridge.entrypoints.http.uploads_api import build_router as build_uploads_router
from trackbridge.entrypoints.web import build_web_router

DESCRIPTION = """
trackbridge joins what people do on a website with who they are and what they buy.

* **Signed resource API** (`/v2/...`): customers, categories, products and orders from a shop's backend,
  each call signed with `X-Digest` (hex HMAC-SHA256 of the exact body bytes under the project's signing secret).
* **Read API** (`/api/v1/...`): what is stored, with `Authorization: Bearer <API key>`.
"""


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    settings = settings or load_settings()
    container = container or build_container(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        container.close()

    app = FastAPI(
        title="trackbridge",
        version=trackbridge.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.container = container
    install_error_handlers(app)
    app.include_router(signed_api.build_router(container))
    app.include_router(cart_api.build_router(container))
    app.include_router(read_api.build_router())
    app.include_router(build_timeline_router())
    app.include_router(build_identity_router())
    app.include_router(build_tracker_js_router())
    app.include_router(build_tracking_router(container))
    app.include_router(build_lookups_router())
    app.include_router(build_matomo_router(container))
    app.include_router(build_uploads_router(container))
    app.include_router(build_reports_router())
    app.include_router(build_export_router())
    app.include_router(build_order_settings_router())
    app.include_router(build_web_router(container))
    app.include_router(connectors_api.build_router())
    app.include_router(build_exports_router())

    @app.get(
        "/health",
        tags=["operations"],
        summary="Liveness and schema state",
        responses={503: {"description": "The database is not migrated to this version's schema."}},
    )
    async def health() -> JsonAnswer:
        revision = await run_in_threadpool(current_revision, container.engine)
        ready = revision == head_revision()
        body = {
            "status": "ok" if ready else "migrations pending: run `trackbridge migrate`",
            "version": trackbridge.__version__,
            "database": container.engine.dialect.name,
            "schema": revision,
        }
        return JsonAnswer(body, status_code=200 if ready else 503)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(signed_api.extra_schemas())
            _describe_validation_as_400(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _describe_validation_as_400(schema: dict[str, Any]) -> None:
    """FastAPI documents parameter errors as 422; trackbridge answers them 400 with its error body (errors.py)."""
    bad_request = {
        "description": "A parameter is malformed; the message names it.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.get("responses", {})
            if responses.pop("422", None) is not None:
                responses.setdefault("400", bad_request)
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)
