"""Order batches as the import sends them: many orders a call, written in bulk, with the same rules as single calls."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.signing import SEED_API_KEY, envelope, signed_headers
from trackbridge.domain.projects import ProjectCredentials

AUTH = {"Authorization": f"Bearer {SEED_API_KEY}"}


def call(client: TestClient, path: str, *, batch: Any) -> Any:
    body = envelope(batch=batch)
    answer = client.post(path, content=body, headers=signed_headers(body))
    assert answer.status_code == 200, answer.text
    return answer.json()


def order(order_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": order_id,
        "createdAt": "1518004715732",
        "amount": "30.00",
        "status": "paid",
        "email": "ann@example.com",
        "products": [{"productId": "p1", "quantity": 1, "price": "10"}, {"productId": "p2", "quantity": "2"}],
        **extra,
    }


def setup_shop(client: TestClient) -> None:
    assert call(client, "/v2/customer/batch", batch=[{"email": "Ann@Example.com"}])["stored"] == 1
    assert (
        call(
            client,
            "/v2/product/batch",
            batch=[{"id": "p1", "name": "Shirt", "price": 10}, {"id": "p2", "name": "Hat", "price": "5"}],
        )["stored"]
        == 2
    )


def test_a_batch_of_orders_is_stored_with_items_customer_and_exact_money(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    setup_shop(client)
    answer = call(
        client, "/v2/order/batch", batch=[order(f"o{i}", tax="4.7619", currency="eur") for i in range(1, 301)]
    )
    assert (answer["stored"], answer["rejected"]) == (300, 0)
    assert all(r["created"] is True for r in answer["results"])
    stored = client.get("/api/v1/orders/o300", headers=AUTH).json()
    assert (stored["amount"], stored["tax"], stored["currency"], stored["email"]) == (
        "30.00",
        "4.7619",
        "EUR",
        "ann@example.com",
    )
    assert [(p["productId"], p["quantity"], p["price"]) for p in stored["products"]] == [
        ("p1", 1, "10.00"),
        ("p2", 2, None),
    ]
    assert stored["createdAt"] == 1518004715732


def test_resending_an_order_without_optional_fields_keeps_them(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    setup_shop(client)
    full = order("o1", billing={"city": "Berlin"}, visitorId="0123456789abcdef", subtotal="25", coupons=["HELLO"])
    call(client, "/v2/order/batch", batch=[full])
    again = call(client, "/v2/order/batch", batch=[order("o1", status="shipped")])
    assert again["results"][0]["created"] is False
    stored = client.get("/api/v1/orders/o1", headers=AUTH).json()
    assert stored["status"] == "shipped"
    assert (stored["billing"], stored["visitorId"], stored["subtotal"]) == (
        {"city": "Berlin"},
        "0123456789abcdef",
        "25.00",
    )
    assert stored["coupons"] == [], "coupons override: the new call sent none"


def test_an_order_and_a_refund_sent_twice_in_one_batch_keep_the_later_values(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    setup_shop(client)
    refund = {"id": "r1", "amount": "1", "createdAt": 1518004800000}
    answer = call(
        client,
        "/v2/order/batch",
        batch=[
            order("o1", amount="5", refunds=[refund]),
            order("o1", amount="6", refunds=[refund, {**refund, "amount": "2.5"}]),
        ],
    )
    assert [r["status"] for r in answer["results"]] == ["stored", "stored"]
    stored = client.get("/api/v1/orders/o1", headers=AUTH).json()
    assert stored["amount"] == "6.00"
    assert [(r["id"], r["amount"]) for r in stored["refunds"]] == [("r1", "2.50")]
    assert len(client.get("/api/v1/orders", headers=AUTH).json()["items"]) == 1
