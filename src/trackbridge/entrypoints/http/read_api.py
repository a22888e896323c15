"""The read API: customers, orders and products as stored, authenticated by an API key (bearer)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.errors import InvalidInput, NotFound
from trackbridge.domain.values import normalize_email
from trackbridge.entrypoints.http.deps import ContainerDep, ReadCaller
from trackbridge.entrypoints.http.errors import error_responses

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel):
    """A page of a list: ``next`` is the cursor for the following page, absent on the last one."""

    items: list[dict[str, Any]]
    next: str | None = None


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Cursor = Annotated[str | None, Query(description="The `next` value of the previous page.")]


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["read API"], responses=error_responses(400, 401, 403))

    @router.get("/customers", response_model=Page, summary="List or find customers")
    async def list_customers(
        container: ContainerDep,
        caller: ReadCaller,
        email: Annotated[str | None, Query(description="Exact e-mail (case does not matter).")] = None,
        externalId: Annotated[str | None, Query(description="The CRM's id of the customer.")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page:
        wanted = normalize_email(email, "email") if email is not None else None
        after = _int_cursor(cursor)

        def read() -> list[dict[str, Any]]:
            with container.uow.read() as tx:
                return tx.reads.customers(
                    caller.project.id, email=wanted, external_id=externalId, after_id=after, limit=limit
                )

        items = await run_in_threadpool(read)
        return Page(items=items, next=str(items[-1]["id"]) if len(items) == limit else None)

    @router.get(
        "/customers/{customer_id}",
        summary="One customer, with tags and recent orders",
        responses=error_responses(404),
    )
    async def get_customer(container: ContainerDep, caller: ReadCaller, customer_id: int) -> dict[str, Any]:
        def read() -> dict[str, Any] | None:
            with container.uow.read() as tx:
                return tx.reads.customer(caller.project.id, customer_id)

        return _found(await run_in_threadpool(read), f"no customer {customer_id} in this project")

    @router.get("/orders", response_model=Page, summary="List orders")
    async def list_orders(
        container: ContainerDep,
        caller: ReadCaller,
        customerId: Annotated[int | None, Query(description="Only this customer's orders.")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page:
        def read() -> list[dict[str, Any]]:
            with container.uow.read() as tx:
                return tx.reads.orders(caller.project.id, customer_id=customerId, after_id=cursor or "", limit=limit)

        items = await run_in_threadpool(read)
        return Page(items=items, next=str(items[-1]["id"]) if len(items) == limit else None)

    @router.get("/orders/{order_id}", summary="One order by the shop's order id", responses=error_responses(404))
    async def get_order(container: ContainerDep, caller: ReadCaller, order_id: str) -> dict[str, Any]:
        def read() -> dict[str, Any] | None:
            with container.uow.read() as tx:
                return tx.reads.order(caller.project.id, order_id)

        return _found(await run_in_threadpool(read), f"no order {order_id!r} in this project")

    @router.get(
        "/products/{product_id}",
        summary="One product by the shop's product id",
        responses=error_responses(404),
    )
    async def get_product(container: ContainerDep, caller: ReadCaller, product_id: str) -> dict[str, Any]:
        def read() -> dict[str, Any] | None:
            with container.uow.read() as tx:
                return tx.reads.product(caller.project.id, product_id)

        return _found(await run_in_threadpool(read), f"no product {product_id!r} in this project")

    return router


def _int_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit():
        raise InvalidInput("is not a cursor this list gave", "cursor")
    return int(cursor)


def _found(value: dict[str, Any] | None, message: str) -> dict[str, Any]:
    if value is None:
        raise NotFound(message)
    return value
