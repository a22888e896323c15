"""`trackbridge matomo push` backfills orders from before the connector or pushes one order, and `trackbridge jobs
retry` delivers the ones that landed in the dead letters once the cause is fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.integration.matomo_push_support import add_catalogue, add_matomo, order, order_json, signed
from tests.support.cli import run_cli
from tests.support.fake_matomo import TOKEN, FakeMatomo
from trackbridge.adapters.connectors.matomo.settings import parse_settings
from trackbridge.config import Settings
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import connectors


@pytest.fixture
def fake() -> FakeMatomo:
    return FakeMatomo(visits=[])


def _cli(settings: Settings, *args: str, env: dict[str, str] | None = None) -> str:
    return run_cli(settings, *args, never_shows=TOKEN, env=env)


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


def test_unreachable_matomo_fills_dead_letters_and_jobs_retry_delivers_once_it_is_back(
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
    signed(client, "/v2/order", order("DOWN-1", placed=now - timedelta(days=400)))
    fake.fault("503")  # every request, until cleared
    quick = {"TRACKBRIDGE_OUTBOX_MAX_ATTEMPTS": "3", "TRACKBRIDGE_OUTBOX_BACKOFF_SECONDS": "0"}

    _cli(settings, "matomo", "push", "--project", "seed shop", "--order", "DOWN-1", env=quick)
    dead = _cli(settings, "jobs", "dead", "--project", "seed shop")
    assert "DOWN-1" in dead
    assert "gave up after 3 tries" in dead
    assert "503" in dead
    assert len(fake.tracking_requests()) == 3
    assert fake.orders == {}

    fake.clear_faults()
    retried = _cli(settings, "jobs", "retry", "--project", "seed shop")
    assert "1 dead jobs back in the queue" in retried
    assert "0 dead" in retried
    assert list(fake.orders) == [(1, "DOWN-1")]
    assert order_json(client, "DOWN-1")["matomo"][0]["tracked"] is True
