"""E-commerce orders through /matomo.php (seed 001's server-side module) and bulk requests: claims, orders, answers."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.support.matomo import (
    BROWSER_UA,
    ORDER_ITEMS,
    VISITOR,
    accepted_events,
    matomo_js,
    php_sdk_order,
    query,
)
from tests.support.signing import SEED_API_KEY, envelope, signed_headers
from trackbridge.adapters.db.tables import customers, orders, products
from trackbridge.adapters.db.tracking_tables import visitors
from trackbridge.domain.events import EventType
from trackbridge.domain.matomo_hits import AcceptedHit
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services.matomo_tracking import Transport, track


def _order_row(container: Container, order_id: str) -> Any:
    with container.engine.connect() as connection:
        return connection.execute(select(orders).where(orders.c.id == order_id)).mappings().first()


def _products(container: Container) -> dict[str, Any]:
    with container.engine.connect() as connection:
        return {row.id: row for row in connection.execute(select(products)).all()}


def _bulk(client: TestClient, body: dict[str, Any]) -> Any:
    # matomo.js and the SDKs post the bulk with whatever Content-Type; Matomo does not check it.
    return client.post("/matomo.php", content=json.dumps(body), headers={"Content-Type": "text/plain"})


def test_server_side_order_creates_the_order_with_placeholder_products_and_a_guest(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    answer = client.get("/matomo.php" + query(php_sdk_order("ORDER-1001", token=SEED_API_KEY)))
    assert (answer.status_code, answer.content) == (204, b"")
    (event,) = accepted_events(container)
    assert event.type is EventType.ECOMMERCE_ORDER
    assert (event.ip, event.user_agent, event.visitor_id) == ("198.51.100.23", BROWSER_UA, VISITOR)
    assert event.attribution == {
        "_rcn": "spring",
        "_rck": "widgets",
        "_ref": "https://www.google.com/search?q=widgets",
        "_refts": 1795339000,
    }
    order = _order_row(container, "ORDER-1001")
    assert order is not None
    assert (order["amount"], order["subtotal"], order["status"]) == (Decimal("50.48"), Decimal("45.48"), "completed")
    assert (order["visitor_id"], order["ip_address"], order["user_agent"]) == (VISITOR, "198.51.100.23", BROWSER_UA)
    found = _products(container)
    assert {sku: (row.name, row.is_placeholder) for sku, row in found.items()} == {
        "SKU-1": ("Widget", True),
        "SKU-2": ("Gizmo", True),
    }
    with container.engine.connect() as connection:
        guest = connection.execute(select(customers).where(customers.c.id == order["customer_id"])).mappings().one()
    assert (guest["email"], guest["external_id"]) == (None, f"guest-visitor:{VISITOR}")


def test_repeated_ec_id_is_400_and_the_first_order_stays(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    assert client.get("/matomo.php" + query(php_sdk_order("ORDER-7"))).status_code == 204
    again = client.get("/matomo.php" + query(php_sdk_order("ORDER-7", revenue="1", send_image="1")))
    assert again.status_code == 400
    assert again.headers["content-type"] == "image/gif"
    assert len(accepted_events(container)) == 1
    assert _order_row(container, "ORDER-7")["amount"] == Decimal("50.48")


def test_known_products_are_not_turned_into_placeholders(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    body = envelope({"id": "SKU-1", "name": "Widget deluxe", "price": 21, "categories": []})
    assert client.post("/v2/product", content=body, headers=signed_headers(body)).status_code == 200
    assert client.get("/matomo.php" + query(php_sdk_order("ORDER-8"))).status_code == 204
    found = _products(container)
    assert (found["SKU-1"].name, found["SKU-1"].is_placeholder) == ("Widget deluxe", False)
    assert found["SKU-2"].is_placeholder is True


def test_first_hit_for_an_order_the_backend_sent_is_kept_as_evidence(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    calls = [
        ("/v2/product", envelope({"id": "SKU-1", "name": "Widget", "price": 19.99, "categories": []})),
        ("/v2/customer", envelope({"email": "ann@example.com", "createdAt": 1763980000000})),
        (
            "/v2/order",
            envelope(
                {
                    "id": "ORDER-9",
                    "createdAt": 1763980000000,
                    "email": "ann@example.com",
                    "amount": "39.98",
                    "status": "paid",
                    "products": [{"productId": "SKU-1", "quantity": 2}],
                }
            ),
        ),
    ]
    for path, body in calls:
        assert client.post(path, content=body, headers=signed_headers(body)).status_code == 200, path
    assert client.get("/matomo.php" + query(php_sdk_order("ORDER-9"))).status_code == 204
    order = _order_row(container, "ORDER-9")
    assert (order["amount"], order["status"], order["visitor_id"]) == (Decimal("39.98"), "paid", None)
    assert [e.properties["orderId"] for e in accepted_events(container)] == ["ORDER-9"]
    assert client.get("/matomo.php" + query(php_sdk_order("ORDER-9"))).status_code == 400


def test_order_of_a_visitor_linked_to_a_customer_belongs_to_that_customer(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    body = envelope({"email": "bob@example.com", "createdAt": 1763980000000})
    assert client.post("/v2/customer", content=body, headers=signed_headers(body)).status_code == 200
    assert client.get("/matomo.php" + query(matomo_js())).status_code == 200
    seen = accepted_events(container)[0].occurred_at
    with container.engine.begin() as connection:
        customer_id = connection.execute(select(customers.c.id)).scalar_one()
        connection.execute(
            visitors.insert().values(
                project_id=seed_project.project.id, visitor_id=VISITOR, first_seen=seen, last_seen=seen
            )
        )
        connection.execute(update(visitors).values(customer_id=customer_id))
    assert client.get("/matomo.php" + query(php_sdk_order("ORDER-10"))).status_code == 204
    assert _order_row(container, "ORDER-10")["customer_id"] == customer_id


def test_bulk_of_strings_and_objects_without_token_counts_only(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    requests: list[Any] = [
        query(matomo_js(action_name="first")),
        {**matomo_js(action_name="second"), "idsite": 1, "rec": 1},
        query(php_sdk_order("ORDER-B1")),
        query(php_sdk_order("ORDER-B1")),
        query(matomo_js(idsite="42")),
        query(matomo_js(cip="198.51.100.7")),
        17,
    ]
    answer = _bulk(client, {"requests": requests})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"status": "success", "tracked": 3, "invalid": 4}
    assert [e.type for e in accepted_events(container)] == [
        EventType.PAGE_VIEW,
        EventType.PAGE_VIEW,
        EventType.ECOMMERCE_ORDER,
    ]


def test_authenticated_bulk_lists_invalid_indices_and_honours_overrides(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    assert client.get("/matomo.php" + query(php_sdk_order("ORDER-OLD"))).status_code == 204
    requests = [
        query(php_sdk_order("ORDER-OLD")),
        query(matomo_js(cip="198.51.100.7", cdt="2026-01-05 10:00:00")),
        {"idsite": "1", "rec": "1", "idgoal": "0", "ec_id": "ORDER-NEW", "revenue": 9, "ec_items": ORDER_ITEMS},
        query(matomo_js(cid="nothex")),
    ]
    answer = _bulk(client, {"requests": requests, "token_auth": SEED_API_KEY})
    assert answer.json() == {"status": "success", "tracked": 2, "invalid": 2, "invalid_indices": [0, 3]}
    events = accepted_events(container)
    assert events[1].ip == "198.51.100.7"
    assert events[1].occurred_at.isoformat() == "2026-01-05T10:00:00+00:00"
    assert _order_row(container, "ORDER-NEW") is not None


def test_bulk_requests_are_stored_oldest_first(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    requests = [
        query(matomo_js(action_name="later", cdt="2026-01-05 10:05:00")),
        query(matomo_js(action_name="earlier", cdt="2026-01-05 10:00:00")),
    ]
    assert _bulk(client, {"requests": requests, "token_auth": SEED_API_KEY}).json()["tracked"] == 2
    assert [e.title for e in accepted_events(container)] == ["earlier", "later"]


def test_bulk_with_send_image_0_answers_204(client: TestClient, seed_project: ProjectCredentials) -> None:
    answer = _bulk(client, {"requests": [query(matomo_js())], "send_image": 0})
    assert (answer.status_code, answer.content) == (204, b"")


def test_bulk_with_a_wrong_token_still_tracks_what_needs_none(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    answer = _bulk(client, {"requests": [query(matomo_js())], "token_auth": "tbk_wrong"})
    assert answer.json() == {"status": "success", "tracked": 1, "invalid": 0}


def test_malformed_bulk_is_400(client: TestClient, seed_project: ProjectCredentials) -> None:
    answer = client.post("/matomo.php", content=b'{"requests": [', headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["status"] == "error"


def test_concurrent_hits_with_one_ec_id_accept_exactly_one(
    container: Container, seed_project: ProjectCredentials
) -> None:
    hit = php_sdk_order("ORDER-RACE")
    transport = Transport(received_at=datetime.now(UTC), ip="203.0.113.9", user_agent=BROWSER_UA)
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: track(container.uow, [hit], transport), range(6)))
    accepted = [r for r in results if isinstance(r.outcomes[0], AcceptedHit)]
    assert len(accepted) == 1
    assert len(accepted_events(container)) == 1
    assert _order_row(container, "ORDER-RACE") is not None
