"""The operator's CLI: projects, credentials and API keys."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from trackbridge.config import Settings
from trackbridge.entrypoints.cli.main import build_cli


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACKBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TRACKBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TRACKBRIDGE_SECRET_KEY", "cli-test-server-key-0123456789")
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    cli = build_cli()

    def invoke(*args: str) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    def fails(*args: str) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code != 0, result.output
        return result.output

    invoke.fails = fails  # type: ignore[attr-defined]
    return invoke


def test_project_create_prints_every_credential_and_list_shows_it(run) -> None:  # type: ignore[no-untyped-def]
    run("migrate")
    output = run("project", "create", "shop", "--token", "sh0p-t0k3n", "--secret", "m3trilo-secr3t")
    assert "sh0p-t0k3n" in output and "m3trilo-secr3t" in output
    assert re.search(r"site id\s+│\s+1", output)
    assert re.search(r"tbk_\S+", output)
    listed = run("project", "list")
    assert "shop" in listed and "sh0p-t0k3n" in listed
    shown = run("project", "show", "shop")
    assert "m3trilo-secr3t" in shown and "tbk_" not in shown
    assert "exists already" in run.fails("project", "create", "shop")


def test_apikey_create_list_revoke(run) -> None:  # type: ignore[no-untyped-def]
    run("migrate")
    run("project", "create", "shop")
    created = run("apikey", "create", "--project", "shop", "--name", "reports", "--scope", "read")
    key = re.search(r"(tbk_\S+)", created)
    assert key is not None
    listed = run("apikey", "list", "--project", "shop")
    assert "reports" in listed and key.group(1) not in listed
    key_id = re.search(r"API key (\d+)", created)
    assert key_id is not None
    assert "revoked" in run("apikey", "revoke", "--project", "shop", key_id.group(1))
    assert "no active API key" in run.fails("apikey", "revoke", "--project", "shop", key_id.group(1))


def test_rotate_and_settings(run) -> None:  # type: ignore[no-untyped-def]
    run("migrate")
    run("project", "create", "shop", "--secret", "old-secret-123")
    assert "new signing secret" in run("project", "rotate-secret", "shop")
    assert "new token: tok-2" in run("project", "rotate-token", "shop", "--token", "tok-2")
    output = run("project", "set", "shop", "--timezone", "Europe/Berlin", "--currency", "eur", "--replay-window", "300")
    assert "Europe/Berlin" in output and "EUR" in output and "300 s" in output
    assert "replay window off" in run("project", "set", "shop", "--replay-window", "0")
    assert "not a known IANA time zone" in run.fails("project", "set", "shop", "--timezone", "Nowhere/City")
