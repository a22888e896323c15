"""Entry for ASGI servers: `uvicorn --factory trackbridge.entrypoints.http.asgi:app`."""

from __future__ import annotations

from fastapi import FastAPI

from trackbridge.entrypoints.http.app import create_app


def app() -> FastAPI:
    return create_app()
