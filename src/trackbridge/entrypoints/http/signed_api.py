"""The signed resource API of seed 004: /v2/customer, /category, /product, /order (each with /batch), tag and untag.

Signing, its checks and their order are ``signed_calls``' (shared with ``POST /v2/cart``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.resources import RecordResult
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http import signed_calls
from trackbridge.entrypoints.http.responses import JsonAnswer
from trackbridge.entrypoints.http.signed_calls import (
    SignedCall,
    SingleAnswer,
    authenticate,
    parse,
    signed_params,
    signed_post,
)
from trackbridge.entrypoints.http.signed_schemas import (
    CategoryParams,
    CustomerParams,
    OrderParams,
    ProductParams,
    TagParams,
)
from trackbridge.services import resources as resource_service

MAX_BATCH = 10_000


class RecordOutcome(BaseModel):
    index: int
    id: str | None
    status: str = Field(description="stored or rejected")
    created: bool | None = None
    reason: str | None = None
    notes: list[str] = Field(default_factory=list, description="e.g. a status change too late to move the reports")


class BatchAnswer(BaseModel):
    status: str = "ok"
    stored: int
    rejected: int
    results: list[RecordOutcome]


def _batch(call: SignedCall, model: type[BaseModel]) -> tuple[list[Any], list[int], list[RecordResult]]:
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
            good.append(_record(parse(model, data, call, where), where))
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


def extra_schemas() -> dict[str, Any]:
    """The signed calls' body schemas for the OpenAPI document (kept here for app.py; see ``signed_calls``)."""
    return signed_calls.extra_schemas()


def build_router(container: Container) -> APIRouter:
    router = APIRouter(prefix="/v2", tags=["signed resource API"])
    uow = container.uow

    def single_route(path: str, model: type[BaseModel], store: Callable[..., list[RecordResult]], doc: str) -> None:
        @signed_post(router, path, call_name=f"{model.__name__}Call", model=model, summary=doc)
        async def handler(request: Request) -> SingleAnswer:
            call, params = await signed_params(request, container, model)
            record = _record(params, "params")
            results = await run_in_threadpool(store, uow, call.project, [record])
            result = resource_service.require_single(results)
            return SingleAnswer(id=result.id, created=result.created, message="; ".join(result.notes) or None)

        handler.__name__ = f"post_{path.strip('/').replace('/', '_')}"

    def batch_route(path: str, model: type[BaseModel], store: Callable[..., list[RecordResult]], doc: str) -> None:
        @signed_post(
            router,
            path,
            call_name=f"{model.__name__}BatchCall",
            model=model,
            summary=doc,
            batch=True,
            response_model=BatchAnswer,
        )
        async def handler(request: Request) -> JsonAnswer:
            call = await authenticate(request, container)
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

    @signed_post(
        router,
        "/customer/tag",
        call_name="TagCall",
        model=TagParams,
        summary="Add tags to a customer (tags merge; an unknown e-mail creates the customer)",
    )
    async def tag(request: Request) -> SingleAnswer:
        call, params = await signed_params(request, container, TagParams)
        created = await run_in_threadpool(
            resource_service.tag_customer, uow, call.project, params.email, list(dict.fromkeys(params.tags))
        )
        message = "the customer was unknown and has been created" if created else "tags added"
        return SingleAnswer(id=params.email, created=created, message=message)

    @signed_post(
        router,
        "/customer/untag",
        call_name="UntagCall",
        model=TagParams,
        summary="Remove tags from a customer (absent tags are ignored)",
    )
    async def untag(request: Request) -> SingleAnswer:
        call, params = await signed_params(request, container, TagParams)
        exists = await run_in_threadpool(resource_service.untag_customer, uow, call.project, params.email, params.tags)
        message = "tags removed" if exists else "no customer with this e-mail; nothing changed"
        return SingleAnswer(id=params.email, created=False, message=message)

    return router
