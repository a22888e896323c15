"""/api/v1/connectors and /api/v1/jobs through the HTTP app, and the CLI's connectors and jobs commands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.support.signing import SEED_API_KEY
from trackbridge.domain.outbound import NewJob
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.context import console
from trackbridge.entrypoints.cli.main import build_cli
from trackbridge.services import outbox

AUTH = {"Authorization": f"Bearer {SEED_API_KEY}"}
TOKEN = "matomo-token-abcdef0123456789"


def _add(client: TestClient, **extra: object) -> dict[str, object]:
    body = {
        "kind": "matomo",
        "name": "matomo",
        "settings": {"url": "https://matomo.example.com/index.php", "siteId": 3},
        "credential": TOKEN,
        **extra,
    }
    response = client.post("/api/v1/connectors", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def test_connector_is_added_with_defaults_and_never_shows_its_token(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    created = _add(client)
    assert created["settings"] == {
        "url": "https://matomo.example.com",
        "siteId": 3,
        "schedule": "0 2 * * *",
        "lookbackDays": 365,
        "skipStatuses": ["cancelled", "failed", "pending", "refunded"],
        "userIdFrom": "id",
        "importVisits": True,
        "pushOrders": True,
        "pushCarts": True,
        "pushMatomoCartHits": True,
        "pageSize": 100,
    }
    assert created["credential"] == "…6789"
    listed = client.get("/api/v1/connectors", headers=AUTH)
    assert TOKEN not in listed.text
    assert listed.json()["items"][0]["jobs"] == {"pending": 0, "running": 0, "done": 0, "dead": 0}


def test_bad_connector_settings_answer_400_naming_the_field(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    cases = [
        ({"kind": "nope", "name": "x"}, "kind"),
        ({"kind": "matomo", "name": "x", "settings": {"siteId": 1}}, "url"),
        ({"kind": "matomo", "name": "x", "settings": {"url": "ftp://m", "siteId": 1}}, "url"),
        ({"kind": "matomo", "name": "x", "settings": {"url": "https://m", "siteId": "a"}}, "siteId"),
        (
            {"kind": "matomo", "name": "x", "settings": {"url": "https://m", "siteId": 1, "schedule": "daily"}},
            "schedule",
        ),
        ({"kind": "matomo", "name": "x", "settings": {"url": "https://m", "siteId": 1, "colour": 1}}, "settings"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/connectors", json=body, headers=AUTH)
        assert response.status_code == 400, (body, response.text)
        assert field in response.text
    _add(client)
    assert (
        client.post(
            "/api/v1/connectors",
            json={"kind": "matomo", "name": "matomo", "settings": {"url": "https://m", "siteId": 1}},
            headers=AUTH,
        ).status_code
        == 409
    )


def test_connector_change_logs_and_dead_letters_through_the_api(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    created = _add(client)
    connector_id = int(str(created["id"]))
    changed = client.patch(
        f"/api/v1/connectors/{connector_id}", json={"enabled": False, "settings": {"lookbackDays": 30}}, headers=AUTH
    )
    assert changed.status_code == 200
    assert changed.json()["enabled"] is False
    assert changed.json()["settings"]["lookbackDays"] == 30
    assert changed.json()["settings"]["siteId"] == 3
    now = datetime.now(UTC)
    with container.uow.transaction() as tx:
        job_id = outbox.enqueue(
            tx, NewJob(project_id=seed_project.project.id, connector_id=connector_id, kind="x", subject="o-9"), now
        )
        assert job_id is not None
        tx.outbox.bury(job_id, "Matomo refused order o-9", now)
    dead = client.get("/api/v1/jobs/dead", headers=AUTH).json()["items"]
    assert [(j["subject"], j["lastError"]) for j in dead] == [("o-9", "Matomo refused order o-9")]
    assert client.post("/api/v1/jobs/retry", json={"connectorId": connector_id}, headers=AUTH).json() == {"retried": 1}
    assert client.get("/api/v1/jobs/dead", headers=AUTH).json()["items"] == []
    assert client.get(f"/api/v1/connectors/{connector_id}/requests", headers=AUTH).json() == {"items": [], "next": None}
    assert client.get(f"/api/v1/connectors/{connector_id}/errors", headers=AUTH).status_code == 200
    assert client.get("/api/v1/connectors/999999", headers=AUTH).status_code == 404
    assert client.delete(f"/api/v1/connectors/{connector_id}", headers=AUTH).status_code == 204
    assert client.get("/api/v1/connectors", headers=AUTH).json()["items"] == []


def test_cli_adds_lists_and_retries(
    container: Container, seed_project: ProjectCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "_width", 400)  # the private field: restoring "width" would pin it
    runner = CliRunner()
    env = {
        "TRACKBRIDGE_DATABASE_URL": container.settings.resolved_database_url,
        "TRACKBRIDGE_DATA_DIR": str(container.settings.data_dir),
    }
    cli = build_cli()
    added = runner.invoke(
        cli,
        [
            "connectors",
            "add",
            "matomo",
            "--project",
            "seed shop",
            "--url",
            "https://m.example.com",
            "--site-id",
            "2",
            "--token",
            TOKEN,
        ],
        env=env,
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["connectors", "list", "--project", "seed shop"], env=env)
    assert listed.exit_code == 0
    assert "m.example.com" in listed.output
    assert TOKEN not in listed.output
    status = runner.invoke(cli, ["connectors", "status"], env=env)
    assert "matomo" in status.output
    retried = runner.invoke(cli, ["jobs", "retry", "--no-run"], env=env)
    assert retried.exit_code == 0
    assert "0 dead jobs back in the queue" in retried.output
    bad = runner.invoke(cli, ["connectors", "add", "matomo", "--project", "seed shop", "--site-id", "2"], env=env)
    assert bad.exit_code == 1
