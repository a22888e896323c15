"""The fields marketing exports need (seed 002) go in through the signed API and the uploads and come out of the read
API: product galleries and url paths, base-currency amounts, website / store view, newsletter subscription."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.test_uploads_api import upload_raw
from tests.support.signing import SEED_API_KEY, envelope, signed_headers
from trackbridge.domain.projects import ProjectCredentials

AUTH = {"Authorization": f"Bearer {SEED_API_KEY}"}


def call(client: TestClient, path: str, params: Any) -> Any:
    body = envelope(params)
    answer = client.post(path, content=body, headers=signed_headers(body))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_product_gallery_is_kept_in_order_with_roles_and_url_path(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    images = [
        {"url": "https://cdn.example.com/mug-thumb.jpg", "role": "thumbnail"},  # position: its place, 0
        {"url": "https://cdn.example.com/mug-side.jpg", "position": 2},
        {"url": "https://cdn.example.com/mug-front.jpg", "role": "small_image", "position": 1},
    ]
    call(
        client,
        "/v2/product",
        {"id": "p1", "name": "Mug", "price": 9, "urlPath": "mugs/blue-mug.html", "images": images},
    )
    product = client.get("/api/v1/products/p1", headers=AUTH).json()
    assert product["urlPath"] == "mugs/blue-mug.html"
    assert product["images"] == [
        {"url": "https://cdn.example.com/mug-thumb.jpg", "role": "thumbnail", "position": 0},
        {"url": "https://cdn.example.com/mug-front.jpg", "role": "small_image", "position": 1},
        {"url": "https://cdn.example.com/mug-side.jpg", "role": "image", "position": 2},
    ]
    call(client, "/v2/product", {"id": "p1", "name": "Blue mug", "price": 9})
    again = client.get("/api/v1/products/p1", headers=AUTH).json()
    assert (again["images"], again["urlPath"]) == (product["images"], "mugs/blue-mug.html"), "not sent: kept"
    call(client, "/v2/product", {"id": "p1", "name": "Blue mug", "price": 9, "images": []})
    assert client.get("/api/v1/products/p1", headers=AUTH).json()["images"] == []


def test_an_image_role_outside_magentos_is_refused(client: TestClient, seed_project: ProjectCredentials) -> None:
    body = envelope({"id": "p1", "name": "Mug", "price": 9, "images": [{"url": "https://x/1.jpg", "role": "hero"}]})
    answer = client.post("/v2/product", content=body, headers=signed_headers(body))
    assert answer.status_code == 400
    assert "role" in answer.text


def test_orders_carry_local_and_base_currency_and_scope(client: TestClient, seed_project: ProjectCredentials) -> None:
    call(client, "/v2/product", {"id": "p1", "name": "Mug", "price": 9})
    call(
        client,
        "/v2/order",
        {
            "id": "o1",
            "createdAt": 1518004715732,
            "amount": "24.00",
            "currency": "GBP",
            "baseCurrency": "eur",
            "baseAmount": "27.60",
            "status": "complete",
            "website": "uk",
            "storeView": "uk_en",
            "products": [{"productId": "p1", "quantity": 2, "price": "12.00", "basePrice": "13.80"}],
        },
    )
    order = client.get("/api/v1/orders/o1", headers=AUTH).json()
    assert (order["currency"], order["amount"], order["baseCurrency"], order["baseAmount"]) == (
        "GBP",
        "24.00",
        "EUR",
        "27.60",
    )
    assert (order["website"], order["storeView"]) == ("uk", "uk_en")
    assert [(p["price"], p["basePrice"]) for p in order["products"]] == [("12.00", "13.80")]


def test_a_subscriber_who_never_registered_reads_back_as_such(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    created = call(
        client,
        "/v2/customer",
        {"email": "news@example.com", "subscribed": True, "registered": False, "website": "europe", "storeView": "fr"},
    )
    found = client.get("/api/v1/customers", params={"email": "news@example.com"}, headers=AUTH).json()["items"][0]
    customer = client.get(f"/api/v1/customers/{found['id']}", headers=AUTH).json()
    assert created["created"] is True
    assert (customer["subscribed"], customer["registered"]) == (True, False)
    assert (customer["website"], customer["storeView"]) == ("europe", "fr")


def test_uploads_accept_scope_newsletter_and_base_currency_fields(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    customers_csv = (
        b"uniq_id,emails,website,store_view,subscribed,registered\n"
        b"c-1,ann@example.com,europe,de,yes,0\n"
        b"c-2,bob@example.com,us,,maybe,\n"
    )
    done = upload_raw(client, customers_csv, "customers")
    assert (done["rowsStored"], done["rowsRejected"]) == (1, 1)
    assert "subscribed" in done["rejected"][0]["reason"]
    orders_csv = (
        b"id,client_uniq_id,create_date_time,order_status,revenue,currency,base_currency,base_revenue,website,store_view\n"
        b"o-1,c-1,2024-03-10 14:00:00,PAID,100.00,USD,EUR,92.50,europe,de\n"
    )
    assert upload_raw(client, orders_csv, "orders")["rowsStored"] == 1
    found = client.get("/api/v1/customers", params={"externalId": "c-1"}, headers=AUTH).json()["items"][0]
    assert (found["website"], found["storeView"], found["subscribed"], found["registered"]) == (
        "europe",
        "de",
        True,
        False,
    )
    order = client.get("/api/v1/orders/o-1", headers=AUTH).json()
    assert (order["baseCurrency"], order["baseAmount"], order["website"], order["storeView"]) == (
        "EUR",
        "92.50",
        "europe",
        "de",
    )


def test_a_save_upload_keeps_scope_and_subscription_the_api_set(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    call(client, "/v2/customer", {"email": "ann@example.com", "subscribed": True, "website": "europe"})
    done = upload_raw(client, b"uniq_id,name,emails\nc-1,Ann Lee,ann@example.com\n", "customers", merge="SAVE")
    assert done["rowsStored"] == 1
    found = client.get("/api/v1/customers", params={"email": "ann@example.com"}, headers=AUTH).json()["items"][0]
    assert (found["externalId"], found["firstName"]) == ("c-1", "Ann Lee")
    assert (found["subscribed"], found["website"]) == (True, "europe")
