"""Raw exports of visits, events and orders, streamed in keyset pages (both engines)."""

from __future__ import annotations

import csv
import io

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.integration.report_support import AUTH, build_shop
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http import export_api


def test_exports_stream_every_row_of_the_range_across_pages(
    client: TestClient, container: Container, seed_project: ProjectCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = build_shop(client, container, seed_project)
    monkeypatch.setattr(export_api, "PAGE_ROWS", 3)
    day = {"from": shop.day.isoformat(), "to": shop.day.isoformat()}
    sessions = client.get("/api/v1/export/sessions", params=day, headers=AUTH)
    assert sessions.status_code == 200
    assert sessions.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sessions.text)))
    assert len(rows) == 7
    assert len({row["id"] for row in rows}) == 7
    assert rows[0]["visitor_id"] == "f000000000000006"  # 00:30 in Berlin, the first visit of the day
    events = client.get("/api/v1/export/events", params={**day, "format": "jsonl"}, headers=AUTH)
    assert events.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(line) for line in events.text.splitlines()]
    assert len(lines) == 10
    assert {line["event_id"] for line in lines} >= {"a1", "a3", "f1"}
    orders = client.get("/api/v1/export/orders", params={**day, "format": "jsonl"}, headers=AUTH)
    found = {line["id"]: line for line in map(orjson.loads, orders.text.splitlines())}
    assert set(found) == {"O1", "O2", "O3", "O4", "O5"}
    assert (found["O1"]["amount"], found["O4"]["status_type"]) == ("120.0000", "SPAM")
    assert found["O1"]["linked_session_id"] is not None


def test_an_export_needs_an_api_key_and_a_known_kind(client: TestClient, seed_project: ProjectCredentials) -> None:
    assert client.get("/api/v1/export/sessions").status_code == 401
    assert client.get("/api/v1/export/customers", headers=AUTH).status_code == 400
    assert client.get("/api/v1/export/events", params={"format": "xml"}, headers=AUTH).status_code == 400
