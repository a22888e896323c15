"""The export through the API (/api/v1/exports/{id}/historical, /reexport, /status) and the CLI (trackbridge export
historical --wait, reexport, status)."""

from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.support import export_shop as shop
from tests.support.fake_ometria import running_fake_ometria
from tests.support.signing import SEED_API_KEY
from trackbridge.config import Settings
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.main import build_cli
from trackbridge.services import projects as project_service

AUTH = {"Authorization": f"Bearer {SEED_API_KEY}"}
UNUSED_URL = "http://127.0.0.1:9"


def test_the_api_queues_a_historical_export_and_a_reexport_and_tells_what_waits(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    project = project_service.get_project(container.uow, "seed shop")
    shop.add_customers(container, project, 2)
    shop.add_products(container, project, 3)
    shop.add_orders(container, project, [shop.order(n, customers=2, products=3) for n in range(4)])
    connector = shop.add_ometria(container, project, UNUSED_URL)

    answer = client.post(f"/api/v1/exports/{connector.id}/historical", json={}, headers=AUTH)
    assert answer.status_code == 202, answer.text
    status = answer.json()
    assert status["waiting"] == {
        "customer": {"live": 0, "historical": 2},
        "product": {"live": 0, "historical": 3},
        "order": {"live": 0, "historical": 4},
    }
    assert status["total"] == 9
    assert status["historical"]["state"] == "queued"
    assert status["historical"]["totals"] == {"customer": 2, "product": 3, "order": 4}

    shop.add_orders(container, project, [shop.order(1, customers=2, products=3, status="complete")])
    now = client.get(f"/api/v1/exports/{connector.id}/status", headers=AUTH).json()
    assert now["waiting"]["order"] == {"live": 1, "historical": 3}

    again = client.post(f"/api/v1/exports/{connector.id}/reexport", json={"entity": "order"}, headers=AUTH)
    assert again.status_code == 202
    assert again.json()["historical"]["entities"] == ["order"]
    assert again.json()["total"] == 9, "nothing waiting is queued twice"


def test_the_api_refuses_an_unknown_entity_and_a_connector_of_another_project(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    mine = shop.add_ometria(container, project_service.get_project(container.uow, "seed shop"), UNUSED_URL)
    theirs = shop.add_ometria(container, shop.project(container, "other shop"), UNUSED_URL)
    bad = client.post(f"/api/v1/exports/{mine.id}/reexport", json={"entity": "invoice"}, headers=AUTH)
    assert bad.status_code == 400 and "invoice" in bad.text
    assert client.get(f"/api/v1/exports/{theirs.id}/status", headers=AUTH).status_code == 404
    assert client.get(f"/api/v1/exports/{mine.id}/status").status_code == 401


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TRACKBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TRACKBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TRACKBRIDGE_SECRET_KEY", "test-server-key-not-for-production")
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_the_cli_exports_everything_waits_until_sent_and_shows_the_empty_queue(
    container: Container, cli: CliRunner
) -> None:
    with running_fake_ometria() as fake:
        project = shop.project(container)
        shop.add_customers(container, project, 3)
        shop.add_products(container, project, 2)
        shop.add_orders(container, project, [shop.order(n, customers=3, products=2) for n in range(150)])
        shop.add_ometria(container, project, fake.url, name="om")
        app = build_cli()

        done = cli.invoke(app, ["export", "historical", "-p", "shop", "-d", "om", "--wait"], catch_exceptions=False)
        assert done.exit_code == 0, done.output
        assert "queue empty: every record sent" in done.output
        assert len(fake.records(type_="order")) == 150 and fake.violations == []

        again = cli.invoke(app, ["export", "reexport", "-p", "shop", "-d", "om", "-e", "product"])
        assert again.exit_code == 0, again.output
        status = cli.invoke(app, ["export", "status", "-p", "shop", "--json"], catch_exceptions=False)
        [om] = orjson.loads(status.output)
        assert om["waiting"]["product"] == {"live": 0, "historical": 2} and om["total"] == 2
        table = cli.invoke(app, ["export", "status"], catch_exceptions=False).output
        assert "om (ometria)" in table and "product" in table

        wrong = cli.invoke(app, ["export", "reexport", "-p", "shop", "-d", "om", "-e", "invoice"])
        assert wrong.exit_code == 1 and "unknown entity 'invoice'" in wrong.output
