"""Maps errors to HTTP answers in one table; every client mistake gets a clear 4xx, nothing unexpected leaks a trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from trackbridge.domain.errors import (
    ClientError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    TrackbridgeError,
    Unauthenticated,
)
from trackbridge.entrypoints.http.responses import JsonAnswer

log = logging.getLogger(__name__)

STATUS: dict[type[ClientError], tuple[int, str]] = {
    InvalidInput: (400, "invalid_input"),
    Unauthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    PayloadTooLarge: (413, "payload_too_large"),
}


class UnsupportedMediaType(ClientError):
    pass


STATUS[UnsupportedMediaType] = (415, "unsupported_media_type")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The body of every error answer."""

    status: str = "error"
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers an endpoint gives."""
    described = {
        400: "Malformed JSON, a missing field or a wrong type; the message names the field.",
        401: "Credentials missing or unknown (no X-Digest, unknown token, invalid API key).",
        403: "Credentials refused (X-Digest does not match the body, read-only API key used to write).",
        404: "No such resource in this project.",
        409: "The call contradicts stored state, or repeats a call inside the replay window.",
        413: "The body is larger than the limit.",
        415: "The Content-Type is not accepted.",
    }
    return {status: {"model": ErrorBody, "description": described[status]} for status in statuses}


def field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def describe_validation(error: ValidationError | RequestValidationError, prefix: str = "") -> InvalidInput:
    first = error.errors()[0]
    location = tuple(part for part in first["loc"] if part not in ("body", "function-after", "function-before"))
    path = field_path(location)
    if prefix:
        path = f"{prefix}.{path}" if path and not path.startswith("[") else f"{prefix}{path}"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "is required"
    return InvalidInput(message, path or None)


def _answer(error: ClientError) -> JsonAnswer:
    status, code = STATUS.get(type(error), (400, "invalid_input"))
    field = error.field if isinstance(error, InvalidInput) else None
    body = {"status": "error", "error": {"code": code, "message": error.message, "field": field}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JsonAnswer(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ClientError)
    async def _client_error(_request: Request, error: ClientError) -> JsonAnswer:
        return _answer(error)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, error: RequestValidationError) -> JsonAnswer:
        return _answer(describe_validation(error))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JsonAnswer:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        body = {"status": "error", "error": {"code": code, "message": str(error.detail), "field": None}}
        return JsonAnswer(body, status_code=error.status_code, headers=getattr(error, "headers", None))

    @app.exception_handler(TrackbridgeError)
    async def _server_error(request: Request, error: TrackbridgeError) -> JsonAnswer:
        log.error("request failed", extra={"path": request.url.path, "error": error.message})
        body = {"status": "error", "error": {"code": "server_error", "message": error.message, "field": None}}
        return JsonAnswer(body, status_code=500)
