"""Orders and carts become the Tracking API requests seed 001 describes, checked before Matomo could refuse them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from trackbridge.adapters.connectors.matomo import push_mapping
from trackbridge.domain.errors import PermanentError

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PLACED = datetime(2026, 11, 24, 10, 5, 3, tzinfo=UTC)
SETTINGS = {"url": "https://matomo.example.com", "siteId": 3, "userIdFrom": "id"}
TOKEN = "secret-matomo-token-1234"


def _order(**changes: object) -> dict[str, object]:
    order: dict[str, object] = {
        "id": "ORDER-1001",
        "createdAt": int(PLACED.timestamp() * 1000),
        "amount": "50.48",
        "subtotal": "45.48",
        "tax": "3.00",
        "shipping": "5.00",
        "discount": "3.00",
        "status": "completed",
        "email": "jo@example.com",
        "ipAddress": "198.51.100.23",
        "userAgent": "Mozilla/5.0 Chrome/120.0",
        "visitorId": "7263243B7CAABA5B",
        "products": [
            {"productId": "p-1", "quantity": 2, "price": "19.99", "sku": "SKU-1", "name": "Widget"},
            {"productId": "p-2", "quantity": 1, "price": "5.50", "sku": None, "name": "Gizmo"},
        ],
    }
    order.update(changes)
    return order


def test_order_request_carries_visitor_time_amounts_and_items() -> None:
    params = push_mapping.order_request(
        _order(), SETTINGS, NOW, categories={"p-1": ["Gadgets"], "p-2": ["Gadgets", "Tools"]}
    )
    assert params["idsite"] == "3"
    assert params["rec"] == "1"
    assert params["idgoal"] == "0"
    assert params["ec_id"] == "ORDER-1001"
    assert params["cid"] == "7263243b7caaba5b"
    assert "uid" not in params
    assert params["cip"] == "198.51.100.23"
    assert params["ua"] == "Mozilla/5.0 Chrome/120.0"
    assert params["cdt"] == "2026-11-24 10:05:03"
    assert (params["revenue"], params["ec_st"], params["ec_tx"], params["ec_sh"], params["ec_dt"]) == (
        "50.48",
        "45.48",
        "3",
        "5",
        "3",
    )
    assert json.loads(params["ec_items"]) == [
        ["SKU-1", "Widget", "Gadgets", 19.99, 2],
        ["p-2", "Gizmo", ["Gadgets", "Tools"], 5.5, 1],
    ]
    assert "token_auth" not in params


def test_order_without_a_matomo_visitor_id_is_sent_with_the_customers_user_id() -> None:
    customer = {"id": 42, "externalId": "crm-77", "email": "jo@example.com"}
    params = push_mapping.order_request(_order(visitorId="not-hex-visitor!"), SETTINGS, NOW, customer=customer)
    assert params["uid"] == "crm-77"
    assert "cid" not in params
    by_email = push_mapping.order_request(
        _order(visitorId=None), {**SETTINGS, "userIdFrom": "email"}, NOW, customer=customer
    )
    assert by_email["uid"] == "jo@example.com"


def test_order_with_neither_visitor_nor_customer_sends_no_visitor_parameter() -> None:
    params = push_mapping.order_request(_order(visitorId="abc"), SETTINGS, NOW)
    assert "cid" not in params
    assert "uid" not in params


def test_cid_is_only_ever_exactly_sixteen_hex_characters() -> None:
    assert push_mapping.valid_visitor_id("0123456789abcdef") == "0123456789abcdef"
    for wrong in ("0123456789abcde", "0123456789abcdef0", "0123456789abcdeg", "", None, 1234567890123456):
        assert push_mapping.valid_visitor_id(wrong) is None


def test_an_order_time_in_the_future_is_sent_as_now() -> None:
    params = push_mapping.order_request(
        _order(createdAt=int((NOW + timedelta(hours=3)).timestamp() * 1000)), SETTINGS, NOW
    )
    assert params["cdt"] == "2026-11-24 12:00:00"


def test_an_order_older_than_matomo_records_is_refused_with_the_reason() -> None:
    ancient = datetime(2001, 1, 1, tzinfo=UTC)
    with pytest.raises(PermanentError, match="20 years"):
        push_mapping.order_request(_order(createdAt=int(ancient.timestamp() * 1000)), SETTINGS, NOW)


def test_attribution_comes_from_the_credited_visits_campaign_and_referrer() -> None:
    session = {
        "referrerType": "campaign",
        "referrerName": "spring",
        "referrerKeyword": "widgets",
        "referrerUrl": "https://www.google.com/search?q=widgets",
        "utmCampaign": None,
        "utmTerm": None,
        "startedAt": datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
    }
    params = push_mapping.order_request(_order(), SETTINGS, NOW, attribution=session)
    assert params["_rcn"] == "spring"
    assert params["_rck"] == "widgets"
    assert params["_ref"] == "https://www.google.com/search?q=widgets"
    assert params["_refts"] == str(int(datetime(2026, 11, 24, 9, 0, tzinfo=UTC).timestamp()))
    utm = push_mapping.attribution_params({**session, "referrerType": "website", "utmCampaign": "x", "utmTerm": "y"})
    assert (utm["_rcn"], utm["_rck"]) == ("x", "y")


def test_a_direct_visit_adds_no_attribution() -> None:
    direct = {"referrerType": "direct", "referrerUrl": None, "startedAt": NOW}
    assert push_mapping.attribution_params(direct) == {}
    assert push_mapping.attribution_params(None) == {}


def test_items_keep_at_most_five_categories_and_drop_items_without_sku() -> None:
    items = [
        {"productId": "p", "sku": "S", "name": "N", "price": "1", "quantity": 1, "categories": list("abcdefg")},
        {"productId": "", "sku": "", "name": "nameless", "price": "2", "quantity": 1},
    ]
    assert json.loads(push_mapping.ec_items(items)) == [["S", "N", ["a", "b", "c", "d", "e"], 1, 1]]


def test_cart_update_has_items_and_total_as_revenue_but_no_order_id() -> None:
    cart = {
        "visitorId": "5f2c1a9b0d3e4f67",
        "items": [{"sku": "SKU-1", "name": "Widget", "categories": ["Gadgets"], "price": "19.99", "quantity": "2"}],
        "total": "39.98",
        "at": int(PLACED.timestamp() * 1000),
        "ip": "198.51.100.23",
        "userAgent": "UA",
    }
    params = push_mapping.cart_request(cart, SETTINGS, NOW)
    assert params["idgoal"] == "0"
    assert "ec_id" not in params
    assert params["revenue"] == "39.98"
    assert params["cid"] == "5f2c1a9b0d3e4f67"
    assert json.loads(params["ec_items"]) == [["SKU-1", "Widget", "Gadgets", 19.99, 2]]


def test_bulk_body_holds_the_token_once_at_the_top_and_requests_as_query_strings() -> None:
    params = push_mapping.order_request(_order(), SETTINGS, NOW)
    body = push_mapping.bulk_body([params], TOKEN)
    assert body["token_auth"] == TOKEN
    (request,) = body["requests"]
    assert request.startswith("?")
    assert dict(parse_qsl(request[1:])) == params


def test_tracking_url_shows_the_token_as_xyzanonymized() -> None:
    params = push_mapping.order_request(_order(), SETTINGS, NOW)
    url = push_mapping.tracking_url("https://matomo.example.com/analytics/", params)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://matomo.example.com/analytics/matomo.php"
    assert dict(parse_qsl(parts.query))["token_auth"] == "XYZANONYMIZED"
    assert TOKEN not in url
