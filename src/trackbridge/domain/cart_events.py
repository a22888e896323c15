"""The cart update a ``set_cart`` event describes (a tracker's setCart, or a Matomo cart hit). Pure, no I/O."""

from __future__ import annotations

from decimal import Decimal

from trackbridge.domain.carts import CartItem, CartUpdate
from trackbridge.domain.events import TrackedEvent
from trackbridge.domain.matomo_ecommerce import PUSH_MARKER

__all__ = ["PUSH_MARKER", "cart_from_event"]


def _decimal(value: object, default: Decimal = Decimal(0)) -> Decimal:
    if value is None or isinstance(value, bool):
        return default
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return default
    return number if number.is_finite() else default


def cart_from_event(event: TrackedEvent, source: str) -> CartUpdate:
    """``source`` is the inbox batch's (tracker, server, matomo). A cart hit that trackbridge itself pushed to a Matomo
    (it carries ``PUSH_MARKER``) says so in ``extra``, so that it is never pushed again."""
    props = event.properties
    items = tuple(
        CartItem(
            sku=str(item.get("sku") or item.get("productId")),
            name=str(item.get("name") or ""),
            categories=tuple(str(c) for c in item.get("categories") or ()),
            price=_decimal(item.get("price")),
            quantity=_decimal(item.get("quantity"), Decimal(1)),
        )
        for item in props.get("items") or []
        if isinstance(item, dict) and (item.get("sku") or item.get("productId"))
    )
    return CartUpdate(
        visitor_id=event.visitor_id,
        total=_decimal(props.get("total")),
        at=event.occurred_at,
        items=items,
        currency=props.get("currency"),
        cart_id=None if props.get("cartId") is None else str(props["cartId"]),
        ip=event.ip,
        user_agent=event.user_agent,
        source=source,
        extra={PUSH_MARKER: "1"} if props.get("pushedBy") else {},
    )
