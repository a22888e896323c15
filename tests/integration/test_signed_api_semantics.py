"""Seed 004's update rules, idempotent upserts, batches with per-record results, dependency checks."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.signing import SEED_API_KEY, envelope, signed_headers
from trackbridge.domain.projects import ProjectCredentials

AUTH = {"Authorization": f"Bearer {SEED_API_KEY}"}


def call(client: TestClient, path: str, params: Any = None, *, batch: Any = None) -> Any:
    body = envelope(params, batch=batch)
    answer = client.post(path, content=body, headers=signed_headers(body))
    assert answer.status_code == 200, answer.text
    return answer.json()


def order(order_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": order_id,
        "createdAt": 1518004715732,
        "amount": "20.00",
        "status": "paid",
        "products": [{"productId": "p1", "quantity": 2}],
        **extra,
    }


def catalogue(client: TestClient) -> None:
    call(client, "/v2/category/batch", batch=[{"id": "c1", "name": "Shirts"}, {"id": "c2", "name": "Hats"}])
    call(
        client,
        "/v2/product/batch",
        batch=[{"id": "p1", "name": "Shirt", "price": 10}, {"id": "p2", "name": "Hat", "price": "5.5"}],
    )


def test_same_order_twice_is_stored_once(client: TestClient, seed_project: ProjectCredentials) -> None:
    catalogue(client)
    first = call(client, "/v2/order", order("o1"))
    second = call(client, "/v2/order", order("o1"))
    assert (first["created"], second["created"]) == (True, False)
    listed = client.get("/api/v1/orders", headers=AUTH).json()["items"]
    assert [o["id"] for o in listed] == ["o1"]
    assert listed[0]["products"] == [
        {
            "productId": "p1",
            "quantity": 2,
            "price": None,
            "sku": None,
            "name": None,
            "basePrice": None,
            "productSku": None,
        }
    ]


def test_order_fields_override_and_items_are_replaced(client: TestClient, seed_project: ProjectCredentials) -> None:
    catalogue(client)
    call(client, "/v2/order", order("o1", coupons=["WELCOME"], cost="8", currency="eur"))
    call(
        client,
        "/v2/order",
        {
            **order("o1"),
            "status": "refunded",
            "amount": "0",
            "products": [{"productId": "p2", "quantity": 1, "price": "5.5"}],
        },
    )
    stored = client.get("/api/v1/orders/o1", headers=AUTH).json()
    assert stored["status"] == "refunded"
    assert stored["amount"] == "0.00"
    assert stored["cost"] == "8.00", "a field not sent keeps its stored value"
    assert stored["currency"] == "EUR"
    assert [(p["productId"], p["price"]) for p in stored["products"]] == [("p2", "5.50")]


def test_product_options_merge_and_categories_override(client: TestClient, seed_project: ProjectCredentials) -> None:
    catalogue(client)
    call(
        client,
        "/v2/product",
        {
            "id": "p3",
            "name": "Tee",
            "categories": ["c1", "c2"],
            "options": [{"id": "s", "name": "Small", "price": 9}, {"id": "m", "name": "Medium", "price": 10}],
        },
    )
    call(
        client,
        "/v2/product",
        {
            "id": "p3",
            "name": "Tee v2",
            "categories": ["c2"],
            "options": [{"id": "m", "name": "Medium", "price": 11}, {"id": "l", "name": "Large", "price": 12}],
        },
    )
    product = client.get("/api/v1/products/p3", headers=AUTH).json()
    assert product["name"] == "Tee v2"
    assert product["categories"] == ["c2"]
    assert [(o["id"], o["price"]) for o in product["options"]] == [("s", "9.00"), ("m", "11.00"), ("l", "12.00")]


def test_customer_tags_merge_and_untag_ignores_absent(client: TestClient, seed_project: ProjectCredentials) -> None:
    call(
        client,
        "/v2/customer",
        {"email": "Ann@Example.com", "createdAt": 1518004715732, "tags": ["a"], "firstName": "Ann"},
    )
    call(
        client,
        "/v2/customer",
        {"email": "ann@example.com", "createdAt": 1518004715732, "tags": ["b"], "lastName": "Lee"},
    )
    call(client, "/v2/customer/tag", {"email": "ann@example.com", "tags": ["c", "a"]})
    answer = call(client, "/v2/customer/untag", {"email": "ann@example.com", "tags": ["b", "never-had"]})
    assert answer["message"] == "tags removed"
    found = client.get("/api/v1/customers", params={"email": "ann@example.com"}, headers=AUTH).json()["items"]
    assert len(found) == 1
    assert sorted(found[0]["tags"]) == ["a", "c"]
    assert (found[0]["firstName"], found[0]["lastName"]) == ("Ann", "Lee")


def test_tag_unknown_email_creates_and_untag_unknown_changes_nothing(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    created = call(client, "/v2/customer/tag", {"email": "new@example.com", "tags": ["vip"]})
    assert created["created"] is True
    assert "created" in created["message"]
    untag = call(client, "/v2/customer/untag", {"email": "ghost@example.com", "tags": ["vip"]})
    assert untag["message"] == "no customer with this e-mail; nothing changed"
    assert client.get("/api/v1/customers", params={"email": "ghost@example.com"}, headers=AUTH).json()["items"] == []


def test_batch_keeps_valid_records_beside_bad_ones(client: TestClient, seed_project: ProjectCredentials) -> None:
    catalogue(client)
    call(client, "/v2/customer", {"email": "known@example.com", "createdAt": 1})
    answer = call(
        client,
        "/v2/order/batch",
        batch=[
            order("ok-1", email="known@example.com"),
            order("bad-customer", email="stranger@example.com"),
            {**order("bad-product"), "products": [{"productId": "nope", "quantity": 1}]},
            {"id": "bad-shape"},
            "not an object",
            order("ok-2"),
        ],
    )
    assert (answer["stored"], answer["rejected"]) == (2, 4)
    by_index = {r["index"]: r for r in answer["results"]}
    assert by_index[0]["status"] == "stored"
    assert "unknown customer 'stranger@example.com'" in by_index[1]["reason"]
    assert "unknown product 'nope'" in by_index[2]["reason"]
    assert by_index[3]["reason"].startswith("batch[3].createdAt")
    assert by_index[4]["reason"] == "batch[4]: must be a JSON object"
    assert by_index[5]["status"] == "stored"
    ids = [o["id"] for o in client.get("/api/v1/orders", headers=AUTH).json()["items"]]
    assert ids == ["ok-1", "ok-2"]


def test_single_order_with_unknown_customer_gets_400_with_the_reason(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    catalogue(client)
    body = envelope(order("o9", email="nobody@example.com"))
    answer = client.post("/v2/order", content=body, headers=signed_headers(body))
    assert answer.status_code == 400
    assert "unknown customer" in answer.json()["error"]["message"]


def test_external_id_belongs_to_one_customer(client: TestClient, seed_project: ProjectCredentials) -> None:
    answer = call(
        client,
        "/v2/customer/batch",
        batch=[
            {"email": "a@example.com", "createdAt": 1, "externalId": "crm-1"},
            {"email": "b@example.com", "createdAt": 1, "externalId": "crm-1"},
        ],
    )
    assert [r["status"] for r in answer["results"]] == ["stored", "rejected"]
    found = client.get("/api/v1/customers", params={"externalId": "crm-1"}, headers=AUTH).json()["items"]
    assert [c["email"] for c in found] == ["a@example.com"]


def test_orders_keep_visitor_id_refunds_and_money_exactly(client: TestClient, seed_project: ProjectCredentials) -> None:
    catalogue(client)
    call(
        client,
        "/v2/order",
        order(
            "o1",
            amount="0.10",
            visitorId="0123456789abcdef",
            userAgent="UA/1",
            ipAddress="203.0.113.9",
            refunds=[{"id": "r1", "amount": "0.05", "createdAt": 1518004800000}],
        ),
    )
    call(
        client,
        "/v2/order",
        order("o1", amount="0.10", refunds=[{"id": "r2", "amount": "0.02", "createdAt": "2018-02-08T12:00:00Z"}]),
    )
    stored = client.get("/api/v1/orders/o1", headers=AUTH).json()
    assert stored["amount"] == "0.10"
    assert stored["visitorId"] == "0123456789abcdef"
    assert stored["ipAddress"] == "203.0.113.9"
    assert [(r["id"], r["amount"]) for r in stored["refunds"]] == [("r1", "0.05"), ("r2", "0.02")]


def test_naive_iso_times_are_read_in_the_project_time_zone(
    client: TestClient, seed_project: ProjectCredentials, container: Any
) -> None:
    from trackbridge.services import projects as project_service

    project_service.update_settings(container.uow, seed_project.project, timezone="Europe/Berlin")
    catalogue(client)
    call(client, "/v2/order", {**order("o1"), "createdAt": "2024-01-15 10:00:00"})
    stored = client.get("/api/v1/orders/o1", headers=AUTH).json()
    assert stored["createdAt"] == 1705309200000  # 09:00 UTC
