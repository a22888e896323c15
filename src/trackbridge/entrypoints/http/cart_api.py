"""The signed ``POST /v2/cart``: a shop's backend reports a visitor's cart (seed 001's server-side cart updates).

Signed like every ``/v2`` call (``X-Digest`` over the exact body, the project's token); the cart goes to the outbound
connectors (a Matomo connector pushes it as a cart update), never to an outside system on the request path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import Field, ValidationInfo, field_validator, model_validator
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.carts import CartItem, CartUpdate
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.signed_calls import SingleAnswer, signed_params, signed_post
from trackbridge.entrypoints.http.signed_schemas import (
    Currency,
    Email,
    Id,
    Money,
    Quantity,
    StrictParams,
    Text,
    Timestamp,
    VisitorId,
    parse_when,
)
from trackbridge.services import carts as cart_service

MAX_CART_ITEMS = 500


class CartItemParams(StrictParams):
    productId: Id | None = None
    sku: Annotated[str, Field(max_length=200)] | None = None
    name: Annotated[str, Field(max_length=500)] | None = None
    categories: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, description="Category names; Matomo keeps the first 5."
    )
    price: Money = Field(description="The unit price.")
    quantity: Quantity = 1

    @model_validator(mode="after")
    def _named(self) -> CartItemParams:
        if not (self.sku or self.productId):
            raise ValueError("an item needs a sku or a productId")
        return self


class CartParams(StrictParams):
    visitorId: VisitorId | None = Field(default=None, description="The visitor's 16 hex character id (Matomo's form).")
    items: list[CartItemParams] = Field(max_length=MAX_CART_ITEMS)
    total: Money = Field(description="The cart's total (Matomo's revenue of a cart update).")
    currency: Currency | None = None
    id: Id | None = Field(default=None, description="The shop's cart id.")
    email: Email | None = Field(default=None, description="The customer's e-mail, when known.")
    ipAddress: Annotated[str, Field(max_length=64)] | None = None
    userAgent: Text | None = None
    updatedAt: Timestamp = Field(default=None, description="When the cart changed (default: now).")

    @field_validator("updatedAt")
    @classmethod
    def _updated(cls, value: Any, info: ValidationInfo) -> datetime | None:
        return parse_when(value, info)

    @model_validator(mode="after")
    def _someone(self) -> CartParams:
        if not (self.visitorId or self.email or self.id):
            raise ValueError("give the visitorId (or the customer's email, or the cart id)")
        return self

    def update(self) -> CartUpdate:
        return CartUpdate(
            visitor_id=self.visitorId,
            total=self.total,
            at=self.updatedAt or datetime.now(UTC),
            items=tuple(
                CartItem(
                    sku=str(item.sku or item.productId),
                    name=item.name or "",
                    categories=tuple(item.categories),
                    price=item.price,
                    quantity=Decimal(item.quantity),
                )
                for item in self.items
            ),
            currency=self.currency,
            cart_id=self.id,
            customer_email=self.email,
            ip=self.ipAddress,
            user_agent=self.userAgent,
            source="api",
        )


def build_router(container: Container) -> APIRouter:
    router = APIRouter(prefix="/v2", tags=["signed resource API"])

    @signed_post(
        router,
        "/cart",
        call_name="CartCall",
        model=CartParams,
        summary="Report a visitor's cart (pushed to Matomo as a cart update by a Matomo connector)",
    )
    async def post_cart(request: Request) -> SingleAnswer:
        call, params = await signed_params(request, container, CartParams)
        await run_in_threadpool(cart_service.update_cart, container.uow, call.project, params.update())
        return SingleAnswer(id=params.id or params.visitorId or params.email, message="cart update accepted")

    return router
