"""Helpers of the identification tests: send events through POST /t, run the worker, read what identification stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.signing import SEED_API_KEY, SEED_TOKEN
from trackbridge.adapters.db.identity_tables import form_submissions, identity_links
from trackbridge.adapters.db.tables import customer_tags, customers
from trackbridge.adapters.db.tracking_tables import sessions, visitors
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.worker import drain

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
SERVER = {"Authorization": f"Bearer {SEED_API_KEY}", "User-Agent": CHROME}
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
VISITOR = "0a1b2c3d4e5f6071"
OTHER_VISITOR = "1b2c3d4e5f607182"


def at(minutes: float) -> int:
    """Epoch milliseconds, ``minutes`` after T0 (times sent with an API key are trusted)."""
    return int((T0 + timedelta(minutes=minutes)).timestamp() * 1000)


def event(event_id: str, kind: str, minutes: float, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "time": at(minutes), "url": "https://shop.example/page", **fields}


def send(client: TestClient, events: list[dict[str, Any]], *, visitor: str = VISITOR) -> None:
    body = {"token": SEED_TOKEN, "visitorId": visitor, "events": events}
    answer = client.post("/t", json=body, headers=SERVER)
    assert answer.status_code == 202, answer.text


def send_and_process(client: TestClient, container: Container, events: list[dict[str, Any]], **kw: str) -> None:
    send(client, events, **kw)
    drain(container)


def rows(container: Container, query: sa.Select[Any]) -> list[dict[str, Any]]:
    with container.engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def customer_id(container: Container, email: str) -> int | None:
    found = rows(container, sa.select(customers.c.id).where(customers.c.email == email))
    return found[0]["id"] if found else None


def customer(container: Container, email: str) -> dict[str, Any]:
    [row] = rows(container, sa.select(customers).where(customers.c.email == email))
    return row


def session_owners(container: Container, visitor: str = VISITOR) -> list[int | None]:
    """The customer of each of the visitor's sessions, oldest first."""
    query = sa.select(sessions.c.customer_id).where(sessions.c.visitor_id == visitor).order_by(sessions.c.started_at)
    return [row["customer_id"] for row in rows(container, query)]


def visitor_customer(container: Container, visitor: str = VISITOR) -> int | None:
    [row] = rows(container, sa.select(visitors.c.customer_id).where(visitors.c.visitor_id == visitor))
    return row["customer_id"]


def links(container: Container, visitor: str = VISITOR) -> list[dict[str, Any]]:
    query = sa.select(identity_links).where(identity_links.c.visitor_id == visitor).order_by(identity_links.c.id)
    return rows(container, query)


def forms(container: Container) -> list[dict[str, Any]]:
    return rows(container, sa.select(form_submissions).order_by(form_submissions.c.submitted_at))


def tags(container: Container, owner: int) -> list[str]:
    query = sa.select(customer_tags.c.tag).where(customer_tags.c.customer_id == owner).order_by(customer_tags.c.tag)
    return [row["tag"] for row in rows(container, query)]
