"""The signed API refuses what it must, with the right 4xx and the field named, and never answers 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.integration.test_seed_quickstart import SEED_CALLS
from tests.support.signing import digest, envelope, signed_headers
from trackbridge.domain.projects import ProjectCredentials


@pytest.mark.parametrize("path,body", [(p, b) for p, b, _ in SEED_CALLS])
def test_seed_calls_are_refused_without_valid_credentials(
    client: TestClient, seed_project: ProjectCredentials, path: str, body: bytes
) -> None:
    changed = digest(body)[:-1] + ("0" if digest(body)[-1] != "0" else "1")
    assert (
        client.post(path, content=body, headers={"Content-Type": "text/plain", "X-Digest": changed}).status_code == 403
    )
    missing = client.post(path, content=body, headers={"Content-Type": "text/plain"})
    assert missing.status_code == 401
    assert missing.json()["error"]["message"] == "X-Digest header is not provided"
    other_token = body.replace(b"sh0p-t0k3n", b"other-t0k3n")
    answer = client.post(path, content=other_token, headers=signed_headers(other_token))
    assert answer.status_code == 401
    assert "token" in answer.json()["error"]["message"]


def test_digest_of_another_secret_is_refused(client: TestClient, seed_project: ProjectCredentials) -> None:
    body = SEED_CALLS[0][1]
    answer = client.post("/v2/category", content=body, headers=signed_headers(body, secret="another-secret"))
    assert answer.status_code == 403


def test_body_over_5_mb_gets_413(client: TestClient, seed_project: ProjectCredentials) -> None:
    batch = [{"id": str(i), "name": "x" * 400} for i in range(15_000)]
    body = envelope(batch=batch)
    assert len(body) > 6_000_000
    answer = client.post("/v2/category/batch", content=body, headers=signed_headers(body))
    assert answer.status_code == 413
    assert "limit" in answer.json()["error"]["message"]


def test_streamed_body_over_5_mb_without_length_gets_413(client: TestClient, seed_project: ProjectCredentials) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"time": 1, "token": "sh0p-t0k3n", "batch": ['
        for _ in range(7000):
            yield b'{"id": "1", "name": "' + b"x" * 1000 + b'"},'
        yield b"]}"

    answer = client.post(
        "/v2/category/batch", content=chunks(), headers={"X-Digest": "00", "Content-Type": "text/plain"}
    )
    assert answer.status_code == 413


MALFORMED = [
    ("/v2/order", b"{not json", None),
    ("/v2/order", b"[1, 2]", None),
    ("/v2/order", b'{"token": "sh0p-t0k3n", "params": {}}', "time"),
    ("/v2/order", b'{"time": "soon", "token": "sh0p-t0k3n", "params": {}}', "time"),
    ("/v2/order", b'{"time": 1, "params": {}}', "token"),
    ("/v2/order", b'{"time": 1, "token": "sh0p-t0k3n"}', "params"),
    ("/v2/order/batch", b'{"time": 1, "token": "sh0p-t0k3n", "params": {}}', "batch"),
    ("/v2/order", b'{"time": 1, "token": "sh0p-t0k3n", "params": []}', "params"),
    (
        "/v2/order",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"createdAt": 1, "amount": "1", "status": "paid", "products": []}}',
        "params.id",
    ),
    (
        "/v2/order",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1", "createdAt": 1, "amount": "ten", "status": "paid", "products": []}}',
        "params.amount",
    ),
    (
        "/v2/order",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1", "createdAt": "yesterday", "amount": 1, "status": "paid", "products": []}}',
        "params.createdAt",
    ),
    (
        "/v2/order",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1", "createdAt": 1, "amount": 1, "status": "paid", "products": [{"productId": "2", "quantity": "two"}]}}',
        "params.products[0].quantity",
    ),
    (
        "/v2/order",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1", "createdAt": 1, "amount": 1, "status": "paid", "products": [{"quantity": 1}]}}',
        "params.products[0].productId",
    ),
    (
        "/v2/order",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1", "createdAt": 1, "amount": 1, "status": "paid", "products": [], "visitorId": "ABC"}}',
        "params.visitorId",
    ),
    (
        "/v2/order",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1", "createdAt": 1, "amount": 1.00001, "status": "paid", "products": []}}',
        "params.amount",
    ),
    (
        "/v2/order",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1", "createdAt": 1, "amount": 1, "status": "paid", "products": "2"}}',
        "params.products",
    ),
    ("/v2/customer", b'{"time": 1, "token": "sh0p-t0k3n", "params": {"email": "not-an-email"}}', "params.email"),
    ("/v2/customer", b'{"time": 1, "token": "sh0p-t0k3n", "params": {"email": 42}}', "params.email"),
    (
        "/v2/customer",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"email": "a@b.co", "subscribed": "maybe"}}',
        "params.subscribed",
    ),
    (
        "/v2/customer",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"email": "a@b.co", "tags": "vip"}}',
        "params.tags",
    ),
    ("/v2/customer/tag", b'{"time": 1, "token": "sh0p-t0k3n", "params": {"email": "a@b.co"}}', "params.tags"),
    ("/v2/category", b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1"}}', "params.name"),
    ("/v2/product", b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1", "name": "T"}}', "params.price"),
    (
        "/v2/product",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1", "name": "T", "price": "NaN"}}',
        "params.price",
    ),
    (
        "/v2/product",
        b'{"time": 1, "token": "sh0p-t0k3n", "params": {"id": "1", "name": "T", "price": 1, "options": [{"price": 2}]}}',
        "params.options[0].id",
    ),
]


@pytest.mark.parametrize("path,body,field", MALFORMED)
def test_malformed_bodies_get_400_naming_the_field(
    client: TestClient, seed_project: ProjectCredentials, path: str, body: bytes, field: str | None
) -> None:
    answer = client.post(path, content=body, headers=signed_headers(body))
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    if field is not None:
        assert error["field"] == field, error
        assert error["message"].startswith(field)


def test_a_form_encoded_body_gets_415(client: TestClient, seed_project: ProjectCredentials) -> None:
    body = SEED_CALLS[0][1]
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Digest": digest(body)}
    answer = client.post("/v2/category", content=body, headers=headers)
    assert answer.status_code == 415


def test_json_content_type_is_accepted(client: TestClient, seed_project: ProjectCredentials) -> None:
    body = SEED_CALLS[0][1]
    answer = client.post(
        "/v2/category",
        content=body,
        headers={"Content-Type": "application/json; charset=utf-8", "X-Digest": digest(body)},
    )
    assert answer.status_code == 200


def test_unknown_paths_and_methods_get_json_4xx(client: TestClient) -> None:
    assert client.post("/v2/nothing", content=b"{}").status_code == 404
    answer = client.get("/v2/order")
    assert answer.status_code == 405
    assert answer.json()["status"] == "error"
