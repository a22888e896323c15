"""The settings pages: credentials (the secret for admins only, rotatable), API keys shown once and revocable, the
tracker snippet, lookup and status mappings, connectors and dead letters."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.integration.web_signing import sign_in_as
from trackbridge.domain.credentials import Scope
from trackbridge.domain.outbound import ConnectorKind, NewJob
from trackbridge.domain.users import Role
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import connectors as connector_service
from trackbridge.services import lookups, order_settings
from trackbridge.services import projects as project_service
from trackbridge.services.outbox import enqueue, utc_now


def _secret_on(page: str) -> str | None:
    found = re.search(r'id="signing-secret">([^<]+)<', page)
    return found.group(1) if found else None


def test_an_admin_reveals_and_rotates_the_signing_secret_and_the_token(
    client: TestClient, container: Container
) -> None:
    created = project_service.create_project(container.uow, container.box, "shop", secret="first-secret-123")
    csrf = sign_in_as(client, container, "admin@example.com")

    hidden = client.get("/p/shop/settings").text
    revealed = client.get("/p/shop/settings?reveal=true").text
    rotated = client.post("/p/shop/settings/rotate-secret", data={"csrf_token": csrf}, follow_redirects=True)
    forged = client.post("/p/shop/settings/rotate-secret", data={"csrf_token": "not-it"})
    token_rotated = client.post("/p/shop/settings/rotate-token", data={"csrf_token": csrf}, follow_redirects=True)

    assert "first-secret-123" not in hidden and created.project.token in hidden
    assert f"/tracker.js?token={created.project.token}" in hidden and "copy-snippet" in hidden
    assert _secret_on(revealed) == "first-secret-123"
    new_secret = _secret_on(rotated.text)
    assert rotated.status_code == 200 and new_secret not in (None, "first-secret-123")
    assert project_service.signing_secret(container.uow, container.box, created.project) == new_secret
    assert forged.status_code == 403
    assert project_service.signing_secret(container.uow, container.box, created.project) == new_secret
    token = project_service.get_project(container.uow, "shop").token
    assert token != created.project.token and f"/tracker.js?token={token}" in token_rotated.text


def test_a_viewer_sees_the_token_but_never_the_secret_and_cannot_rotate(
    client: TestClient, container: Container
) -> None:
    created = project_service.create_project(container.uow, container.box, "shop", secret="viewer-cannot-see")
    csrf = sign_in_as(client, container, "viewer@example.com", role=Role.VIEWER, project="shop")

    page = client.get("/p/shop/settings?reveal=true").text
    refused = client.post("/p/shop/settings/rotate-secret", data={"csrf_token": csrf})

    assert created.project.token in page and "viewer-cannot-see" not in page and "rotate-secret" not in page
    assert refused.status_code == 403
    assert project_service.signing_secret(container.uow, container.box, created.project) == "viewer-cannot-see"


def test_a_new_api_key_is_shown_once_works_and_can_be_revoked(client: TestClient, container: Container) -> None:
    project = project_service.create_project(container.uow, container.box, "shop").project
    csrf = sign_in_as(client, container, "admin@example.com")

    created = client.post("/p/shop/settings/api-keys", data={"csrf_token": csrf, "name": "backend", "scope": "read"})
    key = re.search(r'id="new-api-key">([^<]+)<', created.text)
    assert created.status_code == 200 and key is not None
    assert project_service.authenticate_api_key(container.uow, key.group(1), Scope.READ)[0].id == project.id
    assert key.group(1) not in client.get("/p/shop/settings").text
    key_id = next(k.id for k in project_service.list_api_keys(container.uow, project) if k.name == "backend")

    revoked = client.post(
        f"/p/shop/settings/api-keys/{key_id}/revoke", data={"csrf_token": csrf}, follow_redirects=True
    )

    assert revoked.status_code == 200 and "was revoked" in revoked.text
    listed = project_service.list_api_keys(container.uow, project)
    assert next(k for k in listed if k.id == key_id).revoked_at is not None
    unnamed = client.post("/p/shop/settings/api-keys", data={"csrf_token": csrf, "name": " ", "scope": "read"})
    assert unnamed.status_code == 400 and "Give the key a name" in unnamed.text


def test_lookup_and_status_mappings_are_edited_as_lines(client: TestClient, container: Container) -> None:
    project = project_service.create_project(container.uow, container.box, "shop").project
    csrf = sign_in_as(client, container, "admin@example.com")

    saved = client.post(
        "/p/shop/settings/mappings/lead_source",
        data={"csrf_token": csrf, "text": "utm_source | fb | Facebook\n# a comment\nutm_campaign | x1 | Spring"},
        follow_redirects=True,
    )
    statuses = client.post(
        "/p/shop/settings/mappings/statuses",
        data={"csrf_token": csrf, "text": "awaiting_pickup = paid"},
        follow_redirects=True,
    )
    wrong = client.post("/p/shop/settings/mappings/channel", data={"csrf_token": csrf, "text": "utm_source | a | b"})
    malformed = client.post("/p/shop/settings/mappings/statuses", data={"csrf_token": csrf, "text": "no equals"})

    assert saved.status_code == 200 and "utm_source | fb | Facebook" in saved.text
    assert lookups.get_mappings(container.uow, project, lookups.LookupKind.LEAD_SOURCE) == {
        ("utm_source", "fb"): "Facebook",
        ("utm_campaign", "x1"): "Spring",
    }
    assert statuses.status_code == 200 and "awaiting_pickup = PAID" in statuses.text
    assert dict(order_settings.get_settings(container.uow, project).status_mapping) == {"awaiting_pickup": "PAID"}
    assert wrong.status_code == 400 and "utm_medium" in wrong.text and "utm_source | a | b" in wrong.text
    assert malformed.status_code == 400 and "line 1" in malformed.text
    assert lookups.get_mappings(container.uow, project, lookups.LookupKind.CHANNEL) == {}


def test_connectors_logs_and_dead_letters_render_and_dead_letters_can_be_retried(
    client: TestClient, container: Container
) -> None:
    project = project_service.create_project(container.uow, container.box, "shop").project
    csrf = sign_in_as(client, container, "admin@example.com")
    assert "no-connectors" in client.get("/p/shop/settings/connectors").text
    assert "no-dead-letters" in client.get("/p/shop/settings/dead-letters").text
    connector = connector_service.add_connector(
        container.uow, container.box, project, ConnectorKind.WEBHOOK, "hook", {}, None, parser=lambda raw, _c: raw
    )
    with container.uow.transaction() as tx:
        job = NewJob(project_id=project.id, kind="webhook.test", subject="order 1", connector_id=connector.id)
        job_id = enqueue(tx, job, utc_now())
        assert job_id is not None
        tx.outbox.bury(job_id, "the platform refused the record", utc_now())

    listed = client.get("/p/shop/settings/connectors").text
    logs = client.get(f"/p/shop/settings/connectors/{connector.id}")
    dead = client.get("/p/shop/settings/dead-letters").text
    retried = client.post(
        "/p/shop/settings/dead-letters/retry", data={"csrf_token": csrf, "job": str(job_id)}, follow_redirects=True
    )

    assert "hook" in listed and "webhook" in listed
    assert logs.status_code == 200 and "Request log" in logs.text and "Error log" in logs.text
    assert "the platform refused the record" in dead and "order 1" in dead
    assert retried.status_code == 200 and "1 job put back" in retried.text and "no-dead-letters" in retried.text
