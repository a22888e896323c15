"""When Matomo is down, slow, busy or refuses the token: retries with backoff, dead letters that a retry delivers, a
failing connector that stops calling, and never the token in a log line, the request log or the order."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.integration.matomo_push_support import (
    Clock,
    add_catalogue,
    add_matomo,
    job_counts,
    order,
    order_json,
    run_jobs,
    signed,
)
from tests.support.fake_matomo import TOKEN, FakeMatomo
from trackbridge.domain.outbound import ConnectorState
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import matomo_push, outbox

MATOMO = "https://matomo.example.com"


@pytest.fixture
def fake(container: Container) -> FakeMatomo:
    fake = FakeMatomo(visits=[])
    container.http_transport = fake.transport()
    return fake


def _push_jobs(container: Container, connector_id: int) -> list[str]:
    with container.uow.read() as tx:
        return [
            job.last_error or "" for job in tx.outbox.dead(None, connector_id, 50) if job.kind == matomo_push.ORDER_JOB
        ]


def test_unreachable_matomo_retries_then_dead_letters_and_a_retry_delivers_once_it_is_back(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo
) -> None:
    connector = add_matomo(container, seed_project, MATOMO)
    add_catalogue(client)
    signed(client, "/v2/order", order())
    fake.fault("503")
    clock = Clock()
    attempts = container.outbox_policy.max_attempts
    for _ in range(attempts):
        run_jobs(container, clock)
        clock.advance(hours=2)
    assert len(fake.tracking_requests()) == attempts
    (reason,) = _push_jobs(container, connector.id)
    assert reason == f"gave up after {attempts} tries: Matomo Tracking API answered 503"
    assert order_json(client, "ORDER-1")["matomo"][0]["tracked"] is False

    fake.clear_faults()
    assert outbox.revive_dead_jobs(container.uow, connector_id=connector.id, clock=clock) >= 1
    run_jobs(container, clock)
    assert list(fake.orders) == [(1, "ORDER-1")]
    assert _push_jobs(container, connector.id) == []
    (pushed,) = order_json(client, "ORDER-1")["matomo"]
    assert pushed["tracked"] is True
    assert pushed["lastFailure"] is None


def test_time_outs_and_429_are_retried_honouring_retry_after(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo
) -> None:
    connector = add_matomo(container, seed_project, MATOMO)
    add_catalogue(client)
    signed(client, "/v2/order", order())
    fake.fault("slow", times=1, endpoint="tracking")
    fake.fault("429", times=1, endpoint="tracking", retry_after=900)
    clock = Clock()
    run_jobs(container, clock)
    assert "timed out" in order_json(client, "ORDER-1")["matomo"][0]["lastFailure"]
    clock.advance(minutes=10)
    run_jobs(container, clock)
    assert "429" in order_json(client, "ORDER-1")["matomo"][0]["lastFailure"]
    clock.advance(minutes=10)  # Retry-After (15 minutes) has not passed yet
    assert run_jobs(container, clock) == 0
    clock.advance(minutes=6)
    run_jobs(container, clock)
    assert list(fake.orders) == [(1, "ORDER-1")]
    assert job_counts(container, connector.id).get("dead", 0) == 0


def test_bad_token_marks_the_connector_failing_and_stops_calling_matomo(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo
) -> None:
    connector = add_matomo(container, seed_project, MATOMO, token="a-wrong-token-9876")
    add_catalogue(client)
    signed(client, "/v2/order", order("ORDER-1"))
    clock = Clock()
    run_jobs(container, clock)
    signed(client, "/v2/order", order("ORDER-2"))
    clock.advance(hours=3)
    run_jobs(container, clock)

    assert len(fake.tracking_requests()) == 1  # one call, then no more
    assert fake.orders == {}
    with container.uow.read() as tx:
        failing = tx.connectors.by_id(connector.id)
    assert failing is not None
    assert failing.state is ConnectorState.FAILING
    assert "invalid_indices" in (failing.state_message or "")
    assert job_counts(container, connector.id)["pending"] == 2
    assert order_json(client, "ORDER-1")["matomo"][0]["tracked"] is False


def test_the_token_appears_in_no_log_line_request_log_tracking_url_or_order(
    client: TestClient,
    container: Container,
    seed_project: ProjectCredentials,
    fake: FakeMatomo,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    connector = add_matomo(container, seed_project, MATOMO)
    add_catalogue(client)
    signed(client, "/v2/order", order("ORDER-1"))
    signed(client, "/v2/order", order("ORDER-2"))
    fake.handle("GET", "/matomo.php?idsite=1&rec=1&idgoal=0&ec_id=ORDER-2&revenue=1", {}, b"", "1.2.3.4")  # a duplicate
    fake.fault("503", times=1, endpoint="tracking")
    clock = Clock()
    run_jobs(container, clock)
    clock.advance(hours=1)
    run_jobs(container, clock)
    with container.uow.read() as tx:
        requests = tx.outbound_log.requests(connector.id, before_id=None, limit=100)
        errors = tx.outbound_log.errors(connector.id, before_id=None, limit=100)

    assert {r.record.status for r in requests} >= {503, 200}
    assert any("Live.getLastVisitsDetails" in r.record.url for r in requests)  # the duplicate's confirmation
    assert caplog.records
    for text in (
        caplog.text,
        " ".join(str(r.__dict__) for r in caplog.records),
        " ".join(r.record.url + (r.record.outcome or "") for r in requests),
        " ".join(e.message for e in errors),
        str(order_json(client, "ORDER-1")),
        str(order_json(client, "ORDER-2")),
    ):
        assert TOKEN not in text
    assert all(order_json(client, o)["matomo"][0]["tracked"] for o in ("ORDER-1", "ORDER-2"))
    assert "XYZANONYMIZED" in order_json(client, "ORDER-1")["matomo"][0]["trackingUrl"]
    assert len(order_json(client, "ORDER-2")["outbound"]) == 2  # the bulk and the Reporting API's confirmation
