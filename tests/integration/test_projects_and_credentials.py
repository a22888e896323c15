"""Projects are isolated; each credential rotates without breaking the others; API keys are scoped and revocable."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.support.signing import SEED_API_KEY, envelope, signed_headers
from trackbridge.domain.credentials import Scope
from trackbridge.domain.errors import Conflict, InvalidInput
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import projects as service


def post(
    client: TestClient,
    path: str,
    params: object,
    *,
    token: str = "sh0p-t0k3n",
    secret: str = "m3trilo-secr3t",
    when: int = 1518004715732,
) -> int:
    body = envelope(params, token=token, time=when)
    return client.post(path, content=body, headers=signed_headers(body, secret)).status_code


def test_projects_are_isolated(client: TestClient, container: Container, seed_project: ProjectCredentials) -> None:
    other = service.create_project(container.uow, container.box, "other shop")
    assert other.project.site_id == seed_project.project.site_id + 1
    assert post(client, "/v2/customer", {"email": "a@example.com", "createdAt": 1}) == 200
    # The other project's key sees nothing of the seed project.
    other_auth = {"Authorization": f"Bearer {other.api_key}"}
    assert client.get("/api/v1/customers", params={"email": "a@example.com"}, headers=other_auth).json()["items"] == []
    # The seed project's token signed with the other project's secret is refused.
    assert post(client, "/v2/customer", {"email": "b@example.com", "createdAt": 1}, secret=other.signing_secret) == 403
    # The same e-mail may exist in both projects.
    assert (
        post(
            client,
            "/v2/customer",
            {"email": "a@example.com", "createdAt": 1},
            token=other.project.token,
            secret=other.signing_secret,
        )
        == 200
    )
    assert (
        len(client.get("/api/v1/customers", params={"email": "a@example.com"}, headers=other_auth).json()["items"]) == 1
    )


def test_rotating_the_secret_keeps_token_and_keys(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    new_secret = service.rotate_secret(container.uow, container.box, seed_project.project)
    assert post(client, "/v2/customer", {"email": "a@example.com", "createdAt": 1}) == 403
    assert post(client, "/v2/customer", {"email": "a@example.com", "createdAt": 1}, secret=new_secret) == 200
    assert client.get("/api/v1/customers", headers={"Authorization": f"Bearer {SEED_API_KEY}"}).status_code == 200


def test_rotating_the_token_keeps_secret_and_keys(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    project = service.rotate_token(container.uow, seed_project.project, "new-t0k3n")
    assert project.token == "new-t0k3n"
    assert post(client, "/v2/customer", {"email": "a@example.com", "createdAt": 1}) == 401
    assert post(client, "/v2/customer", {"email": "a@example.com", "createdAt": 1}, token="new-t0k3n") == 200
    assert client.get("/api/v1/customers", headers={"Authorization": f"Bearer {SEED_API_KEY}"}).status_code == 200


def test_api_keys_are_scoped_listed_and_revocable(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    info, plain = service.create_api_key(container.uow, seed_project.project, "reporting", Scope.READ)
    assert plain.startswith("tbk_")
    keys = service.list_api_keys(container.uow, seed_project.project)
    assert [k.name for k in keys] == ["first key", "reporting"]
    assert all(plain not in repr(k) for k in keys), "only a prefix and a hash are stored"
    auth = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/customers", headers=auth).status_code == 200
    assert service.authenticate_api_key(container.uow, plain, Scope.READ)[0].id == seed_project.project.id
    with pytest.raises(Exception, match="read-only"):
        service.authenticate_api_key(container.uow, plain, Scope.WRITE)
    service.revoke_api_key(container.uow, seed_project.project, info.id)
    assert client.get("/api/v1/customers", headers=auth).status_code == 401
    assert client.get("/api/v1/customers", headers={"Authorization": f"Bearer {SEED_API_KEY}"}).status_code == 200


def test_read_api_refuses_missing_and_wrong_keys(client: TestClient, seed_project: ProjectCredentials) -> None:
    assert client.get("/api/v1/customers").status_code == 401
    assert client.get("/api/v1/customers", headers={"Authorization": "Bearer tbk_wrong"}).status_code == 401
    assert client.get("/api/v1/customers", headers={"Authorization": "Basic abc"}).status_code == 401
    auth = {"Authorization": f"Bearer {SEED_API_KEY}"}
    assert client.get("/api/v1/customers/999", headers=auth).status_code == 404
    assert client.get("/api/v1/orders/nope", headers=auth).status_code == 404
    assert client.get("/api/v1/products/nope", headers=auth).status_code == 404
    assert client.get("/api/v1/customers", params={"email": "nonsense"}, headers=auth).status_code == 400
    assert client.get("/api/v1/customers", params={"limit": 0}, headers=auth).status_code == 400
    assert client.get("/api/v1/customers", params={"cursor": "x"}, headers=auth).status_code == 400
    assert client.get("/api/v1/customers/abc", headers=auth).status_code == 400


def test_customer_list_pages_with_a_cursor(client: TestClient, seed_project: ProjectCredentials) -> None:
    batch = [{"email": f"c{i}@example.com", "createdAt": 1} for i in range(7)]
    body = envelope(batch=batch)
    assert client.post("/v2/customer/batch", content=body, headers=signed_headers(body)).status_code == 200
    auth = {"Authorization": f"Bearer {SEED_API_KEY}"}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/customers", params=params, headers=auth).json()
        seen += [c["email"] for c in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(c["email"] for c in batch)


def test_replay_window_refuses_old_and_repeated_calls(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    assert post(client, "/v2/customer/tag", {"email": "a@example.com", "tags": ["x"]}) == 200, "off by default"
    service.update_settings(container.uow, seed_project.project, replay_window_seconds=300)
    now = int(time.time() * 1000)
    assert post(client, "/v2/customer/tag", {"email": "a@example.com", "tags": ["x"]}) == 400
    params = {"email": "a@example.com", "tags": ["x"]}
    assert post(client, "/v2/customer/tag", params, when=now) == 200
    assert post(client, "/v2/customer/tag", params, when=now) == 409
    # The seed's tag and untag bodies are identical: the path tells them apart.
    assert post(client, "/v2/customer/untag", params, when=now) == 200


def test_project_settings_are_checked(container: Container, seed_project: ProjectCredentials) -> None:
    with pytest.raises(InvalidInput):
        service.update_settings(container.uow, seed_project.project, timezone="Mars/Olympus")
    with pytest.raises(InvalidInput):
        service.update_settings(container.uow, seed_project.project, base_currency="EURO")
    with pytest.raises(Conflict):
        service.create_project(container.uow, container.box, "seed shop")
    with pytest.raises(Conflict):
        service.create_project(container.uow, container.box, "another", token="sh0p-t0k3n")
    project = service.update_settings(container.uow, seed_project.project, timezone="Europe/Paris", base_currency="eur")
    assert (project.timezone, project.base_currency) == ("Europe/Paris", "EUR")


def test_signing_secret_is_stored_encrypted(container: Container, seed_project: ProjectCredentials) -> None:
    with container.uow.read() as tx:
        stored = tx.projects.secret_ciphertext(seed_project.project.id)
    assert "m3trilo-secr3t" not in stored
    assert service.signing_secret(container.uow, container.box, seed_project.project) == "m3trilo-secr3t"
