"""A cart update worth telling other systems about (a tracker's setCart, a Matomo cart hit, a shop's POST /v2/cart).
Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class CartItem:
    sku: str
    name: str = ""
    categories: tuple[str, ...] = ()
    price: Decimal = Decimal(0)
    quantity: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class CartUpdate:
    visitor_id: str | None
    total: Decimal
    at: datetime
    items: tuple[CartItem, ...] = ()
    currency: str | None = None
    cart_id: str | None = None
    customer_email: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    source: str = "api"  # api (POST /v2/cart), tracker (setCart), matomo (a Matomo cart hit)
    extra: dict[str, str] = field(default_factory=dict)
