"""The timeline API, operator merges and their undo (API and CLI), and e-mail links (API and CLI)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.integration.identity_support import (
    OTHER_VISITOR,
    T0,
    VISITOR,
    at,
    customer_id,
    event,
    forms,
    links,
    send_and_process,
    session_owners,
    tags,
    visitor_customer,
)
from tests.support.signing import SEED_API_KEY
from trackbridge.config import Settings
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.domain.resources import OrderRecord
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.main import build_cli
from trackbridge.services import projects as project_service

API = {"Authorization": f"Bearer {SEED_API_KEY}"}
LANDING = "https://shop.example/spring?utm_source=newsletter&utm_medium=email&utm_campaign=spring"


def store_order(container: Container, project_id: int, order_id: str, owner: int, amount: str) -> None:
    record = OrderRecord(id=order_id, placed_at=T0, amount=Decimal(amount), status="paid", items=(), currency="EUR")
    with container.uow.transaction() as tx:
        tx.resources.upsert_orders(project_id, [(record, owner)], T0)


def two_customers(client: TestClient, container: Container) -> tuple[int, int]:
    """Ann (two visits and a form on VISITOR, tag vip, an order) and Bob (one visit on OTHER_VISITOR, tag b2b, an order)."""
    landing = event("v1", "page_view", 0, url=LANDING, referrer="https://mail.example.org/", title="Spring")
    landing["campaign"] = {"source": "newsletter", "medium": "email", "name": "spring"}
    send_and_process(
        client,
        container,
        [
            landing,
            event("v2", "product_view", 1, properties={"productId": "2"}),
            event("v3", "form_submit", 2, properties={"email": "ann@example.com", "tags": ["vip"]}),
            event("v4", "page_view", 300, url="https://shop.example/again"),
        ],
    )
    send_and_process(
        client,
        container,
        [
            event("w1", "identify", 0, properties={"email": "bob@example.com"}),
            event("w2", "apply_tags", 1, properties={"tags": ["b2b"]}),
        ],
        visitor=OTHER_VISITOR,
    )
    ann, bob = customer_id(container, "ann@example.com"), customer_id(container, "bob@example.com")
    assert ann is not None and bob is not None
    return ann, bob


def test_the_timeline_shows_sessions_with_actions_source_and_device_forms_orders_tags_and_links(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    ann, _bob = two_customers(client, container)
    store_order(container, seed_project.project.id, "o-1", ann, "10.42")
    answer = client.get(f"/api/v1/customers/{ann}/timeline", headers=API)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["customer"]["email"] == "ann@example.com"
    newest, oldest = body["sessions"]
    assert newest["startedAt"] == at(300) and oldest["startedAt"] == at(0)
    assert [a["type"] for a in oldest["actions"]] == ["page_view", "product_view", "form_submit"]
    assert oldest["actions"][0]["url"] == LANDING and oldest["actions"][0]["title"] == "Spring"
    assert oldest["actions"][1]["properties"] == {"productId": "2"}
    assert oldest["source"]["referrerUrl"] == "https://mail.example.org/"
    assert oldest["source"]["utm"]["source"] == "newsletter"
    assert oldest["source"]["channel"] == "email"
    assert oldest["device"]["os"] == "Windows" and oldest["device"]["browser"] == "Chrome"
    assert set(oldest["location"]) >= {"countryCode", "city"}
    [form] = body["formSubmissions"]
    assert form["landingPage"] == LANDING and form["utm"]["campaign"] == "spring"
    assert body["orders"] == [{"id": "o-1", "placedAt": at(0), "amount": "10.42", "currency": "EUR", "status": "paid"}]
    assert body["tags"] == ["vip"]
    [link] = body["identityLinks"]
    assert (link["how"], link["visitorId"], link["linkedAt"]) == ("form", VISITOR, at(2))
    assert body["next"] is None


def test_the_timeline_pages_sessions_newest_first(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    ann, _bob = two_customers(client, container)
    first = client.get(f"/api/v1/customers/{ann}/timeline", params={"limit": 1}, headers=API).json()
    assert [s["startedAt"] for s in first["sessions"]] == [at(300)]
    second = client.get(
        f"/api/v1/customers/{ann}/timeline", params={"limit": 1, "cursor": first["next"]}, headers=API
    ).json()
    assert [s["startedAt"] for s in second["sessions"]] == [at(0)]


def test_the_timeline_of_an_unknown_customer_is_404_and_needs_a_key(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    assert client.get("/api/v1/customers/999/timeline", headers=API).status_code == 404
    assert client.get("/api/v1/customers/999/timeline").status_code == 401
    assert client.get("/api/v1/customers/1/timeline", params={"cursor": "x"}, headers=API).status_code == 400


def test_merge_moves_everything_and_undo_restores_it(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    ann, bob = two_customers(client, container)
    project_id = seed_project.project.id
    store_order(container, project_id, "o-ann", ann, "5")
    store_order(container, project_id, "o-bob", bob, "7.5")

    answer = client.post(f"/api/v1/customers/{ann}/merge", json={"other": bob}, headers=API)
    assert answer.status_code == 200, answer.text
    merge = answer.json()
    assert (merge["kept"], merge["merged"], merge["undoneAt"]) == (ann, bob, None)
    assert session_owners(container, OTHER_VISITOR) == [ann]
    assert visitor_customer(container, OTHER_VISITOR) == ann
    assert tags(container, ann) == ["b2b", "vip"] and tags(container, bob) == []
    assert [(link["how"], link["ended_at"] is None) for link in links(container, OTHER_VISITOR)] == [
        ("identify", False),
        ("operator_merge", True),
    ]
    timeline = client.get(f"/api/v1/customers/{ann}/timeline", headers=API).json()
    assert {o["id"] for o in timeline["orders"]} == {"o-ann", "o-bob"}
    assert len(timeline["sessions"]) == 3 and timeline["mergedCustomers"] == [bob]
    # while merged, Bob's e-mail resolves to Ann
    send_and_process(
        client,
        container,
        [event("n1", "identify", 900, properties={"email": "bob@example.com"})],
        visitor="2c3d4e5f60718293",
    )
    assert visitor_customer(container, "2c3d4e5f60718293") == ann

    assert client.post(f"/api/v1/customers/{ann}/merge", json={"other": bob}, headers=API).status_code == 409
    undone = client.post(f"/api/v1/merges/{merge['id']}/undo", headers=API)
    assert undone.status_code == 200, undone.text
    assert undone.json()["undoneAt"] is not None
    assert session_owners(container, OTHER_VISITOR) == [bob]
    assert visitor_customer(container, OTHER_VISITOR) == bob
    assert session_owners(container, VISITOR) == [ann, ann]
    assert tags(container, ann) == ["vip"] and tags(container, bob) == ["b2b"]
    assert [
        (link["how"], link["customer_id"], link["ended_at"] is None) for link in links(container, OTHER_VISITOR)
    ] == [("identify", bob, True)]
    bob_timeline = client.get(f"/api/v1/customers/{bob}/timeline", headers=API).json()
    assert [o["id"] for o in bob_timeline["orders"]] == ["o-bob"]
    assert client.post(f"/api/v1/merges/{merge['id']}/undo", headers=API).status_code == 409


def test_merge_refusals(client: TestClient, container: Container, seed_project: ProjectCredentials) -> None:
    ann, bob = two_customers(client, container)
    assert client.post(f"/api/v1/customers/{ann}/merge", json={"other": ann}, headers=API).status_code == 400
    assert client.post(f"/api/v1/customers/{ann}/merge", json={"other": 12345}, headers=API).status_code == 404
    assert client.post("/api/v1/merges/12345/undo", headers=API).status_code == 404
    _info, read_key = project_service.create_api_key(
        container.uow, seed_project.project, "reader", project_service.Scope.READ
    )
    refused = client.post(
        f"/api/v1/customers/{ann}/merge", json={"other": bob}, headers={"Authorization": f"Bearer {read_key}"}
    )
    assert refused.status_code == 403


def test_the_email_link_endpoint_signs_a_link_that_identifies_the_recipient(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    answer = client.post(
        "/api/v1/email-links",
        json={"email": "Reader@Example.com", "url": "https://shop.example/sale?utm_medium=email"},
        headers=API,
    )
    assert answer.status_code == 200, answer.text
    url = answer.json()["url"]
    query = parse_qs(urlsplit(url).query)
    assert query["utm_medium"] == ["email"]
    assert "reader" not in query["tb_r"][0]
    send_and_process(client, container, [event("m1", "email_link", 0, properties={"token": query["tb_r"][0]})])
    assert session_owners(container) == [customer_id(container, "reader@example.com")]
    bad = client.post("/api/v1/email-links", json={"email": "null", "url": "https://x.example/"}, headers=API)
    assert bad.status_code == 400
    bad_url = client.post("/api/v1/email-links", json={"email": "a@b.com", "url": "ftp://x"}, headers=API)
    assert bad_url.status_code == 400


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACKBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TRACKBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TRACKBRIDGE_SECRET_KEY", settings.secret_key or "")
    monkeypatch.setenv("COLUMNS", "300")
    runner, app = CliRunner(), build_cli()

    def invoke(*args: str, ok: bool = True) -> str:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result.output

    return invoke


def test_the_cli_makes_email_links_and_merges_and_unmerges(  # type: ignore[no-untyped-def]
    cli, client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    name = seed_project.project.name
    url = cli("email-link", "--project", name, "--email", "cli@example.com", "--url", "https://shop.example/x").strip()
    token = parse_qs(urlsplit(url).query)["tb_r"][0]
    assert cli("email-link", "--project", name, "--email", "cli@example.com").strip().startswith("tb_r=")
    send_and_process(client, container, [event("c1", "email_link", 0, properties={"token": token})])
    cli_customer = customer_id(container, "cli@example.com")
    assert session_owners(container) == [cli_customer]

    ann, bob = two_customers(client, container)
    output = cli("customer", "merge", "--project", name, str(ann), str(bob))
    found = re.search(r"merge (\d+): customer", output)
    assert found is not None, output
    merge_id = found[1]
    assert visitor_customer(container, OTHER_VISITOR) == ann
    assert "operator_merge" in [link["how"] for link in links(container, OTHER_VISITOR)]
    cli("customer", "unmerge", "--project", name, merge_id)
    assert visitor_customer(container, OTHER_VISITOR) == bob
    assert "already" in cli("customer", "unmerge", "--project", name, merge_id, ok=False)
    assert forms(container)[-1]["customer_id"] == ann
