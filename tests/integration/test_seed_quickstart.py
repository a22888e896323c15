"""Seed 004's quickstart, byte for byte, against a project with the seed's token and secret."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.signing import SEED_API_KEY, digest
from trackbridge.domain.projects import ProjectCredentials

# The bodies exactly as seed 004 prints them (its X-Digest values are wrong: they are not HMAC-SHA256 under its secret).
SEED_CALLS = [
    (
        "/v2/category",
        b'{"time": 1518004715732, "token": "sh0p-t0k3n", "params": {"id": "1", "name": "Awesome clothing", "url": "https://my-awesome-shop.com/awesome-clothing"} }',
        "1ecd57653821936c3f5aceb1c20f49a815efdd70ef1f15e5902397aa83187550",
    ),
    (
        "/v2/product",
        b'{"time": 1518004715732, "token": "sh0p-t0k3n", "params": {"id": "2", "categories": ["1"], "price": 10.42, "name": "Awesome T-Shirt", "url": "https://my-awesome-shop.com/awesome-clothing/awesome-t-shirt"} }',
        "ee51936b99eb682989a9b89a50be0d50653b304af33c9ef03208c9e03d0d0745",
    ),
    (
        "/v2/customer",
        b'{"time": 1518004715732, "token": "sh0p-t0k3n", "params": {"email": "johnybravo@gmail.com", "createdAt": 1518004715732 } }',
        "621f776ad036ffb7c52caa053c75bc97d3024aeb85acc1c431b807a76b61d62f",
    ),
    (
        "/v2/order",
        b'{"time": 1518004715732, "token": "sh0p-t0k3n", "params": {"id": "314", "createdAt": "1518004715732", "email": "johnybravo@gmail.com", "amount": "10.42", "status": "completed", "products": [{"productId": "2", "quantity": 1 } ] } }',
        "4401f8a26f2d2bf86df5354a8f7213464dd3da8368cf381af5494d518ba291c1",
    ),
    (
        "/v2/customer/tag",
        b'{"time": 1518004715732, "token": "sh0p-t0k3n", "params": {"email": "test@metrilo.com", "tags": ["foo"]} }',
        "ac9600a205af6aea7be1a4a3f8044d80fb9f4fb84ce9b550265650beefb12e4a",
    ),
    (
        "/v2/customer/untag",
        b'{"time": 1518004715732, "token": "sh0p-t0k3n", "params": {"email": "test@metrilo.com", "tags": ["foo"]} }',
        "a2fc3d7dbe351311b433a1cf54edf59ef96885f0dcd1ede6e508a5ceb4c98a89",
    ),
]


def test_category_body_digest_matches_the_reference_vector() -> None:
    assert digest(SEED_CALLS[0][1]) == "9e85cbea294d31e28e8c7cc954d13ec7f20af6d17aac799f5bec0f1ba831228b"


def test_seed_quickstart_calls_answer_200_and_read_back(client: TestClient, seed_project: ProjectCredentials) -> None:
    for path, body, _printed in SEED_CALLS:
        answer = client.post(path, content=body, headers={"Content-Type": "text/plain", "X-Digest": digest(body)})
        assert answer.status_code == 200, (path, answer.text)

    auth = {"Authorization": f"Bearer {SEED_API_KEY}"}
    found = client.get("/api/v1/customers", params={"email": "JohnyBravo@gmail.com"}, headers=auth).json()["items"]
    assert [c["email"] for c in found] == ["johnybravo@gmail.com"]
    customer = client.get(f"/api/v1/customers/{found[0]['id']}", headers=auth).json()
    assert [o["id"] for o in customer["orders"]] == ["314"]
    order = client.get("/api/v1/orders/314", headers=auth).json()
    assert order["email"] == "johnybravo@gmail.com"
    assert order["amount"] == "10.42"
    assert order["status"] == "completed"
    assert order["createdAt"] == 1518004715732
    assert [(p["productId"], p["quantity"]) for p in order["products"]] == [("2", 1)]
    product = client.get("/api/v1/products/2", headers=auth).json()
    assert product["price"] == "10.42"
    assert product["categories"] == ["1"]


def test_seed_printed_digests_are_refused(client: TestClient, seed_project: ProjectCredentials) -> None:
    for path, body, printed in SEED_CALLS:
        answer = client.post(path, content=body, headers={"Content-Type": "text/plain", "X-Digest": printed})
        assert answer.status_code == 403, path
        assert "X-Digest" in answer.json()["error"]["message"]
