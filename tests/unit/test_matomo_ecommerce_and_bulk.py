"""Matomo e-commerce items, the order an order hit creates, and the bulk body, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.events import EventType, TrackedEvent
from trackbridge.domain.matomo_bulk import is_bulk, merged_params, parse_bulk, query_params
from trackbridge.domain.matomo_ecommerce import (
    order_record,
    parse_categories,
    parse_items,
    placeholder_products,
    to_money,
)
from trackbridge.domain.resources import OrderItem

AT = datetime(2026, 11, 24, 12, tzinfo=UTC)


def test_items_drop_those_without_sku_and_default_price_and_quantity() -> None:
    items = parse_items('[["A","Alpha"],["","Nameless","c",1,1],[null,"x"],["B","Beta","Cat","oops","zero"],"junk"]')
    assert [(i["sku"], i["name"], i["price"], i["quantity"]) for i in items] == [
        ("A", "Alpha", 0, 1),
        ("B", "Beta", 0, 1),
    ]


def test_categories_are_a_string_or_up_to_five_names() -> None:
    assert parse_categories("Gadgets") == ["Gadgets"]
    assert parse_categories(["a", "b", "c", "d", "e", "f"]) == ["a", "b", "c", "d", "e"]
    assert parse_categories('["x",""]') == ["x"]
    assert parse_categories("") == []


@pytest.mark.parametrize("raw", [None, "", "{", "42", '"text"'])
def test_unusable_item_json_gives_no_items(raw: str | None) -> None:
    assert parse_items(raw) == []


def test_money_is_rounded_to_four_places_and_refuses_nonsense() -> None:
    assert to_money(19.99) == Decimal("19.99")
    assert to_money("1.234567") == Decimal("1.2346")
    assert to_money("nan") is None
    assert to_money("abc") is None


def _order_event() -> TrackedEvent:
    return TrackedEvent(
        event_id="e1",
        type=EventType.ECOMMERCE_ORDER,
        visitor_id="0123456789abcdef",
        occurred_at=AT,
        ip="203.0.113.9",
        user_agent="UA",
        properties={
            "orderId": "ORDER-1001",
            "revenue": 50.48,
            "subtotal": 45.48,
            "tax": 3,
            "shipping": 5,
            "discount": None,
            "items": parse_items('[["SKU-1","Widget","Gadgets",19.99,2],["SKU-1","Widget","Gadgets",19.99,1]]'),
        },
    )


def test_order_record_keeps_visitor_ip_and_user_agent() -> None:
    record = order_record(_order_event())
    assert (record.id, record.status, record.placed_at, record.amount) == (
        "ORDER-1001",
        "completed",
        AT,
        Decimal("50.48"),
    )
    assert (record.subtotal, record.tax, record.shipping, record.discount) == (
        Decimal("45.48"),
        Decimal(3),
        Decimal(5),
        None,
    )
    assert (record.visitor_id, record.ip_address, record.user_agent) == ("0123456789abcdef", "203.0.113.9", "UA")
    assert record.items[0] == OrderItem("SKU-1", 2, Decimal("19.99"), "SKU-1", "Widget")


def test_placeholder_products_are_one_per_sku() -> None:
    (product,) = placeholder_products(_order_event())
    assert (product.id, product.name, product.price, product.categories) == (
        "SKU-1",
        "Widget",
        Decimal("19.99"),
        ("Gadgets",),
    )


def test_bulk_is_detected_by_the_quoted_requests_key() -> None:
    assert is_bulk(b'{"requests": []}')
    assert not is_bulk(b"action_name=my+requests+page")


def test_bulk_elements_are_query_strings_or_objects() -> None:
    body = (
        b'{"requests": ["?idsite=1&rec=1&url=https%3A%2F%2Fx%2F", {"idsite": 1, "rec": 1, "revenue": 5.5,'
        b' "ec_items": [["A","a","",1,1]]}, 42], "token_auth": "tbk_x", "send_image": 0}'
    )
    bulk = parse_bulk(body)
    assert bulk.requests[0] == {"idsite": "1", "rec": "1", "url": "https://x/"}
    assert bulk.requests[1] == {"idsite": "1", "rec": "1", "revenue": "5.5", "ec_items": '[["A", "a", "", 1, 1]]'}
    assert bulk.requests[2] is None
    assert (bulk.token_auth, bulk.send_image) == ("tbk_x", False)


@pytest.mark.parametrize("body", [b'{"requests": "nope"}', b'{"requests": [', b'["requests"]'])
def test_malformed_bulk_is_invalid_input(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        parse_bulk(body)


def test_query_wins_over_form_like_php_get_plus_post() -> None:
    assert merged_params(query_params("a=1&b=2"), query_params("b=3&c=4")) == {"a": "1", "b": "2", "c": "4"}
    assert query_params("https://x/matomo.php?idsite=3&idsite=4") == {"idsite": "4"}
