"""Matomo's e-commerce parameters (``ec_items``, ``_pk*``, amounts) and the trackbridge order an order hit becomes.

Facts from reference/matomo.md §1: ``ec_items`` is a JSON array of ``[sku, name, category, price, quantity]``; an
item without a SKU is dropped, the price falls back to 0 and the quantity to 1, the category is a string or an array of
up to 5 strings, and invalid JSON means no items (the order is still recorded). Pure, no I/O.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from trackbridge.domain.events import TrackedEvent
from trackbridge.domain.resources import OrderItem, OrderRecord, ProductRecord
from trackbridge.domain.values import MAX_MONEY, MAX_MONEY_PLACES

MAX_PRODUCT_CATEGORIES = 5
MAX_ID = 200
"""SKUs longer than a stored product id are dropped like items without one."""
MAX_NAME = 500
ORDER_STATUS = "completed"
"""The status of an order created from a Matomo hit: Matomo records only confirmed orders (seed 001)."""
PUSH_MARKER = "_tbpush"
"""A parameter trackbridge adds to the e-commerce requests it pushes to a Matomo (Matomo ignores it): a cart hit that
carries it was pushed by a trackbridge, and is never pushed again (a connector pointed at trackbridge cannot loop)."""
_QUANTUM = Decimal(1).scaleb(-MAX_MONEY_PLACES)
JsonObject = dict[str, Any]


def parse_number(value: object) -> float | None:
    """A finite number from a parameter, or None (Matomo reads a non-numeric float parameter as absent)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def json_number(value: float) -> int | float:
    """Whole numbers stay integers in the stored JSON (``2`` rather than ``2.0``)."""
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def to_money(value: object) -> Decimal | None:
    """A stored money amount: rounded to 4 places, None when absent, not a number or out of range."""
    number = parse_number(value)
    if number is None:
        return None
    try:
        amount = Decimal(repr(number)).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        return None
    return amount if abs(amount) < MAX_MONEY else None


def parse_categories(value: object) -> list[str]:
    """A category as a string, a JSON array in a string (``_pkc``), or a list: at most 5 non-empty names."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                return [text]
        else:
            return [text] if text else []
    if isinstance(value, list):
        names = [str(item).strip() for item in value if isinstance(item, (str, int, float)) and str(item).strip()]
        return names[:MAX_PRODUCT_CATEGORIES]
    return []


def _quantity(value: object) -> int:
    number = parse_number(value)
    if number is None or number < 1:
        return 1
    return min(int(number), 2**31 - 1)


def parse_items(raw: str | None) -> list[JsonObject]:
    """``ec_items`` as items ``{"productId", "sku", "name", "categories", "price", "quantity"}``."""
    if not raw:
        return []
    try:
        decoded = json.loads(raw)
    except ValueError:
        return []
    if isinstance(decoded, dict):  # PHP arrays with numeric keys may arrive as objects
        decoded = list(decoded.values())
    if not isinstance(decoded, list):
        return []
    items: list[JsonObject] = []
    for raw_entry in decoded:
        entry = list(raw_entry.values()) if isinstance(raw_entry, dict) else raw_entry
        if not isinstance(entry, list) or not entry:
            continue
        sku = str(entry[0]).strip() if isinstance(entry[0], (str, int)) and not isinstance(entry[0], bool) else ""
        if not sku or len(sku) > MAX_ID:
            continue
        name = entry[1] if len(entry) > 1 and isinstance(entry[1], str) else ""
        price = parse_number(entry[3]) if len(entry) > 3 else None
        items.append(
            {
                "productId": sku,
                "sku": sku,
                "name": name.strip()[:MAX_NAME],
                "categories": parse_categories(entry[2]) if len(entry) > 2 else [],
                "price": json_number(price if price is not None else 0.0),
                "quantity": _quantity(entry[4] if len(entry) > 4 else None),
            }
        )
    return items


def product_view(params: Mapping[str, str]) -> JsonObject | None:
    """The product-view fields of a page view (``_pks``, ``_pkn``, ``_pkc``, ``_pkp``), or None without a SKU."""
    sku = params.get("_pks", "").strip()
    if not sku:
        return None
    price = parse_number(params.get("_pkp"))
    return {
        "productId": sku,
        "sku": sku,
        "name": params.get("_pkn", "").strip() or None,
        "categories": parse_categories(params.get("_pkc", "")),
        "price": None if price is None else json_number(price),
    }


def order_record(event: TrackedEvent) -> OrderRecord:
    """The trackbridge order an ``ecommerce_order`` event creates: status completed, placed when the hit happened."""
    props = event.properties
    items = tuple(
        OrderItem(
            product_id=item["productId"],
            quantity=int(item["quantity"]),
            price=to_money(item["price"]),
            sku=item["sku"],
            name=item["name"] or None,
        )
        for item in props.get("items", [])
    )
    return OrderRecord(
        id=str(props["orderId"]),
        placed_at=event.occurred_at,
        amount=to_money(props.get("revenue")) or Decimal(0),
        status=ORDER_STATUS,
        items=items,
        subtotal=to_money(props.get("subtotal")),
        tax=to_money(props.get("tax")),
        shipping=to_money(props.get("shipping")),
        discount=to_money(props.get("discount")),
        ip_address=event.ip,
        visitor_id=event.visitor_id,
        user_agent=event.user_agent,
    )


def placeholder_products(event: TrackedEvent) -> list[ProductRecord]:
    """A product for each SKU of the order, to be stored only where the catalogue does not know it yet."""
    found: dict[str, ProductRecord] = {}
    for item in event.properties.get("items", []):
        sku = item["productId"]
        if sku not in found:
            found[sku] = ProductRecord(
                id=sku,
                name=item["name"] or sku,
                price=to_money(item["price"]),
                sku=sku,
                categories=tuple(item["categories"]),
            )
    return list(found.values())
