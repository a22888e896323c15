"""The web UI: server-rendered pages (Jinja2) for people who sign in. See pages.py for how an area plugs in."""

from __future__ import annotations

from fastapi import APIRouter

from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.web import (
    customers_pages,
    dashboard,
    reports_pages,
    settings_pages,
    sign_in,
    static_files,
    uploads_pages,
)


def build_web_router(container: Container) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.include_router(static_files.build_router())
    router.include_router(sign_in.build_router(container))
    router.include_router(dashboard.build_router(container))
    # Page areas: one line each, e.g. router.include_router(customers.build_router(container)).
    router.include_router(customers_pages.build_router(container))
    router.include_router(reports_pages.build_router(container))
    router.include_router(uploads_pages.build_router(container))
    router.include_router(settings_pages.build_router(container))
    return router
