"""`trackbridge matomo push` backfills orders from before the connector or pushes one order, and `trackbridge jobs
retry` delivers the ones that landed in the dead letters once the cause is fixed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.integration.matomo_push_support import add_catalogue, add_matomo, order, order_json, signed
from tests.support.fake_matomo import TOKEN, FakeMatomo
from trackbridge.adapters.connectors.matomo.settings import parse_settings
from trackbridge.config import Settings
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.main import build_cli
from trackbridge.services import connectors


@pytest.fixture
def fake() -> FakeMatomo:
    return FakeMatomo(visits=[])


@pytest.fixture
def matomo_url(fake: FakeMatomo) -> Iterator[str]:
    with fake.serve() as url:
        yield url


def _cli(settings: Settings, *args: str) -> str:
    env = {
        "TRACKBRIDGE_DATABASE_URL": settings.resolved_database_url,
        "TRACKBRIDGE_DATA_DIR": str(settings.data_dir),
        "TRACKBRIDGE_SECRET_KEY": "test-server-key-not-for-production",
        "COLUMNS": "200",
    }
    result = CliRunner().invoke(build_cli(), list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    return result.output


def test_backfill_pushes_orders_from_a_date_and_jobs_retry_delivers_refused_ones_once_fixed(
    client: TestClient,
    container: Container,
    settings: Settings,
    seed_project: ProjectCredentials,
    fake: FakeMatomo,
    matomo_url: str,
) -> None:
    now = datetime.now(UTC)
    connector = add_matomo(container, seed_project, matomo_url, enabled_at=now - timedelta(hours=1), siteId=7)
    add_catalogue(client)
    signed(client, "/v2/order", order("OLD-1", placed=now - timedelta(days=3)))
    signed(client, "/v2/order", order("OLD-2", placed=now - timedelta(days=40)))
    assert fake.tracking_requests() == []  # placed before the connector was switched on

    since = (now - timedelta(days=7)).date().isoformat()
    assert "1 order(s) queued" in _cli(settings, "matomo", "push", "--project", "seed shop", "--since", since)
    assert fake.orders == {}  # Matomo has no site 7
    assert "refused order 'OLD-1'" in _cli(settings, "jobs", "dead")

    connectors.update_connector(
        container.uow, container.box, seed_project.project, connector.id, parse_settings, raw_settings={"siteId": 1}
    )
    retried = _cli(settings, "jobs", "retry", "--project", "seed shop")
    assert "dead jobs back in the queue" in retried
    assert list(fake.orders) == [(1, "OLD-1")]
    assert order_json(client, "OLD-1")["matomo"][0]["tracked"] is True
    assert order_json(client, "OLD-2")["matomo"] == []


def test_push_of_one_order_sends_it_whatever_its_date(
    client: TestClient,
    container: Container,
    settings: Settings,
    seed_project: ProjectCredentials,
    fake: FakeMatomo,
    matomo_url: str,
) -> None:
    now = datetime.now(UTC)
    add_matomo(container, seed_project, matomo_url, enabled_at=now - timedelta(hours=1))
    add_catalogue(client)
    signed(client, "/v2/order", order("OLD-9", placed=now - timedelta(days=400)))

    assert "1 order(s) queued" in _cli(settings, "matomo", "push", "--project", "seed shop", "--order", "OLD-9")
    assert list(fake.orders) == [(1, "OLD-9")]
    assert "0 order(s) queued" in _cli(settings, "matomo", "push", "--project", "seed shop", "--order", "OLD-9")
    assert len(fake.tracking_requests()) == 1
