"""What every signed ``/v2`` call shares: reading and checking the signed envelope, parsing its ``params``, the
single-record answer, and the call's description in the OpenAPI document.

Every call carries ``X-Digest``, the hex HMAC-SHA256 of the exact body bytes under the project's signing secret.
Checks run in this order: size (413), digest present (401), JSON (400), token (401), digest (403), replay (409),
fields (400).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Request
from fastapi.types import DecoratedCallable
from pydantic import BaseModel, ValidationError, create_model
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.credentials import digest_matches
from trackbridge.domain.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from trackbridge.domain.projects import Project
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.body import read_limited
from trackbridge.entrypoints.http.errors import UnsupportedMediaType, describe_validation, error_responses
from trackbridge.entrypoints.http.signed_schemas import Envelope
from trackbridge.services import projects as project_service

_ACCEPTED_TYPES = ("text/plain", "application/json")
SIGNED_ERRORS = error_responses(400, 401, 403, 409, 413, 415)
P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class SignedCall:
    project: Project
    envelope: Envelope
    tz: ZoneInfo


class SingleAnswer(BaseModel):
    status: str = "ok"
    id: str | None = None
    created: bool | None = None
    message: str | None = None


async def authenticate(request: Request, container: Container) -> SignedCall:
    """The checked call: its body read (within the size limit), its envelope parsed, its signature verified."""
    body = await read_limited(request, container.settings.max_signed_body_bytes)
    media = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
    if media not in _ACCEPTED_TYPES:
        raise UnsupportedMediaType(f"Content-Type must be text/plain or application/json, not {media!r}")
    digest = request.headers.get("x-digest")
    if not digest:
        raise Unauthenticated("X-Digest header is not provided")
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InvalidInput(f"the body is not valid JSON ({error})") from None
    if not isinstance(raw, dict):
        raise InvalidInput("the body must be a JSON object with time, token and params or batch")
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as error:
        raise describe_validation(error) from None
    return await run_in_threadpool(_check_signature, container, envelope, body, digest, request.url.path)


def _check_signature(container: Container, envelope: Envelope, body: bytes, digest: str, path: str) -> SignedCall:
    project = project_service.project_by_token(container.uow, envelope.token)
    secret = project_service.signing_secret(container.uow, container.box, project)
    if not digest_matches(body, secret, digest):
        raise Forbidden("the provided X-Digest signature is invalid")
    if project.replay_window_seconds is not None:
        _refuse_replay(container, project, envelope, path, digest)
    return SignedCall(project=project, envelope=envelope, tz=ZoneInfo(project.timezone))


def _refuse_replay(container: Container, project: Project, envelope: Envelope, path: str, digest: str) -> None:
    window = timedelta(seconds=project.replay_window_seconds or 0)
    now = datetime.now(UTC)
    sent = datetime.fromtimestamp(envelope.time / 1000, tz=UTC)
    if abs(now - sent) > window:
        raise InvalidInput(
            f"the call's time is more than {int(window.total_seconds())} s from the server's clock", "time"
        )
    with container.uow.transaction() as tx:
        tx.projects.forget_signed_requests_before(now - window)
        if not tx.projects.remember_signed_request(project.id, path, digest.lower(), now):
            raise Conflict("this exact call was received already (replay)")


def parse(model: type[P], data: Any, call: SignedCall, where: str) -> P:
    """``data`` validated as ``model`` (timestamps read in the project's time zone); errors name ``where``."""
    if not isinstance(data, dict):
        raise InvalidInput("must be a JSON object", where)
    try:
        return model.model_validate(data, context={"tz": call.tz})
    except ValidationError as error:
        raise describe_validation(error, where) from None


def single(call: SignedCall, model: type[P]) -> P:
    """The call's ``params`` validated as ``model``."""
    if call.envelope.params is None:
        raise InvalidInput("is required for this endpoint", "params")
    return parse(model, call.envelope.params, call, "params")


async def signed_params(request: Request, container: Container, model: type[P]) -> tuple[SignedCall, P]:
    """The checked call and its ``params`` validated as ``model``: what a single-record endpoint starts with."""
    call = await authenticate(request, container)
    return call, single(call, model)


def signed_post(
    router: APIRouter,
    path: str,
    *,
    call_name: str,
    model: type[BaseModel],
    summary: str,
    batch: bool = False,
    response_model: type[BaseModel] = SingleAnswer,
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """``router.post`` for a signed call: the errors any signed call may answer, and its body in the OpenAPI document
    as ``call_name`` with ``model`` as ``params`` (or, for a batch, a list of them as ``batch``)."""
    return router.post(
        path,
        response_model=response_model,
        responses=SIGNED_ERRORS,
        summary=summary,
        openapi_extra=call_docs(call_name, model, batch=batch),
    )


def call_docs(name: str, model: type[BaseModel], batch: bool) -> dict[str, Any]:
    """OpenAPI request body for an endpoint that reads its raw body itself (the digest covers the exact bytes)."""
    field = ("batch", (list[model], ...)) if batch else ("params", (model, ...))  # type: ignore[valid-type]
    call = create_model(name, time=(int, ...), token=(str, ...), **{field[0]: field[1]})  # type: ignore[call-overload]
    schema = call.model_json_schema(ref_template="#/components/schemas/{model}")
    for sub_name, sub in schema.pop("$defs", {}).items():
        _EXTRA_SCHEMAS[sub_name] = sub
    _EXTRA_SCHEMAS[name] = schema
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": ref}, "application/json": {"schema": ref}},
        },
        "parameters": [
            {
                "name": "X-Digest",
                "in": "header",
                "required": True,
                "description": "Hex HMAC-SHA256 of the exact body bytes, keyed with the project's signing secret.",
                "schema": {"type": "string"},
            }
        ],
    }


_EXTRA_SCHEMAS: dict[str, Any] = {}


def extra_schemas() -> dict[str, Any]:
    """The schemas of the signed calls' bodies, for the OpenAPI document's components."""
    return dict(_EXTRA_SCHEMAS)
