"""Orders reach Matomo's Tracking API from the outbox: once, with the visitor and attribution seed 001 asks for, never
for skipped statuses or orders from before the connector, and with the outcome kept on the order."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.integration.matomo_push_support import (
    VISITOR,
    add_catalogue,
    add_matomo,
    job_counts,
    order,
    order_json,
    run_jobs,
    signed,
)
from tests.support.fake_matomo import TOKEN, FakeMatomo
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import matomo_push


@pytest.fixture
def fake() -> FakeMatomo:
    return FakeMatomo(visits=[])


def test_order_sent_twice_through_the_signed_api_reaches_matomo_once(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, matomo_url: str
) -> None:
    connector = add_matomo(container, seed_project, matomo_url)
    add_catalogue(client)
    signed(client, "/v2/order", order())
    signed(client, "/v2/order", order())  # the backend retried
    assert job_counts(container, connector.id)["pending"] == 1
    run_jobs(container)
    signed(client, "/v2/order", {**order(), "status": "shipped"})  # a later change: tracked already
    run_jobs(container)

    assert list(fake.orders) == [(1, "ORDER-1")]
    (bulk,) = fake.tracking_requests()
    assert bulk.kind == "bulk"
    assert json.loads(bulk.body)["token_auth"] == TOKEN
    (sent,) = bulk.bulk
    assert sent["cid"] == VISITOR
    assert (sent["cip"], sent["idgoal"], sent["ec_id"], sent["revenue"]) == ("198.51.100.23", "0", "ORDER-1", "50.48")
    assert json.loads(sent["ec_items"]) == [["SKU-1", "Widget", "Gadgets", 19.99, 2], ["SKU-2", "Gizmo", "", 5.5, 1]]
    (pushed,) = order_json(client, "ORDER-1")["matomo"]
    assert pushed["tracked"] is True
    assert pushed["lastFailure"] is None
    assert "token_auth=XYZANONYMIZED" in pushed["trackingUrl"]
    assert TOKEN not in pushed["trackingUrl"]


def test_order_matomo_already_holds_is_marked_tracked_once_the_reporting_api_confirms_it(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, matomo_url: str
) -> None:
    add_matomo(container, seed_project, matomo_url)
    add_catalogue(client)
    fake.handle("GET", f"/matomo.php?idsite=1&rec=1&idgoal=0&ec_id=ORDER-1&revenue=1&cid={VISITOR}", {}, b"", "1.2.3.4")
    signed(client, "/v2/order", order())
    run_jobs(container)

    details = order_json(client, "ORDER-1")
    (pushed,) = details["matomo"]
    assert pushed["tracked"] is True
    assert "duplicate" in pushed["note"]
    assert any("orderId%3D%3DORDER-1" in r.body.decode() for r in fake.api_requests())
    assert [call["status"] for call in details["outbound"]] == [200, 200]  # the bulk, then the Reporting API


def test_order_refused_for_another_reason_is_not_tracked_and_shows_why(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, matomo_url: str
) -> None:
    connector = add_matomo(container, seed_project, matomo_url, siteId=7)  # a site this Matomo does not have
    add_catalogue(client)
    signed(client, "/v2/order", order())
    run_jobs(container)

    (pushed,) = order_json(client, "ORDER-1")["matomo"]
    assert pushed["tracked"] is False
    assert "refused order 'ORDER-1'" in pushed["lastFailure"]
    assert "unexpected website" in pushed["lastFailure"]
    assert "XYZANONYMIZED" in pushed["trackingUrl"]
    with container.uow.read() as tx:
        dead = tx.outbox.dead(None, connector.id, 10)
    assert [job.subject for job in dead if job.kind == matomo_push.ORDER_JOB] == ["ORDER-1"]
    assert all("refused order 'ORDER-1'" in (job.last_error or "") for job in dead if job.kind == matomo_push.ORDER_JOB)
    assert fake.orders == {}


def test_skipped_statuses_are_not_pushed_until_the_order_reaches_another_status(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, matomo_url: str
) -> None:
    connector = add_matomo(container, seed_project, matomo_url)
    add_catalogue(client)
    signed(client, "/v2/order", order("ORDER-P", status="pending"))
    signed(client, "/v2/order", order("ORDER-C", status="Cancelled"))
    assert job_counts(container, connector.id)["pending"] == 0
    run_jobs(container)
    assert fake.tracking_requests() == []

    signed(client, "/v2/order", order("ORDER-P", status="processing"))
    run_jobs(container)
    assert list(fake.orders) == [(1, "ORDER-P")]


def test_orders_from_before_the_connector_wait_for_a_backfill(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, matomo_url: str
) -> None:
    now = datetime.now(UTC)
    connector = add_matomo(container, seed_project, matomo_url, enabled_at=now - timedelta(hours=2))
    add_catalogue(client)
    signed(client, "/v2/order", order("OLD-1", placed=now - timedelta(days=3)))
    signed(client, "/v2/order", order("OLD-2", placed=now - timedelta(days=10)))
    signed(client, "/v2/order", order("OLD-3", placed=now - timedelta(days=4), status="refunded"))
    run_jobs(container)
    assert fake.tracking_requests() == []

    queued = matomo_push.backfill(container.uow, seed_project.project, connector, now, since=now - timedelta(days=5))
    assert queued == 1
    assert matomo_push.backfill(container.uow, seed_project.project, connector, now, order_id="OLD-2") == 1
    run_jobs(container)
    assert sorted(order_id for _, order_id in fake.orders) == ["OLD-1", "OLD-2"]
    assert (
        matomo_push.backfill(container.uow, seed_project.project, connector, now, since=now - timedelta(days=30)) == 0
    )


def test_order_carries_the_attribution_of_the_visit_it_came_from(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, matomo_url: str
) -> None:
    from tests.integration.test_tracking_pipeline import send
    from trackbridge.entrypoints.worker import drain

    add_matomo(container, seed_project, matomo_url)
    add_catalogue(client)
    landing = "https://shop.example/spring?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=widgets"
    campaign = {"source": "google", "medium": "cpc", "name": "spring", "term": "widgets"}
    event = {"id": "v1", "type": "page_view", "url": landing, "referrer": "https://www.google.com/search?q=widgets"}
    event["campaign"] = campaign
    send(client, [event], visitor=VISITOR)  # a browser's event: timed when received
    drain(container)
    signed(client, "/v2/order", order(placed=datetime.now(UTC) + timedelta(seconds=1)))
    run_jobs(container)

    (bulk,) = fake.tracking_requests()
    sent = bulk.bulk[0]
    assert (sent["_rcn"], sent["_rck"]) == ("spring", "widgets")
    assert sent["_ref"] == "https://www.google.com/search?q=widgets"
    assert int(sent["_refts"]) > 0
