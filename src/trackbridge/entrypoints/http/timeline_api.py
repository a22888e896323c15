"""The customer timeline: sessions with their actions, form submissions, orders, tags and identity links."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from trackbridge.entrypoints.http.deps import ContainerDep, ReadCaller
from trackbridge.entrypoints.http.errors import error_responses
from trackbridge.services import customers as customer_service

DEFAULT_SESSIONS = 20
MAX_SESSIONS = 100


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["read API"], responses=error_responses(400, 401, 403))

    @router.get(
        "/customers/{customer_id}/timeline",
        summary="A customer's engagement timeline",
        description=(
            "The customer's sessions, newest first and paginated (`limit`, `cursor` = the previous page's `next`), "
            "each with its actions, source (referrer, UTM codes, channel), device and location; and, on every page, "
            "the customer's form submissions, orders, tags and identity links (how and when each was made). "
            "Customers merged into this one by an operator are included. Times are epoch milliseconds."
        ),
        responses=error_responses(404),
    )
    async def customer_timeline(
        container: ContainerDep,
        caller: ReadCaller,
        customer_id: int,
        limit: Annotated[int, Query(ge=1, le=MAX_SESSIONS, description="Sessions per page.")] = DEFAULT_SESSIONS,
        cursor: Annotated[str | None, Query(description="The `next` value of the previous page.")] = None,
    ) -> dict[str, Any]:
        return await run_in_threadpool(
            customer_service.timeline, container.uow, caller.project, customer_id, cursor=cursor, limit=limit
        )

    return router
