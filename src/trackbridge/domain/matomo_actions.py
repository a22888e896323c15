"""What one Matomo hit records (reference/matomo.md §1): the event types and their properties. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.events import EventType
from trackbridge.domain.matomo_ecommerce import PUSH_MARKER, json_number, parse_items, parse_number, product_view

Params = Mapping[str, str]
JsonObject = dict[str, Any]


def hit_actions(params: Params) -> list[tuple[EventType, JsonObject]]:
    """What a hit records, in Matomo's precedence: ping, goal / e-commerce, event, content, search, download,
    outlink, page view (with a product view alongside when ``_pks`` is sent)."""
    if params.get("ping", "").strip() == "1":
        return [(EventType.PING, {})]
    idgoal = params.get("idgoal", "").strip()
    if idgoal.isdigit():
        return _goal(params, int(idgoal))
    if params.get("e_c") and params.get("e_a"):  # Matomo's test, before trimming; one alone is a page view
        return _event(params)
    if params.get("c_n", "").strip():
        content: dict[str, str | None] = {"name": params["c_n"].strip()}
        for key, name in (("piece", "c_p"), ("target", "c_t"), ("interaction", "c_i")):
            content[key] = params.get(name, "").strip() or None
        return [(EventType.CONTENT, content)]
    if params.get("search", "").strip():
        count = params.get("search_count", "").strip()
        search = {
            "query": params["search"].strip(),
            "category": params.get("search_cat", "").strip() or None,
            "count": int(count) if count.isdigit() else None,
        }
        return [(EventType.SEARCH, search)]
    for name, kind in (("download", EventType.DOWNLOAD), ("link", EventType.OUTLINK)):
        if params.get(name, "").strip():
            return [(kind, {"url": params[name].strip()})]
    found: list[tuple[EventType, JsonObject]] = []
    if params.get("ca", "").strip() != "1":
        found.append((EventType.PAGE_VIEW, {}))
    product = product_view(params)
    if product is not None:
        found.append((EventType.PRODUCT_VIEW, product))
    return found


def _event(params: Params) -> list[tuple[EventType, JsonObject]]:
    category, action = params.get("e_c", "").strip(), params.get("e_a", "").strip()
    if not category or not action:
        raise InvalidInput("an event needs a non-empty e_c and e_a", "e_c")
    value = parse_number(params.get("e_v"))
    event = {
        "category": category,
        "action": action,
        "name": params.get("e_n", "").strip() or None,
        "value": None if value is None else json_number(value),
    }
    return [(EventType.MATOMO_EVENT, event)]


def _goal(params: Params, idgoal: int) -> list[tuple[EventType, JsonObject]]:
    revenue = parse_number(params.get("revenue"))
    if idgoal > 0:
        return [(EventType.GOAL, {"goalId": idgoal, "revenue": None if revenue is None else json_number(revenue)})]
    items = parse_items(params.get("ec_items"))
    order_id = params.get("ec_id", "").strip()
    if not order_id:
        cart = {
            "items": items,
            "total": json_number(revenue or 0.0),
            "size": sum(item["quantity"] for item in items),
        }
        if params.get(PUSH_MARKER, "").strip():
            cart["pushedBy"] = "trackbridge"
        return [(EventType.SET_CART, cart)]
    order: JsonObject = {"orderId": order_id, "revenue": json_number(revenue or 0.0), "items": items}
    for key, name in (("subtotal", "ec_st"), ("tax", "ec_tx"), ("shipping", "ec_sh"), ("discount", "ec_dt")):
        amount = parse_number(params.get(name))
        order[key] = None if amount is None else json_number(amount)
    return [(EventType.ECOMMERCE_ORDER, order)]
