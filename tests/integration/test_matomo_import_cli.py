"""`trackbridge matomo import` imports identified customers' visits now, with progress, all of them or one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.integration.identity_support import customer_id, send
from tests.integration.matomo_import_support import add_matomo, later_than_now, rows
from tests.support.cli import run_cli
from tests.support.fake_matomo import TOKEN, FakeMatomo
from trackbridge.adapters.db.tracking_tables import sessions
from trackbridge.config import Settings
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.worker import drain

VISITOR = "b3dd2f8741405f42"


@pytest.fixture
def fake() -> FakeMatomo:
    return FakeMatomo()


def _cli(settings: Settings, *args: str, code: int = 0) -> str:
    return run_cli(settings, *args, code=code, never_shows=TOKEN)


def identify(client: TestClient, container: Container, email: str, visitor: str) -> int:
    moment = int(datetime(2026, 11, 23, 10, tzinfo=UTC).timestamp() * 1000)
    send(
        client,
        [{"id": f"i-{visitor}", "type": "identify", "time": moment, "properties": {"email": email}}],
        visitor=visitor,
    )
    drain(container)
    found = customer_id(container, email)
    assert found is not None
    return found


def test_matomo_import_imports_every_identified_customer_or_the_one_asked_for(
    client: TestClient,
    container: Container,
    settings: Settings,
    seed_project: ProjectCredentials,
    fake: FakeMatomo,
    matomo_url: str,
) -> None:
    add_matomo(container, seed_project.project, later_than_now(), url=matomo_url)
    lead = identify(client, container, "lead@example.com", VISITOR)
    other = identify(client, container, "other@example.com", "fedcba9876543210")  # visits 2 and 3 of day 1

    output = _cli(settings, "matomo", "import", "--project", "seed shop", "--customer", str(lead))
    assert "1 done" in output
    imported = rows(container, sessions.select().where(sessions.c.origin == "matomo_import"))
    assert [(s["customer_id"], s["visitor_id"]) for s in imported] == [(lead, VISITOR)]

    output = _cli(settings, "matomo", "import")
    assert "3 done" in output
    imported = rows(container, sessions.select().where(sessions.c.origin == "matomo_import"))
    assert sorted(s["customer_id"] for s in imported) == sorted([lead, other, other])
    assert {r.params["idSite"] for r in fake.api_requests()} == {"1"}

    assert "no customer 999999" in _cli(settings, "matomo", "import", "--customer", "999999", code=1)
