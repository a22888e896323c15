"""Ometria and webhook connectors are set up through /api/v1/connectors and the CLI as docs/connectors/*.md show."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.support.signing import SEED_API_KEY
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.context import console
from trackbridge.entrypoints.cli.main import build_cli

AUTH = {"Authorization": f"Bearer {SEED_API_KEY}"}
KEY = "ometria-key-0123456789abcdef"


def test_an_ometria_account_is_added_with_seed_002s_defaults_and_its_key_hidden(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    body = {
        "kind": "ometria",
        "name": "ometria-eu",
        "credential": KEY,
        "settings": {"scope": "website", "scopeCode": "europe", "orderNamespace": "EU-"},
    }
    answer = client.post("/api/v1/connectors", json=body, headers=AUTH)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert KEY not in answer.text and created["credential"] == "…cdef"
    settings = created["settings"]
    assert (settings["scope"], settings["scopeCode"], settings["orderNamespace"]) == ("website", "europe", "EU-")
    assert (settings["schedule"], settings["maxRecordsPerRun"], settings["requestsPerSecond"]) == (
        "* * * * *",
        1000,
        4.0,
    )
    changed = client.patch(
        f"/api/v1/connectors/{created['id']}", json={"settings": {"currency": "both"}}, headers=AUTH
    ).json()
    assert (changed["settings"]["currency"], changed["settings"]["orderNamespace"]) == ("both", "EU-")


@pytest.mark.parametrize(
    ("kind", "given", "field"),
    [
        ("ometria", {"customerNamespace": "eu shop!"}, "customerNamespace"),
        ("ometria", {"requestsPerSecond": 10}, "requestsPerSecond"),
        ("webhook", {}, "url"),
    ],
)
def test_a_wrong_setting_is_refused_naming_it(
    client: TestClient, seed_project: ProjectCredentials, kind: str, given: dict[str, object], field: str
) -> None:
    body = {"kind": kind, "name": kind, "credential": KEY, "settings": given}
    answer = client.post("/api/v1/connectors", json=body, headers=AUTH)
    assert answer.status_code == 400
    assert field in answer.text


def test_the_cli_adds_an_ometria_account_and_a_webhook(
    container: Container, seed_project: ProjectCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 400)
    env = {
        "TRACKBRIDGE_DATABASE_URL": container.settings.resolved_database_url,
        "TRACKBRIDGE_DATA_DIR": str(container.settings.data_dir),
    }
    cli, runner = build_cli(), CliRunner()
    project = ["--project", "seed shop"]
    ometria = ["connectors", "add", "ometria", *project, "--api-key", KEY, "--setting", "validStatuses=complete,paid"]
    added = runner.invoke(
        cli, [*ometria, "--setting", "productIdFrom=sku", "--url", "https://eu.ometria.example"], env=env
    )
    assert added.exit_code == 0, added.output
    hook = ["connectors", "add", "webhook", *project, "--url", "https://hooks.example.com/tb", "--secret", KEY]
    assert runner.invoke(cli, hook, env=env).exit_code == 0
    listed = runner.invoke(cli, ["connectors", "list", *project], env=env)
    assert "ometria" in listed.output and "webhook" in listed.output and KEY not in listed.output
    bad = runner.invoke(cli, [*ometria[:-2], "--name", "x", "--setting", "orderNamespace=a/b"], env=env)
    assert bad.exit_code == 1 and "orderNamespace" in bad.output
