"""Shared set-up of the Matomo push tests: a Matomo connector, a shop's customer, products and orders sent through the
signed API, and running the outbox against the fake Matomo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.support.fake_matomo import TOKEN
from tests.support.signing import SEED_API_KEY, envelope, signed_headers
from trackbridge.adapters.connectors.matomo.settings import parse_settings
from trackbridge.domain.outbound import Connector, ConnectorKind
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.outbound_worker import drain_outbox
from trackbridge.services import connectors

VISITOR = "5f2c1a9b0d3e4f67"
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
READER = {"Authorization": f"Bearer {SEED_API_KEY}"}


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Clock:
    """A clock the test moves (the outbox's backoff is tested without waiting)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def add_matomo(
    container: Container,
    project: ProjectCredentials,
    url: str,
    *,
    token: str = TOKEN,
    enabled_at: datetime | None = None,
    **settings: Any,
) -> Connector:
    moment = enabled_at or datetime.now(UTC) - timedelta(days=1)
    return connectors.add_connector(
        container.uow,
        container.box,
        project.project,
        ConnectorKind.MATOMO,
        "matomo",
        # a schedule that never fires during a test (29 February): the daily 02:00 run would add a job to the counts
        {"url": url, "siteId": 1, "importVisits": False, "schedule": "0 0 29 2 *", **settings},
        token,
        parse_settings,
        clock=lambda: moment,
    )


def signed(client: TestClient, path: str, params: dict[str, Any]) -> dict[str, Any]:
    body = envelope(params)
    answer = client.post(path, content=body, headers=signed_headers(body))
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def add_catalogue(client: TestClient) -> None:
    signed(client, "/v2/customer", {"email": "jo@example.com", "externalId": "crm-77"})
    signed(client, "/v2/category", {"id": "c-1", "name": "Gadgets"})
    signed(
        client, "/v2/product", {"id": "p-1", "name": "Widget", "sku": "SKU-1", "price": "19.99", "categories": ["c-1"]}
    )
    signed(client, "/v2/product", {"id": "p-2", "name": "Gizmo", "sku": "SKU-2", "price": "5.50"})


def order(order_id: str = "ORDER-1", *, status: str = "completed", placed: datetime | None = None) -> dict[str, Any]:
    return {
        "id": order_id,
        "createdAt": ms(placed or datetime.now(UTC) - timedelta(hours=1)),
        "amount": "50.48",
        "subtotal": "45.48",
        "tax": "3",
        "shipping": "5",
        "discount": "3",
        "status": status,
        "email": "jo@example.com",
        "ipAddress": "198.51.100.23",
        "visitorId": VISITOR,
        "userAgent": UA,
        "products": [
            {"productId": "p-1", "quantity": 2, "price": "19.99", "sku": "SKU-1", "name": "Widget"},
            {"productId": "p-2", "quantity": 1, "price": "5.50", "sku": "SKU-2", "name": "Gizmo"},
        ],
    }


def run_jobs(container: Container, clock: Clock | None = None) -> int:
    return drain_outbox(container, clock=clock or Clock())


def job_counts(container: Container, connector_id: int) -> dict[str, int]:
    with container.uow.read() as tx:
        return tx.outbox.counts(None, connector_id)


def order_json(client: TestClient, order_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/orders/{order_id}", headers=READER)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result
