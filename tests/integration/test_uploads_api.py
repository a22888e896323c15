"""CRM uploads through the HTTP API on both engines: multipart and raw bodies, background processing, rejected lines."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.signing import SEED_API_KEY
from trackbridge.adapters.db.tables import customers, order_items, orders, products
from trackbridge.adapters.db.upload_tables import customer_hashes, customer_visitor_ids
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container

FIXTURES = Path(__file__).parent.parent / "fixtures" / "crm"
AUTH = {"Authorization": f"Bearer {SEED_API_KEY}"}


def wait_for(client: TestClient, upload_id: int, **params: Any) -> dict[str, Any]:
    """Polls the upload until its background processing ends (the deadline only guards against a hang)."""
    deadline = time.monotonic() + 120
    while True:
        answer = client.get(f"/api/v1/uploads/{upload_id}", headers=AUTH, params=params)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def upload_multipart(client: TestClient, name: str, kind: str, merge: str = "UPDATE", **data: str) -> dict[str, Any]:
    with (FIXTURES / name).open("rb") as file:
        answer = client.post(
            "/api/v1/uploads",
            params={"kind": kind, "merge": merge},
            headers=AUTH,
            files={"file": (name, file, "text/csv")},
            data=data,
        )
    assert answer.status_code == 202, answer.text
    assert answer.headers["location"] == f"/api/v1/uploads/{answer.json()['id']}"
    return wait_for(client, answer.json()["id"])


def upload_raw(client: TestClient, body: bytes, kind: str, merge: str = "UPDATE", **params: str) -> dict[str, Any]:
    answer = client.post("/api/v1/uploads", params={"kind": kind, "merge": merge, **params}, headers=AUTH, content=body)
    assert answer.status_code == 202, answer.text
    return wait_for(client, answer.json()["id"])


def test_seed_003_customers_and_orders_upload_through_multipart(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    done = upload_multipart(client, "customers.csv", "customers")
    assert done["status"] == "done" and done["filename"] == "customers.csv"
    assert (done["rowsRead"], done["rowsStored"], done["rowsRejected"]) == (6, 4, 2)
    assert done["rejected"] == [
        {"line": 6, "reason": "uniq_id: is required"},
        {"line": 7, "reason": "emails: 'not-an-email' is not an e-mail address"},
    ]
    assert done["bytesRead"] == done["bytesTotal"] == (FIXTURES / "customers.csv").stat().st_size

    placed = upload_multipart(client, "orders.csv", "orders")
    assert (placed["rowsStored"], placed["rowsRejected"]) == (4, 2)
    assert [line["line"] for line in placed["rejected"]] == [5, 6]

    with container.engine.connect() as c:
        anna = c.execute(select(customers).where(customers.c.external_id == "c-1001")).one()
        assert (anna.email, anna.phone_normalized, anna.first_name) == (
            "anna@example.com",
            "79995551111",
            "Anna Petrova",
        )
        visitors = c.execute(
            select(customer_visitor_ids.c.visitor_id).where(customer_visitor_ids.c.customer_id == anna.id)
        ).scalars()
        assert sorted(visitors) == ["4f2a9c1d7e3b5a60", "9a8b7c6d5e4f3a21"]
        md5_only = c.execute(select(customers).where(customers.c.external_id == "c-1003")).one()
        hashes = set(
            c.execute(select(customer_hashes.c.md5).where(customer_hashes.c.customer_id == md5_only.id)).scalars()
        )
        assert hashes == {"3c56ff8fef0f6c65b36b2d25720fe276", "f09f2c3d48f31e2a802944ade2e5aec5"}
        order = c.execute(select(orders).where(orders.c.id == "o-5001")).one()
        assert order.customer_id == anna.id and order.status == "IN_PROGRESS" and str(order.amount) == "1500.5000"
        items = c.execute(
            select(order_items.c.product_id, order_items.c.quantity).where(order_items.c.order_id == "o-5001")
        )
        assert sorted(items) == [("Blue Mug", 2), ("Tea Sampler", 1)]
        placeholder = c.execute(select(products.c.is_placeholder).where(products.c.id == "Blue Mug")).scalar_one()
        assert placeholder is True
        # an order of a customer not uploaded yet is kept, under a customer known by the CRM id alone
        stub = c.execute(select(customers.c.id, customers.c.email).where(customers.c.external_id == "c-1009")).one()
        assert stub.email is None
        assert c.execute(select(orders.c.customer_id).where(orders.c.id == "o-5006")).scalar_one() == stub.id


def test_raw_body_json_lines_and_simple_orders_find_customers_by_md5(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    upload_raw(client, (FIXTURES / "customers.csv").read_bytes(), "customers")
    done = upload_raw(client, (FIXTURES / "simple_orders.jsonl").read_bytes(), "simple_orders")
    assert (done["rowsRead"], done["rowsStored"], done["rowsRejected"]) == (5, 4, 1)
    with container.engine.connect() as c:
        owner = dict(c.execute(select(orders.c.id, customers.c.external_id).join(customers)).all())
    assert owner == {"s-9001": "c-1002", "s-9002": "c-1003", "s-9003": "c-1004", "s-9004": "c-1001"}


def test_reuploading_the_same_rows_duplicates_nothing(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    for _ in range(2):
        upload_multipart(client, "customers.csv", "customers", merge="SAVE")
        upload_multipart(client, "orders.csv", "orders", merge="SAVE")
    with container.engine.connect() as c:
        assert len(c.execute(select(customers.c.id)).all()) == 5
        assert len(c.execute(select(orders.c.id)).all()) == 4
        assert len(c.execute(select(order_items.c.line)).all()) == 4
        assert len(c.execute(select(customer_visitor_ids.c.visitor_id)).all()) == 3


def test_column_mapping_as_a_query_parameter_or_a_form_field(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    body = b"Kunde;Mail;Telefon\nk-1;eva@example.com;+49 170 1234567\n"
    mapping = json.dumps({"Kunde": "uniq_id", "Mail": "emails", "Telefon": "phones"})
    assert upload_raw(client, body, "customers", columns=mapping)["rowsStored"] == 1
    answer = client.post(
        "/api/v1/uploads",
        params={"kind": "customers"},
        headers=AUTH,
        files={"file": ("mine.csv", body.replace(b"k-1", b"k-2").replace(b"eva@", b"eve@"))},
        data={"columns": mapping},
    )
    assert wait_for(client, answer.json()["id"])["rowsStored"] == 1
    with container.engine.connect() as c:
        phones = c.execute(select(customers.c.external_id, customers.c.phone_normalized).order_by(customers.c.id)).all()
    assert [tuple(row) for row in phones] == [("k-1", "491701234567"), ("k-2", "491701234567")]


def test_mistakes_are_answered_before_processing(client: TestClient, seed_project: ProjectCredentials) -> None:
    def post(params: dict[str, str], **kwargs: Any) -> Any:
        return client.post("/api/v1/uploads", params=params, headers=AUTH, **kwargs)

    assert post({"kind": "contacts"}, content=b"x").json()["error"]["field"] == "kind"
    assert post({"kind": "orders", "merge": "MERGE"}, content=b"x").json()["error"]["field"] == "merge"
    assert post({"kind": "orders", "columns": '{"a": "nope"}'}, content=b"x").status_code == 400
    assert post({"kind": "orders"}, content=b"").status_code == 400
    assert post({"kind": "orders"}, files={"other": ("a.csv", b"x")}).status_code == 400
    assert client.post("/api/v1/uploads", params={"kind": "orders"}, content=b"x").status_code == 401
    assert client.get("/api/v1/uploads/999", headers=AUTH).status_code == 404


def test_a_file_over_the_limit_is_refused_with_413(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    container.settings.max_upload_bytes = 100
    answer = client.post(
        "/api/v1/uploads", params={"kind": "customers"}, headers=AUTH, content=b"uniq_id\n" + b"c\n" * 100
    )
    assert answer.status_code == 413
    assert not list((container.settings.data_dir / "uploads").glob("*"))


def test_a_file_without_a_required_column_fails_with_the_reason(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    failed = upload_raw(client, b"name,emails\nAnna,a@example.com\n", "customers")
    assert failed["status"] == "failed"
    assert "lacks uniq_id" in failed["error"]


def test_rejected_lines_are_paginated(client: TestClient, seed_project: ProjectCredentials) -> None:
    body = b"uniq_id,emails\n" + b"".join(b"c-%d,bad\n" % i for i in range(25))
    done = upload_raw(client, body, "customers")
    assert done["rowsRejected"] == 25 and len(done["rejected"]) == 25
    first = client.get(f"/api/v1/uploads/{done['id']}", headers=AUTH, params={"limit": 10}).json()
    assert [r["line"] for r in first["rejected"]] == list(range(2, 12)) and first["next"] == 11
    second = client.get(f"/api/v1/uploads/{done['id']}", headers=AUTH, params={"limit": 10, "after": 11}).json()
    assert second["rejected"][0]["line"] == 12
