"""The signed resource API of seed 004: /v2/customer, /category, /product, /order (each with /batch), tag and untag.

Every call carries ``X-Digest``, the hex HMAC-SHA256 of the exact body bytes under the project's signing secret.
Checks run in this order: size (413), digest present (401), JSON (400), token (401), digest (403), replay (409),
fields (400).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, ValidationError, create_model
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.credentials import digest_matches
from trackbridge.domain.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from trackbridge.domain.projects import Project
from trackbridge.domain.resources import RecordResult
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.body import read_limited
from trackbridge.entrypoints.http.errors import UnsupportedMediaType, describe_validation, error_responses
from trackbridge.entrypoints.http.responses import JsonAnswer
from trackbridge.entrypoints.http.signed_schemas import (
    CategoryParams,
    CustomerParams,
    Envelope,
    OrderParams,
    ProductParams,
    TagParams,
)
from trackbridge.services import projects as project_service
from trackbridge.services import resources as resource_service

MAX_BATCH = 10_000
_ACCEPTED_TYPES = ("text/plain", "application/json")
P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class SignedCall:
    project: Project
    envelope: Envelope
    tz: ZoneInfo


class RecordOutcome(BaseModel):
    index: int
    id: str | None
    status: str = Field(description="stored or rejected")
    created: bool | None = None
    reason: str | None = None
    notes: list[str] = Field(default_factory=list, description="e.g. a status change too late to move the reports")


class SingleAnswer(BaseModel):
    status: str = "ok"
    id: str | None = None
    created: bool | None = None
    message: str | None = None


class BatchAnswer(BaseModel):
    status: str = "ok"
    stored: int
    rejected: int
    results: list[RecordOutcome]


async def _authenticate(request: Request, container: Container) -> SignedCall:
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


def _parse(model: type[P], data: Any, call: SignedCall, where: str) -> P:
    if not isinstance(data, dict):
        raise InvalidInput("must be a JSON object", where)
    try:
        return model.model_validate(data, context={"tz": call.tz})
    except ValidationError as error:
        raise describe_validation(error, where) from None


def _single(call: SignedCall, model: type[P]) -> P:
    if call.envelope.params is None:
        raise InvalidInput("is required for this endpoint", "params")
    return _parse(model, call.envelope.params, call, "params")


def _batch(call: SignedCall, model: type[P]) -> tuple[list[Any], list[int], list[RecordResult]]:
    """Parses each record of a batch on its own: a bad record is rejected, its neighbours go on."""
    batch = call.envelope.batch
    if batch is None:
        raise InvalidInput("is required for this endpoint", "batch")
    if len(batch) > MAX_BATCH:
        raise InvalidInput(f"holds {len(batch)} records; at most {MAX_BATCH} a call", "batch")
    good: list[Any] = []
    positions: list[int] = []
    rejected: list[RecordResult] = []
    for index, data in enumerate(batch):
        try:
            where = f"batch[{index}]"
            good.append(_record(_parse(model, data, call, where), where))
            positions.append(index)
        except InvalidInput as error:
            ident = data.get("id", data.get("email")) if isinstance(data, dict) else None
            rejected.append(
                RecordResult(index=index, id=None if ident is None else str(ident), stored=False, reason=error.message)
            )
    return good, positions, rejected


def _batch_answer(stored: Sequence[RecordResult], positions: list[int], rejected: list[RecordResult]) -> JsonAnswer:
    """A BatchAnswer, rendered straight from plain dicts: for batches of thousands of records, building and
    re-validating the response models cost as much as storing the records."""
    outcomes = [
        RecordResult(
            index=positions[r.index], id=r.id, stored=r.stored, reason=r.reason, created=r.created, notes=r.notes
        )
        for r in stored
    ] + rejected
    outcomes.sort(key=lambda r: r.index)
    stored_count = sum(1 for r in outcomes if r.stored)
    return JsonAnswer(
        {
            "status": "ok",
            "stored": stored_count,
            "rejected": len(outcomes) - stored_count,
            "results": [
                {
                    "index": r.index,
                    "id": r.id,
                    "status": "stored" if r.stored else "rejected",
                    "created": r.created,
                    "reason": r.reason,
                    "notes": list(r.notes),
                }
                for r in outcomes
            ],
        }
    )


def _record(params: Any, where: str) -> Any:
    """The domain record of validated params; a rule the record checks is reported at the field's full path."""
    try:
        return params.record()
    except InvalidInput as error:
        raise InvalidInput(error.detail, f"{where}.{error.field}" if error.field else where) from None


def _docs(name: str, model: type[BaseModel], batch: bool) -> dict[str, Any]:
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
_ERRORS = error_responses(400, 401, 403, 409, 413, 415)


def extra_schemas() -> dict[str, Any]:
    return dict(_EXTRA_SCHEMAS)


def build_router(container: Container) -> APIRouter:
    router = APIRouter(prefix="/v2", tags=["signed resource API"])
    uow = container.uow

    def single_route(path: str, model: type[BaseModel], store: Callable[..., list[RecordResult]], doc: str) -> None:
        @router.post(
            path,
            response_model=SingleAnswer,
            responses=_ERRORS,
            summary=doc,
            openapi_extra=_docs(f"{model.__name__}Call", model, batch=False),
        )
        async def handler(request: Request) -> SingleAnswer:
            call = await _authenticate(request, container)
            record = _record(_single(call, model), "params")
            results = await run_in_threadpool(store, uow, call.project, [record])
            result = resource_service.require_single(results)
            return SingleAnswer(id=result.id, created=result.created, message="; ".join(result.notes) or None)

        handler.__name__ = f"post_{path.strip('/').replace('/', '_')}"

    def batch_route(path: str, model: type[BaseModel], store: Callable[..., list[RecordResult]], doc: str) -> None:
        @router.post(
            path,
            response_model=BatchAnswer,
            responses=_ERRORS,
            summary=doc,
            openapi_extra=_docs(f"{model.__name__}BatchCall", model, batch=True),
        )
        async def handler(request: Request) -> JsonAnswer:
            call = await _authenticate(request, container)
            records, positions, rejected = _batch(call, model)
            stored = await run_in_threadpool(store, uow, call.project, records) if records else []
            return _batch_answer(stored, positions, rejected)

        handler.__name__ = f"post_{path.strip('/').replace('/', '_')}"

    for path, model, store, what in (
        ("/customer", CustomerParams, resource_service.store_customers, "customer"),
        ("/category", CategoryParams, resource_service.store_categories, "category"),
        ("/product", ProductParams, resource_service.store_products, "product"),
        ("/order", OrderParams, resource_service.store_orders, "order"),
    ):
        single_route(path, model, store, f"Create or update one {what}")
        batch_route(f"{path}/batch", model, store, f"Create or update many {what} records")

    @router.post(
        "/customer/tag",
        response_model=SingleAnswer,
        responses=_ERRORS,
        summary="Add tags to a customer (tags merge; an unknown e-mail creates the customer)",
        openapi_extra=_docs("TagCall", TagParams, batch=False),
    )
    async def tag(request: Request) -> SingleAnswer:
        call = await _authenticate(request, container)
        params = _single(call, TagParams)
        created = await run_in_threadpool(
            resource_service.tag_customer, uow, call.project, params.email, list(dict.fromkeys(params.tags))
        )
        message = "the customer was unknown and has been created" if created else "tags added"
        return SingleAnswer(id=params.email, created=created, message=message)

    @router.post(
        "/customer/untag",
        response_model=SingleAnswer,
        responses=_ERRORS,
        summary="Remove tags from a customer (absent tags are ignored)",
        openapi_extra=_docs("UntagCall", TagParams, batch=False),
    )
    async def untag(request: Request) -> SingleAnswer:
        call = await _authenticate(request, container)
        params = _single(call, TagParams)
        exists = await run_in_threadpool(resource_service.untag_customer, uow, call.project, params.email, params.tags)
        message = "tags removed" if exists else "no customer with this e-mail; nothing changed"
        return SingleAnswer(id=params.email, created=False, message=message)

    return router
