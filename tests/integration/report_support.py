"""A small shop's day, sent through the real paths (POST /t, the signed API, the worker), for the report tests.

Project time zone Europe/Berlin (UTC+1 in this season), base currency EUR. Day D is three days ago (Berlin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests.support.signing import SEED_API_KEY, SEED_TOKEN, envelope, signed_headers
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.worker import drain
from trackbridge.services import projects as project_service

BERLIN = ZoneInfo("Europe/Berlin")
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)
AUTH = {"Authorization": f"Bearer {SEED_API_KEY}"}
SHOP = "https://shop.example"
CPC = {"source": "google", "medium": "cpc", "name": "spring"}


@dataclass(frozen=True)
class Shop:
    day: date
    """Day D, in Berlin."""

    def at(self, hours: float, day_offset: int = 0) -> datetime:
        """A moment in UTC: ``hours`` after midnight UTC of D (+ ``day_offset`` days)."""
        midnight = datetime.combine(self.day + timedelta(days=day_offset), time(), UTC)
        return midnight + timedelta(hours=hours)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def send(client: TestClient, visitor: str, events: list[dict[str, Any]], agent: str = CHROME) -> None:
    body = {"token": SEED_TOKEN, "visitorId": visitor, "events": events}
    answer = client.post("/t", json=body, headers={"User-Agent": agent, **AUTH})
    assert answer.status_code == 202, answer.text


def page(event_id: str, moment: datetime, path: str, **extra: Any) -> dict[str, Any]:
    return {"id": event_id, "type": "page_view", "time": ms(moment), "url": SHOP + path, **extra}


def order(client: TestClient, order_id: str, visitor: str, moment: datetime, amount: str, **extra: Any) -> None:
    params = {
        "id": order_id,
        "createdAt": ms(moment),
        "amount": amount,
        "status": "completed",
        "visitorId": visitor,
        "products": [{"productId": "p1", "quantity": 1}],
        **extra,
    }
    body = envelope(params)
    answer = client.post("/v2/order", content=body, headers=signed_headers(body))
    assert answer.status_code == 200, answer.text


def build_shop(client: TestClient, container: Container, project: ProjectCredentials) -> Shop:
    _configure(container, client)
    today = datetime.now(BERLIN).date()
    shop = Shop(today - timedelta(days=3))
    at = shop.at
    body = envelope({"id": "p1", "name": "Widget", "price": 60, "categories": []})
    assert client.post("/v2/product", content=body, headers=signed_headers(body)).status_code == 200
    # Orders first: the worker links them when the visits arrive.
    order(
        client,
        "O1",
        "a000000000000001",
        at(12, 0) + timedelta(minutes=10),
        "120.00",
        cost="70.00",
        refunds=[{"id": "r1", "amount": "20.50", "createdAt": ms(at(14))}],
        products=[{"productId": "p1", "quantity": 2}],
    )
    order(client, "O2", "b000000000000002", at(9) + timedelta(minutes=5), "50.00", currency="GBP")
    order(client, "O3", "c000000000000003", at(8) + timedelta(minutes=5), "1000", currency="JPY")
    order(client, "O4", "d000000000000004", at(7) + timedelta(minutes=5), "100.00", status="spam")
    order(client, "O5", "e000000000000005", at(6) + timedelta(minutes=5), "80.00", status="cancelled")
    send(
        client,
        "a000000000000001",
        [
            page("a1", at(10), "/landing", campaign=CPC),
            page("a2", at(10) + timedelta(seconds=60), "/p/1"),
            {
                "id": "a3",
                "type": "product_view",
                "time": ms(at(10) + timedelta(seconds=70)),
                "url": SHOP + "/p/1",
                "properties": {"productId": "p1"},
            },
            {
                "id": "a4",
                "type": "add_to_cart",
                "time": ms(at(10) + timedelta(seconds=90)),
                "url": SHOP + "/p/1",
                "properties": {"productId": "p1"},
            },
            page("a5", at(12), "/"),
        ],
    )
    send(client, "b000000000000002", [page("b1", at(9), "/", referrer="https://blog.example/post")])
    send(client, "c000000000000003", [page("c1", at(8), "/")], agent=IPHONE)
    send(client, "d000000000000004", [page("d1", at(7), "/landing", campaign=CPC)])
    send(client, "e000000000000005", [page("e1", at(6), "/landing", campaign=CPC)])
    # 23:30 UTC the day before D is 00:30 on D in Berlin.
    send(client, "f000000000000006", [page("f1", at(23.5, -1), "/landing", campaign=CPC)])
    drain(container)
    return shop


def _configure(container: Container, client: TestClient) -> None:
    with container.uow.read() as tx:
        project = tx.projects.by_token(SEED_TOKEN)
    assert project is not None
    project_service.update_settings(container.uow, project, timezone="Europe/Berlin", base_currency="EUR")
    answer = client.put("/api/v1/settings/currency-rates", json={"rates": {"GBP": "1.2"}}, headers=AUTH)
    assert answer.status_code == 200, answer.text
